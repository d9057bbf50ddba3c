#include "report/format.h"

#include <algorithm>
#include <cstdio>

#include "analysis/evaluate.h"
#include "core/errno_names.h"
#include "core/text_escape.h"

namespace seccheck::report {
std::string action_label(const analysis::Action& action) {
  // Reports say "allowed" where profiles say ALLOW; everything else as the engine names it.
  if (action.kind == analysis::ActionKind::kAllow) return "allowed";
  return analysis::action_text(action);
}

std::string verdict_label(const analysis::Verdict& verdict) {
  return action_label(verdict.action);
}

std::string sanitize_utf8(std::string_view text) {
  return rewrite_utf8(text, [](long code_point, std::string_view bytes, std::string& out) {
    out += code_point < 0 ? std::string_view("\xEF\xBF\xBD") : bytes;
  });
}

std::string xml_escape(std::string_view text, bool attribute) {
  return rewrite_utf8(text, [attribute](long code_point, std::string_view bytes, std::string& out) {
    if (code_point < 0) {
      out += hex_escape(static_cast<unsigned char>(bytes[0]));
      return;
    }
    switch (code_point) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;  // a literal CR would be normalised away
      default:
        // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
        if (code_point < 0x20 || code_point == 0xFFFE || code_point == 0xFFFF) {
          char buf[24];
          std::snprintf(buf, sizeof buf, code_point < 0x20 ? "\\x%02lx" : "\\u%04lx", code_point);
          out += buf;
        } else {
          out += bytes;
        }
    }
  });
}

std::string markdown_escape(std::string_view text) {
  std::string safe = escape_terminal(text);
  std::string out;
  out.reserve(safe.size());
  for (char c : safe) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '|':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '~':
      case '\\':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

std::string shell_join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ' ';
    bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             std::string_view("-_./=:,+@%").find(c) != std::string_view::npos;
    });
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

std::string frame_function(const StackFrame& frame) {
  if (frame.function.empty())
    return frame.binary.empty() ? hex(frame.pc)
                                : frame.binary.substr(frame.binary.rfind('/') + 1) + "+" + hex(frame.offset);
  return frame.function + "+" + hex(frame.offset);
}

std::string frame_source(const StackFrame& frame) {
  return frame.source_file.empty() ? "" : frame.source_file + ":" + std::to_string(frame.source_line);
}

std::string frame_binary(const StackFrame& frame) {
  return frame.binary.empty() ? "?" : frame.binary;
}

std::string workload_status_text(const analysis::CheckReport& report) {
  std::string text = "exit status " + std::to_string(report.workload_exit_status);
  if (report.interrupted) text = "interrupted, " + text;
  return text;
}

std::string no_findings_text(const analysis::CheckReport& report) {
  switch (report.input) {
    case analysis::ReportInput::kScan: return "No reachable call found that a checked profile would block.";
    case analysis::ReportInput::kAudit:
      return "No call was flagged: no checked profile would block anything these records show.";
    case analysis::ReportInput::kRun: break;
  }
  return "No call was flagged: no checked profile would block anything this run made.";
}

std::string verdict_label(const analysis::ProfileVerdict& verdict) {
  if (verdict.may_block()) return "may block";
  return verdict_label(verdict.verdict);
}

std::string source_label(const analysis::Finding& finding, const analysis::CheckReport& report) {
  if (!finding.reachable()) return "";
  return report.input == analysis::ReportInput::kRun ? "reachable, not exercised" : "reachable";
}

std::string site_text(const analysis::ReachableSite& site) {
  std::string text = site.function.empty() ? "?" : site.function;
  text += " (" + site.module + "+" + hex(site.address) + ", " + site.how;
  if (!site.via.empty()) text += " " + site.via;
  return text + ")";
}

std::string impact_summary_text(const analysis::ImpactSummary& impact) {
  char seconds[64];
  std::snprintf(seconds, sizeof seconds, "%.2f s", impact.seconds);
  char timeout[64];
  std::snprintf(timeout, sizeof timeout, "%g s", impact.timeout_seconds);
  std::string text = std::to_string(impact.runs) + " run" + (impact.runs == 1 ? "" : "s") +
                     " after the discovery run (" + std::to_string(impact.group_runs) + " group test" +
                     (impact.group_runs == 1 ? "" : "s") + "), " + seconds +
                     "; reference: " + impact.reference +
                     (impact.compared_output ? ", stdout compared" : "") + "; timeout " + timeout;
  if (impact.unstable) text += "; UNSTABLE: two plain runs ended differently";
  return text;
}

Summary summarize(const analysis::CheckReport& report) {
  Summary summary;
  summary.findings = report.findings.size();
  for (const auto& profile : report.profiles)
    summary.per_profile.push_back({profile.name, 0, 0});
  for (const auto& finding : report.findings) {
    if (finding.reachable()) {
      ++summary.reachable;
      if (finding.may_be_blocked()) ++summary.may_block;
    } else {
      summary.calls += finding.call.count;
    }
    if (finding.known) {
      ++summary.known;
    } else {
      ++summary.new_findings;
      if (finding.fails_gate(report.gate_mode))
        ++summary.new_blocking;
      else if (report.gate_mode == analysis::GateMode::kBreaking && finding.blocked_by_any() &&
               !finding.reachable())
        ++summary.new_recovering;
    }
    for (auto& count : summary.per_profile) {
      const analysis::ProfileVerdict* found = find_verdict(finding, count.profile);
      if (found != nullptr && found->blocks()) {
        ++count.blocked;
        if (!finding.known) ++count.new_blocked;
      }
    }
  }
  summary.gate_failed = report.gate_failed();
  summary.gate = report.gate();
  return summary;
}

std::string gate_text(const analysis::CheckReport& report, const Summary& summary) {
  auto plural = [](std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  std::string text;
  const bool breaking = report.gate_mode == analysis::GateMode::kBreaking;
  if (summary.gate == analysis::Gate::kIncomplete) {
    text =
        "INCOMPLETE: the run was interrupted before the workload ended, so it cannot pass; " +
        (summary.new_blocking > 0 ? plural(summary.new_blocking, "new finding") + " would be blocked so far"
                                  : std::string("nothing new would be blocked so far"));
  } else if (summary.new_blocking > 0) {
    text = "FAIL: " + plural(summary.new_blocking, "new finding") +
           (breaking ? " would be blocked and break the workload (or could not be judged)"
                     : " would be blocked");
  } else if (summary.gate_failed && !report.records_lost.empty() && !report.allow_lost) {
    text = "FAIL: records are missing from the input (" + report.records_lost.front() + ")";
  } else if (summary.gate_failed) {
    text = "FAIL: the workload failed (" + workload_status_text(report) + ")";
  } else {
    text = breaking ? "pass: nothing new that would be blocked breaks the workload"
                    : "pass: nothing new would be blocked";
  }
  if (summary.new_recovering > 0)
    text += " (" + plural(summary.new_recovering, "blocked finding") + " the workload recovers from)";
  if (summary.known > 0) text += " (" + std::to_string(summary.known) + " known from the baseline)";
  if (summary.new_blocking > 0 && report.fail_on_workload_error && report.workload_exit_status != 0) {
    text += "; the workload failed too (" + workload_status_text(report) + ")";
  }
  return text;
}

std::string_view gate_name(analysis::Gate gate) {
  switch (gate) {
    case analysis::Gate::kPass: return "pass";
    case analysis::Gate::kFail: return "fail";
    case analysis::Gate::kIncomplete: return "incomplete";
  }
  return "fail";
}

const analysis::FindingImpact* find_impact(const analysis::Finding& finding, const std::string& profile) {
  for (const auto& impact : finding.impacts)
    if (impact.profile == profile) return &impact;
  return nullptr;
}

const analysis::ProfileVerdict* find_verdict(const analysis::Finding& finding, const std::string& profile) {
  for (const auto& verdict : finding.verdicts) {
    if (verdict.profile == profile) return &verdict;
  }
  return nullptr;
}

std::optional<std::string> timestamp_seconds(std::string_view iso8601) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (iso8601.size() < kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    char c = iso8601[i];
    bool ok = kShape[i] == 'd' ? (c >= '0' && c <= '9') : (c == kShape[i] || (kShape[i] == 'T' && c == ' '));
    if (!ok) return std::nullopt;
  }
  std::string out(iso8601.substr(0, kShape.size()));
  out[10] = 'T';
  return out;
}

}  // namespace seccheck::report
