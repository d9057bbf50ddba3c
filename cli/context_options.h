// The evaluation-context options shared by check, explain and profiles diff: one set of
// CLI11 declarations, one place that turns them into an analysis::Context.
//
//   --cap-add CAP[,CAP]   add capabilities to the default set (ALL: every capability)
//   --cap-drop CAP[,CAP]  drop capabilities (ALL: start from none), as `docker run` does
//   --privileged          all 41 capabilities
//   --kernel X.Y          the node's kernel for minKernel rules (default: the running one)
//   --runtime runc|crun   the OCI runtime (default runc: adds its -ENOSYS stub)
//   --libseccomp X.Y      the libseccomp the runtime links (default: one that knows every
//                         call; 2.5 = Debian 12's 2.5.4, which cannot name statmount, mseal, ...)
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "analysis/context.h"

namespace seccheck::cli {

struct ContextOptions {
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  bool privileged = false;
  std::string kernel;
  std::string runtime = "runc";
  std::string libseccomp;
};

// Declares the options on `sub` (in an option group "Context"); `options` must outlive parsing
// (keep it in a shared_ptr captured by the command's action).
void add_context_options(CLI::App* sub, ContextOptions& options);
// Builds the Context. Bad values throw UserError(kUsage) with one line naming the option.
// Caps follow Docker: --cap-add ALL starts from every cap minus --cap-drop; --cap-drop ALL
// starts from none plus --cap-add; otherwise default minus drops plus adds.
analysis::Context make_context(const ContextOptions& options);

}  // namespace seccheck::cli
