#include "tests/report/sample_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"

namespace seccheck::testing {

const char* const kHostileExe = "/tmp/\x1b[31mevil\x1b]0;pwned\x07|`x`<&\"'>\xff\xfe";

namespace {

analysis::ProfileVerdict verdict(const std::string& profile, analysis::ActionKind kind,
                                 std::optional<std::uint32_t> value, std::string reason, int rule_index = -1,
                                 bool bad_arch = false) {
  analysis::ProfileVerdict pv;
  pv.profile = profile;
  pv.verdict.action = analysis::Action{kind, value};
  pv.reason = std::move(reason);
  pv.verdict.rule_index = rule_index;
  pv.verdict.decided_by = bad_arch          ? analysis::DecidedBy::kBadArch
                          : rule_index >= 0 ? analysis::DecidedBy::kRule
                                            : analysis::DecidedBy::kDefault;
  return pv;
}

analysis::CheckReport base_report() {
  analysis::CheckReport r;
  r.tool_version = "0.1.0";
  r.command = {"/usr/bin/unshare", "-U", "sh", "-c", "echo hi | cat"};
  r.context = "caps=default kernel=6.18 arch=x86_64 runtime=runc";
  r.profiles = {
      {"docker@29.4.3", "ERRNO(EPERM)"}, {"containerd@2.3.4", "ERRNO(EPERM)"}, {"crio@main", "ERRNO(EPERM)"}};
  r.workload_exit_status = 0;
  r.calls_stopped = 9;
  r.processes = 2;
  r.started_at = "2026-11-25T06:19:15.123Z";
  r.duration_seconds = 0.25;
  return r;
}

}  // namespace

analysis::CheckReport sample_report() {
  using analysis::ActionKind;
  analysis::CheckReport r = base_report();
  r.notices = {"the workload installed its own seccomp filter (pid 4243)"};

  analysis::Finding clone;
  clone.key = "x86_64/clone/arg0=0x10000011";
  clone.syscall = "clone";
  clone.call.nr = 56;
  clone.pattern = "clone(flags=CLONE_NEWUSER|SIGCHLD)";
  clone.call.args = {0x10000011, 0, 0, 0, 0, 0x7f0000001000};
  clone.call.kept_args = {0};
  clone.call.count = 3;
  clone.verdicts = {
      verdict("docker@29.4.3", ActionKind::kErrno, 1,
              "clone with CLONE_NEWUSER needs CAP_SYS_ADMIN (docker@29.4.3)", 12),
      verdict("containerd@2.3.4", ActionKind::kErrno, 1, "clone with namespace flags needs CAP_SYS_ADMIN", 9),
      verdict("crio@main", ActionKind::kErrno, 1, "clone with namespace flags needs CAP_SYS_ADMIN", 11)};
  clone.call.first_pid = 4242;
  clone.call.executable = "/usr/bin/unshare";
  clone.call.command_line = {"unshare", "-U", "true"};
  clone.call.stack = {{0x7f12345678ab, "/lib/x86_64-linux-gnu/libc.so.6", "clone", 0x2b, "", 0},
                      {0x55555555a1b0, "/usr/bin/unshare", "main", 0x1b0, "sys-utils/unshare.c", 1042},
                      {0x7f1234500000, "/lib/x86_64-linux-gnu/libc.so.6", "", 0x27000, "", 0}};

  analysis::Finding clone3;
  clone3.key = "x86_64/clone3";
  clone3.syscall = "clone3";
  clone3.call.nr = 435;
  clone3.pattern = "clone3(...)";
  clone3.call.count = 1;
  clone3.verdicts = {
      verdict("docker@29.4.3", ActionKind::kErrno, 38, "clone3 returns ENOSYS so glibc falls back to clone",
              3),
      verdict("containerd@2.3.4", ActionKind::kErrno, 38, "clone3 is not in the allow list", -1),
      verdict("crio@main", ActionKind::kErrno, 38, "clone3 returns ENOSYS", 4)};
  clone3.call.first_pid = 4242;
  clone3.call.executable = "/usr/bin/unshare";
  clone3.call.command_line = {"unshare", "-U", "true"};
  clone3.known = true;

  analysis::Finding i386;
  i386.key = "i386/read";
  i386.syscall = "read";
  i386.call.arch = Arch::kI386;
  i386.call.nr = 3;
  i386.pattern = "read(...)";
  i386.call.count = 1;
  i386.verdicts = {verdict("docker@29.4.3", ActionKind::kKillProcess, std::nullopt,
                           "i386 is not in the profile's architectures", -1, true),
                   verdict("containerd@2.3.4", ActionKind::kAllow, std::nullopt, "read is allowed", 0),
                   verdict("crio@main", ActionKind::kKillProcess, std::nullopt,
                           "i386 is not in the profile's architectures", -1, true)};
  i386.call.first_pid = 4250;
  i386.call.executable = "/opt/legacy/app32";
  i386.call.command_line = {"app32"};

  analysis::Finding acct;
  acct.key = "x86_64/acct";
  acct.syscall = "acct";
  acct.call.nr = 163;
  acct.pattern = "acct(...)";
  acct.call.count = 2;
  acct.verdicts = {
      verdict("docker@29.4.3", ActionKind::kAllow, std::nullopt, "acct is allowed with CAP_SYS_PACCT", 40),
      verdict("containerd@2.3.4", ActionKind::kAllow, std::nullopt, "", 40),
      verdict("crio@main", ActionKind::kErrno, 1, "acct needs CAP_SYS_PACCT | `x` <b>", -1)};
  acct.call.first_pid = 4260;
  acct.call.executable = kHostileExe;
  acct.call.command_line = {
      "evil",     "--title=\x1b]0;owned\x07", "a|b", "`rm -rf`", "<&\"'>",
      "\xc0\xaf", "\xe2\x80\xaetxt.exe"};  // U+202E (right-to-left override), then txt.exe
  acct.call.stack = {{0x401000, "/tmp/evil|bin\nx", "sym\x1b[2J\x9b", 0x10, "/tmp/evil\x1b[2J.c", 7}};

  // sorted by syscall, arch, key
  r.findings = {acct, clone, clone3, i386};
  return r;
}

analysis::CheckReport reachable_report() {
  using analysis::ActionKind;
  analysis::CheckReport r = sample_report();
  r.scan = analysis::ScanSummary{{"/usr/bin/unshare"}, 3, 123456, 0.05, {"/usr/bin/x: not an ELF file"}};

  analysis::Finding unshare;
  unshare.source = analysis::FindingSource::kReachable;
  unshare.key = "x86_64/unshare";
  unshare.syscall = "unshare";
  unshare.call.nr = 272;
  unshare.call.args = {0x10000000, 0, 0, 0, 0, 0};
  unshare.pattern = "unshare(flags=CLONE_NEWUSER)";
  unshare.call.count = 2;
  unshare.call.executable = "/usr/bin/unshare";
  unshare.sites = {{"/usr/bin/unshare", "main", 0x11a4, "imported", "unshare"},
                   {kHostileExe, "", 0x40, "direct", ""}};
  unshare.verdicts = {verdict("docker@29.4.3", ActionKind::kErrno, 1, "unshare needs CAP_SYS_ADMIN"),
                      verdict("containerd@2.3.4", ActionKind::kErrno, 1, "unshare needs CAP_SYS_ADMIN"),
                      verdict("crio@main", ActionKind::kErrno, 1, "unshare is not allowed")};

  analysis::Finding clone;
  clone.source = analysis::FindingSource::kReachable;
  clone.key = "x86_64/clone/arg0=?";
  clone.syscall = "clone";
  clone.call.nr = 56;
  clone.pattern = "clone(arg0=?)";
  clone.call.count = 1;
  clone.call.executable = "/usr/bin/unshare";
  clone.sites = {{"/lib/x86_64-linux-gnu/libc.so.6", "fork", 0x1000, "imported", "pthread_create"}};
  clone.verdicts = {
      verdict("docker@29.4.3", ActionKind::kErrno, 1, "by name: blocked whatever arg0 is"),
      verdict("containerd@2.3.4", ActionKind::kAllow, std::nullopt, "by name: blocked for some"),
      verdict("crio@main", ActionKind::kAllow, std::nullopt, "by name: allowed")};
  for (auto& pv : clone.verdicts)
    pv.unknown_args = {0};
  clone.verdicts[0].blocked_for_all = clone.verdicts[0].blocked_for_some = true;
  clone.verdicts[1].blocked_for_some = true;
  r.findings.push_back(std::move(unshare));
  r.findings.push_back(std::move(clone));
  return r;
}

analysis::CheckReport empty_report() {
  return base_report();
}

std::string render(const analysis::CheckReport& report, report::Format format,
                   report::RenderOptions options) {
  std::ostringstream out;
  report::make_renderer(format, options)->render(report, out);
  return out.str();
}

std::string write_temp_file(const std::string& name, const std::string& content) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = temp_path((info != nullptr ? std::string(info->name()) : "x") + "_" + name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

namespace {

constexpr const char* kValidatorScript = R"PY(
import json, sys
try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed"); sys.exit(77)
schema = json.load(open(sys.argv[1], encoding="utf-8"))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
def close(node):
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            close(value)
    elif isinstance(node, list):
        for value in node:
            close(value)
if sys.argv[3] == "strict":
    close(schema)
V = jsonschema.validators.validator_for(schema)
V.check_schema(schema)
errors = sorted(V(schema, format_checker=V.FORMAT_CHECKER).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print("/".join(str(p) for p in e.path), ":", e.message)
sys.exit(1 if errors else 0)
)PY";

bool executable(const char* path) {
  return access(path, X_OK) == 0;
}

}  // namespace

Validation validate_json_schema(const std::string& schema_path, const std::string& document, bool strict) {
  Validation v;
  if (!executable("/usr/bin/python3")) return v;
  std::string script = write_temp_file("validate.py", kValidatorScript);
  std::string doc = write_temp_file("document.json", document);
  ProcessOutput out = run_process({"/usr/bin/python3", script, schema_path, doc, strict ? "strict" : "open"});
  if (out.exit_status == 77) return v;
  v.ran = true;
  v.valid = out.exit_status == 0;
  v.output = out.out + out.err;
  return v;
}

Validation validate_xml_schema(const std::string& xsd_path, const std::string& document) {
  Validation v;
  if (!executable("/usr/bin/xmllint")) return v;
  std::string doc = write_temp_file("document.xml", document);
  ProcessOutput out = run_process({"/usr/bin/xmllint", "--noout", "--schema", xsd_path, doc});
  v.ran = true;
  v.valid = out.exit_status == 0;
  v.output = out.out + out.err;
  return v;
}

}  // namespace seccheck::testing
