// `check --image IMAGE`: asks the engine what the image runs, runs it with the static seccheck as
// the entrypoint (container/image_run.h builds the commands), and copies the report out. The
// inner seccheck gets the same options as inside a bundle (inner_check_args).
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/bundle_check.h"
#include "cli/messages.h"
#include "container/bundle_run.h"
#include "container/image_run.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

constexpr int kInspectTimeoutSeconds = 60;
constexpr int kRemoveTimeoutSeconds = 30;

[[noreturn]] void engine_cannot_start(const std::string& engine, int error) {
  if (error == ENOENT)
    throw UserError(ExitCode::kUsage,
                    engine + " is not installed (not found in PATH); --engine chooses docker or podman");
  throw UserError(ExitCode::kToolFailure, "cannot run " + engine + ": " + std::strerror(error));
}

container::ImageConfig inspect_image(const std::string& engine, const std::string& image) {
  auto output =
      container::capture_command(container::engine_inspect_command(engine, image), kInspectTimeoutSeconds);
  if (output.status < 0) engine_cannot_start(engine, output.error_number);
  if (output.timed_out)
    throw UserError(ExitCode::kToolFailure, engine + " image inspect " + image + ": no answer within " +
                                                std::to_string(kInspectTimeoutSeconds) + " s");
  if (output.status != 0) {
    const std::string message = container::engine_message(output.err);
    if (container::is_missing_image(output.err))
      throw UserError(ExitCode::kUsage, "image " + image + " not found by " + engine + ": " + message);
    throw UserError(ExitCode::kToolFailure, engine + " image inspect " + image + " failed: " + message);
  }
  auto config = container::parse_image_inspect(output.out);
  if (!config) throw UserError(ExitCode::kToolFailure, engine + " " + config.error().message);
  return *config;
}

// The options that change the container go to the engine; the capability ones also decide the
// verdicts (context_args, given to the seccheck inside).
container::ContainerOptions container_options(const CheckOptions& options) {
  return {options.context.cap_add,
          options.context.cap_drop,
          options.context.privileged,
          options.user,
          options.env,
          options.volumes,
          options.network};
}

std::vector<std::string> context_args(const CheckOptions& options) {
  std::vector<std::string> args;
  for (const auto& cap : options.context.cap_add)
    args.insert(args.end(), {"--cap-add", cap});
  for (const auto& cap : options.context.cap_drop)
    args.insert(args.end(), {"--cap-drop", cap});
  if (options.context.privileged) args.push_back("--privileged");
  args.insert(args.end(), {"--runtime", options.context.runtime});
  return args;
}

}  // namespace

int run_image_check(const CheckOptions& options) {
  const ContainerOutputs outputs = container_outputs(options);
  const container::ImageConfig image = inspect_image(options.engine, options.image);
  std::vector<std::string> workload =
      options.command.empty() ? container::image_command(image) : options.command;
  if (workload.empty())
    throw UserError(ExitCode::kUsage,
                    "image " + options.image +
                        " declares no entrypoint or cmd: give the workload (-- CMD [ARGS...])");
  const std::string seccheck = static_seccheck_path();
  if (!options.report.quiet) {
    container::ImageConfig shown = image;
    if (!options.user.empty()) shown.user = options.user;
    print_message("note", "image " + options.image + " " + container::describe_image_run(shown, workload));
  }
  container::WorkFolder folder("image");
  container::EngineRunSpec spec;
  spec.engine = options.engine;
  spec.image = options.image;
  spec.container_name = folder.id();
  spec.seccheck_host_path = seccheck;
  spec.out_host_dir = folder.out_dir();
  spec.engine_args = container::engine_container_args(container_options(options));
  spec.check_args = inner_check_args(folder, options, context_args(options), "");
  spec.workload = workload;
  container::StderrRelay engine_stderr;
  const int status = container::run_passing_signals(container::engine_run_command(spec), engine_stderr.fd());
  const int run_error = errno;
  const std::string engine_said = engine_stderr.finish();
  // `run --rm` removes the container when it ends; this removes one a killed client left behind.
  (void)container::capture_command(container::engine_remove_command(options.engine, spec.container_name),
                                   kRemoveTimeoutSeconds);
  if (status < 0) engine_cannot_start(options.engine, run_error);
  const std::string report = folder.output_path("report");
  std::string why = container::engine_message(engine_said);
  if (why.empty()) why = "the container ended before the seccheck inside it wrote its report";
  if (!std::filesystem::exists(report))
    throw UserError(ExitCode::kToolFailure,
                    options.engine + " run failed (exit " + std::to_string(status) + "): " + why);
  if (!options.record_path.empty()) copy_out(folder.output_path("record.json"), outputs.record);
  copy_out(report, outputs.report);
  return status;
}

}  // namespace seccheck::cli
