#include "scan/scan_report.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analysis/explain.h"
#include "analysis/json_input.h"
#include "core/decode.h"
#include "core/number_format.h"
#include "core/syscall_table.h"
#include "core/version.h"
#include "scan/library_resolver.h"
#include "scan/scan_findings.h"

namespace seccheck::scan {
namespace {

namespace fs = std::filesystem;

Result<nlohmann::json> read_config(const std::string& bundle_dir) {
  const std::string path = bundle_dir + "/config.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read the bundle's config.json");
  std::stringstream text;
  text << in.rdbuf();
  return analysis::parse_json_input(text.str(), path);
}

bool starts_with_elf_magic(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

// "clone(arg0=?)": a call some of whose shown arguments (the key's, or those reports decode)
// no site fixes.
std::string unknown_pattern(const ScanFinding& f, const ReachableCall& site) {
  const SyscallEntry* entry = syscall_entry(f.arch, f.nr);
  std::string text = f.syscall + "(";
  bool first = true;
  for (std::size_t i = 0; i < f.args.size(); ++i) {
    const bool in_key = f.key.find("/arg" + std::to_string(i) + "=") != std::string::npos;
    if (!in_key && (entry == nullptr || !(entry->finding_args & (1u << i)))) continue;
    const auto value = in_key ? f.args[i] : site.args[i];
    text += (first ? "" : ", ") + std::string("arg") + std::to_string(i) + "=" + (value ? hex(*value) : "?");
    first = false;
  }
  return text + ")";
}

// The run made this call: same ABI and name, and every argument the key fixes the same.
bool exercised_by(const ScanFinding& f, const analysis::RunRecord& record) {
  for (const analysis::RecordedCall& call : record.calls) {
    if (call.arch != f.arch || call.nr != f.nr) continue;
    bool same = true;
    for (std::size_t i = 0; i < f.args.size(); ++i)
      if (f.args[i] && call.args[i] != *f.args[i]) same = false;
    if (same) return true;
  }
  return false;
}

}  // namespace

Result<std::string> bundle_root(const std::string& bundle_dir) {
  auto config = read_config(bundle_dir);
  if (!config) return config.error();
  const auto root = config->find("root");
  if (root == config->end() || !root->is_object() || !root->contains("path") || !(*root)["path"].is_string())
    return make_error(bundle_dir + "/config.json: no root.path (not an OCI bundle?)");
  const std::string path = (*root)["path"].get<std::string>();
  const std::string full = path.starts_with("/") ? path : bundle_dir + "/" + path;
  if (!fs::is_directory(full))
    return make_error(bundle_dir + "/config.json: root.path " + full + " is no folder");
  return full;
}

Result<std::string> bundle_executable(const std::string& bundle_dir, const std::string& root) {
  auto config = read_config(bundle_dir);
  if (!config) return config.error();
  const auto process = config->find("process");
  if (process == config->end() || !process->is_object() || !process->contains("args") ||
      !(*process)["args"].is_array() || (*process)["args"].empty() || !(*process)["args"][0].is_string())
    return make_error(bundle_dir + "/config.json: no process.args[0]; name the executables to scan");
  const std::string program = (*process)["args"][0].get<std::string>();
  if (program.find('/') != std::string::npos) return program;
  std::string search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  if (const auto env = process->find("env"); env != process->end() && env->is_array())
    for (const auto& entry : *env)
      if (entry.is_string() && entry.get<std::string>().starts_with("PATH="))
        search = entry.get<std::string>().substr(5);
  LibraryResolver resolver(root);
  std::stringstream folders(search);
  for (std::string folder; std::getline(folders, folder, ':');) {
    if (folder.empty()) continue;
    const std::string candidate = folder + "/" + program;
    if (resolver.host_path(candidate)) return candidate;
  }
  return make_error(bundle_dir + "/config.json: process.args[0] " + program + " is not in the root's PATH (" +
                    search + ")");
}

Result<std::vector<std::string>> expand_scan_paths(const std::vector<std::string>& paths,
                                                   const std::string& root) {
  const bool host = root.empty() || root == "/";
  LibraryResolver resolver(host ? "" : root);
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    const std::string in_root = host ? path : (path.starts_with("/") ? path : "/" + path);
    const auto where = host ? std::optional<std::string>(path) : resolver.host_path(in_root);
    std::error_code error;
    if (!where || !fs::exists(*where, error))
      return make_error(path + ": No such file or directory" + (host ? "" : " in " + root));
    if (!fs::is_directory(*where, error)) {
      out.push_back(in_root);
      continue;
    }
    std::vector<std::string> found;
    for (auto it =
             fs::recursive_directory_iterator(*where, fs::directory_options::skip_permission_denied, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file(error) || it->is_symlink(error)) continue;
      if (!starts_with_elf_magic(it->path())) continue;
      const std::string relative = fs::relative(it->path(), *where, error).string();
      found.push_back((in_root.ends_with("/") ? in_root : in_root + "/") + relative);
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

ScanRun scan_executables(const std::vector<std::string>& executables, const std::string& root) {
  const auto started = std::chrono::steady_clock::now();
  ScanRun run;
  ScanOptions options;
  options.root = root;
  std::set<std::string> modules, notes;
  for (const std::string& executable : executables) {
    auto result = scan_file(executable, options);
    if (!result) {
      run.summary.errors.push_back(result.error().message);
      continue;
    }
    run.summary.executables.push_back(result->path);
    for (const ScannedModule& module : result->modules) {
      // A library several executables load is read once per executable but counted once.
      if (modules.insert(module.path).second) run.summary.code_bytes += module.code_bytes;
    }
    for (const std::string& note : result->notes)
      if (notes.insert(note).second) run.notes.push_back(note);
    run.results.push_back(std::move(*result));
  }
  run.summary.modules = modules.size();
  run.summary.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

std::vector<analysis::Finding> reachable_findings(const ScanRun& run,
                                                  const analysis::ProfileSelection& profiles,
                                                  const analysis::Context& context,
                                                  const analysis::RunRecord* exercised) {
  // Every site once, even when several executables load the library holding it; each module
  // is credited to the first executable that loaded it.
  std::vector<ReachableCall> calls;
  std::set<std::tuple<std::string, std::uint64_t, std::string, std::string>> seen;
  std::map<std::string, std::string> executable_of;
  for (const ScanResult& result : run.results) {
    for (const ScannedModule& module : result.modules)
      executable_of.emplace(module.path, result.path);
    for (const ReachableCall& call : result.calls)
      if (seen.insert({call.module, call.address, call.syscall, call.via}).second) calls.push_back(call);
  }
  std::vector<analysis::Finding> out;
  for (const ScanFinding& f : evaluate_scan(calls, profiles.profiles, context)) {
    if (!f.blocked_by_any() && !f.may_be_blocked_by_any()) continue;
    if (exercised != nullptr && exercised_by(f, *exercised)) continue;
    analysis::Finding finding;
    finding.source = analysis::FindingSource::kReachable;
    finding.key = f.key;
    finding.syscall = f.syscall;
    finding.call.arch = f.arch;
    finding.call.nr = f.nr;
    // The pattern shows the arguments a report decodes for this call (clone's flags, socket's
    // family) as the first site passes them, or "?" for the key's arguments no site fixes.
    bool all_known = true;
    for (std::size_t i = 0; i < f.args.size(); ++i) {
      if (f.key.find("/arg" + std::to_string(i) + "=") == std::string::npos) continue;
      if (f.args[i]) {
        finding.call.kept_args.push_back(static_cast<unsigned>(i));
      } else {
        all_known = false;
      }
    }
    const ReachableCall& first = f.sites.front();
    const SyscallEntry* entry = syscall_entry(f.arch, f.nr);
    for (std::size_t i = 0; i < first.args.size(); ++i) {
      finding.call.args[i] = f.args[i].value_or(first.args[i].value_or(0));
      if (entry != nullptr && (entry->finding_args & (1u << i)) && !f.args[i] && !first.args[i])
        all_known = false;
    }
    finding.pattern = all_known ? describe_call(f.arch, f.nr, finding.call.args) : unknown_pattern(f, first);
    finding.call.count = f.sites.size();
    finding.call.executable = executable_of[f.sites.front().module];
    for (const ReachableCall& site : f.sites)
      finding.sites.push_back(
          {site.module, site.function, site.address, call_kind_name(site.kind), site.via});
    for (std::size_t p = 0; p < f.verdicts.size(); ++p) {
      const ScanVerdict& v = f.verdicts[p];
      analysis::ProfileVerdict pv;
      pv.profile = v.profile;
      pv.verdict = v.verdict;
      pv.unknown_args = v.unknown_args;
      pv.blocked_for_all = v.blocked;
      pv.blocked_for_some = v.may_block;
      const analysis::ResolvedProfile& resolved = profiles.resolved[p];
      pv.reason =
          pv.exact()
              ? analysis::explain(v.verdict, resolved, &profiles.profiles[p], f.arch, f.nr, finding.call.args)
              : analysis::explain_by_name(resolved, f.syscall, v.unknown_args, v.blocked, v.may_block);
      finding.verdicts.push_back(std::move(pv));
    }
    out.push_back(std::move(finding));
  }
  std::sort(out.begin(), out.end(), [](const analysis::Finding& a, const analysis::Finding& b) {
    return std::tie(a.syscall, a.key) < std::tie(b.syscall, b.key);
  });
  return out;
}

analysis::CheckReport make_scan_report(const ScanRun& run, const std::vector<std::string>& paths,
                                       const analysis::ProfileSelection& profiles,
                                       const analysis::Context& context) {
  analysis::CheckReport report;
  report.tool_version = std::string(seccheck_version());
  report.command = paths;
  report.context = analysis::describe(context);
  report.input = analysis::ReportInput::kScan;
  report.gate_mode = analysis::GateMode::kReachable;
  report.duration_seconds = run.summary.duration_seconds;
  report.scan = run.summary;
  report.notices = run.summary.errors;
  for (const analysis::ResolvedProfile& profile : profiles.resolved)
    report.profiles.push_back({profile.name, analysis::action_text(profile.default_action)});
  report.findings = reachable_findings(run, profiles, context);
  return report;
}

void add_reachable(analysis::CheckReport& report, const ScanRun& run,
                   const analysis::ProfileSelection& profiles, const analysis::Context& context,
                   const analysis::RunRecord& record) {
  report.scan = run.summary;
  for (const std::string& error : run.summary.errors)
    report.notices.push_back("scan: " + error);
  for (analysis::Finding& finding : reachable_findings(run, profiles, context, &record))
    report.findings.push_back(std::move(finding));
}

}  // namespace seccheck::scan
