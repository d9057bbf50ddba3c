// `check --bundle DIR`: the check run inside an OCI bundle by the real runtime
// (container/bundle_run.h does the work; this file turns check's options into the options of
// the seccheck that runs inside).
#pragma once

#include <string>
#include <vector>

#include "cli/context_options.h"
#include "cli/report_output.h"
#include "container/work_folder.h"

namespace seccheck::cli {

// check's options; the first three are --bundle's own.
struct CheckOptions {
  std::string bundle_dir;
  std::string oci_runtime = "runc";
  std::vector<std::string> runtime_args;  // --oci-runtime-arg
  // --image's own, and the container options passed to the engine.
  std::string image;
  std::string engine = "docker";
  std::string user;
  std::vector<std::string> env;
  std::vector<std::string> volumes;
  std::string network;
  // The check's own options, passed to the seccheck inside.
  std::vector<std::string> profiles;
  std::string enforce;
  std::string record_path;
  int stack_frames = 5;
  bool pin_cpu = false;
  bool init = false;    // --init (the seccheck inside a bundle always gets it)
  bool scan = false;    // --scan (not with --bundle or --image)
  bool impact = false;  // --impact (not with --bundle or --image)
  bool impact_output = false;
  double impact_timeout = 0;
  std::string gate;  // --gate any|breaking|reachable; "" = breaking with --impact, any without
  std::vector<std::string> command;  // with --bundle: replaces process.args when given
  ReportOptions report;
  ContextOptions context;
};

// Runs the check and returns check's exit status; throws UserError (kUsage for bad input,
// kToolFailure when the runtime fails, with its message).
int run_bundle_check(const CheckOptions& options);

// The options of the seccheck inside a container: check's own (profiles and files placed in
// `folder`), then `context_args`, then the inner run's output in `folder` ("report", "record.json").
// `declared_profile`: a path inside the container checked as one more profile ("" for none).
std::vector<std::string> inner_check_args(container::WorkFolder& folder, const CheckOptions& options,
                                          const std::vector<std::string>& context_args,
                                          const std::string& declared_profile);

// Where the report and the record of a check run in a container go, checked before the
// container starts (cli/output_file.h), as check does for a run on the host.
struct ContainerOutputs {
  OutputFile report;
  OutputFile record;  // only when --record was given
};
ContainerOutputs container_outputs(const CheckOptions& options);

// Copies what the seccheck inside wrote to `to`.
void copy_out(const std::string& from, const OutputFile& to);

// `check --image IMAGE`: the check run inside a container of IMAGE by a real engine (cli/image_check.cpp).
int run_image_check(const CheckOptions& options);

// The static seccheck to mount into containers: seccheck-static beside this program, or this
// program when it is the static one. Throws UserError(kUsage) when there is none.
std::string static_seccheck_path();

}  // namespace seccheck::cli
