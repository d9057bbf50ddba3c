// seccheck's scan on testprogs built for it, asserted exactly: an import of unshare on a path no
// run takes, syscall(SYS_keyctl, ...) with a constant, an inline `syscall` instruction, a
// static binary; the verdicts for the catalog's profiles; damaged files.
#include <gtest/gtest.h>

#include <set>

#include "analysis/catalog.h"
#include "analysis/profile_parser.h"
#include "scan/scan_findings.h"
#include "scan/scanner.h"
#include "tests/elf/elf_fixtures.h"
#include "tests/support/run_process.h"

namespace seccheck::scan {
namespace {

using seccheck::testing::file_bytes;
using seccheck::testing::testprog;

ScanResult scan(const std::string& program) {
  auto result = scan_file(testprog(program));
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? std::move(*result) : ScanResult{};
}

std::vector<analysis::Profile> runtime_default() {
  auto profiles = analysis::load_profiles("runtime-default");
  EXPECT_TRUE(profiles);
  return profiles ? std::move(*profiles) : std::vector<analysis::Profile>{};
}

// The keys of findings some profile blocks or may block.
std::set<std::string> blocked_keys(const std::vector<ScanFinding>& findings) {
  std::set<std::string> keys;
  for (const ScanFinding& f : findings)
    if (f.may_be_blocked_by_any()) keys.insert(f.key);
  return keys;
}

const ScanFinding* finding(const std::vector<ScanFinding>& findings, const std::string& key) {
  for (const ScanFinding& f : findings)
    if (f.key == key) return &f;
  return nullptr;
}

std::string verdict_line(const ScanFinding& f) {
  std::string text;
  for (const ScanVerdict& v : f.verdicts)
    text += v.profile + "=" +
            (v.blocked     ? analysis::action_text(v.verdict.action)
             : v.may_block ? "maybe"
                           : "allowed") +
            (v.exact ? "" : "(by name)") + " ";
  return text;
}

TEST(Scan, UnshareImportedOnAPathNoRunTakes) {
  const ScanResult result = scan("scan_unshare_unused");
  ASSERT_EQ(result.calls.size(), 1u) << "puts and strcmp make no call the table lists; unshare does";
  const ReachableCall& call = result.calls[0];
  EXPECT_EQ(call.syscall, "unshare");
  EXPECT_EQ(call.kind, CallKind::kImport);
  EXPECT_EQ(call.via, "unshare");
  EXPECT_EQ(call.function, "main");
  EXPECT_EQ(call.module, testprog("scan_unshare_unused"));
  EXPECT_EQ(call.args[0].value_or(0), 0x10000000u) << "CLONE_NEWUSER, a constant at the call site";
  // The loader and libc are loaded, not scanned: their wrappers are the table.
  ASSERT_EQ(result.modules.size(), 3u);
  EXPECT_EQ(result.modules[0].found_as, "executable");
  EXPECT_TRUE(result.modules[0].code_scanned);
  EXPECT_EQ(result.modules[1].found_as, "interpreter");
  EXPECT_FALSE(result.modules[2].code_scanned);
  EXPECT_EQ(result.modules[2].path, "/lib/x86_64-linux-gnu/libc.so.6");

  const auto profiles = runtime_default();
  const auto findings = evaluate_scan(result.calls, profiles, analysis::Context{});
  EXPECT_EQ(blocked_keys(findings), std::set<std::string>{"x86_64/unshare"});
  const ScanFinding* unshare = finding(findings, "x86_64/unshare");
  ASSERT_NE(unshare, nullptr);
  EXPECT_EQ(verdict_line(*unshare),
            "docker@29.4.3=ERRNO(EPERM) containerd@2.3.4=ERRNO(EPERM) containers-common@0.67.0=allowed ");
}

// The run (check) does not see what the scan finds: no --isolate, no unshare.
TEST(Scan, TheRunDoesNotExerciseWhatTheScanFinds) {
  const auto out = seccheck::testing::run_process({seccheck::testing::seccheck_binary(), "check", "--profile",
                                                   "docker", "--", testprog("scan_unshare_unused")});
  EXPECT_EQ(out.exit_status, 0) << out.out << out.err;
  EXPECT_EQ(out.out.find("unshare("), std::string::npos) << out.out;
}

TEST(Scan, SyscallFunctionWithAConstantNumber) {
  const ScanResult result = scan("scan_keyctl_syscall");
  std::vector<std::string> calls;
  for (const ReachableCall& c : result.calls)
    calls.push_back(c.syscall + " " + call_kind_name(c.kind) + " " + c.function);
  EXPECT_EQ(calls, std::vector<std::string>{"keyctl syscall() main"});
  ASSERT_EQ(result.calls.size(), 1u);
  const ReachableCall& keyctl = result.calls[0];
  EXPECT_EQ(keyctl.via, "syscall");
  EXPECT_EQ(keyctl.nr, 250);
  EXPECT_EQ(keyctl.args[0].value_or(99), 0u) << "KEYCTL_GET_KEYRING_ID";
  EXPECT_EQ(keyctl.args[1].value_or(0), static_cast<std::uint64_t>(-3)) << "KEY_SPEC_SESSION_KEYRING";
  const auto findings = evaluate_scan(result.calls, runtime_default(), analysis::Context{});
  EXPECT_EQ(blocked_keys(findings), std::set<std::string>{"x86_64/keyctl"});
  EXPECT_EQ(verdict_line(findings[0]),
            "docker@29.4.3=ERRNO(EPERM) containerd@2.3.4=ERRNO(EPERM) containers-common@0.67.0=allowed ");
}

TEST(Scan, InlineSyscallInstructionWithConstantArguments) {
  const ScanResult result = scan("scan_inline_syscall");
  std::vector<std::string> calls;
  for (const ReachableCall& c : result.calls)
    calls.push_back(c.syscall + " " + call_kind_name(c.kind) + " " + c.function);
  EXPECT_EQ(calls, (std::vector<std::string>{"socket direct vsock_socket", "close imported main"}));
  ASSERT_EQ(result.calls.size(), 2u);
  const ReachableCall& socket = result.calls[0];
  EXPECT_EQ(socket.args[0].value_or(0), 40u) << "AF_VSOCK";
  EXPECT_EQ(socket.args[1].value_or(0), 1u) << "SOCK_STREAM";
  EXPECT_EQ(socket.args[2].value_or(9), 0u);
  const auto findings = evaluate_scan(result.calls, runtime_default(), analysis::Context{});
  EXPECT_EQ(blocked_keys(findings), std::set<std::string>{"x86_64/socket/arg0=0x28"});
  const ScanFinding* vsock = finding(findings, "x86_64/socket/arg0=0x28");
  ASSERT_NE(vsock, nullptr);
  for (const ScanVerdict& v : vsock->verdicts)
    EXPECT_TRUE(v.exact) << v.profile;
  EXPECT_EQ(
      verdict_line(*vsock),
      "docker@29.4.3=ERRNO(EPERM) containerd@2.3.4=ERRNO(EPERM) containers-common@0.67.0=ERRNO(EPERM) ");
}

TEST(Scan, StaticBinaryIsScannedWhole) {
  const ScanResult result = scan("scan_mount_static");
  ASSERT_EQ(result.modules.size(), 1u) << "no interpreter, no libraries";
  EXPECT_GT(result.code_bytes, 100000u) << "libc's code is the program's";
  const auto findings = evaluate_scan(result.calls, runtime_default(), analysis::Context{});
  EXPECT_EQ(blocked_keys(findings), std::set<std::string>{"x86_64/mount"});
  const ScanFinding* mount = finding(findings, "x86_64/mount");
  ASSERT_NE(mount, nullptr);
  std::set<std::string> sites;
  for (const ReachableCall& c : mount->sites)
    sites.insert(std::string(call_kind_name(c.kind)) + " " + c.function);
  // main's call of mount, and the `syscall` instruction in libc's mount (__mount, global; mount is
  // its weak alias).
  EXPECT_EQ(sites, (std::set<std::string>{"imported main", "direct __mount"}));
}

// Verdicts by name where the call site passes no constant, exactly where it does.
TEST(ScanFindings, UnknownArgumentsAreEvaluatedByName) {
  auto profile = analysis::parse_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
      {"names": ["read"], "action": "SCMP_ACT_ALLOW"}]})",
                                         "custom");
  ASSERT_TRUE(profile) << profile.error().message;
  ReachableCall unknown;
  unknown.syscall = "socket";
  unknown.nr = 41;
  ReachableCall unix_socket = unknown;
  unix_socket.args[0] = 1;
  ReachableCall read = unknown;
  read.syscall = "read";
  read.nr = 0;
  const auto findings = evaluate_scan({unknown, unix_socket, read}, {*profile}, analysis::Context{});
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].key, "x86_64/read");
  EXPECT_FALSE(findings[0].verdicts[0].may_block);
  EXPECT_EQ(findings[1].key, "x86_64/socket/arg0=0x1");
  EXPECT_TRUE(findings[1].verdicts[0].exact);
  EXPECT_FALSE(findings[1].verdicts[0].may_block);
  EXPECT_EQ(findings[2].key, "x86_64/socket/arg0=?");
  const ScanVerdict& by_name = findings[2].verdicts[0];
  EXPECT_FALSE(by_name.exact);
  EXPECT_FALSE(by_name.blocked);
  EXPECT_TRUE(by_name.may_block);
  EXPECT_EQ(by_name.unknown_args, std::vector<unsigned>{0});
}

TEST(Scan, DamagedAndForeignFilesAreOneError) {
  const std::string original = file_bytes(testprog("scan_inline_syscall"));
  std::string truncated = original.substr(0, original.size() / 2);
  auto half = scan_bytes(truncated, "half");
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().message.rfind("half: truncated or corrupt", 0), 0u) << half.error().message;
  std::string arm = original;
  arm[18] = 0xb7;  // e_machine EM_AARCH64
  arm[19] = 0;
  auto foreign = scan_bytes(arm, "arm");
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message, "arm: not a 64-bit x86_64 ELF file (machine 183)");
  auto missing = scan_file("/nonexistent/prog");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/nonexistent/prog: No such file or directory");
  auto text = scan_file("/etc/hostname");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "/etc/hostname: not an ELF file");
}

}  // namespace
}  // namespace seccheck::scan
