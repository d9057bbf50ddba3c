#include "cli/context_options.h"

#include <algorithm>

#include "cli/value_kind.h"
#include "core/error.h"

namespace seccheck::cli {
namespace {

std::vector<std::string> split_caps(const std::vector<std::string>& values, const char* option) {
  std::vector<std::string> caps;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string item = value.substr(start, comma - start);
      start = comma + 1;
      if (item.empty()) continue;
      std::string upper = item;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      if (upper == "ALL") {
        caps.push_back("ALL");
        continue;
      }
      auto cap = analysis::normalize_capability(item);
      if (!cap) throw UserError(ExitCode::kUsage, std::string(option) + ": " + cap.error().message);
      caps.push_back(*cap);
    }
  }
  return caps;
}

bool has_all(const std::vector<std::string>& caps) {
  return std::find(caps.begin(), caps.end(), "ALL") != caps.end();
}

}  // namespace

void add_context_options(CLI::App* sub, ContextOptions& options) {
  const std::string group = "Context (what the node's runtime decides)";
  completes_as(sub->add_option("--cap-add", options.cap_add,
                               "Add capabilities to Docker's default 14 (SYS_ADMIN, CAP_BPF, ALL)"),
               ValueKind::kCapability)
      ->group(group)
      ->type_name("CAP[,CAP]");
  completes_as(sub->add_option("--cap-drop", options.cap_drop, "Drop capabilities (ALL drops every one)"),
               ValueKind::kCapability)
      ->group(group)
      ->type_name("CAP[,CAP]");
  sub->add_flag("--privileged", options.privileged, "All 41 capabilities")->group(group);
  completes_as(sub->add_option("--kernel", options.kernel,
                               "The node's kernel for minKernel rules (default: the running one)"),
               ValueKind::kNone)
      ->group(group)
      ->type_name("X.Y");
  sub->add_option(
         "--runtime", options.runtime,
         "The OCI runtime: runc adds its ENOSYS stub for calls newer than the profile, crun does not")
      ->group(group)
      ->check(CLI::IsMember({"runc", "crun"}))
      ->default_str("runc");
  completes_as(
      sub->add_option("--libseccomp", options.libseccomp,
                      "The libseccomp the runtime links; 2.5 (Debian 12) cannot name statmount, listmount, "
                      "mseal, lsm_*, ... "
                      "(default: knows every call)"),
      ValueKind::kNone)
      ->group(group)
      ->type_name("X.Y");
}

analysis::Context make_context(const ContextOptions& options) {
  analysis::Context context;
  const auto adds = split_caps(options.cap_add, "--cap-add");
  const auto drops = split_caps(options.cap_drop, "--cap-drop");
  const auto& all = analysis::all_capabilities();
  if (options.privileged || has_all(adds)) {
    context.capabilities = {all.begin(), all.end()};
  } else if (has_all(drops)) {
    context.capabilities.clear();
  }
  if (!options.privileged) {
    for (const auto& cap : drops)
      context.capabilities.erase(cap);
    for (const auto& cap : adds) {
      if (cap != "ALL") context.capabilities.insert(cap);
    }
  }
  if (!options.kernel.empty()) {
    auto kernel = analysis::parse_kernel_version(options.kernel);
    if (!kernel) throw UserError(ExitCode::kUsage, "--kernel: " + kernel.error().message);
    context.kernel = *kernel;
  }
  context.oci_runtime = options.runtime == "crun" ? analysis::OciRuntime::kCrun : analysis::OciRuntime::kRunc;
  if (!options.libseccomp.empty()) {
    auto version = analysis::parse_kernel_version(options.libseccomp);
    if (!version || version->major != 2 || version->minor < 5) {
      throw UserError(ExitCode::kUsage,
                      "--libseccomp: '" + options.libseccomp +
                          "' is not a modelled libseccomp version (use 2.5 for Debian 12's 2.5.4, "
                          "or 2.6 and later)");
    }
    context.libseccomp = *version;
  }
  return context;
}

}  // namespace seccheck::cli
