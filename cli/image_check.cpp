// `check --image IMAGE`: asks the engine what the image runs, runs it with the static seccheck as
// the entrypoint (container/image_run.h builds the commands), and copies the report out. The
// inner seccheck gets the same options as inside a bundle (inner_check_args).
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/bundle_check.h"
#include "container/bundle_run.h"
#include "container/image_run.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

constexpr int kInspectTimeoutSeconds = 60;
constexpr int kRemoveTimeoutSeconds = 30;

std::vector<std::string> split_commas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      if (end > start) out.push_back(value.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

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
// verdicts (given to the seccheck inside).
std::vector<std::string> engine_args(const CheckOptions& options) {
  std::vector<std::string> args;
  for (const auto& cap : split_commas(options.context.cap_add))
    args.insert(args.end(), {"--cap-add", cap});
  for (const auto& cap : split_commas(options.context.cap_drop))
    args.insert(args.end(), {"--cap-drop", cap});
  if (options.context.privileged) args.push_back("--privileged");
  if (!options.user.empty()) args.insert(args.end(), {"--user", options.user});
  for (const auto& env : options.env)
    args.insert(args.end(), {"--env", env});
  for (const auto& volume : options.volumes)
    args.insert(args.end(), {"--volume", volume});
  if (!options.network.empty()) args.insert(args.end(), {"--network", options.network});
  return args;
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
  const container::ImageConfig image = inspect_image(options.engine, options.image);
  std::vector<std::string> workload =
      options.command.empty() ? container::image_command(image) : options.command;
  if (workload.empty())
    throw UserError(ExitCode::kUsage,
                    "image " + options.image +
                        " declares no entrypoint or cmd: give the workload (-- CMD [ARGS...])");
  const std::string seccheck = static_seccheck_path();
  container::WorkFolder folder("image");
  container::EngineRunSpec spec;
  spec.engine = options.engine;
  spec.image = options.image;
  spec.container_name = folder.id();
  spec.seccheck_host_path = seccheck;
  spec.out_host_dir = folder.out_dir();
  spec.engine_args = engine_args(options);
  spec.check_args = inner_check_args(folder, options, context_args(options), "");
  spec.workload = workload;
  const int status = container::run_passing_signals(container::engine_run_command(spec));
  const int run_error = errno;
  // `run --rm` removes the container when it ends; this removes one a killed client left behind.
  (void)container::capture_command(container::engine_remove_command(options.engine, spec.container_name),
                                   kRemoveTimeoutSeconds);
  if (status < 0) engine_cannot_start(options.engine, run_error);
  const std::string report = folder.output_path("report");
  if (!std::filesystem::exists(report))
    throw UserError(ExitCode::kToolFailure,
                    options.engine + " run failed (exit " + std::to_string(status) +
                        "): the container ended before the seccheck inside it wrote its report (" +
                        options.engine + "'s message is above)");
  if (!options.record_path.empty())
    copy_out(folder.output_path("record.json"), options.record_path, "record");
  copy_out(report, options.report.output_path, "report");
  return status;
}

}  // namespace seccheck::cli
