#include "report/json_report.h"

#include <cerrno>
#include <cstdlib>

#include "analysis/json_input.h"
#include "core/errno_names.h"
#include "report/format.h"
#include "report/renderer.h"

namespace seccheck::report {
namespace {

using OJson = nlohmann::ordered_json;

OJson verdict_to_json(const analysis::ProfileVerdict& pv) {
  const analysis::Verdict& v = pv.verdict;
  OJson out;
  out["profile"] = pv.profile;
  out["label"] = verdict_label(pv);
  out["blocked"] = pv.blocks();
  out["action"] = std::string(action_kind_name(v.action.kind));
  out["value"] = v.action.value ? OJson(*v.action.value) : OJson(nullptr);
  out["errno_name"] = (v.action.kind == analysis::ActionKind::kErrno && v.action.value)
                          ? OJson(errno_name(*v.action.value))
                          : OJson(nullptr);
  out["rule_index"] = v.rule_index;
  out["decided_by"] = std::string(analysis::decided_by_name(v.decided_by));
  out["bad_arch"] = v.bad_arch();
  out["reason"] = pv.reason;
  out["exact"] = pv.exact();
  out["unknown_args"] = pv.unknown_args;
  out["may_block"] = pv.may_block();
  return out;
}

OJson finding_to_json(const analysis::Finding& f) {
  OJson out;
  out["key"] = f.key;
  out["syscall"] = f.syscall;
  out["arch"] = std::string(arch_name(f.call.arch));
  out["nr"] = f.call.nr;
  out["pattern"] = f.pattern;
  OJson args = OJson::array();
  for (std::uint64_t arg : f.call.args)
    args.push_back(hex(arg));
  out["args"] = std::move(args);
  out["pattern_args"] = f.call.kept_args;
  out["count"] = f.call.count;
  out["known"] = f.known;
  out["blocked_by_any"] = f.blocked_by_any();
  OJson verdicts = OJson::array();
  for (const auto& pv : f.verdicts)
    verdicts.push_back(verdict_to_json(pv));
  out["verdicts"] = std::move(verdicts);
  out["first_pid"] = f.call.first_pid;
  out["executable"] = f.call.executable;
  out["command_line"] = f.call.command_line;
  OJson stack = OJson::array();
  for (const auto& frame : f.call.stack) {
    OJson j;
    j["pc"] = hex(frame.pc);
    j["binary"] = frame.binary;
    j["function"] = frame.function;
    j["offset"] = frame.offset;
    if (!frame.source_file.empty()) {
      j["source_file"] = frame.source_file;
      j["source_line"] = frame.source_line;
    }
    stack.push_back(std::move(j));
  }
  out["stack"] = std::move(stack);
  out["source"] = f.reachable() ? "reachable" : "run";
  out["sites"] = sites_to_json(f.sites);
  if (!f.impacts.empty()) {
    OJson impacts = OJson::array();
    for (const auto& impact : f.impacts) {
      impacts.push_back({{"profile", impact.profile},
                         {"answer", impact.answer},
                         {"impact", std::string(analysis::impact_kind_name(impact.kind))},
                         {"fell_back_to", impact.fell_back_to},
                         {"together", impact.together},
                         {"outcome", impact.outcome},
                         {"fix", std::string(analysis::impact_fix_name(impact.fix))},
                         {"fix_outcome", impact.fix_outcome},
                         {"text", analysis::describe_impact(impact)}});
    }
    out["impact"] = std::move(impacts);
  }
  return out;
}

// Walks a parsed report; the first problem ends it with a message naming the member.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  void fail(const std::string& where, const std::string& what) {
    if (error_.empty()) error_ = origin_ + ": " + where + ": " + what;
  }

  const nlohmann::json* member(const nlohmann::json& object, const std::string& where, const char* name) {
    if (!object.is_object()) {
      fail(where, "expected an object");
      return nullptr;
    }
    auto it = object.find(name);
    if (it == object.end()) {
      fail(where, std::string("missing \"") + name + "\"");
      return nullptr;
    }
    return &*it;
  }

  template <typename T>
  void get(const nlohmann::json& object, const std::string& where, const char* name, T& out) {
    const nlohmann::json* value = member(object, where, name);
    if (value == nullptr) return;
    bool ok = false;
    if constexpr (std::is_same_v<T, bool>) {
      ok = value->is_boolean();
    } else if constexpr (std::is_same_v<T, std::string>) {
      ok = value->is_string();
    } else if constexpr (std::is_floating_point_v<T>) {
      ok = value->is_number();
    } else if constexpr (std::is_unsigned_v<T>) {
      ok = value->is_number_unsigned();
    } else if constexpr (std::is_integral_v<T>) {
      ok = value->is_number_integer();
    } else {
      ok = value->is_array();
    }
    if (!ok) {
      fail(where + "." + name, "wrong type (" + std::string(value->type_name()) + ")");
      return;
    }
    try {
      out = value->get<T>();
    } catch (const nlohmann::json::exception& e) {
      fail(where + "." + name, e.what());
    }
  }

  std::uint64_t hex_value(const nlohmann::json& value, const std::string& where) {
    if (!value.is_string()) {
      fail(where, "expected a hex string like \"0x1f\"");
      return 0;
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() < 3 || text.size() > 18 || text.compare(0, 2, "0x") != 0) {
      fail(where, "expected a hex string like \"0x1f\", got \"" + text + "\"");
      return 0;
    }
    char* end = nullptr;
    errno = 0;
    unsigned long long parsed = std::strtoull(text.c_str() + 2, &end, 16);
    if (errno != 0 || end == nullptr || *end != '\0') fail(where, "not a hex number: \"" + text + "\"");
    return parsed;
  }

 private:
  std::string origin_;
  std::string error_;
};

void read_verdict(Reader& r, const nlohmann::json& j, const std::string& where,
                  analysis::ProfileVerdict& pv) {
  r.get(j, where, "profile", pv.profile);
  std::string action;
  r.get(j, where, "action", action);
  if (auto kind = parse_action_kind(action)) {
    pv.verdict.action.kind = *kind;
  } else if (!r.failed()) {
    r.fail(where + ".action", "unknown action \"" + action + "\"");
  }
  if (const nlohmann::json* value = r.member(j, where, "value"); value != nullptr && !value->is_null()) {
    if (!value->is_number_unsigned()) {
      r.fail(where + ".value", "expected a number or null");
    } else {
      pv.verdict.action.value = value->get<std::uint32_t>();
    }
  }
  r.get(j, where, "rule_index", pv.verdict.rule_index);
  std::string decided_by;
  r.get(j, where, "decided_by", decided_by);
  if (auto parsed = analysis::parse_decided_by(decided_by)) {
    pv.verdict.decided_by = *parsed;
  } else if (!r.failed()) {
    r.fail(where + ".decided_by", "unknown value \"" + decided_by + "\"");
  }
  r.get(j, where, "reason", pv.reason);
  // Reachable findings' verdicts by name (added within schema version 1: optional).
  if (j.contains("unknown_args")) {
    r.get(j, where, "unknown_args", pv.unknown_args);
    bool blocked = false, may_block = false;
    r.get(j, where, "blocked", blocked);
    if (j.contains("may_block")) r.get(j, where, "may_block", may_block);
    pv.blocked_for_all = blocked;
    pv.blocked_for_some = blocked || may_block;
  }
}

void read_impacts(Reader& r, const nlohmann::json& list, const std::string& where, analysis::Finding& f) {
  if (!list.is_array()) {
    r.fail(where, "expected an array");
    return;
  }
  for (std::size_t i = 0; i < list.size() && !r.failed(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    analysis::FindingImpact impact;
    std::string kind;
    std::string fix;
    r.get(list[i], at, "profile", impact.profile);
    r.get(list[i], at, "answer", impact.answer);
    r.get(list[i], at, "impact", kind);
    r.get(list[i], at, "fell_back_to", impact.fell_back_to);
    r.get(list[i], at, "together", impact.together);
    r.get(list[i], at, "outcome", impact.outcome);
    r.get(list[i], at, "fix", fix);
    r.get(list[i], at, "fix_outcome", impact.fix_outcome);
    if (r.failed()) return;
    auto parsed_kind = analysis::parse_impact_kind(kind);
    auto parsed_fix = analysis::parse_impact_fix(fix);
    if (!parsed_kind) r.fail(at + ".impact", "unknown impact \"" + kind + "\"");
    if (!parsed_fix) r.fail(at + ".fix", "unknown fix \"" + fix + "\"");
    if (r.failed()) return;
    impact.kind = *parsed_kind;
    impact.fix = *parsed_fix;
    f.impacts.push_back(std::move(impact));
  }
}

void read_finding(Reader& r, const nlohmann::json& j, const std::string& where, analysis::Finding& f) {
  r.get(j, where, "key", f.key);
  r.get(j, where, "syscall", f.syscall);
  std::string arch;
  r.get(j, where, "arch", arch);
  if (auto parsed = parse_arch(arch)) {
    f.call.arch = *parsed;
  } else if (!r.failed()) {
    r.fail(where + ".arch", "unknown arch \"" + arch + "\"");
  }
  r.get(j, where, "nr", f.call.nr);
  r.get(j, where, "pattern", f.pattern);
  if (const nlohmann::json* args = r.member(j, where, "args")) {
    if (!args->is_array() || args->size() != 6) {
      r.fail(where + ".args", "expected 6 hex strings");
    } else {
      for (std::size_t i = 0; i < 6; ++i)
        f.call.args[i] = r.hex_value((*args)[i], where + ".args[" + std::to_string(i) + "]");
    }
  }
  r.get(j, where, "pattern_args", f.call.kept_args);
  r.get(j, where, "count", f.call.count);
  r.get(j, where, "known", f.known);
  if (const nlohmann::json* verdicts = r.member(j, where, "verdicts")) {
    if (!verdicts->is_array()) {
      r.fail(where + ".verdicts", "expected an array");
    } else {
      for (std::size_t i = 0; i < verdicts->size() && !r.failed(); ++i) {
        analysis::ProfileVerdict pv;
        read_verdict(r, (*verdicts)[i], where + ".verdicts[" + std::to_string(i) + "]", pv);
        f.verdicts.push_back(std::move(pv));
      }
    }
  }
  r.get(j, where, "first_pid", f.call.first_pid);
  r.get(j, where, "executable", f.call.executable);
  r.get(j, where, "command_line", f.call.command_line);
  if (const nlohmann::json* stack = r.member(j, where, "stack")) {
    if (!stack->is_array()) {
      r.fail(where + ".stack", "expected an array");
    } else {
      for (std::size_t i = 0; i < stack->size() && !r.failed(); ++i) {
        std::string at = where + ".stack[" + std::to_string(i) + "]";
        const nlohmann::json& frame_json = (*stack)[i];
        StackFrame frame;
        if (const nlohmann::json* pc = r.member(frame_json, at, "pc"))
          frame.pc = r.hex_value(*pc, at + ".pc");
        r.get(frame_json, at, "binary", frame.binary);
        r.get(frame_json, at, "function", frame.function);
        r.get(frame_json, at, "offset", frame.offset);
        if (frame_json.contains("source_file")) {
          r.get(frame_json, at, "source_file", frame.source_file);
          r.get(frame_json, at, "source_line", frame.source_line);
        }
        f.call.stack.push_back(std::move(frame));
      }
    }
  }
  if (j.contains("source")) {
    std::string source;
    r.get(j, where, "source", source);
    if (source == "reachable") {
      f.source = analysis::FindingSource::kReachable;
    } else if (source != "run" && !r.failed()) {
      r.fail(where + ".source", "expected \"run\" or \"reachable\"");
    }
  }
  if (const auto sites = j.find("sites"); sites != j.end() && sites->is_array()) {
    for (std::size_t i = 0; i < sites->size() && !r.failed(); ++i) {
      const std::string at = where + ".sites[" + std::to_string(i) + "]";
      analysis::ReachableSite site;
      r.get((*sites)[i], at, "module", site.module);
      r.get((*sites)[i], at, "function", site.function);
      if (const nlohmann::json* address = r.member((*sites)[i], at, "address"))
        site.address = r.hex_value(*address, at + ".address");
      r.get((*sites)[i], at, "how", site.how);
      r.get((*sites)[i], at, "via", site.via);
      f.sites.push_back(std::move(site));
    }
  }
  if (j.contains("impact")) read_impacts(r, j["impact"], where + ".impact", f);
}

// 1-based line and column of byte `offset` (nlohmann reports the byte after the error).

}  // namespace

nlohmann::ordered_json sites_to_json(const std::vector<analysis::ReachableSite>& sites) {
  OJson out = OJson::array();
  for (const auto& site : sites)
    out.push_back({{"module", site.module},
                   {"function", site.function},
                   {"address", hex(site.address)},
                   {"how", site.how},
                   {"via", site.via}});
  return out;
}

nlohmann::ordered_json report_to_json(const analysis::CheckReport& report) {
  Summary summary = summarize(report);
  OJson out;
  out["schema_version"] = kReportSchemaVersion;
  out["tool"] = {{"name", kToolName}, {"version", report.tool_version}};
  out["command"] = report.command;
  out["context"] = report.context;
  out["started_at"] = report.started_at;
  out["duration_seconds"] = report.duration_seconds;
  out["workload_exit_status"] = report.workload_exit_status;
  out["interrupted"] = report.interrupted;
  out["incomplete"] = summary.gate == analysis::Gate::kIncomplete;
  out["fail_on_workload_error"] = report.fail_on_workload_error;
  out["gate_mode"] = std::string(analysis::gate_mode_name(report.gate_mode));
  if (report.impact) {
    const analysis::ImpactSummary& i = *report.impact;
    out["impact"] = {{"runs", i.runs},
                     {"group_runs", i.group_runs},
                     {"seconds", i.seconds},
                     {"reference", i.reference},
                     {"compared_output", i.compared_output},
                     {"timeout_seconds", i.timeout_seconds},
                     {"unstable", i.unstable}};
  }
  out["calls_stopped"] = report.calls_stopped;
  out["processes"] = report.processes;
  OJson profiles = OJson::array();
  for (const auto& p : report.profiles)
    profiles.push_back({{"name", p.name}, {"default_action", p.default_action}});
  out["profiles"] = std::move(profiles);
  out["notices"] = report.notices;
  out["input"] = std::string(analysis::report_input_name(report.input));
  if (report.scan) {
    out["scan"] = {{"executables", report.scan->executables},
                   {"modules", report.scan->modules},
                   {"code_bytes", report.scan->code_bytes},
                   {"duration_seconds", report.scan->duration_seconds},
                   {"errors", report.scan->errors}};
  } else {
    out["scan"] = nullptr;
  }
  if (!report.records_lost.empty()) {
    out["records_lost"] = report.records_lost;
    out["allow_lost"] = report.allow_lost;
  }
  OJson per_profile = OJson::array();
  for (const auto& c : summary.per_profile) {
    per_profile.push_back({{"profile", c.profile}, {"blocked", c.blocked}, {"new_blocked", c.new_blocked}});
  }
  out["summary"] = {{"findings", summary.findings},    {"new", summary.new_findings},
                    {"known", summary.known},          {"new_blocking", summary.new_blocking},
                    {"calls", summary.calls},          {"reachable", summary.reachable},
                    {"may_block", summary.may_block},  {"per_profile", std::move(per_profile)},
                    {"gate", gate_name(summary.gate)}, {"gate_text", gate_text(report, summary)}};
  OJson findings = OJson::array();
  for (const auto& f : report.findings)
    findings.push_back(finding_to_json(f));
  out["findings"] = std::move(findings);
  return out;
}

Result<nlohmann::json> parse_json_text(const std::string& text, const std::string& origin) {
  return analysis::parse_json_input(text, origin);
}

Result<analysis::CheckReport> report_from_json(const nlohmann::json& json, const std::string& origin) {
  Reader r(origin);
  analysis::CheckReport report;
  int version = 0;
  r.get(json, "report", "schema_version", version);
  if (r.failed()) return make_error(r.error() + " (not a seccheck JSON report?)");
  if (version != kReportSchemaVersion) {
    return make_error(origin + ": report schema_version " + std::to_string(version) +
                      ", this seccheck reads " + std::to_string(kReportSchemaVersion) +
                      "; write the report again with this version");
  }
  if (const nlohmann::json* tool = r.member(json, "report", "tool"))
    r.get(*tool, "tool", "version", report.tool_version);
  r.get(json, "report", "command", report.command);
  r.get(json, "report", "context", report.context);
  r.get(json, "report", "started_at", report.started_at);
  r.get(json, "report", "duration_seconds", report.duration_seconds);
  r.get(json, "report", "workload_exit_status", report.workload_exit_status);
  r.get(json, "report", "interrupted", report.interrupted);
  r.get(json, "report", "fail_on_workload_error", report.fail_on_workload_error);
  if (json.contains("gate_mode")) {
    std::string mode;
    r.get(json, "report", "gate_mode", mode);
    if (auto parsed = analysis::parse_gate_mode(mode))
      report.gate_mode = *parsed;
    else if (!r.failed())
      r.fail("report.gate_mode", "unknown gate mode \"" + mode + "\"");
  }
  if (json.contains("impact")) {
    analysis::ImpactSummary i;
    const nlohmann::json& j = json["impact"];
    r.get(j, "impact", "runs", i.runs);
    r.get(j, "impact", "group_runs", i.group_runs);
    r.get(j, "impact", "seconds", i.seconds);
    r.get(j, "impact", "reference", i.reference);
    r.get(j, "impact", "compared_output", i.compared_output);
    r.get(j, "impact", "timeout_seconds", i.timeout_seconds);
    r.get(j, "impact", "unstable", i.unstable);
    report.impact = i;
  }
  r.get(json, "report", "calls_stopped", report.calls_stopped);
  r.get(json, "report", "processes", report.processes);
  if (const nlohmann::json* profiles = r.member(json, "report", "profiles")) {
    if (!profiles->is_array()) r.fail("profiles", "expected an array");
    for (std::size_t i = 0; profiles->is_array() && i < profiles->size() && !r.failed(); ++i) {
      analysis::CheckedProfile p;
      std::string at = "profiles[" + std::to_string(i) + "]";
      r.get((*profiles)[i], at, "name", p.name);
      r.get((*profiles)[i], at, "default_action", p.default_action);
      report.profiles.push_back(std::move(p));
    }
  }
  r.get(json, "report", "notices", report.notices);
  if (json.contains("input")) {
    std::string input;
    r.get(json, "report", "input", input);
    if (auto parsed = analysis::parse_report_input(input))
      report.input = *parsed;
    else
      r.fail("input", "expected run, scan or audit");
  }
  if (const auto scan = json.find("scan"); scan != json.end() && scan->is_object()) {
    analysis::ScanSummary summary;
    r.get(*scan, "scan", "executables", summary.executables);
    r.get(*scan, "scan", "modules", summary.modules);
    r.get(*scan, "scan", "code_bytes", summary.code_bytes);
    r.get(*scan, "scan", "duration_seconds", summary.duration_seconds);
    r.get(*scan, "scan", "errors", summary.errors);
    report.scan = std::move(summary);
  }
  if (json.contains("records_lost")) {
    r.get(json, "report", "records_lost", report.records_lost);
    r.get(json, "report", "allow_lost", report.allow_lost);
  }
  if (const nlohmann::json* findings = r.member(json, "report", "findings")) {
    if (!findings->is_array()) r.fail("findings", "expected an array");
    for (std::size_t i = 0; findings->is_array() && i < findings->size() && !r.failed(); ++i) {
      analysis::Finding f;
      read_finding(r, (*findings)[i], "findings[" + std::to_string(i) + "]", f);
      report.findings.push_back(std::move(f));
    }
  }
  if (r.failed()) return make_error(r.error());
  return report;
}

}  // namespace seccheck::report
