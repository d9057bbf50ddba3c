// From records to check reports: findings per host (x86_64 and arm64 nodes evaluated with their
// own profiles), verdicts that depend on arguments the records lack, lost records failing the
// gate; --since; reading inputs, including a followed file that grows and is rotated.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "analysis/catalog.h"
#include "audit/report.h"
#include "audit/source.h"
#include "core/syscall_table.h"
#include "tests/support/run_process.h"

namespace seccheck::audit {
namespace {

std::vector<HostProfiles> docker_hosts(const std::vector<Arch>& hosts) {
  auto profiles = analysis::catalog_profiles("docker");
  EXPECT_TRUE(profiles.ok());
  std::vector<HostProfiles> out;
  for (Arch host : hosts) {
    HostProfiles entry;
    entry.context.host_arch = host;
    entry.profiles = *profiles;
    for (const analysis::Profile& profile : entry.profiles)
      entry.resolved.push_back(analysis::resolve(profile, entry.context));
    out.push_back(std::move(entry));
  }
  return out;
}

AuditOutcome outcome_of(const std::string& text) {
  ParsedLog log = parse_log(text);
  FindingAggregator aggregator;
  for (const SeccompRecord& record : log.records)
    aggregator.add(record);
  AuditOutcome outcome;
  outcome.inputs = {"test.log"};
  outcome.findings = aggregator.findings();
  outcome.loss = log.loss;
  outcome.stats = log.stats;
  return outcome;
}

std::string record(std::uint64_t serial, const std::string& arch, std::int64_t nr,
                   const std::string& exe = "/app") {
  return "type=SECCOMP msg=audit(1700000000." + std::to_string(100 + serial) + ":" + std::to_string(serial) +
         "): pid=" + std::to_string(1000 + serial) + " comm=\"app\" exe=\"" + exe + "\" sig=0 arch=" + arch +
         " syscall=" + std::to_string(nr) + " compat=0 ip=0x1 code=0x7ffc0000\n";
}

const analysis::Finding* find(const analysis::CheckReport& report, const std::string& key) {
  for (const analysis::Finding& finding : report.findings)
    if (finding.key == key) return &finding;
  return nullptr;
}

bool has_notice(const analysis::CheckReport& report, const std::string& part) {
  for (const std::string& notice : report.notices)
    if (notice.find(part) != std::string::npos) return true;
  return false;
}

TEST(AuditReport, EachHostWithItsOwnProfiles) {
  // x86_64 keyctl and getpid (allowed), aarch64 unshare (97), arm unshare (337), x32 keyctl.
  AuditOutcome outcome =
      outcome_of(record(1, "c000003e", 250) + record(2, "c000003e", 39) + record(3, "c00000b7", 97) +
                 record(4, "40000028", 337) + record(5, "c000003e", 0x40000000 + 250));
  EXPECT_EQ(hosts_of(outcome.findings), (std::vector<Arch>{Arch::kX86_64, Arch::kAarch64}));
  analysis::CheckReport report =
      make_audit_report(outcome, docker_hosts({Arch::kX86_64, Arch::kAarch64}), false);
  ASSERT_EQ(report.findings.size(), 4u);
  for (const char* key : {"x86_64/keyctl", "x32/keyctl", "aarch64/unshare", "arm/unshare"}) {
    const analysis::Finding* finding = find(report, key);
    ASSERT_NE(finding, nullptr) << key;
    ASSERT_EQ(finding->verdicts.size(), 1u);
    EXPECT_TRUE(finding->verdicts[0].verdict.blocked()) << key << ": " << finding->verdicts[0].reason;
    EXPECT_FALSE(finding->verdicts[0].verdict.bad_arch()) << key;  // arm is in docker's arm64 archMap
    EXPECT_EQ(finding->call.executable, "/app");
  }
  EXPECT_NE(report.context.find("x86_64 host: "), std::string::npos);
  EXPECT_NE(report.context.find("aarch64 host: "), std::string::npos);
  EXPECT_TRUE(report.gate_failed());
  EXPECT_TRUE(report.records_lost.empty());
  EXPECT_TRUE(has_notice(report, "read 5 lines of test.log: 5 seccomp records (auditd log)"));
  EXPECT_TRUE(has_notice(report, "x86_64/keyctl by /app: 1 record, 2023-11-14T22:13:20.101Z, logged as LOG"));
}

// Docker's arm64-only allow rules (includes.arches arm64/arm) apply to arm64 nodes' calls.
TEST(AuditReport, ArmOnlyRulesOfTheCatalog) {
  const std::vector<HostProfiles> hosts = docker_hosts({Arch::kAarch64});
  const int arm_fadvise = *syscall_number(Arch::kArm, "arm_fadvise64_64");
  AuditOutcome outcome = outcome_of(record(1, "40000028", arm_fadvise) + record(2, "c00000b7", 97));
  analysis::CheckReport report = make_audit_report(outcome, hosts, false);
  EXPECT_EQ(find(report, "arm/arm_fadvise64_64"), nullptr) << "allowed for arm by docker";
  EXPECT_NE(find(report, "aarch64/unshare"), nullptr);
}

TEST(AuditReport, VerdictsThatDependOnArgumentsAreNamed) {
  // clone: docker allows it without namespace flags; the record has no arguments.
  AuditOutcome outcome = outcome_of(record(1, "c000003e", 56));
  analysis::CheckReport report = make_audit_report(outcome, docker_hosts({Arch::kX86_64}), false);
  const analysis::Finding* clone = find(report, "x86_64/clone");
  ASSERT_NE(clone, nullptr) << "judged at an argument class docker blocks";
  EXPECT_TRUE(clone->verdicts[0].verdict.blocked());
  EXPECT_NE(clone->call.args[0] & 0x7e020000, 0u);
  EXPECT_TRUE(has_notice(report, "x86_64/clone (/app): the record has no arguments, and docker@"));
  EXPECT_TRUE(has_notice(report, "decides it by them; judged at arg0 == "));
}

TEST(AuditReport, LostRecordsFailTheGateUnlessAllowed) {
  // getpid only (docker allows it), with serials 1 and 5 of a stream holding two record types.
  const std::string text =
      "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=39 success=yes\n" +
      record(5, "c000003e", 39) + "kauditd_printk_skb: 3 callbacks suppressed\n";
  AuditOutcome outcome = outcome_of(text);
  analysis::CheckReport strict = make_audit_report(outcome, docker_hosts({Arch::kX86_64}), false);
  EXPECT_TRUE(strict.findings.empty());
  ASSERT_FALSE(strict.records_lost.empty());
  EXPECT_TRUE(strict.gate_failed());
  EXPECT_TRUE(has_notice(strict, "records lost: kernel log rate limit: 3 records suppressed"));
  analysis::CheckReport allowed = make_audit_report(outcome, docker_hosts({Arch::kX86_64}), true);
  EXPECT_FALSE(allowed.gate_failed());
  // An unreadable record line counts as lost too.
  AuditOutcome malformed =
      outcome_of("type=SECCOMP msg=audit(1700000000.000:1): arch=c000003e code=0x7ffc0000\n");
  EXPECT_TRUE(make_audit_report(malformed, docker_hosts({Arch::kX86_64}), false).gate_failed());
}

// Serial gaps in an input of SECCOMP records alone (it may have been filtered) are reported but
// not counted: beside a counted loss they stay out of records_lost.
TEST(AuditReport, UnjudgedSerialGapsAreNoticesNotLoss) {
  AuditOutcome outcome = outcome_of(record(1, "c000003e", 39) + record(4, "c000003e", 39) +
                                    "kauditd_printk_skb: 2 callbacks suppressed\n");
  ASSERT_GT(outcome.loss.unjudged_serial_gaps, 0u);
  analysis::CheckReport report = make_audit_report(outcome, docker_hosts({Arch::kX86_64}), false);
  ASSERT_EQ(report.records_lost.size(), 1u);
  EXPECT_NE(report.records_lost.front().find("rate limit"), std::string::npos) << report.records_lost.front();
  EXPECT_TRUE(has_notice(report, "audit serial numbers missing, not counted"));
  EXPECT_FALSE(has_notice(report, "records lost: 2 audit serial numbers missing"));
  AuditOutcome gaps_only = outcome_of(record(1, "c000003e", 39) + record(4, "c000003e", 39));
  EXPECT_FALSE(make_audit_report(gaps_only, docker_hosts({Arch::kX86_64}), false).gate_failed());
}

TEST(AuditReport, GenerateInputIsOneHost) {
  auto profiles = analysis::catalog_profiles("docker");
  ASSERT_TRUE(profiles.ok());
  auto input = generate_input(outcome_of(record(1, "c00000b7", 97)), *profiles, analysis::Context{});
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->host, Arch::kAarch64);
  ASSERT_EQ(input->record.calls.size(), 1u);
  EXPECT_EQ(input->record.calls[0].arch, Arch::kAarch64);
  EXPECT_TRUE(input->record.calls[0].kept_args.empty());
  EXPECT_FALSE(generate_input(outcome_of(record(1, "c00000b7", 97) + record(2, "c000003e", 250)), *profiles,
                              analysis::Context{})
                   .ok());
}

TEST(AuditSince, Forms) {
  const std::int64_t now = 1700000000000;
  EXPECT_EQ(*parse_since("@1700000000", now), 1700000000000);
  EXPECT_EQ(*parse_since("2023-11-14T22:13:20Z", now), 1700000000000);
  EXPECT_EQ(*parse_since("10m", now), now - 600000);
  EXPECT_EQ(*parse_since("2h", now), now - 7200000);
  EXPECT_EQ(*parse_since("1d", now), now - 86400000);
  EXPECT_TRUE(parse_since("2023-11-14 22:13:20", now).ok());
  EXPECT_TRUE(parse_since("2023-11-14", now).ok());
  for (const char* bad : {"yesterday", "2023-13-01", "10x", "@-5", "", "2023-11-14T25:00:00Z"})
    EXPECT_FALSE(parse_since(bad, now).ok()) << bad;
}

TEST(AuditSince, RecordsAndLossBeforeItAreLeftOut) {
  AuditParser::Options options;
  options.since_ms = 1700000001000;
  AuditParser parser(options);
  EXPECT_FALSE(parser.add_line("kauditd_printk_skb: 9 callbacks suppressed"));
  EXPECT_FALSE(parser.add_line(record(1, "c000003e", 250)));  // 1700000000.101
  EXPECT_TRUE(
      parser.add_line("type=SECCOMP msg=audit(1700000002.000:7): arch=c000003e syscall=250 code=0x7ffc0000"));
  EXPECT_FALSE(parser.add_line("kauditd_printk_skb: 2 callbacks suppressed"));
  EXPECT_EQ(parser.loss().rate_limited, 2u);
  EXPECT_EQ(parser.stats().records, 1u);
}

class SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccheck-audit-source-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SourceTest, FilesInOrderAndErrors) {
  std::ofstream(dir_ + "/a.log") << record(1, "c000003e", 250);
  std::ofstream(dir_ + "/b.log") << record(2, "c000003e", 272);  // no newline at the end is fine too
  SourceOptions options;
  options.paths = {dir_ + "/a.log", dir_ + "/b.log"};
  AuditParser parser(parser_options(options));
  std::vector<std::string> seen;
  ASSERT_TRUE(
      read_sources(
          options, parser, [&](const SeccompRecord& r) { seen.push_back(r.syscall); }, [] { return false; })
          .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"keyctl", "unshare"}));
  EXPECT_FALSE(parser_options(options).complete_stream);
  options.paths = {dir_ + "/missing.log"};
  auto missing = read_sources(
      options, parser, [](const SeccompRecord&) {}, [] { return false; });
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing.log: No such file"), std::string::npos);
  options.paths = {dir_ + "/a.log", dir_ + "/b.log"};
  options.follow = true;
  EXPECT_FALSE(read_sources(
                   options, parser, [](const SeccompRecord&) {}, [] { return false; })
                   .ok());
  EXPECT_TRUE(parser_options(SourceOptions{}).complete_stream) << "/dev/kmsg alone";
}

// --follow on a file: lines written later, a half-written line completed later, then logrotate
// (rename and a new file) are all read.
TEST_F(SourceTest, FollowsAGrowingAndRotatedFile) {
  const std::string path = dir_ + "/audit.log";
  std::ofstream(path) << record(1, "c000003e", 250);
  SourceOptions options;
  options.paths = {path};
  options.follow = true;
  options.poll_ms = 20;
  AuditParser parser(parser_options(options));
  std::vector<std::string> seen;
  std::atomic<std::size_t> count{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    auto wait_for = [&](std::size_t expected) {
      for (int i = 0; i < 500 && count.load() < expected; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    };
    wait_for(1);
    const std::string second = record(2, "c000003e", 272);
    {
      std::ofstream out(path, std::ios::app);
      out << second.substr(0, 20) << std::flush;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      out << second.substr(20) << std::flush;
    }
    wait_for(2);
    std::filesystem::rename(path, path + ".1");
    std::ofstream(path) << record(3, "c000003e", 321);
    wait_for(3);
    done = true;
  });
  auto read = read_sources(
      options, parser,
      [&](const SeccompRecord& r) {
        seen.push_back(r.syscall);
        ++count;
      },
      [&] { return !done.load(); });
  writer.join();
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"keyctl", "unshare", "bpf"}));
}

}  // namespace
}  // namespace seccheck::audit
