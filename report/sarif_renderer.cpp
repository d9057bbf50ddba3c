// SARIF 2.1.0 for code-scanning UIs: one result per finding (not per profile), rule per
// syscall, the per-profile verdicts in the message and in properties, the call-site stack as
// logical locations and as a SARIF stack. Validates against the OASIS 2.1.0 (errata 01) schema.
#include <map>

#include "report/format.h"
#include "report/json_report.h"
#include "report/renderers.h"

namespace seccheck::report {
namespace {

using OJson = nlohmann::ordered_json;

// A file URI for an absolute path ("file:///usr/bin/x"), percent-encoding everything outside
// RFC 3986's unreserved set and '/'; relative paths stay relative references.
std::string path_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = path.starts_with("/") ? "file://" : "";
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

OJson logical_location(const StackFrame& frame) {
  OJson loc;
  loc["name"] = frame.function.empty() ? hex(frame.pc) : frame.function;
  loc["fullyQualifiedName"] = frame_binary(frame) + "!" + frame_function(frame);
  loc["kind"] = "function";
  return loc;
}

std::string result_message(const analysis::Finding& f, const analysis::CheckReport& report) {
  std::string blocked;
  std::string maybe;
  std::string allowed;
  for (const auto& pv : f.verdicts) {
    std::string& list = pv.blocks() ? blocked : pv.may_block() ? maybe : allowed;
    if (!list.empty()) list += ", ";
    list += pv.profile + " (" + verdict_label(pv) + ")";
  }
  std::string text = f.pattern.empty() ? f.syscall : f.pattern;
  text += " [" + std::string(arch_name(f.call.arch)) + "]";
  if (f.reachable())
    text = (report.input == analysis::ReportInput::kRun ? "Reachable, not exercised by the run: "
                                                        : "Reachable: ") +
           text;
  text += blocked.empty() ? (maybe.empty() ? " is allowed by every checked profile" : "")
                          : " would be blocked by " + blocked;
  if (!maybe.empty()) text += (blocked.empty() ? " may be blocked by " : "; may be blocked by ") + maybe;
  if ((!blocked.empty() || !maybe.empty()) && !allowed.empty()) text += "; allowed by " + allowed;
  if (f.reachable()) {
    text += ". " + std::to_string(f.sites.size()) + (f.sites.size() == 1 ? " call site" : " call sites");
    if (!f.sites.empty()) text += ", first in " + site_text(f.sites.front());
  } else {
    text += ". " + std::to_string(f.call.count) + (f.call.count == 1 ? " call" : " calls");
    text += ", first by pid " + std::to_string(f.call.first_pid);
    if (!f.call.executable.empty()) text += " (" + f.call.executable + ")";
  }
  text += ".";
  for (const auto& pv : f.verdicts) {
    if ((pv.blocks() || pv.may_block()) && !pv.reason.empty()) {
      text += " " + pv.profile + ": " + pv.reason + ".";
    }
    if (const analysis::FindingImpact* impact = find_impact(f, pv.profile))
      text += " Impact under " + pv.profile + ": " + analysis::describe_impact(*impact) + ".";
  }
  if (f.known) text += " Known from the baseline.";
  return text;
}

class SarifRenderer : public Renderer {
 public:
  explicit SarifRenderer(const RenderOptions& options) : options_(options) {}

  void render(const analysis::CheckReport& report, std::ostream& out) const override {
    std::map<std::string, std::size_t> rule_index;
    OJson rules = OJson::array();
    for (const auto& f : report.findings) {
      if (rule_index.count(f.syscall) > 0) continue;
      rule_index[f.syscall] = rules.size();
      OJson rule;
      rule["id"] = f.syscall;
      rule["name"] = "BlockedSyscall/" + f.syscall;
      rule["shortDescription"] = {
          {"text", "The " + f.syscall + " system call would be blocked by a checked seccomp profile"}};
      rule["fullDescription"] = {
          {"text",
           "A container runtime's default seccomp profile (RuntimeDefault) would deny or kill this call of " +
               f.syscall +
               ". Under that runtime the workload sees the action instead of the call's result."}};
      rule["defaultConfiguration"] = {{"level", f.reachable() ? "warning" : "error"}};
      rule["properties"] = {{"tags", {"seccomp", "security", "container"}}};
      rules.push_back(std::move(rule));
    }

    OJson results = OJson::array();
    for (const auto& f : report.findings)
      results.push_back(result(f, report, rule_index.at(f.syscall)));

    Summary summary = summarize(report);
    OJson invocation;
    // An interrupted run did not finish: SARIF's way to say so is an unsuccessful execution
    // with an error notification.
    const bool incomplete = summary.gate == analysis::Gate::kIncomplete;
    invocation["executionSuccessful"] = !incomplete;
    if (auto start = timestamp_seconds(report.started_at)) invocation["startTimeUtc"] = *start + "Z";
    OJson notifications = OJson::array();
    if (incomplete)
      notifications.push_back({{"level", "error"}, {"message", {{"text", gate_text(report, summary)}}}});
    for (const auto& notice : report.notices)
      notifications.push_back({{"level", "note"}, {"message", {{"text", notice}}}});
    if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);
    invocation["properties"] = {
        {"workloadCommand", report.command},    {"workloadExitStatus", report.workload_exit_status},
        {"interrupted", report.interrupted},    {"processes", report.processes},
        {"callsStopped", report.calls_stopped}, {"durationSeconds", report.duration_seconds}};

    OJson profiles = OJson::array();
    for (const auto& p : report.profiles)
      profiles.push_back({{"name", p.name}, {"defaultAction", p.default_action}});

    OJson run;
    run["tool"] = {{"driver",
                    {{"name", kToolName},
                     {"version", report.tool_version.empty() ? "unknown" : report.tool_version},
                     {"rules", std::move(rules)}}}};
    run["invocations"] = OJson::array({std::move(invocation)});
    run["results"] = std::move(results);
    run["properties"] = {{"context", report.context},
                         {"profiles", std::move(profiles)},
                         {"incomplete", summary.gate == analysis::Gate::kIncomplete},
                         {"gate", gate_name(summary.gate)},
                         {"gateText", gate_text(report, summary)}};

    OJson log;
    log["$schema"] =
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    log["version"] = "2.1.0";
    log["runs"] = OJson::array({std::move(run)});
    out << log.dump(2, ' ', false, OJson::error_handler_t::replace) << '\n';
  }

 private:
  OJson result(const analysis::Finding& f, const analysis::CheckReport& report, std::size_t rule) const {
    OJson r;
    r["ruleId"] = f.syscall;
    r["ruleIndex"] = rule;
    // Reachable findings are warnings: code that can make the call, not a call that was made.
    const bool fails = !f.known && f.fails_gate(report.gate_mode);
    r["level"] = f.reachable() ? ((f.blocked_by_any() || f.may_be_blocked()) && !f.known ? "warning" : "note")
                               : (fails ? "error" : "note");
    r["message"] = {{"text", result_message(f, report)}};

    std::size_t frames =
        std::min(f.call.stack.size(), static_cast<std::size_t>(std::max(options_.max_stack_frames, 0)));
    OJson location;
    if (!f.call.executable.empty()) {
      location["physicalLocation"] = {{"artifactLocation", {{"uri", path_uri(f.call.executable)}}}};
    }
    OJson logical = OJson::array();
    for (std::size_t i = 0; i < frames; ++i)
      logical.push_back(logical_location(f.call.stack[i]));
    if (f.reachable() && !f.sites.empty()) {
      const analysis::ReachableSite& site = f.sites.front();
      location["physicalLocation"] = {{"artifactLocation", {{"uri", path_uri(site.module)}}},
                                      {"address", {{"absoluteAddress", site.address}}}};
      if (!site.function.empty())
        logical.push_back({{"name", site.function},
                           {"fullyQualifiedName", site.module + "!" + site.function},
                           {"kind", "function"}});
    }
    if (!logical.empty()) location["logicalLocations"] = std::move(logical);
    if (!location.empty()) r["locations"] = OJson::array({std::move(location)});

    if (frames > 0) {
      OJson stack_frames = OJson::array();
      for (std::size_t i = 0; i < frames; ++i) {
        const StackFrame& frame = f.call.stack[i];
        OJson physical = {{"address", {{"absoluteAddress", frame.pc}}}};
        if (!frame.binary.empty()) physical["artifactLocation"] = {{"uri", path_uri(frame.binary)}};
        OJson sf;
        sf["location"] = {{"physicalLocation", std::move(physical)},
                          {"logicalLocations", OJson::array({logical_location(frame)})}};
        if (!frame.binary.empty()) sf["module"] = frame.binary;
        stack_frames.push_back(std::move(sf));
      }
      r["stacks"] =
          OJson::array({{{"message", {{"text", "call site of the first call (innermost frame first)"}}},
                         {"frames", std::move(stack_frames)}}});
    }

    r["partialFingerprints"] = {{"seccheckFindingKey/v1", f.key}};
    r["baselineState"] = f.known ? "unchanged" : "new";
    OJson verdicts = OJson::array();
    for (const auto& pv : f.verdicts) {
      verdicts.push_back({{"profile", pv.profile},
                          {"verdict", verdict_label(pv)},
                          {"blocked", pv.blocks()},
                          {"exact", pv.exact()},
                          {"badArch", pv.verdict.bad_arch()},
                          {"reason", pv.reason}});
      if (const analysis::FindingImpact* impact = find_impact(f, pv.profile)) {
        verdicts.back()["impact"] = std::string(analysis::impact_kind_name(impact->kind));
        verdicts.back()["impactText"] = analysis::describe_impact(*impact);
        verdicts.back()["fix"] = std::string(analysis::impact_fix_name(impact->fix));
      }
    }
    OJson args = OJson::array();
    for (std::uint64_t arg : f.call.args)
      args.push_back(hex(arg));
    r["properties"] = {{"key", f.key},
                       {"syscall", f.syscall},
                       {"arch", std::string(arch_name(f.call.arch))},
                       {"nr", f.call.nr},
                       {"pattern", f.pattern},
                       {"args", std::move(args)},
                       {"count", f.call.count},
                       {"known", f.known},
                       {"verdicts", std::move(verdicts)},
                       {"firstPid", f.call.first_pid},
                       {"executable", f.call.executable},
                       {"commandLine", f.call.command_line},
                       {"source", f.reachable() ? "reachable" : "run"}};
    if (f.reachable()) r["properties"]["sites"] = sites_to_json(f.sites);
    return r;
  }

  RenderOptions options_;
};

}  // namespace

std::unique_ptr<Renderer> make_sarif_renderer(const RenderOptions& options) {
  return std::make_unique<SarifRenderer>(options);
}

}  // namespace seccheck::report
