// seccheck scan: the blocked calls ELF binaries can make, found statically (scan/scan_report.h
// says how), reported in check's formats with check's gate.
#include <iostream>

#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "scan/scan_report.h"
#include "session/filters.h"

namespace seccheck::cli {
namespace {

struct ScanCommandOptions {
  std::vector<std::string> profiles;
  std::string rootfs;
  std::string bundle;
  std::vector<std::string> paths;
  ReportOptions report;
  ContextOptions context;
};

int run_scan(const ScanCommandOptions& options) {
  const ReportTarget target = prepare_report(options.report);
  if (!options.rootfs.empty() && !options.bundle.empty())
    throw UserError(ExitCode::kUsage, "--rootfs and --bundle: give one of them");
  std::string root = options.rootfs;
  std::vector<std::string> paths = options.paths;
  if (!options.bundle.empty()) {
    auto bundle_root = scan::bundle_root(options.bundle);
    if (!bundle_root) throw UserError(ExitCode::kUsage, bundle_root.error().message);
    root = *bundle_root;
    if (paths.empty()) {
      auto executable = scan::bundle_executable(options.bundle, root);
      if (!executable) throw UserError(ExitCode::kUsage, executable.error().message);
      paths.push_back(*executable);
    }
  }
  if (paths.empty())
    throw UserError(ExitCode::kUsage,
                    "nothing to scan: name executables, libraries or folders (in the --rootfs)");
  const analysis::Context context = make_context(options.context);
  const session::Diagnostics diagnostics = diagnostics_for(options.report.verbosity);
  const analysis::ProfileSelection selection =
      session::select_profiles(options.profiles, context, diagnostics);

  auto files = scan::expand_scan_paths(paths, root);
  if (!files) throw UserError(ExitCode::kUsage, files.error().message);
  const scan::ScanRun run = scan::scan_executables(*files, root);
  if (run.results.empty())
    throw UserError(ExitCode::kUsage, run.summary.errors.empty() ? "no ELF file found in " + paths.front()
                                                                 : run.summary.errors.front());
  if (diagnostics.verbose)
    for (const std::string& note : run.notes)
      diagnostics.verbose("scan: " + note);
  analysis::CheckReport report = scan::make_scan_report(run, paths, selection, context);
  print_notices(report, options.report);
  return emit_report(report, options.report, target);
}

}  // namespace

Command register_scan_command(CLI::App& app) {
  auto options = std::make_shared<ScanCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "scan",
      "Report the calls ELF binaries can make (found statically) that the RuntimeDefault profiles block");
  completes_as(sub->add_option("--profile", options->profiles,
                               "Profile to check against: a catalog name or a profile file; repeatable. "
                               "Default: runtime-default"),
               ValueKind::kProfile);
  add_context_options(sub, options->context);
  completes_as(sub->add_option("--rootfs", options->rootfs,
                               "A root filesystem: PATHs are inside it and libraries are found in it as its "
                               "dynamic loader would"),
               ValueKind::kFile)
      ->type_name("DIR");
  completes_as(sub->add_option("--bundle", options->bundle,
                               "An OCI bundle: its config.json's root.path is the root filesystem; without "
                               "PATH, scans process.args[0]"),
               ValueKind::kFile)
      ->type_name("DIR");
  add_report_options(sub, options->report);
  completes_as(sub->add_option("paths", options->paths,
                               "ELF executables, shared objects or folders of them (in the root with "
                               "--rootfs/--bundle)"),
               ValueKind::kFile)
      ->type_name("PATH");
  set_example(sub, "seccheck scan --profile docker /usr/bin/unshare");
  return {sub, [options] { return run_scan(*options); }};
}

}  // namespace seccheck::cli
