// Readable text: a header, one block per finding (profile -> verdict matrix, reasons, first
// process, call site), then the summary and the gate. Colour only when asked (a TTY).
#include <algorithm>
#include <cstdio>

#include "report/format.h"
#include "report/renderers.h"

namespace seccheck::report {
namespace {

class TextRenderer : public Renderer {
 public:
  explicit TextRenderer(const RenderOptions& options) : options_(options) {}

  void render(const analysis::CheckReport& report, std::ostream& out) const override {
    Summary summary = summarize(report);
    std::size_t width = 0;
    for (const auto& p : report.profiles)
      width = std::max(width, escape_terminal(p.name).size());

    out << paint(kBold, report.input == analysis::ReportInput::kRun    ? "seccheck check"
                        : report.input == analysis::ReportInput::kScan ? "seccheck scan"
                                                                       : "seccheck audit")
        << ": " << escape_terminal(shell_join(report.command)) << '\n';
    out << "  profiles: ";
    for (std::size_t i = 0; i < report.profiles.size(); ++i) {
      if (i > 0) out << ", ";
      out << escape_terminal(report.profiles[i].name);
      if (!report.profiles[i].default_action.empty()) {
        out << " (default " << escape_terminal(report.profiles[i].default_action) << ")";
      }
    }
    out << '\n';
    if (!report.context.empty()) out << "  context:  " << escape_terminal(report.context) << '\n';
    char seconds[32];
    if (report.input == analysis::ReportInput::kRun) {
      out << "  workload: " << workload_status_text(report) << ", " << report.processes << " process"
          << (report.processes == 1 ? "" : "es") << ", " << report.calls_stopped << " calls stopped";
      std::snprintf(seconds, sizeof seconds, ", %.2f s", report.duration_seconds);
      out << seconds << '\n';
    }
    if (report.input == analysis::ReportInput::kAudit) {
      std::snprintf(seconds, sizeof seconds, ", %.2f s", report.duration_seconds);
      out << "  records:  " << report.calls_stopped << " calls evaluated" << seconds
          << " from first to last\n";
    }
    if (report.scan) {
      std::snprintf(seconds, sizeof seconds, ", %.2f s", report.scan->duration_seconds);
      out << "  scanned:  " << report.scan->executables.size() << " executable"
          << (report.scan->executables.size() == 1 ? "" : "s") << ", " << report.scan->modules << " module"
          << (report.scan->modules == 1 ? "" : "s") << ", " << mib(report.scan->code_bytes) << " MiB of code"
          << seconds << '\n';
    }
    if (!report.started_at.empty()) out << "  started:  " << escape_terminal(report.started_at) << '\n';
    if (report.impact) out << "  impact:   " << escape_terminal(impact_summary_text(*report.impact)) << '\n';
    for (const auto& notice : report.notices)
      out << "  " << paint(kYellow, "notice:") << " " << escape_terminal(notice) << '\n';
    out << '\n';

    if (report.findings.empty()) {
      out << no_findings_text(report) << "\n\n";
    }
    bool reachable_heading = false;
    for (const auto& finding : report.findings) {
      if (finding.reachable() && report.input == analysis::ReportInput::kRun && !reachable_heading) {
        out << paint(kBold, "Reachable, not exercised") << " (the programs the run executed and their "
            << "libraries can make these calls; the run did not):\n\n";
        reachable_heading = true;
      }
      render_finding(finding, report, width, out);
    }

    out << summary.findings << " finding" << (summary.findings == 1 ? "" : "s") << " ("
        << summary.new_findings << " new, " << summary.known << " known)";
    if (report.input != analysis::ReportInput::kScan)
      out << ", " << summary.calls << " call" << (summary.calls == 1 ? "" : "s");
    if (report.scan)
      out << ", " << summary.reachable << " reachable" << (summary.may_block > 0 ? " (" : "")
          << (summary.may_block > 0 ? std::to_string(summary.may_block) + " may block)" : "");
    for (const auto& count : summary.per_profile) {
      out << "; " << escape_terminal(count.profile) << " blocks " << count.blocked;
    }
    out << '\n';
    std::string gate = gate_text(report, summary);
    out << "gate: " << paint(summary.gate == analysis::Gate::kPass ? kGreen : kRed, gate) << '\n';
  }

 private:
  static constexpr const char* kBold = "\033[1m";
  static constexpr const char* kRed = "\033[31m";
  static constexpr const char* kGreen = "\033[32m";
  static constexpr const char* kYellow = "\033[33m";
  static constexpr const char* kDim = "\033[2m";
  static constexpr std::size_t kLabelWidth = 13;  // "ERRNO(ENOSYS)"

  static std::string mib(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
  }

  std::string paint(const char* code, const std::string& text) const {
    return options_.color ? std::string(code) + text + "\033[0m" : text;
  }

  void render_finding(const analysis::Finding& f, const analysis::CheckReport& report, std::size_t width,
                      std::ostream& out) const {
    std::string marker =
        f.known ? paint(kYellow, "[known]") : (f.blocked_by_any() ? paint(kRed, "[new]") : "[new]");
    if (f.reachable()) marker += " " + paint(kYellow, "[" + source_label(f, report) + "]");
    out << marker << ' ' << paint(kBold, escape_terminal(f.pattern.empty() ? f.syscall : f.pattern)) << "  "
        << arch_name(f.call.arch) << "  " << f.call.count;
    if (f.reachable())
      out << (f.call.count == 1 ? " call site" : " call sites") << '\n';
    else
      out << (f.call.count == 1 ? " call" : " calls") << '\n';
    // One row per profile, in the report's profile order; a verdict for a profile the header
    // does not list is still shown after them.
    std::vector<const analysis::ProfileVerdict*> rows;
    for (const auto& p : report.profiles) {
      for (const auto& pv : f.verdicts) {
        if (pv.profile == p.name) rows.push_back(&pv);
      }
    }
    for (const auto& pv : f.verdicts) {
      if (std::find(rows.begin(), rows.end(), &pv) == rows.end()) rows.push_back(&pv);
    }
    for (const auto* pv : rows) {
      std::string name = escape_terminal(pv->profile);
      std::string label = verdict_label(*pv);
      std::string extra;
      if (pv->verdict.bad_arch()) extra += "  [arch not in profile]";
      if (!pv->reason.empty()) extra += "  " + escape_terminal(pv->reason);
      out << "    " << name << std::string(width > name.size() ? width - name.size() : 0, ' ') << "  "
          << paint(pv->blocks()      ? kRed
                   : pv->may_block() ? kYellow
                                     : kGreen,
                   label);
      if (!extra.empty())
        out << std::string(label.size() < kLabelWidth ? kLabelWidth - label.size() : 0, ' ') << extra;
      out << '\n';
    }
    for (const auto& impact : f.impacts) {
      const bool bad = impact.kind != analysis::ImpactKind::kRecovers;
      out << "    impact: " << escape_terminal(impact.profile) << " " << escape_terminal(impact.answer)
          << ": " << paint(bad ? kRed : kGreen, escape_terminal(analysis::describe_impact(impact))) << '\n';
    }
    if (f.reachable()) {
      for (std::size_t i = 0; i < f.sites.size(); ++i)
        out << (i == 0 ? "    sites:  " : "            ") << escape_terminal(site_text(f.sites[i])) << '\n';
      out << "    key:    " << escape_terminal(f.key) << "\n\n";
      return;
    }
    out << "    first:  pid " << f.call.first_pid;
    if (!f.call.executable.empty()) out << "  " << escape_terminal(f.call.executable);
    if (!f.call.command_line.empty()) out << "  " << escape_terminal(shell_join(f.call.command_line));
    out << '\n';
    std::size_t shown =
        std::min(f.call.stack.size(), static_cast<std::size_t>(std::max(options_.max_stack_frames, 0)));
    for (std::size_t i = 0; i < shown; ++i) {
      out << (i == 0 ? "    stack:  " : "            ") << '#' << i << ' '
          << escape_terminal(frame_function(f.call.stack[i])) << "  "
          << paint(kDim, escape_terminal(frame_binary(f.call.stack[i])));
      if (!f.call.stack[i].source_file.empty())
        out << "  at " << escape_terminal(frame_source(f.call.stack[i]));
      out << '\n';
    }
    if (f.call.stack.size() > shown)
      out << "            ... " << f.call.stack.size() - shown << " more frames\n";
    if (f.call.stack.empty() && report.input == analysis::ReportInput::kRun)
      out << "    stack:  (not unwound)\n";
    out << "    key:    " << escape_terminal(f.key) << '\n';
    out << '\n';
  }

  RenderOptions options_;
};

}  // namespace

std::unique_ptr<Renderer> make_text_renderer(const RenderOptions& options) {
  return std::make_unique<TextRenderer>(options);
}

}  // namespace seccheck::report
