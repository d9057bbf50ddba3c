// seccheck generate: a seccomp profile for a workload, from a run or saved records.
// What it writes and why is documented in README.md ("Profiles out").
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "analysis/generate.h"
#include "analysis/json_input.h"
#include "analysis/merge.h"
#include "analysis/run_record.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "report/json_report.h"
#include "session/check.h"

namespace seccheck::cli {
namespace {

struct GenerateOptions {
  std::vector<std::string> from;
  std::string impact_path;  // --impact REPORT.json
  std::string base = "docker";
  bool minimal = false;
  std::string engine;  // --for
  std::string format = "oci";
  std::string name;
  std::string output_path;
  bool quiet = false;
  int verbosity = 0;
  std::vector<std::string> command;
  ContextOptions context;
};

std::string default_name(const std::vector<std::string>& command) {
  if (command.empty()) return "seccheck-profile";
  return analysis::kubernetes_name(std::filesystem::path(command.front()).filename().string());
}

// The records --from names, merged into one.
analysis::RunRecord merged_records(const std::vector<std::string>& paths, bool minimal) {
  std::vector<analysis::RunRecord> records;
  for (const std::string& path : paths) {
    auto loaded = analysis::load_run_record(path);
    if (!loaded) throw UserError(ExitCode::kUsage, loaded.error().message);
    if (!loaded->complete && minimal)
      throw UserError(ExitCode::kUsage,
                      path + ": holds only the calls its check flagged; --minimal needs a complete "
                             "record (seccheck check --record FILE -- CMD)");
    records.push_back(std::move(*loaded));
  }
  auto merged = analysis::merge_records(records);
  if (!merged) throw UserError(ExitCode::kUsage, merged.error().message);
  return std::move(*merged);
}

// The calls a `check --impact` JSON report says `profile` must change to let the workload run:
// breaking findings whose fix is ENOSYS, and those that need the call allowed (breaking or
// unstable). Recovering findings stay blocked.
struct ImpactCalls {
  std::vector<analysis::RecordedCall> allow;
  std::vector<analysis::RecordedCall> enosys;
  std::size_t recovering = 0;
  std::vector<std::string> command;  // the checked workload's
};

ImpactCalls impact_calls(const std::string& path, const std::string& profile) {
  auto text = analysis::read_input_file(path);
  if (!text) throw UserError(ExitCode::kUsage, text.error().message);
  auto json = report::parse_json_text(*text, path);
  if (!json) throw UserError(ExitCode::kUsage, json.error().message);
  auto report = report::report_from_json(*json, path);
  if (!report) throw UserError(ExitCode::kUsage, report.error().message);
  if (!report->impact)
    throw UserError(ExitCode::kUsage, path + ": not a `seccheck check --impact` report (it has no impact)");
  bool checked = false;
  std::string names;
  for (const analysis::CheckedProfile& checked_profile : report->profiles) {
    checked = checked || checked_profile.name == profile;
    names += (names.empty() ? "" : ", ") + checked_profile.name;
  }
  if (!checked)
    throw UserError(ExitCode::kUsage, path + ": checked " + names + ", not the base " + profile +
                                          "; give --base one of them or check with --profile for this base");
  ImpactCalls calls;
  calls.command = report->command;
  for (const analysis::Finding& finding : report->findings) {
    for (const analysis::FindingImpact& impact : finding.impacts) {
      if (impact.profile != profile) continue;
      if (impact.kind == analysis::ImpactKind::kRecovers)
        ++calls.recovering;
      else if (impact.kind == analysis::ImpactKind::kBreaks && impact.fix == analysis::ImpactFix::kEnosys)
        calls.enosys.push_back(finding.call);
      else
        calls.allow.push_back(finding.call);
    }
  }
  return calls;
}

int run_generate(const GenerateOptions& options) {
  const int sources = !options.command.empty() + !options.from.empty() + !options.impact_path.empty();
  if (sources != 1)
    throw UserError(ExitCode::kUsage,
                    "give one of a command (-- CMD [ARGS...]), --from RECORD... or --impact REPORT, not " +
                        std::string(sources == 0 ? "none" : "several"));
  if (!options.impact_path.empty() && options.minimal)
    throw UserError(ExitCode::kUsage,
                    "--impact changes a base profile; it cannot be combined with --minimal");
  const analysis::Context context = make_context(options.context);
  const session::Diagnostics diagnostics = diagnostics_for(options.verbosity);
  analysis::ProfileSelection base;
  if (!options.minimal) base = session::select_one_profile(options.base, context, "--base", diagnostics);
  const analysis::Profile* base_profile = options.minimal ? nullptr : &base.profiles.front();
  analysis::Engine engine = analysis::engine_of(base_profile);
  if (!options.engine.empty()) {
    auto parsed = analysis::parse_engine(options.engine);
    if (!parsed) throw UserError(ExitCode::kUsage, parsed.error().message);
    engine = *parsed;
  }
  auto form = analysis::parse_profile_form(options.format);
  if (!form) throw UserError(ExitCode::kUsage, form.error().message);

  analysis::RunRecord record;
  std::vector<analysis::RecordedCall> enosys_calls;
  if (!options.impact_path.empty()) {
    ImpactCalls calls = impact_calls(options.impact_path, base.resolved.front().name);
    record.calls = std::move(calls.allow);
    enosys_calls = std::move(calls.enosys);
    record.command = std::move(calls.command);
    if (!options.quiet)
      std::cerr << "seccheck: note: " << calls.recovering
                << " finding(s) the workload recovers from stay blocked; " << enosys_calls.size()
                << " answered ENOSYS instead, " << record.calls.size() << " allowed\n";
  } else if (!options.from.empty()) {
    record = merged_records(options.from, options.minimal);
  } else {
    session::RunSettings settings;
    settings.command = options.command;
    settings.stack_frames = 0;
    settings.progress = !options.quiet && isatty(STDERR_FILENO);
    settings.diagnostics = diagnostics;
    session::PtraceRunner runner;
    record = session::record_run(settings, base.profiles, runner);
    if (!options.quiet) {
      for (const std::string& notice : record.notices)
        std::cerr << "seccheck: note: " << notice << "\n";
      if (record.exit_status != 0)
        std::cerr << "seccheck: note: the workload exited with status " << record.exit_status
                  << "; the profile covers the calls it made until then\n";
    }
  }

  analysis::GenerateRequest request;
  request.calls = std::move(record.calls);
  request.enosys_calls = std::move(enosys_calls);
  request.base = base_profile;
  request.context = context;
  request.engine = engine;
  request.name = options.name.empty() ? default_name(record.command) : options.name;
  auto generated = analysis::generate_profile(request);
  if (!generated) throw UserError(ExitCode::kToolFailure, generated.error().message);

  if (!options.quiet) {
    std::cerr << "seccheck: " << request.name << ": " << generated->additions << " rules added"
              << (base_profile ? " to " + base_profile->name : std::string(" (minimal allow-list)")) << "\n";
    for (const std::string& note : generated->notes)
      std::cerr << "seccheck: note: " << note << "\n";
  }
  for (const std::string& call : generated->unresolved)
    std::cerr << "seccheck: the generated profile still blocks " << call << "\n";

  const std::string text =
      analysis::profile_in_form(generated->profile, *form, engine, context, request.name);
  if (options.output_path.empty()) {
    std::cout << text;
    std::cout.flush();
  } else {
    write_text_file(options.output_path, text, "profile");
  }
  return static_cast<int>(generated->unresolved.empty() ? ExitCode::kOk : ExitCode::kWouldBlock);
}

}  // namespace

Command register_generate_command(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  CLI::App* sub = app.add_subcommand(
      "generate",
      "Write a seccomp profile for a workload: a base profile plus what a run needed, or a minimal one");
  completes_as(sub->add_option("--from", options->from,
                               "Records saved by `seccheck check --record FILE` (several are merged)"),
               ValueKind::kFile);
  completes_as(sub->add_option("--impact", options->impact_path,
                               "A JSON report of `seccheck check --impact`: change the base only where the "
                               "workload needs it (ENOSYS where that was enough, else allow)"),
               ValueKind::kFile);
  completes_as(sub->add_option(
                   "--base", options->base,
                   "Base profile: a catalog name (docker, containerd, crio, docker@24.0) or a profile file"),
               ValueKind::kProfile)
      ->default_str("docker");
  sub->add_flag("--minimal", options->minimal,
                "Allow only the observed calls (default action ERRNO/EPERM) plus what any process needs");
  sub->add_option(
         "--for", options->engine,
         "Runtime that reads the profile: docker, crio (keep includes/excludes) or containerd (flat, "
         "resolved for the context options). Default: the base's runtime")
      ->check(CLI::IsMember({"docker", "containerd", "crio", "cri-o", "podman"}));
  sub->add_option("--format", options->format,
                  "oci (OCI/Docker JSON), spo (Security Profiles Operator SeccompProfile YAML) or pod (Pod "
                  "securityContext snippet referencing it as Localhost profiles/NAME.json)")
      ->check(CLI::IsMember({"oci", "spo", "pod"}))
      ->default_str("oci");
  completes_as(sub->add_option("--name", options->name,
                               "Profile name (SPO object, pod snippet). Default: the command's name"),
               ValueKind::kNone);
  completes_as(
      sub->add_option("-o,--output", options->output_path, "Write to FILE instead of standard output"),
      ValueKind::kFile);
  add_context_options(sub, options->context);
  sub->add_flag("-q,--quiet", options->quiet, "No notes on standard error");
  sub->add_flag("-v,--verbose", options->verbosity, "Explain what seccheck does");
  completes_as(sub->add_option("command", options->command, "The workload: -- CMD [ARGS...]"),
               ValueKind::kCommand);
  set_example(sub, "seccheck generate --base docker --name myapp -o myapp.json -- ./myapp --self-test");
  return {sub, [options] { return run_generate(*options); }};
}

}  // namespace seccheck::cli
