#include "audit/report.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/check_report.h"
#include "analysis/containment.h"
#include "analysis/evaluate.h"
#include "core/syscall_table.h"

namespace seccheck::audit {
namespace {

std::vector<const analysis::ResolvedProfile*> pointers(const HostProfiles& host) {
  std::vector<const analysis::ResolvedProfile*> out;
  for (const analysis::ResolvedProfile& profile : host.resolved)
    out.push_back(&profile);
  return out;
}

bool evaluable(const AuditFinding& finding, const HostProfiles& host) {
  return finding.arch && finding.nr >= 0 && host_arch_of(*finding.arch) == host.context.host_arch;
}

// The argument classes of a finding's call, the one it is judged at (the first some profile
// blocks), and the profiles whose verdict differs between classes.
struct ArgumentChoice {
  std::array<std::uint64_t, 6> args{};
  std::vector<unsigned> indices;       // the arguments the rules look at
  std::vector<std::string> dependent;  // profiles deciding by them
};

ArgumentChoice choose_arguments(const AuditFinding& finding, const HostProfiles& host) {
  ArgumentChoice choice;
  const std::vector<const analysis::ResolvedProfile*> profiles = pointers(host);
  auto classes = analysis::argument_classes(profiles, *finding.arch, finding.nr, &choice.indices);
  if (!classes || classes->empty()) return choice;
  std::vector<std::set<std::pair<int, bool>>> seen(profiles.size());
  bool chosen = false;
  for (const auto& args : *classes) {
    bool any_blocks = false;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      const analysis::Verdict verdict = analysis::evaluate(*profiles[i], *finding.arch, finding.nr, args);
      seen[i].insert({static_cast<int>(verdict.action.kind), verdict.blocked()});
      any_blocks = any_blocks || verdict.blocked();
    }
    if (any_blocks && !chosen) {
      choice.args = args;
      chosen = true;
    }
  }
  if (!chosen) choice.args = classes->front();
  for (std::size_t i = 0; i < profiles.size(); ++i)
    if (seen[i].size() > 1) choice.dependent.push_back(profiles[i]->name);
  return choice;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string join(const std::set<std::string>& items, const std::string& separator) {
  return join(std::vector<std::string>(items.begin(), items.end()), separator);
}

std::string arguments_text(const ArgumentChoice& choice) {
  std::vector<std::string> parts;
  for (unsigned index : choice.indices)
    parts.push_back(analysis::arg_condition_text(
        analysis::ArgCondition{index, analysis::CompareOp::kEq, choice.args[index], 0}));
  return join(parts, ", ");
}

std::string plural(std::uint64_t count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "read 1234 lines of /var/log/audit/audit.log: 56 seccomp records (auditd log)".
std::string input_notice(const AuditOutcome& outcome) {
  std::vector<std::string> forms;
  for (InputForm form : outcome.stats.forms)
    forms.emplace_back(input_form_name(form));
  std::string text = "read " + plural(outcome.stats.lines, "line", "lines") + " of " +
                     join(outcome.inputs, ", ") + ": " +
                     plural(outcome.stats.records, "seccomp record", "seccomp records");
  if (!forms.empty()) text += " (" + join(forms, ", ") + ")";
  if (outcome.interrupted) text += "; followed until interrupted";
  return text;
}

// "x86_64/keyctl by /usr/bin/app: 12 records, 2023-...Z to 2023-...Z, logged as LOG; in docker
// 0123456789ab".
std::string finding_notice(const AuditFinding& finding) {
  std::string text = finding.call() + " by " + (finding.exe.empty() ? std::string("?") : finding.exe) + ": " +
                     plural(finding.count, "record", "records") + ", " + format_time_ms(finding.first_ms);
  if (finding.last_ms != finding.first_ms) text += " to " + format_time_ms(finding.last_ms);
  text += ", logged as " + join(finding.actions, "/");
  if (!finding.containers.empty()) text += "; in " + join(finding.containers, ", ");
  return text;
}

}  // namespace

Result<AuditOutcome> read_audit(const SourceOptions& sources, const FindingCallback& on_new_finding,
                                const std::function<bool()>& keep_going) {
  AuditParser parser(parser_options(sources));
  FindingAggregator aggregator;
  ContainerCache containers;
  bool stopped = false;
  auto read = read_sources(
      sources, parser,
      [&](const SeccompRecord& record) {
        std::optional<ContainerRef> container;
        if (record.pid) container = containers.lookup(*record.pid, record.time_ms);
        auto [finding, added] = aggregator.add(record, container);
        if (added && on_new_finding) on_new_finding(*finding);
      },
      [&] {
        stopped = !keep_going || !keep_going();
        return !stopped;
      });
  if (!read) return read.error();
  AuditOutcome outcome;
  outcome.inputs = sources.paths.empty() ? std::vector<std::string>{std::string(kKernelLog)} : sources.paths;
  outcome.findings = aggregator.findings();
  outcome.loss = parser.loss();
  outcome.stats = parser.stats();
  outcome.interrupted = sources.follow && stopped;
  return outcome;
}

std::vector<Arch> hosts_of(const std::vector<AuditFinding>& findings) {
  std::set<Arch> hosts;
  for (const AuditFinding& finding : findings)
    if (finding.arch) hosts.insert(host_arch_of(*finding.arch));
  if (hosts.empty()) hosts.insert(Arch::kX86_64);
  return {hosts.begin(), hosts.end()};
}

std::vector<analysis::RecordedCall> recorded_calls(const std::vector<AuditFinding>& findings,
                                                   const HostProfiles& host) {
  std::vector<analysis::RecordedCall> calls;
  for (const AuditFinding& finding : findings) {
    if (!evaluable(finding, host)) continue;
    analysis::RecordedCall call;
    call.arch = *finding.arch;
    call.nr = finding.nr;
    call.args = choose_arguments(finding, host).args;  // kept_args stay empty: the record has none
    call.count = finding.count;
    call.first_pid = static_cast<pid_t>(finding.first_pid);
    call.executable = finding.exe;
    calls.push_back(std::move(call));
  }
  return calls;
}

analysis::CheckReport make_audit_report(const AuditOutcome& outcome, const std::vector<HostProfiles>& hosts,
                                        bool allow_lost) {
  analysis::CheckReport report;
  std::vector<std::string> notices = {input_notice(outcome)};
  std::vector<std::string> contexts;
  std::int64_t first_ms = 0, last_ms = 0;
  for (const AuditFinding& finding : outcome.findings) {
    first_ms = first_ms == 0 ? finding.first_ms : std::min(first_ms, finding.first_ms);
    last_ms = std::max(last_ms, finding.last_ms);
  }
  std::uint64_t not_evaluated = 0;
  for (const AuditFinding& finding : outcome.findings) {
    const bool covered = std::any_of(hosts.begin(), hosts.end(),
                                     [&](const HostProfiles& host) { return evaluable(finding, host); });
    if (!covered) not_evaluated += finding.count;
  }
  for (const HostProfiles& host : hosts) {
    analysis::RunRecord record;
    record.command = outcome.inputs;
    record.interrupted = outcome.interrupted;
    record.complete = false;
    record.started_at = first_ms > 0 ? format_time_ms(first_ms) : "";
    record.duration_seconds = static_cast<double>(last_ms - first_ms) / 1000.0;
    record.calls = recorded_calls(outcome.findings, host);
    for (const auto& call : record.calls)
      record.calls_stopped += call.count;
    analysis::CheckReport part = analysis::make_report(record, host.resolved, host.context);
    if (report.profiles.empty()) {
      const std::vector<std::string> kept_notices = report.notices;
      report = part;
      report.findings.clear();
    }
    report.findings.insert(report.findings.end(), part.findings.begin(), part.findings.end());
    contexts.push_back(std::string(arch_name(host.context.host_arch)) + " host: " + part.context);
    // Which verdicts depend on arguments the records do not carry.
    for (const AuditFinding& finding : outcome.findings) {
      if (!evaluable(finding, host)) continue;
      const ArgumentChoice choice = choose_arguments(finding, host);
      if (choice.dependent.empty()) continue;
      notices.push_back(
          finding.call() + " (" + finding.exe + "): the record has no arguments, and " +
          join(choice.dependent, ", ") + " decide" + (choice.dependent.size() == 1 ? "s" : "") +
          " it by them; judged at " + arguments_text(choice) +
          ", the first argument class a checked profile blocks (a record logged under a log-only "
          "copy of a profile means that profile blocked the real arguments)");
    }
  }
  std::sort(report.findings.begin(), report.findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.syscall, a.call.arch, a.key, a.call.executable) <
           std::tie(b.syscall, b.call.arch, b.key, b.call.executable);
  });
  report.context = join(contexts, "; ");
  if (not_evaluated > 0)
    notices.push_back(
        plural(not_evaluated, "record", "records") +
        " of ABIs or numbers seccheck cannot evaluate (not in its syscall tables) are not in the findings");
  for (const AuditFinding& finding : outcome.findings)
    notices.push_back(finding_notice(finding));

  // What is counted as lost fails the gate; serial gaps in an input that may have been filtered
  // (only SECCOMP records) are reported without being counted.
  std::vector<std::string> lost = outcome.loss.describe_counted();
  if (outcome.stats.malformed > 0) {
    std::string line =
        plural(outcome.stats.malformed, "line", "lines") + " naming a seccomp record could not be read";
    if (!outcome.stats.malformed_examples.empty())
      line += " (" + outcome.stats.malformed_examples.front() + ")";
    lost.push_back(line);
  }
  for (const std::string& line : lost)
    notices.push_back("records lost: " + line);
  for (const std::string& line : outcome.loss.describe())
    if (std::find(lost.begin(), lost.end(), line) == lost.end()) notices.push_back(line);
  report.records_lost = std::move(lost);
  report.allow_lost = allow_lost;
  report.input = analysis::ReportInput::kAudit;
  // A record has no arguments: the values the verdicts were judged at are in the notices.
  for (analysis::Finding& finding : report.findings)
    finding.pattern = finding.syscall + "(...)";
  report.notices = std::move(notices);
  return report;
}

Result<GenerateInput> generate_input(const AuditOutcome& outcome, const std::vector<analysis::Profile>& base,
                                     const analysis::Context& context) {
  const std::vector<Arch> hosts = hosts_of(outcome.findings);
  if (hosts.size() != 1)
    return make_error("the logs hold records of x86 and arm nodes: generate a profile for each kind of node");
  HostProfiles host{context, base, {}};
  host.context.host_arch = hosts.front();
  for (const analysis::Profile& profile : base)
    host.resolved.push_back(analysis::resolve(profile, host.context));
  GenerateInput input;
  input.host = hosts.front();
  input.record.command = outcome.inputs;
  input.record.calls = recorded_calls(outcome.findings, host);
  return input;
}

std::string finding_line(const AuditFinding& finding, const HostProfiles* host) {
  std::string line = format_time_ms(finding.first_ms) + " " + finding.call() + " " +
                     (finding.exe.empty() ? std::string("?") : finding.exe);
  if (!finding.containers.empty()) line += " [" + join(finding.containers, ", ") + "]";
  line += ": " + join(finding.actions, "/");
  if (host == nullptr || !evaluable(finding, *host)) return line;
  const ArgumentChoice choice = choose_arguments(finding, *host);
  for (const analysis::ResolvedProfile& profile : host->resolved) {
    const analysis::Verdict verdict = analysis::evaluate(profile, *finding.arch, finding.nr, choice.args);
    line +=
        "; " + profile.name + ": " + (verdict.blocked() ? analysis::action_text(verdict.action) : "allowed");
    if (std::find(choice.dependent.begin(), choice.dependent.end(), profile.name) != choice.dependent.end())
      line += " (depends on arguments)";
  }
  return line;
}

}  // namespace seccheck::audit
