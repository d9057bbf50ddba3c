// Content of the text and Markdown reports, and the JSON report's round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "report/format.h"
#include "report/json_report.h"
#include "report/renderer.h"
#include "tests/report/sample_report.h"

namespace seccheck::report {
namespace {

using testing::empty_report;
using testing::render;
using testing::sample_report;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Every ESC in `text` starts one of the SGR sequences the renderer writes itself.
bool only_sgr_escapes(const std::string& text) {
  static const std::regex sgr("^\x1b\\[[0-9;]*m");
  for (std::size_t pos = text.find('\x1b'); pos != std::string::npos; pos = text.find('\x1b', pos + 1)) {
    if (!std::regex_search(text.substr(pos, 16), sgr)) return false;
  }
  return true;
}

bool has_control_bytes(const std::string& text) {
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
  }
  return false;
}

TEST(TextRenderer, HeaderFindingsSummaryGate) {
  std::string out = render(sample_report(), Format::kText);
  EXPECT_TRUE(contains(out, "seccheck check: /usr/bin/unshare -U sh -c 'echo hi | cat'\n")) << out;
  EXPECT_TRUE(contains(out, "profiles: docker@29.4.3 (default ERRNO(EPERM)), containerd@2.3.4")) << out;
  EXPECT_TRUE(contains(out, "context:  caps=default kernel=6.18 arch=x86_64 runtime=runc")) << out;
  EXPECT_TRUE(contains(out, "workload: exit status 0, 2 processes, 9 calls stopped")) << out;
  EXPECT_TRUE(contains(out, "notice: the workload installed its own seccomp filter")) << out;
  EXPECT_TRUE(contains(out, "[new] clone(flags=CLONE_NEWUSER|SIGCHLD)  x86_64  3 calls\n")) << out;
  EXPECT_TRUE(contains(out, "[known] clone3(...)  x86_64  1 call\n")) << out;
  EXPECT_TRUE(contains(out, "[new] read(...)  i386  1 call\n")) << out;
  std::regex docker_row(
      R"(\n    docker@29\.4\.3 +ERRNO\(EPERM\) +clone with CLONE_NEWUSER needs CAP_SYS_ADMIN \(docker@29\.4\.3\)\n)");
  EXPECT_TRUE(std::regex_search(out, docker_row)) << out;
  EXPECT_TRUE(
      std::regex_search(out, std::regex(R"(\n    crio@main +ERRNO\(ENOSYS\) +clone3 returns ENOSYS\n)")))
      << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex(R"(\n    docker@29\.4\.3     KILL_PROCESS   \[arch not in profile\]  i386 is not)")))
      << out;
  EXPECT_TRUE(
      std::regex_search(out, std::regex(R"(\n    containerd@2\.3\.4  allowed        read is allowed\n)")))
      << out;
  EXPECT_TRUE(contains(out, "    first:  pid 4242  /usr/bin/unshare  unshare -U true\n")) << out;
  EXPECT_TRUE(contains(out, "    stack:  #0 clone+0x2b  /lib/x86_64-linux-gnu/libc.so.6\n")) << out;
  EXPECT_TRUE(contains(out, "            #1 main+0x1b0  /usr/bin/unshare  at sys-utils/unshare.c:1042\n"))
      << out;
  EXPECT_TRUE(contains(out, "            #2 libc.so.6+0x27000  /lib/x86_64-linux-gnu/libc.so.6\n")) << out;
  EXPECT_TRUE(contains(out, "    key:    x86_64/clone/arg0=0x10000011\n")) << out;
  EXPECT_TRUE(contains(
      out, "4 findings (3 new, 1 known), 7 calls; docker@29.4.3 blocks 3; containerd@2.3.4 blocks 2; "
           "crio@main blocks 4\n"))
      << out;
  EXPECT_TRUE(contains(out, "gate: FAIL: 3 new findings would be blocked (1 known from the baseline)\n"))
      << out;
  // profile order of the header, whatever order the verdicts come in
  EXPECT_LT(out.find("    docker@29.4.3 "), out.find("    containerd@2.3.4 "));
}

TEST(TextRenderer, StackLimit) {
  RenderOptions options;
  options.max_stack_frames = 1;
  std::string out = render(sample_report(), Format::kText, options);
  EXPECT_TRUE(contains(out, "#0 clone+0x2b")) << out;
  EXPECT_FALSE(contains(out, "#1 main+0x1b0")) << out;
  EXPECT_TRUE(contains(out, "... 2 more frames")) << out;
}

TEST(TextRenderer, HostileStringsCannotReachTheTerminal) {
  std::string plain = render(sample_report(), Format::kText);
  EXPECT_FALSE(has_control_bytes(plain)) << plain;
  EXPECT_TRUE(contains(plain, "/tmp/\\x1b[31mevil\\x1b]0;pwned\\x07|`x`<&\"'>\\xff\\xfe")) << plain;
  EXPECT_TRUE(contains(plain, "'--title=\\x1b]0;owned\\x07'")) << plain;
  EXPECT_TRUE(contains(plain, "\\u202etxt.exe")) << plain;  // bidi override shown, not applied
  EXPECT_TRUE(contains(plain, "#0 sym\\x1b[2J\\x9b+0x10  /tmp/evil|bin\\nx")) << plain;

  RenderOptions color;
  color.color = true;
  std::string colored = render(sample_report(), Format::kText, color);
  EXPECT_TRUE(contains(colored, "\x1b[31m")) << "colour was asked for";
  EXPECT_TRUE(only_sgr_escapes(colored));
  EXPECT_FALSE(contains(colored, "\x1b]0;"));
  EXPECT_FALSE(contains(colored, "\x07"));
}

TEST(TextRenderer, EmptyReportPasses) {
  std::string out = render(empty_report(), Format::kText);
  EXPECT_TRUE(contains(out, "No call was flagged")) << out;
  EXPECT_TRUE(contains(out, "0 findings (0 new, 0 known), 0 calls; docker@29.4.3 blocks 0")) << out;
  EXPECT_TRUE(contains(out, "gate: pass: nothing new would be blocked\n")) << out;
}

TEST(TextRenderer, WorkloadFailureGate) {
  analysis::CheckReport report = empty_report();
  report.workload_exit_status = 139;
  report.fail_on_workload_error = true;
  std::string out = render(report, Format::kText);
  EXPECT_TRUE(contains(out, "workload: exit status 139")) << out;
  EXPECT_TRUE(contains(out, "gate: FAIL: the workload failed (exit status 139)")) << out;
}

// Cells of a Markdown table row: split on '|' that is not backslash-escaped.
std::size_t unescaped_pipes(const std::string& line) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|') {
      ++n;
    }
  }
  return n;
}

TEST(MarkdownRenderer, HeadingVerdictTableDetails) {
  std::string out = render(sample_report(), Format::kMarkdown);
  EXPECT_EQ(out.rfind("## seccheck: would be blocked\n\n", 0), 0u) << out;
  EXPECT_TRUE(contains(out, "❌ **FAIL: 3 new findings would be blocked (1 known from the baseline)**"))
      << out;
  EXPECT_TRUE(contains(out,
                       "| Syscall | Arch | Count | docker@29.4.3 | containerd@2.3.4 | crio@main | Status |\n"
                       "|---|---|---:|---|---|---|---|\n"))
      << out;
  EXPECT_TRUE(contains(
      out, "| clone(flags=CLONE\\_NEWUSER\\|SIGCHLD) | x86_64 | 3 | ⛔ ERRNO(EPERM) | ⛔ ERRNO(EPERM) | "
           "⛔ ERRNO(EPERM) | **new** |\n"))
      << out;
  EXPECT_TRUE(contains(
      out, "| clone3(...) | x86_64 | 1 | ⛔ ERRNO(ENOSYS) | ⛔ ERRNO(ENOSYS) | ⛔ ERRNO(ENOSYS) | known |\n"))
      << out;
  EXPECT_TRUE(
      contains(out, "| read(...) | i386 | 1 | ⛔ KILL\\_PROCESS | ✅ allowed | ⛔ KILL\\_PROCESS | **new** |\n"))
      << out;
  EXPECT_TRUE(contains(out, "<details><summary>")) << out;
  EXPECT_TRUE(contains(out, "</details>\n")) << out;
  EXPECT_TRUE(
      contains(out, "- crio@main: **ERRNO(EPERM)** — acct needs CAP\\_SYS\\_PACCT \\| \\`x\\` &lt;b&gt;"))
      << out;
  EXPECT_TRUE(contains(out, "  1. clone+0x2b in /lib/x86\\_64-linux-gnu/libc.so.6\n")) << out;

  // Every table row keeps the header's column count, whatever the workload strings hold.
  std::size_t columns = 0;
  std::size_t start = out.find("| Syscall");
  std::size_t end = out.find("\n\n", start);
  std::string table = out.substr(start, end - start);
  std::size_t rows = 0;
  for (std::size_t pos = 0; pos < table.size();) {
    std::size_t nl = table.find('\n', pos);
    std::string line = table.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (columns == 0) columns = unescaped_pipes(line);
    EXPECT_EQ(unescaped_pipes(line), columns) << line;
    ++rows;
    pos = nl == std::string::npos ? table.size() : nl + 1;
  }
  EXPECT_EQ(rows, 2u + 4u);
  EXPECT_FALSE(has_control_bytes(out));
  EXPECT_FALSE(contains(out, "<b>"));
  // Raw <&"'> only inside a code span (GitHub shows code spans literally): the hostile argv.
  std::size_t raw = out.find("<&");
  ASSERT_NE(raw, std::string::npos) << out;
  EXPECT_EQ(out.find("<&", raw + 1), std::string::npos) << out;
  std::size_t line_start = out.rfind('\n', raw) + 1;
  std::string line = out.substr(line_start, out.find('\n', raw) - line_start);
  EXPECT_EQ(
      line,
      "- first call: pid 4260, /tmp/\\\\x1b\\[31mevil\\\\x1b\\]0;pwned\\\\x07\\|\\`x\\`&lt;&amp;&quot;'&gt;"
      "\\\\xff\\\\xfe, `evil '--title=\\x1b]0;owned\\x07' 'a|b' ''rm -rf'' '<&\"'\\''>' "
      "'\\xc0\\xaf' '\\u202etxt.exe'`");
}

TEST(MarkdownRenderer, EmptyReport) {
  std::string out = render(empty_report(), Format::kMarkdown);
  EXPECT_EQ(out.rfind("## seccheck: passed\n", 0), 0u) << out;
  EXPECT_TRUE(contains(out, "✅ **pass: nothing new would be blocked**")) << out;
  EXPECT_FALSE(contains(out, "| Syscall")) << out;
}

TEST(JsonRenderer, VersionedOrderedHexArgs) {
  std::string out = render(sample_report(), Format::kJson);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(out);
  EXPECT_EQ(j["schema_version"], kReportSchemaVersion);
  EXPECT_EQ(j["tool"]["name"], "seccheck");
  EXPECT_EQ(j["tool"]["version"], "0.1.0");
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it)
    keys.push_back(it.key());
  std::vector<std::string> expected = {"schema_version",
                                       "tool",
                                       "command",
                                       "context",
                                       "started_at",
                                       "duration_seconds",
                                       "workload_exit_status",
                                       "interrupted",
                                       "incomplete",
                                       "fail_on_workload_error",
                                       "gate_mode",
                                       "calls_stopped",
                                       "processes",
                                       "profiles",
                                       "notices",
                                       "input",
                                       "scan",
                                       "summary",
                                       "findings"};
  EXPECT_EQ(keys, expected);
  const auto& clone = j["findings"][1];
  EXPECT_EQ(clone["key"], "x86_64/clone/arg0=0x10000011");
  EXPECT_EQ(clone["args"][0], "0x10000011");
  EXPECT_EQ(clone["args"][5], "0x7f0000001000");
  EXPECT_EQ(clone["count"], 3);
  EXPECT_EQ(clone["verdicts"][0]["label"], "ERRNO(EPERM)");
  EXPECT_EQ(clone["verdicts"][0]["errno_name"], "EPERM");
  EXPECT_EQ(clone["verdicts"][0]["value"], 1);
  EXPECT_EQ(clone["stack"][0]["pc"], "0x7f12345678ab");
  EXPECT_EQ(j["findings"][3]["verdicts"][0]["action"], "KILL_PROCESS");
  EXPECT_TRUE(j["findings"][3]["verdicts"][0]["value"].is_null());
  EXPECT_EQ(j["summary"]["gate"], "fail");
  EXPECT_EQ(j["summary"]["new_blocking"], 3);
  // Invalid UTF-8 from the workload becomes U+FFFD; control characters stay, JSON-escaped.
  EXPECT_EQ(j["findings"][0]["executable"], sanitize_utf8(testing::kHostileExe));
  EXPECT_TRUE(contains(out, "\\u001b[31mevil")) << out;
}

void expect_same(const analysis::CheckReport& a, const analysis::CheckReport& b) {
  EXPECT_EQ(a.tool_version, b.tool_version);
  EXPECT_EQ(a.command, b.command);
  EXPECT_EQ(a.context, b.context);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_DOUBLE_EQ(a.duration_seconds, b.duration_seconds);
  EXPECT_EQ(a.workload_exit_status, b.workload_exit_status);
  EXPECT_EQ(a.interrupted, b.interrupted);
  EXPECT_EQ(a.fail_on_workload_error, b.fail_on_workload_error);
  EXPECT_EQ(a.calls_stopped, b.calls_stopped);
  EXPECT_EQ(a.processes, b.processes);
  EXPECT_EQ(a.notices, b.notices);
  ASSERT_EQ(a.profiles.size(), b.profiles.size());
  for (std::size_t i = 0; i < a.profiles.size(); ++i) {
    EXPECT_EQ(a.profiles[i].name, b.profiles[i].name);
    EXPECT_EQ(a.profiles[i].default_action, b.profiles[i].default_action);
  }
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    const auto& x = a.findings[i];
    const auto& y = b.findings[i];
    SCOPED_TRACE(x.key);
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.syscall, y.syscall);
    EXPECT_EQ(x.call.arch, y.call.arch);
    EXPECT_EQ(x.call.nr, y.call.nr);
    EXPECT_EQ(x.pattern, y.pattern);
    EXPECT_EQ(x.call.args, y.call.args);
    EXPECT_EQ(x.call.kept_args, y.call.kept_args);
    EXPECT_EQ(x.call.count, y.call.count);
    EXPECT_EQ(x.known, y.known);
    EXPECT_EQ(x.call.first_pid, y.call.first_pid);
    EXPECT_EQ(x.call.executable, y.call.executable);
    EXPECT_EQ(x.call.command_line, y.call.command_line);
    ASSERT_EQ(x.verdicts.size(), y.verdicts.size());
    for (std::size_t v = 0; v < x.verdicts.size(); ++v) {
      EXPECT_EQ(x.verdicts[v].profile, y.verdicts[v].profile);
      EXPECT_EQ(x.verdicts[v].verdict.action, y.verdicts[v].verdict.action);
      EXPECT_EQ(x.verdicts[v].verdict.rule_index, y.verdicts[v].verdict.rule_index);
      EXPECT_EQ(x.verdicts[v].verdict.decided_by, y.verdicts[v].verdict.decided_by);
      EXPECT_EQ(x.verdicts[v].reason, y.verdicts[v].reason);
    }
    ASSERT_EQ(x.call.stack.size(), y.call.stack.size());
    for (std::size_t s = 0; s < x.call.stack.size(); ++s) {
      EXPECT_EQ(x.call.stack[s].pc, y.call.stack[s].pc);
      EXPECT_EQ(x.call.stack[s].binary, y.call.stack[s].binary);
      EXPECT_EQ(x.call.stack[s].function, y.call.stack[s].function);
      EXPECT_EQ(x.call.stack[s].offset, y.call.stack[s].offset);
      EXPECT_EQ(x.call.stack[s].source_file, y.call.stack[s].source_file);
      EXPECT_EQ(x.call.stack[s].source_line, y.call.stack[s].source_line);
    }
  }
}

TEST(JsonReport, RoundTrip) {
  analysis::CheckReport original = sample_report();
  // Valid UTF-8 everywhere survives exactly; invalid bytes are replaced (tested above).
  auto clean = [](std::string& s) { s = sanitize_utf8(s); };
  for (auto& f : original.findings) {
    clean(f.call.executable);
    for (auto& arg : f.call.command_line)
      clean(arg);
    for (auto& frame : f.call.stack) {
      clean(frame.function);
      clean(frame.source_file);
    }
  }
  original.findings[1].call.args[3] = ~0ULL;  // needs all 64 bits
  original.interrupted = true;
  original.fail_on_workload_error = true;
  std::string text = render(original, Format::kJson);
  auto parsed = parse_json_text(text, "report.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto back = report_from_json(*parsed, "report.json");
  ASSERT_TRUE(back) << back.error().message;
  expect_same(original, *back);
  // and again: rendering what was read gives the same bytes
  EXPECT_EQ(render(*back, Format::kJson), text);
}

// Reachable findings (check --scan): marked in every format, never gating unless asked.
analysis::CheckReport reachable_only(bool gate_reachable) {
  analysis::CheckReport report = testing::reachable_report();
  std::erase_if(report.findings, [](const analysis::Finding& f) { return !f.reachable(); });
  report.gate_mode = gate_reachable ? analysis::GateMode::kReachable : analysis::GateMode::kAny;
  return report;
}

TEST(ReachableFindings, TextMarksThemAndListsSites) {
  const std::string text = render(testing::reachable_report(), Format::kText);
  EXPECT_TRUE(contains(text, "scanned:  1 executable, 3 modules, 0.1 MiB of code, 0.05 s")) << text;
  EXPECT_TRUE(contains(text, "Reachable, not exercised")) << text;
  EXPECT_TRUE(
      contains(text, "[new] [reachable, not exercised] unshare(flags=CLONE_NEWUSER)  x86_64  2 call sites"))
      << text;
  EXPECT_TRUE(contains(text, "sites:  main (/usr/bin/unshare+0x11a4, imported unshare)")) << text;
  EXPECT_TRUE(contains(text, "may block")) << "containerd's verdict by name on clone(arg0=?)";
  EXPECT_TRUE(only_sgr_escapes(text)) << "a hostile module path is escaped";
  EXPECT_TRUE(contains(text, ", 2 reachable (1 may block)") || contains(text, "2 reachable")) << text;
  EXPECT_TRUE(contains(render(reachable_only(false), Format::kText), "gate: pass"));
  EXPECT_TRUE(
      contains(render(reachable_only(true), Format::kText), "gate: FAIL: 2 new findings would be blocked"));
}

TEST(ReachableFindings, GateOnlyWhenAsked) {
  EXPECT_FALSE(reachable_only(false).gate_failed());
  EXPECT_EQ(reachable_only(true).new_blocking_findings(), 2u) << "clone is blocked by name in docker";
  const analysis::CheckReport report = reachable_only(false);
  const analysis::Finding& clone = report.findings[1];
  EXPECT_TRUE(clone.blocked_by_any());
  EXPECT_TRUE(clone.verdicts[1].may_block());
  EXPECT_FALSE(clone.verdicts[1].blocks());
  EXPECT_FALSE(clone.verdicts[2].may_block());
}

TEST(ReachableFindings, SarifWarningsJunitSkippedMarkdownMarked) {
  const nlohmann::json sarif = nlohmann::json::parse(render(testing::reachable_report(), Format::kSarif));
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[4]["level"], "warning");
  EXPECT_EQ(results[4]["properties"]["source"], "reachable");
  EXPECT_EQ(results[4]["properties"]["sites"][0]["how"], "imported");
  EXPECT_EQ(results[5]["properties"]["verdicts"][1]["verdict"], "may block");
  EXPECT_EQ(results[0]["level"], "error") << "run findings keep their level";
  const std::string junit = render(reachable_only(false), Format::kJunit);
  EXPECT_FALSE(contains(junit, "<failure")) << junit;
  EXPECT_TRUE(contains(junit, "<skipped message=\"reachable, not exercised: ERRNO(EPERM)\"")) << junit;
  EXPECT_TRUE(contains(render(reachable_only(true), Format::kJunit), "<failure"));
  const std::string markdown = render(testing::reachable_report(), Format::kMarkdown);
  EXPECT_TRUE(contains(markdown, "reachable, not exercised")) << markdown;
  EXPECT_TRUE(contains(markdown, "may block")) << markdown;
  analysis::CheckReport scan_only = reachable_only(true);
  scan_only.input = analysis::ReportInput::kScan;
  EXPECT_TRUE(contains(render(scan_only, Format::kText), "seccheck scan: "))
      << render(scan_only, Format::kText);
  EXPECT_TRUE(contains(render(scan_only, Format::kText), "[new] [reachable] unshare"));
}

TEST(ReachableFindings, JsonRoundTrip) {
  analysis::CheckReport original = testing::reachable_report();
  for (auto& f : original.findings) {
    f.call.executable = sanitize_utf8(f.call.executable);
    for (auto& arg : f.call.command_line)
      arg = sanitize_utf8(arg);
    for (auto& frame : f.call.stack)
      frame.function = sanitize_utf8(frame.function);
    for (auto& site : f.sites)
      site.module = sanitize_utf8(site.module);
  }
  original.gate_mode = analysis::GateMode::kReachable;
  const std::string text = render(original, Format::kJson);
  auto parsed = parse_json_text(text, "report.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto back = report_from_json(*parsed, "report.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(render(*back, Format::kJson), text);
  ASSERT_TRUE(back->scan);
  EXPECT_EQ(back->scan->code_bytes, 123456u);
  EXPECT_TRUE(back->findings[5].reachable());
  EXPECT_EQ(back->findings[5].verdicts[1].unknown_args, std::vector<unsigned>{0});
  EXPECT_TRUE(back->findings[5].verdicts[1].may_block());
  EXPECT_EQ(back->findings[4].sites[0].function, "main");
}

TEST(JsonReport, ReadErrorsNameTheProblem) {
  nlohmann::json j = nlohmann::json::parse(render(sample_report(), Format::kJson));
  nlohmann::json wrong_version = j;
  wrong_version["schema_version"] = 2;
  auto r = report_from_json(wrong_version, "old.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message,
      "old.json: report schema_version 2, this seccheck reads 1; write the report again with this version");

  nlohmann::json bad_arg = j;
  bad_arg["findings"][1]["args"][2] = 5;
  r = report_from_json(bad_arg, "r.json");
  ASSERT_FALSE(r);
  EXPECT_TRUE(contains(r.error().message, "r.json: findings[1].args[2]: expected a hex string"))
      << r.error().message;

  nlohmann::json bad_action = j;
  bad_action["findings"][0]["verdicts"][2]["action"] = "DENY";
  r = report_from_json(bad_action, "r.json");
  ASSERT_FALSE(r);
  EXPECT_TRUE(contains(r.error().message, "findings[0].verdicts[2].action: unknown action \"DENY\""))
      << r.error().message;

  auto syntax = parse_json_text("{\n  \"a\": [1,\n  }\n", "broken.json");
  ASSERT_FALSE(syntax);
  EXPECT_TRUE(contains(syntax.error().message, "broken.json:3:3: malformed JSON: "))
      << syntax.error().message;
}

}  // namespace
}  // namespace seccheck::report
