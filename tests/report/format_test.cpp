// Shared helpers: verdict labels, escaping, summary counts, and the Finding/CheckReport methods.
#include <gtest/gtest.h>

#include "report/format.h"
#include "report/renderer.h"
#include "tests/report/sample_report.h"

namespace seccheck::report {
namespace {

using analysis::Action;
using analysis::ActionKind;

TEST(VerdictLabel, NamesActionsAndErrnos) {
  EXPECT_EQ(action_label(Action{ActionKind::kErrno, 1}), "ERRNO(EPERM)");
  EXPECT_EQ(action_label(Action{ActionKind::kErrno, 38}), "ERRNO(ENOSYS)");
  EXPECT_EQ(action_label(Action{ActionKind::kErrno, 4000}), "ERRNO(4000)");
  EXPECT_EQ(action_label(Action{ActionKind::kKillProcess, std::nullopt}), "KILL_PROCESS");
  EXPECT_EQ(action_label(Action{ActionKind::kKillThread, std::nullopt}), "KILL_THREAD");
  EXPECT_EQ(action_label(Action{ActionKind::kTrace, 7}), "TRACE(7)");
  EXPECT_EQ(action_label(Action{ActionKind::kLog, std::nullopt}), "LOG");
  EXPECT_EQ(action_label(Action{ActionKind::kAllow, std::nullopt}), "allowed");
  for (auto kind : {ActionKind::kKillProcess, ActionKind::kKillThread, ActionKind::kTrap, ActionKind::kErrno,
                    ActionKind::kNotify, ActionKind::kTrace, ActionKind::kLog, ActionKind::kAllow}) {
    EXPECT_EQ(parse_action_kind(action_kind_name(kind)), kind);
  }
  EXPECT_FALSE(parse_action_kind("DENY"));
}

TEST(EscapeTerminal, MakesControlsAndBadUtf8Visible) {
  EXPECT_EQ(escape_terminal("a\x1b[31mb"), "a\\x1b[31mb");
  EXPECT_EQ(escape_terminal("x\x07y\x7f"), "x\\x07y\\x7f");
  EXPECT_EQ(escape_terminal("line\nnext\ttab"), "line\\nnext\\ttab");
  EXPECT_EQ(escape_terminal("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_terminal("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");  // valid UTF-8 kept
  EXPECT_EQ(escape_terminal("\xc2\x9b"
                            "2J"),
            "\\u009b2J");  // C1 CSI
  EXPECT_EQ(escape_terminal("\xe2\x80\xae"
                            "exe"),
            "\\u202eexe");                                        // bidi override
  EXPECT_EQ(escape_terminal("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(escape_terminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(escape_terminal("\xe2\x80"), "\\xe2\\x80");           // truncated
}

TEST(SanitizeUtf8, ReplacesEachBadByte) {
  EXPECT_EQ(sanitize_utf8("ok\xff"), "ok\xef\xbf\xbd");
  EXPECT_EQ(sanitize_utf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(sanitize_utf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(XmlEscape, EntitiesAndIllegalCharacters) {
  EXPECT_EQ(xml_escape("<&\"'>", false), "&lt;&amp;&quot;&apos;&gt;");
  EXPECT_EQ(xml_escape("a\x01"
                       "b\x1b",
                       false),
            "a\\x01b\\x1b");
  EXPECT_EQ(xml_escape("a\nb\tc\rd", false), "a\nb\tc&#13;d");
  EXPECT_EQ(xml_escape("a\nb\tc", true), "a&#10;b&#9;c");
  EXPECT_EQ(xml_escape("\xef\xbf\xbe", false), "\\ufffe");
  EXPECT_EQ(xml_escape("\xff", false), "\\xff");
}

TEST(MarkdownEscape, TablesCodeAndHtml) {
  EXPECT_EQ(markdown_escape("a|b"), "a\\|b");
  EXPECT_EQ(markdown_escape("`x`"), "\\`x\\`");
  EXPECT_EQ(markdown_escape("<script>&"), "&lt;script&gt;&amp;");
  EXPECT_EQ(markdown_escape("*_[]"), "\\*\\_\\[\\]");
  EXPECT_EQ(markdown_escape("\x1b[2J"), "\\\\x1b\\[2J");
}

TEST(ShellJoin, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(shell_join({"ls", "-la", "/tmp/x.txt"}), "ls -la /tmp/x.txt");
  EXPECT_EQ(shell_join({"sh", "-c", "echo hi | cat"}), "sh -c 'echo hi | cat'");
  EXPECT_EQ(shell_join({"it's", ""}), "'it'\\''s' ''");
}

TEST(Timestamp, SecondsWithoutZone) {
  EXPECT_EQ(timestamp_seconds("2026-11-25T06:19:15.123Z"), "2026-11-25T06:19:15");
  EXPECT_EQ(timestamp_seconds("2026-11-25 06:19:15+00:00"), "2026-11-25T06:19:15");
  EXPECT_FALSE(timestamp_seconds(""));
  EXPECT_FALSE(timestamp_seconds("yesterday at noon"));
}

TEST(Format, ParseAndNameRoundTrip) {
  for (const std::string& name : format_names()) {
    auto format = parse_format(name);
    ASSERT_TRUE(format) << name;
    EXPECT_EQ(format_name(*format), name);
  }
  EXPECT_EQ(format_names().size(), 5u);
  EXPECT_FALSE(parse_format("xml"));
  EXPECT_FALSE(parse_format("JSON"));
}

TEST(Findings, BlockedAndGate) {
  analysis::CheckReport report = testing::sample_report();
  // acct: blocked by crio only; clone: all; clone3: all but known; read (i386): two of three.
  for (const auto& f : report.findings)
    EXPECT_TRUE(f.blocked_by_any()) << f.key;
  EXPECT_EQ(report.new_blocking_findings(), 3u);
  EXPECT_TRUE(report.gate_failed());

  analysis::Finding allowed = report.findings[0];
  allowed.verdicts[2].verdict.action = Action{ActionKind::kLog, std::nullopt};
  EXPECT_FALSE(allowed.blocked_by_any());  // LOG lets the call through

  for (auto& f : report.findings)
    f.known = true;
  EXPECT_EQ(report.new_blocking_findings(), 0u);
  EXPECT_FALSE(report.gate_failed());
  report.workload_exit_status = 3;
  EXPECT_FALSE(report.gate_failed());
  report.fail_on_workload_error = true;
  EXPECT_TRUE(report.gate_failed());
}

TEST(Summary, CountsPerProfile) {
  Summary s = summarize(testing::sample_report());
  EXPECT_EQ(s.findings, 4u);
  EXPECT_EQ(s.new_findings, 3u);
  EXPECT_EQ(s.known, 1u);
  EXPECT_EQ(s.new_blocking, 3u);
  EXPECT_EQ(s.calls, 7u);
  ASSERT_EQ(s.per_profile.size(), 3u);
  EXPECT_EQ(s.per_profile[0].profile, "docker@29.4.3");
  EXPECT_EQ(s.per_profile[0].blocked, 3u);  // clone, clone3, read
  EXPECT_EQ(s.per_profile[0].new_blocked, 2u);
  EXPECT_EQ(s.per_profile[1].blocked, 2u);  // clone, clone3
  EXPECT_EQ(s.per_profile[2].blocked, 4u);
  EXPECT_EQ(s.per_profile[2].new_blocked, 3u);
  EXPECT_TRUE(s.gate_failed);
}

}  // namespace
}  // namespace seccheck::report
