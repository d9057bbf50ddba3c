// JUnit XML for CI test tabs: one <testsuite> per checked profile, one <testcase> per finding
// (a failure when that profile blocks it, skipped when the baseline knows it), and a passing
// case when the profile blocks nothing. An interrupted run adds an errored case to every suite:
// the report is incomplete, and a CI test tab must not show it green. Written for the strict Apache Ant
// schema
// (../shared/schemas/junit.xsd): no attributes on <testsuites>; package and id on each suite;
// properties first, system-out and system-err last; second-resolution timestamps without zone.
#include <unistd.h>

#include <climits>
#include <cstdio>

#include "report/format.h"
#include "report/renderers.h"

namespace seccheck::report {
namespace {

std::string attr(std::string_view text) {
  return xml_escape(text, true);
}
std::string text_node(std::string_view text) {
  return xml_escape(text, false);
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// xs:token collapses whitespace; a name must stay non-empty after that.
std::string token_or(const std::string& text, const char* fallback) {
  bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  return blank ? fallback : text;
}

std::string finding_details(const analysis::Finding& f, const analysis::ProfileVerdict& pv, int max_frames) {
  std::string text = (f.pattern.empty() ? f.syscall : f.pattern) + " [" +
                     std::string(arch_name(f.call.arch)) + "] -> " + verdict_label(pv) + "\n";
  if (!pv.reason.empty()) text += "reason: " + pv.reason + "\n";
  if (const analysis::FindingImpact* impact = find_impact(f, pv.profile))
    text += "impact: " + analysis::describe_impact(*impact) + "\n";
  if (f.reachable()) {
    for (const auto& site : f.sites)
      text += "site: " + site_text(site) + "\n";
    return text + "key: " + f.key + "\n";
  }
  text += "calls: " + std::to_string(f.call.count) + "\n";
  text += "first: pid " + std::to_string(f.call.first_pid) + " " + f.call.executable + " " +
          shell_join(f.call.command_line) + "\n";
  std::size_t frames = std::min(f.call.stack.size(), static_cast<std::size_t>(std::max(max_frames, 0)));
  for (std::size_t i = 0; i < frames; ++i) {
    text += "  #" + std::to_string(i) + " " + frame_function(f.call.stack[i]) + " " +
            frame_binary(f.call.stack[i]) + "\n";
  }
  text += "key: " + f.key + "\n";
  return text;
}

class JunitRenderer : public Renderer {
 public:
  explicit JunitRenderer(const RenderOptions& options) : options_(options) {}

  void render(const analysis::CheckReport& report, std::ostream& out) const override {
    std::string timestamp = timestamp_seconds(report.started_at).value_or("1970-01-01T00:00:00");
    std::string host = host_name();
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f",
                  report.duration_seconds >= 0 ? report.duration_seconds : 0.0);

    const Summary summary = summarize(report);
    const bool incomplete = summary.gate == analysis::Gate::kIncomplete;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
    int id = 0;
    for (const auto& profile : report.profiles) {
      std::string suite = token_or(profile.name, "profile");
      std::string classname = "seccheck." + suite;
      std::string cases;
      int tests = 0;
      int failures = 0;
      int skipped = 0;
      int errors = 0;
      int blocked = 0;
      if (incomplete) {
        ++tests;
        ++errors;
        cases += "    <testcase name=\"" + attr("the run finished") + "\" classname=\"" + attr(classname) +
                 "\" time=\"0\">\n      <error message=\"" + attr(gate_text(report, summary)) +
                 "\" type=\"incomplete\"/>\n    </testcase>\n";
      }
      for (const auto& f : report.findings) {
        const analysis::ProfileVerdict* pv = find_verdict(f, profile.name);
        if (pv == nullptr) continue;
        ++tests;
        std::string name =
            (f.pattern.empty() ? f.syscall : f.pattern) + " [" + std::string(arch_name(f.call.arch)) + "]";
        cases += "    <testcase name=\"" + attr(name) + "\" classname=\"" + attr(classname) + "\" time=\"0\"";
        if (!pv->blocks() && !pv->may_block()) {
          cases += "/>\n";
          continue;
        }
        ++blocked;
        std::string details = finding_details(f, *pv, options_.max_stack_frames);
        const std::string label = verdict_label(*pv);
        const analysis::FindingImpact* impact = find_impact(f, profile.name);
        const bool survives = report.gate_mode == analysis::GateMode::kBreaking && impact != nullptr &&
                              impact->kind == analysis::ImpactKind::kRecovers;
        // Reachable findings fail only when they gate; "may block" never does.
        const bool gates =
            pv->blocks() && (!f.reachable() || report.gate_mode == analysis::GateMode::kReachable);
        if (f.known || survives || !gates) {
          ++skipped;
          const std::string why = f.known         ? "known from the baseline: "
                                  : survives      ? "blocked, the workload recovers: "
                                  : f.reachable() ? source_label(f, report) + ": "
                                                  : "";
          cases += ">\n      <skipped message=\"" + attr(why + label) + "\">" + text_node(details) +
                   "</skipped>\n    </testcase>\n";
        } else {
          ++failures;
          cases +=
              ">\n      <failure message=\"" +
              attr((f.reachable() ? source_label(f, report) + ", would be blocked: " : "would be blocked: ") +
                   label) +
              "\" type=\"" + attr(label) + "\">" + text_node(details) + "</failure>\n    </testcase>\n";
        }
      }
      if (blocked == 0) {
        ++tests;
        cases += "    <testcase name=\"" + attr("no call of the workload would be blocked") +
                 "\" classname=\"" + attr(classname) + "\" time=\"0\"/>\n";
      }

      out << "  <testsuite package=\"seccheck\" id=\"" << id++ << "\" name=\"" << attr(suite)
          << "\" timestamp=\"" << timestamp << "\" hostname=\"" << attr(host) << "\" tests=\"" << tests
          << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped
          << "\" time=\"" << seconds << "\">\n";
      out << "    <properties>\n";
      auto property = [&](const char* name, const std::string& value) {
        out << "      <property name=\"" << name << "\" value=\"" << attr(value) << "\"/>\n";
      };
      property("profile", profile.name);
      property("default_action", profile.default_action);
      property("command", shell_join(report.command));
      property("context", report.context);
      property("workload_exit_status", std::to_string(report.workload_exit_status));
      property("interrupted", report.interrupted ? "true" : "false");
      property("incomplete", incomplete ? "true" : "false");
      property("seccheck_version", report.tool_version);
      out << "    </properties>\n" << cases;
      out << "    <system-out>";
      for (const auto& notice : report.notices)
        out << text_node("notice: " + notice + "\n");
      out << "</system-out>\n    <system-err></system-err>\n  </testsuite>\n";
    }
    out << "</testsuites>\n";
  }

 private:
  RenderOptions options_;
};

}  // namespace

std::unique_ptr<Renderer> make_junit_renderer(const RenderOptions& options) {
  return std::make_unique<JunitRenderer>(options);
}

}  // namespace seccheck::report
