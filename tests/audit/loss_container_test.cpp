// Loss accounting (serial runs, reboots, the audit_lost counter), container naming from cgroup
// paths, and grouping records into findings.
#include <gtest/gtest.h>
#include <unistd.h>

#include "audit/container.h"
#include "audit/findings.h"
#include "audit/loss.h"
#include "audit/parser.h"

namespace seccheck::audit {
namespace {

TEST(LossTracker, SerialsOutOfOrderAndRepeatedMakeNoGap) {
  LossTracker tracker;
  tracker.set_complete_stream(true);
  for (std::uint64_t serial : {10, 12, 11, 11, 13, 15, 14})
    tracker.add_stamp("", "1326", serial);
  EXPECT_EQ(tracker.summary().serial_gaps, 0u);
  tracker.add_stamp("", "1326", 20);
  EXPECT_EQ(tracker.summary().serial_gaps, 4u);
  tracker.add_stamp("", "1326", 17);
  EXPECT_EQ(tracker.summary().serial_gaps, 3u);
}

TEST(LossTracker, NodesAndBootsAreSeparate) {
  LossTracker tracker;
  tracker.add_stamp("", "1300", 5000);
  tracker.add_stamp("", "1326", 5002);
  tracker.add_stamp("b", "1326", 9000);  // another node's numbers
  // A reboot: the serial starts again far below (kept apart without a marker).
  tracker.add_stamp("", "1326", 1);
  tracker.add_stamp("", "1326", 3);
  LossSummary summary = tracker.summary();
  EXPECT_TRUE(summary.serials_judged);
  EXPECT_EQ(summary.serial_gaps, 2u);  // 5001 before the reboot, 2 after
}

TEST(LossTracker, AuditLostCounterGrowthPerBoot) {
  LossTracker tracker;
  tracker.add_audit_lost_value(5);
  tracker.add_audit_lost_value(9);
  EXPECT_EQ(tracker.summary().audit_lost, 5u);  // 5..9: the counter rose at each of these losses
  tracker.add_audit_lost_value(2);              // rebooted
  EXPECT_EQ(tracker.summary().audit_lost, 6u);
  tracker.new_boot();
  tracker.add_audit_lost_value(1);
  EXPECT_EQ(tracker.summary().audit_lost, 7u);
}

TEST(LossTracker, LowerBoundDoesNotAddOverlappingEvidence) {
  LossSummary summary;
  summary.rate_limited = 10;
  summary.serial_gaps = 12;
  EXPECT_EQ(summary.records_lost_at_least(), 12u);
  summary.audit_lost = 4;
  summary.lost_lines = 2;
  EXPECT_EQ(summary.records_lost_at_least(), 14u);
  EXPECT_EQ(summary.describe().size(), 4u);
  EXPECT_FALSE(LossSummary{}.any());
}

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kUid = "1234abcd-5678-90ab-cdef-1234567890ab";

TEST(ContainerFromCgroup, RuntimePathForms) {
  struct Case {
    std::string text;
    std::string runtime;
    std::string pod;
  };
  const Case cases[] = {
      {"0::/docker/" + kId + "\n", "docker", ""},
      {"0::/system.slice/docker-" + kId + ".scope\n", "docker", ""},
      {"0::/kubepods.slice/kubepods-burstable.slice/"
       "kubepods-burstable-pod1234abcd_5678_90ab_cdef_1234567890ab.slice/"
       "cri-containerd-" +
           kId + ".scope\n",
       "containerd", kUid},
      {"0::/kubepods/besteffort/pod" + kUid + "/" + kId + "\n", "cri", kUid},
      {"0::/kubepods/pod" + kUid + "/" + kId + "\n", "cri", kUid},  // guaranteed QoS: no level
      {"0::/kubepods.slice/kubepods-pod1234abcd_5678_90ab_cdef_1234567890ab.slice/crio-" + kId + ".scope\n",
       "crio", kUid},
      {"0::/kubepods/burstable/pod" + kUid + "/crio-" + kId + "\n", "crio", kUid},
      {"0::/machine.slice/libpod-" + kId + ".scope\n", "podman", ""},
      {"0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope/container\n",
       "podman", ""},
      {"0::/libpod_parent/libpod-" + kId + "\n", "podman", ""},
      // cgroup v1 (hybrid): the unified line names nothing, a controller line does.
      {"12:pids:/docker/" + kId + "\n1:name=systemd:/docker/" + kId + "\n0::/\n", "docker", ""},
  };
  for (const Case& c : cases) {
    auto found = container_from_cgroup(c.text);
    ASSERT_TRUE(found) << c.text;
    EXPECT_EQ(found->runtime, c.runtime) << c.text;
    EXPECT_EQ(found->id, kId) << c.text;
    EXPECT_EQ(found->pod_uid, c.pod) << c.text;
  }
  EXPECT_EQ(container_from_cgroup("0::/kubepods/besteffort/pod" + kUid + "/" + kId + "\n")->text(),
            "cri 0123456789ab (pod " + kUid + ")");
}

TEST(ContainerFromCgroup, NotAContainer) {
  for (const std::string& text :
       {std::string("0::/user.slice/user-1000.slice/session-3.scope\n"),
        std::string("0::/system.slice/containerd.service\n"),
        "0::/system.slice/crio-conmon-" + kId + ".scope\n",
        "0::/machine.slice/libpod-conmon-" + kId + ".scope\n", std::string("0::/\n"),
        std::string("0::/docker/not-an-id\n"), std::string("garbage")})
    EXPECT_EQ(container_from_cgroup(text), std::nullopt) << text;
}

TEST(ContainerFromCgroup, InnermostRuntimeWins) {
  const std::string inner(64, 'f');
  auto found = container_from_cgroup("0::/system.slice/docker-" + kId + ".scope/docker/" + inner + "\n");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, inner);
}

TEST(ProcessReader, ThisProcessAndReusedPids) {
  auto info = read_process(getpid());
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->cgroup.empty());
  const std::int64_t now_ms = static_cast<std::int64_t>(time(nullptr)) * 1000;
  EXPECT_LE(info->start_ms, now_ms + 1500);
  EXPECT_GT(info->start_ms, now_ms - 24LL * 3600 * 1000 * 365);
  // A record from before this process started cannot be its.
  EXPECT_EQ(container_of_pid(getpid(), info->start_ms - 60000), std::nullopt);
  EXPECT_EQ(read_process(0), std::nullopt);
}

TEST(FindingAggregator, GroupsBySyscallAbiAndExecutable) {
  ParsedLog log = parse_log(
      "type=SECCOMP msg=audit(1700000000.000:1): pid=10 comm=\"a\" exe=\"/bin/a\" sig=0 arch=c000003e "
      "syscall=250 "
      "code=0x7ffc0000\n"
      "type=SECCOMP msg=audit(1700000005.000:2): pid=11 comm=\"a\" exe=\"/bin/a\" sig=0 arch=c000003e "
      "syscall=250 "
      "code=0x50000\n"
      "type=SECCOMP msg=audit(1700000001.000:3): pid=12 comm=\"a\" exe=\"/bin/a\" sig=0 arch=c000003e "
      "syscall=1073742074 code=0x7ffc0000\n"
      "type=SECCOMP msg=audit(1700000002.000:4): pid=13 comm=\"b\" exe=\"/bin/b\" sig=0 arch=c000003e "
      "syscall=250 "
      "code=0x7ffc0000\n"
      "type=SECCOMP msg=audit(1700000003.000:5): pid=14 comm=\"b\" exe=\"/bin/b\" sig=0 arch=c00000b7 "
      "syscall=97 "
      "code=0x7ffc0000\n");
  FindingAggregator aggregator;
  ContainerRef container{"docker", kId, ""};
  for (const SeccompRecord& record : log.records)
    aggregator.add(record, record.pid == 10u ? std::optional<ContainerRef>(container) : std::nullopt);
  std::vector<AuditFinding> findings = aggregator.findings();
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].call(), "x86_64/keyctl");
  EXPECT_EQ(findings[0].exe, "/bin/a");
  EXPECT_EQ(findings[0].count, 2u);
  EXPECT_EQ(findings[0].first_ms, 1700000000000);
  EXPECT_EQ(findings[0].last_ms, 1700000005000);
  EXPECT_EQ(findings[0].actions, (std::set<std::string>{"ERRNO", "LOG"}));
  EXPECT_EQ(findings[0].pids, (std::set<std::uint32_t>{10, 11}));
  EXPECT_EQ(findings[0].first_pid, 10u);
  EXPECT_EQ(findings[0].containers, (std::set<std::string>{"docker 0123456789ab"}));
  EXPECT_EQ(findings[1].call(), "x86_64/keyctl");
  EXPECT_EQ(findings[1].exe, "/bin/b");
  EXPECT_EQ(findings[2].call(), "x32/keyctl");
  EXPECT_EQ(findings[3].raw_nr, 97);  // an ABI seccheck may not name
  EXPECT_EQ(aggregator.records(), 5u);
}

}  // namespace
}  // namespace seccheck::audit
