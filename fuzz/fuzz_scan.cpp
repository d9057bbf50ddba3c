// libFuzzer target: the scan of a hostile ELF file, disassembly included, and the evaluation of
// what it finds against the Docker profile. Whatever the bytes: a result or one one-line error
// naming the file, every reachable call names a syscall, nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "analysis/catalog.h"
#include "core/syscall_table.h"
#include "scan/scan_findings.h"
#include "scan/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace seccheck;
  static const std::vector<analysis::Profile> profiles = [] {
    auto loaded = analysis::load_profiles("docker");
    if (!loaded) std::abort();
    return std::move(*loaded);
  }();
  auto result = scan::scan_bytes(std::string(reinterpret_cast<const char*>(data), size), "input");
  if (!result) {
    const std::string& message = result.error().message;
    if (message.rfind("input: ", 0) != 0 || message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  for (const scan::ReachableCall& call : result->calls)
    if (!syscall_number(call.arch, call.syscall) || call.module != "input") std::abort();
  const auto findings = scan::evaluate_scan(result->calls, profiles, analysis::Context{});
  std::size_t sites = 0;
  for (const auto& finding : findings)
    sites += finding.sites.size();
  if (sites != result->calls.size()) std::abort();
  return 0;
}
