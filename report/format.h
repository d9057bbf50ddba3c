// Helpers every renderer shares, so all formats name verdicts, escape workload strings and
// count the summary the same way. Anything that came from the workload (executable, argv,
// function and binary names) is untrusted: it may hold terminal escapes, invalid UTF-8 or
// markup, and goes through one of the escape functions here before it is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/findings.h"
#include "analysis/profile.h"
#include "analysis/profile_names.h"
#include "core/number_format.h"
#include "core/stack_frame.h"
#include "core/text_escape.h"

namespace seccheck::report {

// "KILL_PROCESS", "ERRNO", "ALLOW", ...: SCMP_ACT_* without the prefix (analysis/profile_names.h).
using analysis::action_kind_name;
using analysis::parse_action_kind;
// "ERRNO(EPERM)", "ERRNO(ENOSYS)", "KILL_PROCESS", "TRACE(7)", "LOG", "allowed".
std::string action_label(const analysis::Action& action);
std::string verdict_label(const analysis::Verdict& verdict);
// verdict_label, except for a reachable finding's verdict by name that blocks only some values
// of the arguments no call site fixes: "may block".
std::string verdict_label(const analysis::ProfileVerdict& verdict);
// "reachable, not exercised" for a scan's finding on a check run, "reachable" on a scan, "" for a
// run's finding: the marker every format shows.
std::string source_label(const analysis::Finding& finding, const analysis::CheckReport& report);
// "unshare in main (/usr/bin/x+0x1139, imported unshare)": one reachable site. Not escaped.
std::string site_text(const analysis::ReachableSite& site);

// Valid UTF-8: each byte of an invalid sequence becomes U+FFFD.
std::string sanitize_utf8(std::string_view text);
// XML 1.0 text or attribute value: &<>"' as entities; characters XML 1.0 forbids (most C0
// controls, U+FFFE/U+FFFF) and invalid UTF-8 as visible \xNN text; in attributes, tab, CR and
// LF as character references so parsers keep them.
std::string xml_escape(std::string_view text, bool attribute);
// One Markdown table cell or inline text on GitHub: terminal-escaped, HTML special characters
// as entities, Markdown punctuation (|, `, *, _, [, ], ~, \, #, !) backslash-escaped.
std::string markdown_escape(std::string_view text);

// A command line as a shell would take it back: words with special characters single-quoted.
// Not escaped for any format.
std::string shell_join(const std::vector<std::string>& words);
// "clone3+0x2b"; "libc.so.6+0x27000" (the address in the binary) without a symbol; the pc without
// a mapping. Not escaped for any format.
std::string frame_function(const StackFrame& frame);
std::string frame_binary(const StackFrame& frame);
// "nptl/pthread_create.c:795", "" without line information.
std::string frame_source(const StackFrame& frame);
// "exit status 0", "interrupted, exit status 130".
std::string workload_status_text(const analysis::CheckReport& report);
// The sentence a report without findings says, for what its findings would have come from.
std::string no_findings_text(const analysis::CheckReport& report);

// "9 runs after the discovery run (7 group tests), 4.20 s; reference: exit status 0, stdout
// compared; timeout 30 s".
std::string impact_summary_text(const analysis::ImpactSummary& impact);

// What every format's summary line says.
struct ProfileCount {
  std::string profile;
  std::size_t blocked = 0;      // findings this profile blocks
  std::size_t new_blocked = 0;  // of those, not in the baseline
};

struct Summary {
  std::size_t findings = 0;
  std::size_t new_findings = 0;
  std::size_t known = 0;
  std::size_t new_blocking = 0;           // new findings that fail the gate
  std::size_t new_recovering = 0;         // --gate breaking: new blocked findings the workload recovers from
  std::size_t reachable = 0;              // findings from a scan (reachable in the binaries)
  std::size_t may_block = 0;              // of those, blocked only for some argument values
  std::uint64_t calls = 0;                // sum of the findings' counts
  std::vector<ProfileCount> per_profile;  // in CheckReport::profiles order
  bool gate_failed = false;
  analysis::Gate gate = analysis::Gate::kPass;
};

Summary summarize(const analysis::CheckReport& report);
// "FAIL: 2 new findings would be blocked" / "pass: nothing new would be blocked (1 known)" /
// "INCOMPLETE: the run was interrupted before the workload ended; ...".
std::string gate_text(const analysis::CheckReport& report, const Summary& summary);
// "pass", "fail", "incomplete": how machine formats name the gate.
std::string_view gate_name(analysis::Gate gate);
// The verdict of `profile` on `finding`, nullptr when the finding has none for it.
const analysis::ProfileVerdict* find_verdict(const analysis::Finding& finding, const std::string& profile);

// The impact of `finding` under `profile` (check --impact), nullptr when none was assessed.
const analysis::FindingImpact* find_impact(const analysis::Finding& finding, const std::string& profile);

// "2026-11-25T06:19:15" from an ISO 8601 time ("2026-11-25T06:19:15.123Z"), as JUnit wants it;
// nullopt when the text does not start with such a time.
std::optional<std::string> timestamp_seconds(std::string_view iso8601);

}  // namespace seccheck::report
