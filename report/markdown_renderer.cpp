// Markdown for a CI job summary ($GITHUB_STEP_SUMMARY): a heading, a one-line verdict, a table
// of findings with one verdict column per profile, and the details (reasons, first process,
// call sites) folded in a <details> block. Every workload string is escaped: table cells
// cannot be split by `|`, code spans cannot be broken by backticks, HTML cannot be injected.
#include <algorithm>

#include "report/format.h"
#include "report/renderers.h"

namespace seccheck::report {
namespace {

class MarkdownRenderer : public Renderer {
 public:
  explicit MarkdownRenderer(const RenderOptions& options) : options_(options) {}

  void render(const analysis::CheckReport& report, std::ostream& out) const override {
    Summary summary = summarize(report);
    const char* heading = "passed";
    const char* mark = "✅ **";
    if (summary.gate == analysis::Gate::kIncomplete) {
      heading = "incomplete";
      mark = "⚠️ **";
    } else if (summary.gate == analysis::Gate::kFail) {
      heading = "would be blocked";
      mark = "❌ **";
    }
    out << "## seccheck: " << heading << "\n\n";
    out << mark << markdown_escape(gate_text(report, summary)) << "** — "
        << (report.input == analysis::ReportInput::kScan ? "scan of " : "") << "`"
        << code_span(shell_join(report.command)) << "` ("
        << (report.input == analysis::ReportInput::kRun    ? workload_status_text(report)
            : report.input == analysis::ReportInput::kScan ? std::string("no run")
                                                           : std::string("kernel seccomp records"))
        << "), " << summary.findings << " finding" << (summary.findings == 1 ? "" : "s") << " ("
        << summary.new_findings << " new, " << summary.known << " known"
        << (report.scan ? ", " + std::to_string(summary.reachable) + " reachable" : std::string()) << ")\n\n";
    if (report.scan)
      out << "Scanned: " << report.scan->executables.size() << " executables, " << report.scan->modules
          << " modules, " << report.scan->code_bytes << " bytes of code\n\n";
    if (!report.context.empty()) out << "Context: `" << code_span(report.context) << "`\n\n";
    if (report.impact) out << "Impact: " << markdown_escape(impact_summary_text(*report.impact)) << "\n\n";
    for (const auto& notice : report.notices)
      out << "> **Notice:** " << markdown_escape(notice) << "\n\n";

    if (report.findings.empty()) {
      out << no_findings_text(report) << "\n";
      return;
    }

    out << "| Syscall | Arch | Count |";
    for (const auto& p : report.profiles)
      out << ' ' << markdown_escape(p.name) << " |";
    out << " Status |\n|---|---|---:|";
    for (std::size_t i = 0; i < report.profiles.size(); ++i)
      out << "---|";
    out << "---|\n";
    for (const auto& f : report.findings) {
      out << "| " << markdown_escape(f.pattern.empty() ? f.syscall : f.pattern) << " | "
          << arch_name(f.call.arch) << " | " << f.call.count << " |";
      for (const auto& p : report.profiles) {
        const analysis::ProfileVerdict* pv = find_verdict(f, p.name);
        if (pv == nullptr) {
          out << " – |";
        } else {
          out << ' '
              << (pv->blocks()      ? "⛔ "
                  : pv->may_block() ? "⚠️ "
                                    : "✅ ")
              << markdown_escape(verdict_label(*pv));
          if (const analysis::FindingImpact* impact = find_impact(f, p.name))
            out << " · "
                << (impact->kind == analysis::ImpactKind::kRecovers
                        ? "recovers"
                        : "**" + std::string(analysis::impact_kind_name(impact->kind)) + "**");
          out << " |";
        }
      }
      out << ' ' << (f.known ? "known" : "**new**");
      if (f.reachable()) out << ", " << markdown_escape(source_label(f, report));
      out << " |\n";
    }

    out << "\n**Per profile:** ";
    for (std::size_t i = 0; i < summary.per_profile.size(); ++i) {
      const auto& c = summary.per_profile[i];
      out << (i > 0 ? ", " : "") << markdown_escape(c.profile) << " blocks " << c.blocked << " ("
          << c.new_blocked << " new)";
    }
    out << "\n\n<details><summary>Details: reasons, first process, call sites</summary>\n\n";
    for (const auto& f : report.findings) {
      out << "#### " << markdown_escape(f.pattern.empty() ? f.syscall : f.pattern) << " ("
          << arch_name(f.call.arch) << ")" << (f.known ? " — known" : "")
          << (f.reachable() ? " — " + markdown_escape(source_label(f, report)) : std::string()) << "\n\n";
      for (const auto& pv : f.verdicts) {
        out << "- " << markdown_escape(pv.profile) << ": **" << markdown_escape(verdict_label(pv)) << "**";
        if (pv.verdict.bad_arch()) out << " (arch not in profile)";
        if (!pv.reason.empty()) out << " — " << markdown_escape(pv.reason);
        out << '\n';
        if (const analysis::FindingImpact* impact = find_impact(f, pv.profile))
          out << "  - impact: " << markdown_escape(analysis::describe_impact(*impact)) << '\n';
      }
      if (f.reachable()) {
        out << "- call sites:\n";
        for (const auto& site : f.sites)
          out << "  - " << markdown_escape(site_text(site)) << '\n';
        out << "- key: " << markdown_escape(f.key) << "\n\n";
        continue;
      }
      out << "- first call: pid " << f.call.first_pid;
      if (!f.call.executable.empty()) out << ", " << markdown_escape(f.call.executable);
      if (!f.call.command_line.empty()) out << ", `" << code_span(shell_join(f.call.command_line)) << '`';
      out << '\n';
      std::size_t frames =
          std::min(f.call.stack.size(), static_cast<std::size_t>(std::max(options_.max_stack_frames, 0)));
      if (frames > 0) out << "- call site:\n";
      for (std::size_t i = 0; i < frames; ++i) {
        out << "  " << i + 1 << ". " << markdown_escape(frame_function(f.call.stack[i])) << " in "
            << markdown_escape(frame_binary(f.call.stack[i]));
        if (!f.call.stack[i].source_file.empty())
          out << " at " << markdown_escape(frame_source(f.call.stack[i]));
        out << '\n';
      }
      out << "- key: " << markdown_escape(f.key) << "\n\n";
    }
    out << "</details>\n";
  }

 private:
  // Text inside a `code span` (used outside tables only): GitHub shows it literally, so HTML
  // and Markdown need no escaping there, but backslash escapes do not work either, so a
  // backtick (which would end the span) becomes '.
  static std::string code_span(const std::string& text) {
    std::string out = escape_terminal(text);
    std::replace(out.begin(), out.end(), '`', '\'');
    return out;
  }

  RenderOptions options_;
};

}  // namespace

std::unique_ptr<Renderer> make_markdown_renderer(const RenderOptions& options) {
  return std::make_unique<MarkdownRenderer>(options);
}

}  // namespace seccheck::report
