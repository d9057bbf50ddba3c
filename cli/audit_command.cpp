// seccheck audit [FILE...|-]: the seccomp records a node's kernel logged (auditd's log, ausearch
// -i, dmesg, /dev/kmsg, journalctl, syslog) checked against RuntimeDefault profiles as `check`
// checks a run: same report formats, baseline and gate. audit/ reads and groups the records
// (audit/parser.h, audit/source.h) and makes the report (audit/report.h); lost records fail the
// gate unless --allow-lost. With --follow, each new finding is printed as it appears and the
// report is written when seccheck is interrupted (SIGINT, SIGTERM).
#include <chrono>
#include <iostream>
#include <optional>

#include "audit/report.h"
#include "audit/source.h"
#include "cli/commands.h"
#include "cli/context_options.h"
#include "cli/help_example.h"
#include "cli/report_output.h"
#include "cli/value_kind.h"
#include "core/error.h"
#include "session/filters.h"
#include "tracer/interrupt.h"

namespace seccheck::cli {
namespace {

struct AuditOptions {
  std::vector<std::string> inputs;
  bool follow = false;
  std::string since;
  std::vector<std::string> profiles;
  bool allow_lost = false;
  ReportOptions report;
  ContextOptions context;
};

int run_audit(const AuditOptions& options) {
  const ReportTarget target = prepare_report(options.report);
  audit::SourceOptions sources;
  sources.paths = options.inputs;
  sources.follow = options.follow;
  if (!options.since.empty()) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    auto since =
        audit::parse_since(options.since, std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
    if (!since) throw UserError(ExitCode::kUsage, since.error().message);
    sources.since_ms = *since;
  }
  // Profiles as an x86_64 node and as an arm64 node load them (records say which node).
  const analysis::Context context = make_context(options.context);
  std::vector<audit::HostProfiles> hosts;
  for (Arch host : {Arch::kX86_64, Arch::kAarch64}) {
    analysis::Context host_context = context;
    host_context.host_arch = host;
    const session::Diagnostics diagnostics =
        hosts.empty() ? diagnostics_for(options.report.verbosity) : session::Diagnostics{};
    analysis::ProfileSelection selected =
        session::select_profiles(options.profiles, host_context, diagnostics);
    hosts.push_back({host_context, std::move(selected.profiles), std::move(selected.resolved)});
  }
  auto host_of = [&](const audit::AuditFinding& finding) -> const audit::HostProfiles* {
    return finding.arch ? &hosts[host_arch_of(*finding.arch) == Arch::kX86_64 ? 0 : 1] : nullptr;
  };

  // --follow ends at the first interrupt (SIGINT, SIGTERM, ...) as `check` does: the report is
  // written; a third ends seccheck at once (tracer/interrupt.h).
  std::optional<tracer::InterruptHandlers> interrupts;
  if (options.follow) interrupts.emplace();
  auto outcome = audit::read_audit(
      sources,
      [&](const audit::AuditFinding& finding) {
        if (options.follow) std::cout << audit::finding_line(finding, host_of(finding)) << std::endl;
      },
      [] { return tracer::interrupt_count() == 0; });
  if (!outcome) throw UserError(ExitCode::kUsage, outcome.error().message);
  std::vector<audit::HostProfiles> used;
  for (Arch host : audit::hosts_of(outcome->findings))
    used.push_back(hosts[host == Arch::kX86_64 ? 0 : 1]);
  analysis::CheckReport report = audit::make_audit_report(*outcome, used, options.allow_lost);
  print_notices(report, options.report);
  return emit_report(report, options.report, target);
}

}  // namespace

Command register_audit_command(CLI::App& app) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* sub = app.add_subcommand(
      "audit",
      "Check the seccomp records a node's kernel logged (audit log, kernel log, journal) against profiles");
  completes_as(
      sub->add_option("input", options->inputs,
                      "Logs to read: auditd's log, ausearch -i output, dmesg, journalctl -k (plain or "
                      "-o json), syslog/kern.log; - for standard input. Default: /dev/kmsg"),
      ValueKind::kFile);
  sub->add_flag("--follow", options->follow,
                "Keep reading the one input (/dev/kmsg or a growing file) until interrupted, printing "
                "findings as they appear; the report is written at the end");
  completes_as(
      sub->add_option("--since", options->since,
                      "Only records from then on: 2023-11-14T22:13:20Z, 2023-11-14 22:13:20 (local), "
                      "@SECONDS, or a span ago: 90s, 10m, 2h, 3d"),
      ValueKind::kNone);
  completes_as(
      sub->add_option(
          "--profile", options->profiles,
          "Profile to check against: a catalog name or a profile file; repeatable. Default: runtime-default"),
      ValueKind::kProfile);
  sub->add_flag("--allow-lost", options->allow_lost,
                "Records the kernel dropped (rate limit, backlog, serial gaps) do not fail the gate");
  add_context_options(sub, options->context);
  add_report_options(sub, options->report);
  set_example(
      sub,
      "seccheck audit /var/log/audit/audit.log --profile docker --since 1d --format sarif -o audit.sarif");
  return {sub, [options] { return run_audit(*options); }};
}

}  // namespace seccheck::cli
