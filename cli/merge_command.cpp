// seccheck merge A.json B.json ... -o OUT: one record or profile from several (several test
// runs, several containers of one pod). Records (written by `check --record`) merge their
// calls; profiles merge their rules, keeping argument-specific rules as narrow as their union
// allows (analysis/merge.h). Mixed inputs and conflicting profiles are one-line errors (exit 2).
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/merge.h"
#include "analysis/profile_parser.h"
#include "analysis/run_record.h"
#include "cli/commands.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output_path;
};

std::string read_input(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(ExitCode::kUsage, path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Records say so in their first key; everything else is read as a profile.
bool is_record(const std::string& text) {
  return text.find("\"seccheck_record\"") != std::string::npos;
}

int run_merge(const MergeOptions& options) {
  std::vector<std::string> texts;
  for (const std::string& path : options.inputs)
    texts.push_back(read_input(path));
  bool records = is_record(texts.front());
  for (std::size_t i = 1; i < texts.size(); ++i)
    if (is_record(texts[i]) != records)
      throw UserError(ExitCode::kUsage,
                      "merge: " + options.inputs[i] + " is a " + (records ? "profile" : "record") + " but " +
                          options.inputs.front() + " is a " + (records ? "record" : "profile") +
                          "; merge records with records and profiles with profiles");
  std::string merged_text;
  if (records) {
    std::vector<analysis::RunRecord> loaded;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      auto record = analysis::parse_run_record(texts[i], options.inputs[i]);
      if (!record) throw UserError(ExitCode::kUsage, record.error().message);
      loaded.push_back(std::move(*record));
    }
    auto merged = analysis::merge_records(loaded);
    if (!merged) throw UserError(ExitCode::kUsage, merged.error().message);
    merged_text = analysis::run_record_to_json(*merged);
  } else {
    std::vector<analysis::Profile> loaded;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      auto profile = analysis::parse_profile(texts[i], options.inputs[i]);
      if (!profile) throw UserError(ExitCode::kUsage, profile.error().message);
      loaded.push_back(std::move(*profile));
    }
    auto merged = analysis::merge_profiles(loaded);
    if (!merged) throw UserError(ExitCode::kUsage, merged.error().message);
    merged_text = analysis::profile_to_json(*merged) + "\n";
  }
  if (options.output_path.empty()) {
    std::cout << merged_text;
    std::cout.flush();
  } else {
    write_text_file(options.output_path, merged_text, records ? "record" : "profile");
  }
  return static_cast<int>(ExitCode::kOk);
}

}  // namespace

Command register_merge_command(CLI::App& app) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* sub = app.add_subcommand("merge", "Merge run records or seccomp profiles into one");
  completes_as(sub->add_option("inputs", options->inputs,
                               "Records (check --record) or profiles (JSON), all of one kind"),
               ValueKind::kFile)
      ->required();
  completes_as(
      sub->add_option("-o,--output", options->output_path, "Write to FILE instead of standard output"),
      ValueKind::kFile);
  set_example(sub, "seccheck merge web.json worker.json -o pod.json");
  return {sub, [options] { return run_merge(*options); }};
}

}  // namespace seccheck::cli
