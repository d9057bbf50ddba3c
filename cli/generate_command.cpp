// seccheck generate: a seccomp profile for a workload, from a run or saved records.
// What it writes and why is documented in README.md ("Profiles out").
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "analysis/generate.h"
#include "analysis/json_input.h"
#include "analysis/log_only.h"
#include "analysis/merge.h"
#include "analysis/run_record.h"
#include "audit/report.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/messages.h"
#include "cli/output_file.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "container/k8s_job.h"
#include "core/error.h"
#include "core/version.h"
#include "report/json_report.h"
#include "session/check.h"

namespace seccheck::cli {
namespace {

struct GenerateOptions {
  std::vector<std::string> from;
  std::vector<std::string> from_audit;
  bool log_only = false;
  std::string impact_path;  // --impact REPORT.json
  std::string base = "docker";
  bool minimal = false;
  std::string engine;  // --for
  std::string format = "oci";
  std::string name;
  std::string output_path;
  bool allow_partial = false;
  bool quiet = false;
  int verbosity = 0;
  std::vector<std::string> command;
  ContextOptions context;
  std::string image;           // --format job
  std::string seccheck_image;  // --format job
};

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::stringstream parts(value);
    std::string part;
    while (std::getline(parts, part, ','))
      if (!part.empty()) out.push_back(part);
  }
  return out;
}

// --format job: a Kubernetes Job that runs the check in a cluster (container/k8s_job.h).
int write_job(const GenerateOptions& options) {
  if (options.image.empty()) throw UserError(ExitCode::kUsage, "--format job needs --image IMAGE");
  if (options.command.empty())
    throw UserError(ExitCode::kUsage,
                    "--format job needs the command to check (-- CMD [ARGS...]): Kubernetes replaces the "
                    "image's entrypoint with it");
  if (!options.from.empty() || options.minimal)
    throw UserError(ExitCode::kUsage, "--format job takes no --from or --minimal");
  make_context(options.context);  // validates the capability names
  container::JobSpec spec;
  spec.image = options.image;
  spec.command = options.command;
  // A DNS-1123 label (the Job's pods carry it as a label value): no dots, at most 63.
  std::string name = options.name.empty() ? "seccheck-" + options.image : options.name;
  std::replace(name.begin(), name.end(), '.', '-');
  spec.name = analysis::kubernetes_name(analysis::kubernetes_name(name).substr(0, 63));
  spec.seccheck_image =
      options.seccheck_image.empty() ? "seccheck:" + std::string(seccheck_version()) : options.seccheck_image;
  spec.cap_add = split_commas(options.context.cap_add);
  spec.cap_drop = split_commas(options.context.cap_drop);
  spec.privileged = options.context.privileged;
  OutputFile("-o", options.output_path).write(container::job_manifest_yaml(spec));
  return 0;
}

std::string default_name(const std::vector<std::string>& command) {
  if (command.empty()) return "seccheck-profile";
  return analysis::kubernetes_name(std::filesystem::path(command.front()).filename().string());
}

// The records --from names, merged into one.
analysis::RunRecord merged_records(const std::vector<std::string>& paths, bool minimal, bool allow_partial) {
  std::vector<analysis::RunRecord> records;
  for (const std::string& path : paths) {
    auto loaded = analysis::load_run_record(path);
    if (!loaded) throw UserError(ExitCode::kUsage, loaded.error().message);
    if (Result<void> fits = analysis::record_fits_generate(*loaded, path, minimal, allow_partial); !fits)
      throw UserError(ExitCode::kUsage, fits.error().message);
    records.push_back(std::move(*loaded));
  }
  auto merged = analysis::merge_records(records);
  if (!merged) throw UserError(ExitCode::kUsage, merged.error().message);
  return std::move(*merged);
}

// --log-only: the base with its blocking actions turned into LOG (analysis/log_only.h).
int run_log_only(const GenerateOptions& options, const OutputFile& output, const analysis::Profile& base,
                 analysis::Engine engine, analysis::ProfileForm form, const analysis::Context& context) {
  analysis::LogOnlyRequest request{&base, context, engine,
                                   options.name.empty() ? analysis::kubernetes_name(base.name + "-log-only")
                                                        : options.name};
  auto copy = analysis::make_log_only(request);
  if (!copy) throw UserError(ExitCode::kToolFailure, copy.error().message);
  if (!options.quiet)
    for (const std::string& note : copy->notes)
      print_message("note", note);
  for (const std::string& call : copy->incomplete)
    print_message("warning", call + ": too many argument classes to compare with the base");
  for (const analysis::LogOnlyGap& gap : copy->gaps)
    print_message("the log-only copy does not log " + analysis::call_class_text(gap.example.call) +
                  ", which " + base.name + " answers with " + analysis::action_text(gap.example.base.action) +
                  " (the copy: " + analysis::action_text(gap.example.custom.action) + ")");
  output.write(analysis::profile_in_form(copy->profile, form, engine, context, request.name));
  return static_cast<int>(copy->gaps.empty() && copy->incomplete.empty() ? ExitCode::kOk
                                                                         : ExitCode::kWouldBlock);
}

// What the `check --impact` JSON report at `path` says `profile` must change (analysis/generate.h).
analysis::ImpactChanges impact_changes(const std::string& path, const std::string& profile) {
  auto text = analysis::read_input_file(path, analysis::kReportInput);
  if (!text) throw UserError(ExitCode::kUsage, text.error().message);
  auto json = report::parse_json_text(*text, path);
  if (!json) throw UserError(ExitCode::kUsage, json.error().message);
  auto report = report::report_from_json(*json, path);
  if (!report) throw UserError(ExitCode::kUsage, report.error().message);
  auto changes = analysis::impact_changes(*report, profile, path);
  if (!changes) throw UserError(ExitCode::kUsage, changes.error().message);
  return std::move(*changes);
}

int run_generate(const GenerateOptions& options) {
  if (options.format == "job") return write_job(options);
  if (!options.image.empty()) throw UserError(ExitCode::kUsage, "--image goes with --format job");
  const int sources = !options.command.empty() + !options.from.empty() + !options.from_audit.empty() +
                      options.log_only + !options.impact_path.empty();
  if (sources != 1)
    throw UserError(ExitCode::kUsage,
                    "give one of a command (-- CMD [ARGS...]), --from RECORD..., --from-audit LOG..., "
                    "--impact REPORT or --log-only, not " +
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
  if ((options.log_only || !options.from_audit.empty()) && options.minimal)
    throw UserError(ExitCode::kUsage,
                    "--minimal needs every call of a run; use --base with --log-only or --from-audit");
  const OutputFile output("-o", options.output_path);
  if (options.log_only) return run_log_only(options, output, *base_profile, engine, *form, context);

  analysis::RunRecord record;
  Arch host_arch = context.host_arch;
  std::vector<analysis::RecordedCall> enosys_calls;
  if (!options.impact_path.empty()) {
    analysis::ImpactChanges changes = impact_changes(options.impact_path, base.resolved.front().name);
    record.calls = std::move(changes.allow);
    enosys_calls = std::move(changes.enosys);
    record.command = std::move(changes.command);
    if (!options.quiet)
      print_message("note", std::to_string(changes.recovering) +
                                " finding(s) the workload recovers from stay blocked; " +
                                std::to_string(enosys_calls.size()) + " answered ENOSYS instead, " +
                                std::to_string(record.calls.size()) + " allowed");
  } else if (!options.from.empty()) {
    record = merged_records(options.from, options.minimal, options.allow_partial);
  } else if (!options.from_audit.empty()) {
    audit::SourceOptions logs;
    logs.paths = options.from_audit;
    auto outcome = audit::read_audit(logs);
    if (!outcome) throw UserError(ExitCode::kUsage, outcome.error().message);
    for (const std::string& line : outcome->loss.describe())
      print_message("warning", "records lost: " + line);
    auto input = audit::generate_input(*outcome, base.profiles, context);
    if (!input) throw UserError(ExitCode::kUsage, input.error().message);
    record = std::move(input->record);
    host_arch = input->host;
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
        print_message("note", notice);
      if (record.exit_status != 0 && !record.interrupted)
        print_message("note", "the workload exited with status " + std::to_string(record.exit_status) +
                                  "; the profile covers the calls it made until then");
    }
    if (record.interrupted && !options.allow_partial)
      throw UserError(ExitCode::kIncomplete,
                      "the run was interrupted, so the profile would miss every call the workload makes "
                      "after that; no profile written (--allow-partial writes it anyway)");
  }

  analysis::GenerateRequest request;
  request.calls = std::move(record.calls);
  request.enosys_calls = std::move(enosys_calls);
  request.base = base_profile;
  request.context = context;
  request.context.host_arch = host_arch;
  request.engine = engine;
  request.name = options.name.empty() ? default_name(record.command) : options.name;
  auto generated = analysis::generate_profile(request);
  if (!generated) throw UserError(ExitCode::kToolFailure, generated.error().message);

  if (!options.quiet) {
    print_message(request.name + ": " + std::to_string(generated->additions) + " rules added" +
                  (base_profile ? " to " + base_profile->name : std::string(" (minimal allow-list)")));
    for (const std::string& note : generated->notes)
      print_message("note", note);
    if (record.interrupted)
      print_message("note", "the run was interrupted: the profile covers only the calls made until then");
  }
  for (const std::string& call : generated->unresolved)
    print_message("the generated profile still blocks " + call);

  output.write(analysis::profile_in_form(generated->profile, *form, engine, request.context, request.name));
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
  completes_as(
      sub->add_option("--from-audit", options->from_audit,
                      "Kernel seccomp records (audit log, kernel log, journal; as `seccheck audit` reads "
                      "them): the base plus the calls they show"),
      ValueKind::kFile);
  sub->add_flag("--log-only", options->log_only,
                "The base with every blocking action turned into SCMP_ACT_LOG, for a staged roll-out: the "
                "kernel logs what the base would block and lets it run");
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
  sub->add_option(
         "--format", options->format,
         "oci (OCI/Docker JSON), spo (Security Profiles Operator SeccompProfile YAML), pod (Pod "
         "securityContext snippet referencing it as Localhost profiles/NAME.json) or job (a Kubernetes "
         "Job that checks --image in a cluster)")
      ->check(CLI::IsMember({"oci", "spo", "pod", "job"}))
      ->default_str("oci");
  completes_as(sub->add_option("--image", options->image, "--format job: the image to check"),
               ValueKind::kNone);
  completes_as(sub->add_option("--seccheck-image", options->seccheck_image,
                               "--format job: an image holding /usr/bin/seccheck-static and cp, for the init "
                               "container that copies it into the pod"),
               ValueKind::kNone)
      ->default_str("seccheck:VERSION");
  completes_as(sub->add_option("--name", options->name,
                               "Profile name (SPO object, pod snippet). Default: the command's name"),
               ValueKind::kNone);
  completes_as(
      sub->add_option("-o,--output", options->output_path, "Write to FILE instead of standard output"),
      ValueKind::kFile);
  sub->add_flag("--allow-partial", options->allow_partial,
                "Write a profile from an interrupted run or record (it misses the calls made after that)");
  add_context_options(sub, options->context);
  sub->add_flag("-q,--quiet", options->quiet, "No notes on standard error");
  sub->add_flag("-v,--verbose", options->verbosity, "Explain what seccheck does");
  completes_as(sub->add_option("command", options->command, "The workload: -- CMD [ARGS...]"),
               ValueKind::kCommand);
  set_example(sub, "seccheck generate --base docker --name myapp -o myapp.json -- ./myapp --self-test");
  return {sub, [options] { return run_generate(*options); }};
}

}  // namespace seccheck::cli
