#include "audit/findings.h"

#include <algorithm>

namespace seccheck::audit {
namespace {

constexpr std::size_t kMaxComms = 16;

}  // namespace

std::string AuditFinding::call() const {
  SeccompRecord record;
  record.audit_arch = audit_arch;
  record.arch = arch;
  record.nr = nr;
  record.raw_nr = raw_nr;
  record.syscall = syscall;
  return record_call_text(record);
}

std::pair<const AuditFinding*, bool> FindingAggregator::add(const SeccompRecord& record,
                                                            const std::optional<ContainerRef>& container) {
  ++records_;
  // x32 and x86_64 share an audit arch: the ABI is part of the key through the number's bit.
  const int abi = record.arch ? static_cast<int>(*record.arch) : -1;
  const std::int64_t number = record.nr >= 0 ? record.nr : record.raw_nr.value_or(-1);
  Key key{record.audit_arch, abi, record.syscall, number, record.exe};
  auto [it, added] = findings_.try_emplace(std::move(key));
  AuditFinding& finding = it->second;
  if (added) {
    finding.audit_arch = record.audit_arch;
    finding.arch = record.arch;
    finding.nr = record.nr;
    finding.raw_nr = record.raw_nr;
    finding.syscall = record.syscall;
    finding.exe = record.exe;
    finding.first_ms = finding.last_ms = record.time_ms;
    finding.first_pid = record.pid.value_or(0);
  }
  ++finding.count;
  finding.first_ms = std::min(finding.first_ms, record.time_ms);
  finding.last_ms = std::max(finding.last_ms, record.time_ms);
  finding.actions.insert(record_action_text(record));
  if (finding.comms.size() < kMaxComms) finding.comms.insert(record.comm);
  if (record.pid && finding.pids.size() < kMaxPidsPerFinding) finding.pids.insert(*record.pid);
  if (container) {
    finding.containers.insert(container->text());
    if (!container->pod_uid.empty()) finding.pods.insert(container->pod_uid);
  }
  return {&finding, added};
}

std::vector<AuditFinding> FindingAggregator::findings() const {
  std::vector<AuditFinding> out;
  out.reserve(findings_.size());
  for (const auto& [key, finding] : findings_)
    out.push_back(finding);
  std::sort(out.begin(), out.end(), [](const AuditFinding& a, const AuditFinding& b) {
    const bool a_named = !a.syscall.empty();
    const bool b_named = !b.syscall.empty();
    const std::int64_t a_number = a.nr >= 0 ? a.nr : a.raw_nr.value_or(-1);
    const std::int64_t b_number = b.nr >= 0 ? b.nr : b.raw_nr.value_or(-1);
    return std::tie(b_named, a.syscall, a_number, a.audit_arch, a.arch, a.exe) <
           std::tie(a_named, b.syscall, b_number, b.audit_arch, b.arch, b.exe);
  });
  return out;
}

}  // namespace seccheck::audit
