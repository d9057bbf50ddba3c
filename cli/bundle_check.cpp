#include "cli/bundle_check.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/messages.h"
#include "container/bundle_run.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

// A --profile/--enforce value: a file is copied in and named by its path inside; a catalog
// name passes as it is.
std::string profile_inside(container::WorkFolder& folder, const std::string& spec, const std::string& name) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(spec, ignored)) return spec;
  return folder.place_file(spec, name + "-" + std::filesystem::path(spec).filename().string());
}

}  // namespace

std::vector<std::string> inner_check_args(container::WorkFolder& folder, const CheckOptions& options,
                                          const std::vector<std::string>& context_args,
                                          const std::string& declared_profile) {
  std::vector<std::string> args = {"check"};
  std::vector<std::string> profiles = options.profiles;
  if (!declared_profile.empty() && profiles.empty()) profiles.push_back("runtime-default");
  for (std::size_t i = 0; i < profiles.size(); ++i)
    args.insert(args.end(),
                {"--profile", profile_inside(folder, profiles[i], "profile" + std::to_string(i))});
  if (!declared_profile.empty()) args.insert(args.end(), {"--profile", declared_profile});
  if (!options.enforce.empty())
    args.insert(args.end(), {"--enforce", profile_inside(folder, options.enforce, "enforce")});
  args.insert(args.end(), context_args.begin(), context_args.end());
  if (!options.context.kernel.empty()) args.insert(args.end(), {"--kernel", options.context.kernel});
  if (!options.context.libseccomp.empty())
    args.insert(args.end(), {"--libseccomp", options.context.libseccomp});
  args.insert(args.end(), {"--stack", std::to_string(options.stack_frames)});
  if (options.pin_cpu) args.push_back("--pin-cpu");
  args.push_back("--init");
  if (!options.record_path.empty())
    args.insert(args.end(), {"--record", folder.container_path("record.json")});
  args.insert(args.end(), {"--format", options.report.format, "-o", folder.container_path("report")});
  if (!options.report.baseline_path.empty())
    args.insert(args.end(), {"--baseline", folder.place_file(options.report.baseline_path, "baseline")});
  if (options.report.fail_on_workload_error) args.push_back("--fail-on-workload-error");
  if (options.report.quiet) args.push_back("-q");
  for (int i = 0; i < options.report.verbosity; ++i)
    args.push_back("-v");
  return args;
}

ContainerOutputs container_outputs(const CheckOptions& options) {
  ContainerOutputs outputs{OutputFile("-o", options.report.output_path),
                           options.record_path.empty() ? OutputFile()
                                                       : OutputFile("--record", options.record_path)};
  if (!options.record_path.empty()) require_distinct_outputs({&outputs.report, &outputs.record});
  return outputs;
}

void copy_out(const std::string& from, const OutputFile& to) {
  std::ifstream in(from, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  to.write(text.str());
}

std::string static_seccheck_path() {
#ifdef SECCHECK_STATIC_PROGRAM
  return std::filesystem::read_symlink("/proc/self/exe").string();
#else
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  const auto beside = self.parent_path() / "seccheck-static";
  if (error || !std::filesystem::exists(beside))
    throw UserError(ExitCode::kUsage, "no seccheck-static beside " + self.string() +
                                          ": a container runs the static seccheck (build with "
                                          "-DSECCHECK_STATIC_BINARY=ON, or install the package)");
  return beside.string();
#endif
}

int run_bundle_check(const CheckOptions& options) {
  const ContainerOutputs outputs = container_outputs(options);
  if (!options.image.empty())
    throw UserError(ExitCode::kUsage, "--bundle and --image cannot be given together");
  if (!options.context.cap_add.empty() || !options.context.cap_drop.empty() || options.context.privileged)
    throw UserError(ExitCode::kUsage,
                    "--cap-add, --cap-drop and --privileged do not apply with --bundle: the capabilities "
                    "come from config.json (process.capabilities)");
  auto bundle = container::read_bundle(options.bundle_dir);
  if (!bundle) throw UserError(ExitCode::kUsage, bundle.error().message);
  const std::string seccheck = static_seccheck_path();
  container::BundleRun run(std::move(*bundle));
  if (run.bundle().declared_profile && !options.report.quiet)
    print_message(
        "note", "declared profile: " + container::describe_declared_profile(*run.bundle().declared_profile) +
                    "; removed for this run and checked as " + run.container_path("declared-profile.json"));
  container::WrapSpec spec;
  spec.seccheck_host_path = seccheck;
  // The context comes from config.json: its capabilities, and the runtime that runs it.
  std::vector<std::string> context = {"--cap-drop", "ALL"};
  if (!run.bundle().capabilities.empty())
    context.insert(context.end(), {"--cap-add", join(run.bundle().capabilities)});
  context.insert(context.end(), {"--runtime", options.oci_runtime});
  const std::string declared =
      run.bundle().declared_profile
          ? run.folder().place_text(run.bundle().declared_profile->dump(2), "declared-profile.json")
          : std::string();
  spec.check_args = inner_check_args(run.folder(), options, context, declared);
  spec.workload = options.command;
  container::OciRuntimeSpec runtime{options.oci_runtime, options.runtime_args};
  const int status = run.run(spec, runtime);
  const std::string report = run.output_path("report");
  if (!std::filesystem::exists(report)) {
    std::string why = run.runtime_error();
    if (why.empty()) why = "the container ended before the seccheck inside it wrote its report";
    throw UserError(ExitCode::kToolFailure,
                    options.oci_runtime + " failed (exit " + std::to_string(status) + "): " + why);
  }
  if (!options.record_path.empty()) copy_out(run.output_path("record.json"), outputs.record);
  copy_out(report, outputs.report);
  return status;
}

}  // namespace seccheck::cli
