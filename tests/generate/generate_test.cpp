// generate and merge on synthetic records, without ptrace: the additions take effect under
// libseccomp's merge semantics, stay argument-narrow, and never loosen the base for a call the
// run did not make (every syscall number on x86_64, i386 and x32, plus the boundary arguments
// of every argument-filtered rule); outputs load, round-trip and validate.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "analysis/catalog.h"
#include "analysis/compile.h"
#include "analysis/evaluate.h"
#include "analysis/explain.h"
#include "analysis/generate.h"
#include "analysis/merge.h"
#include "analysis/oci_runtime_calls.h"
#include "analysis/profile_parser.h"
#include "core/syscall_table.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"

namespace seccheck::analysis {
namespace {

constexpr std::uint64_t kSigchld = 17;
constexpr std::uint64_t kNewUts = 0x04000000, kNewNet = 0x40000000;

Profile catalog_profile(const std::string& name) {
  auto profiles = catalog_profiles(name);
  EXPECT_TRUE(profiles.ok());
  return profiles->front();
}

ArgRelevance catalog_relevance() {
  ArgRelevance relevance;
  for (const CatalogEntry& entry : catalog_entries())
    if (auto profiles = catalog_profiles(entry.name))
      for (const Profile& profile : *profiles)
        relevance.add_profile(profile);
  return relevance;
}

RecordedCall make_call(Arch arch, const std::string& name, std::array<std::uint64_t, 6> args,
                       std::uint64_t count = 1) {
  static const ArgRelevance relevance = catalog_relevance();
  RecordedCall call;
  call.arch = arch;
  call.nr = *syscall_number(arch, name);
  call.args = args;
  call.kept_args = relevance.indices(name);
  call.count = count;
  call.executable = "/usr/bin/demo";
  return call;
}

std::vector<RecordedCall> flagged_calls() {
  return {
      make_call(Arch::kX86_64, "clone", {kNewUts | kSigchld}, 2),
      make_call(Arch::kX86_64, "keyctl", {0, static_cast<std::uint64_t>(-2), 1}),
      make_call(Arch::kX86_64, "socket", {40, 1, 0}),
      make_call(Arch::kX86_64, "unshare", {0x10000000}),
      make_call(Arch::kX86_64, "clone3", {0x7ffc0000, 88}),
      make_call(Arch::kI386, "keyctl", {0, 0xfffffffe, 1}),
      make_call(Arch::kX86_64, "getpid", {}),  // allowed by the base: no addition
  };
}

GeneratedProfile generate(const std::vector<RecordedCall>& calls, const Profile& base, Engine target,
                          const Context& context = Context{}) {
  GenerateRequest request;
  request.calls = calls;
  request.base = &base;
  request.context = context;
  request.engine = target;
  request.name = "demo";
  auto generated = generate_profile(request);
  EXPECT_TRUE(generated.ok()) << (generated.ok() ? "" : generated.error().message);
  return *generated;
}

// Boundary argument vectors for `name`: around every datum any rule of the profiles compares.
std::vector<std::array<std::uint64_t, 6>> boundary_args(const std::string& name,
                                                        const std::vector<const ResolvedProfile*>& profiles) {
  std::vector<std::array<std::uint64_t, 6>> out{{}};
  for (const ResolvedProfile* profile : profiles) {
    for (const ResolvedRule& rule : profile->rules) {
      if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
      for (const ArgCondition& c : rule.args) {
        std::vector<std::uint64_t> values;
        if (c.op == CompareOp::kMaskedEq) {
          values = {c.value_two, c.value_two | ~c.value, c.value, c.value_two ^ 1, 0, ~0ull};
        } else {
          values = {c.value - 1, c.value, c.value + 1, 0, ~0ull};
        }
        for (std::uint64_t v : values) {
          std::array<std::uint64_t, 6> args{};
          args[c.index] = v;
          out.push_back(args);
        }
      }
    }
  }
  return out;
}

// True when the generated profile was meant to allow this call: an observed call of the same
// name with the same values in the arguments its addition is narrowed on. A profile names
// calls, not per-ABI numbers, so an addition holds on every ABI the filter accepts (the base's
// rules do the same); 32-bit ABIs compare the low 32 bits.
bool observed(const std::vector<RecordedCall>& calls, const ResolvedProfile& base, Arch arch, int nr,
              const std::array<std::uint64_t, 6>& args) {
  auto name = syscall_name(arch, nr);
  if (!name) return false;
  for (const RecordedCall& call : calls) {
    if (syscall_name(call.arch, call.nr) != name) continue;
    std::set<unsigned> narrow;
    for (const ResolvedRule& rule : base.rules)
      if (std::find(rule.names.begin(), rule.names.end(), std::string(*name)) != rule.names.end())
        for (const ArgCondition& c : rule.args)
          narrow.insert(c.index);
    bool same = true;
    for (unsigned index : call.kept_args) {
      if (!narrow.count(index)) continue;
      std::uint64_t mask = arch == Arch::kX86_64 && call.arch == Arch::kX86_64 ? ~0ull : 0xffffffffull;
      if ((call.args[index] & mask) != (args[index] & mask)) same = false;
    }
    if (same) return true;
  }
  return false;
}

void expect_never_looser(const std::vector<RecordedCall>& calls, const Profile& base,
                         const Profile& generated, const Context& context) {
  ResolvedProfile base_resolved = resolve(base, context);
  ResolvedProfile gen_resolved = resolve(generated, context);
  std::size_t checked = 0;
  for (Arch arch : kX86Arches) {
    for (int nr = 0; nr <= max_syscall_number(arch) + 2; ++nr) {
      auto name = syscall_name(arch, nr);
      std::vector<std::array<std::uint64_t, 6>> vectors =
          name ? boundary_args(std::string(*name), {&base_resolved, &gen_resolved})
               : std::vector<std::array<std::uint64_t, 6>>{{}};
      for (const auto& args : vectors) {
        ++checked;
        Verdict before = evaluate(base_resolved, arch, nr, args);
        Verdict after = evaluate(gen_resolved, arch, nr, args);
        if (!before.blocked()) {
          EXPECT_FALSE(after.blocked())
              << arch_name(arch) << " " << nr << " " << explain(after, gen_resolved, nullptr, arch, nr, args);
          continue;
        }
        if (observed(calls, base_resolved, arch, nr, args)) continue;
        ASSERT_TRUE(after.blocked()) << "looser than the base: " << arch_name(arch) << " "
                                     << syscall_display_name(arch, nr) << " arg0=" << args[0]
                                     << " arg1=" << args[1] << ": "
                                     << explain(after, gen_resolved, nullptr, arch, nr, args);
        // The same answer, except where runc's -ENOSYS stub moved with a newly named call.
        if (!(before.rule_index < 0 && before.action.value == 38u)) {
          EXPECT_EQ(action_text(before.action), action_text(after.action))
              << arch_name(arch) << " " << syscall_display_name(arch, nr);
        }
      }
    }
  }
  EXPECT_GT(checked, 1000u);
}

TEST(Generate, AdditionsTakeEffectAndStayNarrow) {
  Profile base = catalog_profile("docker");
  std::vector<RecordedCall> calls = flagged_calls();
  for (Engine target : {Engine::kDocker, Engine::kContainerd}) {
    GeneratedProfile generated = generate(calls, base, target);
    EXPECT_TRUE(generated.unresolved.empty()) << generated.unresolved.front();
    ResolvedProfile resolved = resolve(generated.profile, Context{});
    for (const RecordedCall& call : calls)
      EXPECT_FALSE(evaluate(resolved, call.arch, call.nr, call.args).blocked()) << call.key();
    // A different namespace flag is still denied.
    int clone = *syscall_number(Arch::kX86_64, "clone");
    EXPECT_TRUE(evaluate(resolved, Arch::kX86_64, clone, {kNewNet | kSigchld}).blocked());
    EXPECT_TRUE(evaluate(resolved, Arch::kX86_64, clone, {kNewUts | kNewNet | kSigchld}).blocked());
    EXPECT_TRUE(
        evaluate(resolved, Arch::kX86_64, *syscall_number(Arch::kX86_64, "socket"), {16, 3, 0}).blocked() ==
        evaluate(resolve(base, Context{}), Arch::kX86_64, *syscall_number(Arch::kX86_64, "socket"),
                 {16, 3, 0})
            .blocked());
    // The clone addition is an EQ rule on the observed flags, with a comment naming the caller.
    bool found = false;
    for (const Rule& rule : generated.profile.rules) {
      if (rule.names != std::vector<std::string>{"clone"} || rule.action.kind != ActionKind::kAllow) continue;
      if (rule.args.size() == 1 && rule.args[0].op == CompareOp::kEq &&
          rule.args[0].value == (kNewUts | kSigchld)) {
        found = true;
        EXPECT_NE(rule.comment.find("/usr/bin/demo"), std::string::npos) << rule.comment;
        EXPECT_NE(rule.comment.find("2 calls"), std::string::npos) << rule.comment;
      }
    }
    EXPECT_TRUE(found);
    // It compiles with libseccomp as it is.
    EXPECT_TRUE(compile(resolved, CompileMode::kAsIs).ok());
    std::string json = profile_to_json(generated.profile);
    if (target == Engine::kContainerd) {
      EXPECT_EQ(json.find("\"includes\""), std::string::npos);
      EXPECT_EQ(json.find("\"excludes\""), std::string::npos);
      EXPECT_EQ(json.find("\"archMap\""), std::string::npos);
    }
    // parse_profile accepts it and it round-trips byte for byte.
    auto parsed = parse_profile(json, "generated.json");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->warnings.empty());
    EXPECT_EQ(profile_to_json(*parsed), json);
  }
}

TEST(Generate, NeverLooserThanTheBase) {
  std::vector<RecordedCall> calls = flagged_calls();
  for (const char* name : {"docker", "crio", "containerd", "docker@20.10"}) {
    SCOPED_TRACE(name);
    Profile base = catalog_profile(name);
    for (Engine target : {Engine::kDocker, Engine::kContainerd, Engine::kCrio}) {
      Context context = context_for_engine(Context{}, target);
      GeneratedProfile generated = generate(calls, base, target);
      EXPECT_TRUE(generated.unresolved.empty());
      expect_never_looser(calls, base, generated.profile, context);
    }
  }
}

// An unconditional blocking rule makes libseccomp drop the call's other rules, so an EQ
// addition alone would not take effect: generate takes the name out of it, keeps its action
// as a catch-all the addition outranks, and keeps the dead rules dead.
TEST(Generate, OutrankedAdditionIsFixed) {
  const char* text = R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [
      {"names": ["personality", "getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22},
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
      {"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}
    ]})";
  auto base = parse_profile(text, "base.json");
  ASSERT_TRUE(base.ok()) << base.error().message;
  std::vector<RecordedCall> calls = {make_call(Arch::kX86_64, "personality", {0x20000})};
  calls[0].kept_args = {0};
  GeneratedProfile generated = generate(calls, *base, Engine::kDocker);
  EXPECT_TRUE(generated.unresolved.empty());
  ResolvedProfile resolved = resolve(generated.profile, Context{});
  int personality = *syscall_number(Arch::kX86_64, "personality");
  EXPECT_FALSE(evaluate(resolved, Arch::kX86_64, personality, {0x20000}).blocked());
  EXPECT_EQ(action_text(evaluate(resolved, Arch::kX86_64, personality, {8}).action), "ERRNO(EINVAL)");
  EXPECT_EQ(action_text(evaluate(resolved, Arch::kX86_64, personality, {0}).action), "ERRNO(EINVAL)");
  EXPECT_EQ(
      action_text(evaluate(resolved, Arch::kX86_64, *syscall_number(Arch::kX86_64, "getpid"), {}).action),
      "ERRNO(EINVAL)");
  expect_never_looser(calls, *base, generated.profile, Context{});
  EXPECT_TRUE(compile(resolved, CompileMode::kAsIs).ok());
}

// A record of an interrupted run makes no profile unless asked (issue 19, item 6): the profile
// would deny every call the workload makes after the interrupt.
TEST(Generate, PartialRecordsNeedAllowPartial) {
  RunRecord record;
  record.complete = true;
  EXPECT_TRUE(record_fits_generate(record, "run.json", true, false).ok());
  record.interrupted = true;
  Result<void> refused = record_fits_generate(record, "run.json", false, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(
      refused.error().message,
      "run.json: the recorded run was interrupted, so the record is partial: a profile from it would miss "
      "every call made after that; record the run again, or give --allow-partial");
  EXPECT_TRUE(record_fits_generate(record, "run.json", false, true).ok());
  record.interrupted = false;
  record.complete = false;
  EXPECT_TRUE(record_fits_generate(record, "run.json", false, false).ok());
  Result<void> minimal = record_fits_generate(record, "run.json", true, true);
  ASSERT_FALSE(minimal.ok());
  EXPECT_EQ(minimal.error().message.rfind("run.json: holds only the calls its check flagged", 0), 0u);
}

TEST(Generate, MinimalAllowsOnlyObservedAndEssentialCalls) {
  std::vector<RecordedCall> calls = {make_call(Arch::kX86_64, "read", {}),
                                     make_call(Arch::kX86_64, "openat", {}),
                                     make_call(Arch::kI386, "getpid", {})};
  GenerateRequest request;
  request.calls = calls;
  request.name = "mini";
  auto generated = generate_profile(request);
  ASSERT_TRUE(generated.ok());
  const Profile& profile = generated->profile;
  EXPECT_EQ(profile.default_action.kind, ActionKind::kErrno);
  EXPECT_EQ(profile.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  ResolvedProfile resolved = resolve(profile, Context{});
  std::set<std::string> allowed;
  for (Arch arch : kX86Arches)
    for (int nr = 0; nr <= max_syscall_number(arch); ++nr)
      if (!evaluate(resolved, arch, nr, {}).blocked())
        allowed.insert(std::string(arch_name(arch)) + "/" + syscall_display_name(arch, nr));
  std::set<std::string> expected = {"x86_64/read", "x86_64/openat", "i386/read",
                                    "i386/openat", "i386/getpid",   "x86_64/getpid"};
  for (const EssentialCall& call : essential_calls()) {
    for (Arch arch : {Arch::kX86_64, Arch::kI386})
      if (syscall_number(arch, call.name)) expected.insert(std::string(arch_name(arch)) + "/" + call.name);
  }
  // The default context's runtime (runc): the calls its init makes before the entrypoint.
  for (const OciRuntimeCall& call : oci_runtime_calls(OciRuntime::kRunc).calls) {
    for (Arch arch : {Arch::kX86_64, Arch::kI386})
      if (syscall_number(arch, call.name)) expected.insert(std::string(arch_name(arch)) + "/" + call.name);
  }
  EXPECT_EQ(allowed, expected);
  EXPECT_NE(profile_to_json(profile).find("needed to start or end a process"), std::string::npos);
  EXPECT_NE(profile_to_json(profile).find("runc 1.1.5 makes these between loading the filter"),
            std::string::npos);
}

// The measured runtime data: both runtimes present, every call a known syscall, no duplicates,
// and runc's Go init makes more calls than crun's C one (the reason it is per runtime).
TEST(Generate, OciRuntimeCallsAreMeasuredDataPerRuntime) {
  const OciRuntimeCalls& runc = oci_runtime_calls(OciRuntime::kRunc);
  const OciRuntimeCalls& crun = oci_runtime_calls(OciRuntime::kCrun);
  EXPECT_EQ(runc.version, "1.1.5");
  EXPECT_EQ(crun.version, "1.8.1");
  for (const OciRuntimeCalls* runtime : {&runc, &crun}) {
    std::set<std::string> names;
    for (const OciRuntimeCall& call : runtime->calls) {
      EXPECT_TRUE(syscall_number(Arch::kX86_64, call.name).has_value()) << call.name;
      EXPECT_TRUE(names.insert(call.name).second) << call.name;
      EXPECT_GT(call.runs_seen, 0);
      EXPECT_LE(call.runs_seen, call.runs);
    }
    EXPECT_EQ(names.count("execve"), 1u) << runtime->runtime;
  }
  EXPECT_GT(runc.calls.size(), crun.calls.size());

  GenerateRequest request;
  request.calls = {make_call(Arch::kX86_64, "read", {})};
  request.name = "mini";
  request.context.oci_runtime = OciRuntime::kCrun;
  auto for_crun = generate_profile(request);
  ASSERT_TRUE(for_crun.ok());
  EXPECT_EQ(profile_to_json(for_crun->profile).find("runc 1.1.5"), std::string::npos);
  request.context.oci_runtime = OciRuntime::kRunc;
  auto for_runc = generate_profile(request);
  ASSERT_TRUE(for_runc.ok());
  EXPECT_NE(profile_to_json(for_runc->profile).find("getdents64"), std::string::npos);
  EXPECT_EQ(profile_to_json(for_crun->profile).find("getdents64"), std::string::npos);
}

TEST(Generate, Deterministic) {
  Profile base = catalog_profile("docker");
  std::vector<RecordedCall> calls = flagged_calls();
  std::vector<RecordedCall> reversed(calls.rbegin(), calls.rend());
  EXPECT_EQ(profile_to_json(generate(calls, base, Engine::kDocker).profile),
            profile_to_json(generate(reversed, base, Engine::kDocker).profile));
}

TEST(Generate, SpoYamlValidatesAgainstTheCrdSchema) {
  std::string shared = seccheck::testing::shared_dir();
  if (shared.empty()) GTEST_SKIP() << "../shared is absent: no SeccompProfile schema to validate against";
  auto probe = seccheck::testing::run_process({"/usr/bin/python3", "-c", "import yaml, jsonschema"});
  if (probe.exit_status != 0) GTEST_SKIP() << "python3-yaml or python3-jsonschema is not installed";
  Profile base = catalog_profile("docker");
  GeneratedProfile generated = generate(flagged_calls(), base, Engine::kDocker);
  Profile flat = flatten_profile(resolve(generated.profile, Context{}), generated.profile);
  std::string yaml_path = testing::temp_path("spo_profile.yaml");
  std::ofstream(yaml_path) << profile_to_spo_yaml(flat, "Demo_App");
  std::string pod_path = testing::temp_path("pod.yaml");
  std::ofstream(pod_path) << pod_security_context_yaml("Demo_App");
  const char* script = R"(
import json, sys, yaml, jsonschema
doc = yaml.safe_load(open(sys.argv[1]))
schema = json.load(open(sys.argv[2]))
jsonschema.validators.validator_for(schema)(schema).validate(doc)
assert doc["apiVersion"] == "security-profiles-operator.x-k8s.io/v1beta1", doc["apiVersion"]
assert doc["kind"] == "SeccompProfile"
assert doc["metadata"]["name"] == "demo-app", doc["metadata"]["name"]
clone = [s for s in doc["spec"]["syscalls"] if s["names"] == ["clone"] and s.get("args") and s["args"][0]["op"] == "SCMP_CMP_EQ"]
assert clone and clone[0]["args"][0]["value"] == 0x4000011, clone
pod = yaml.safe_load(open(sys.argv[3]))
sp = pod["securityContext"]["seccompProfile"]
assert sp == {"type": "Localhost", "localhostProfile": "profiles/demo-app.json"}, sp
print("ok", len(doc["spec"]["syscalls"]))
)";
  auto result =
      seccheck::testing::run_process({"/usr/bin/python3", "-c", script, yaml_path,
                                      shared + "/schemas/spo-seccompprofile-schema.json", pod_path});
  EXPECT_EQ(result.exit_status, 0) << result.err << result.out;
  EXPECT_EQ(result.out.rfind("ok ", 0), 0u) << result.out;
  EXPECT_NE(seccheck::testing::read_file(pod_path).find("/var/lib/kubelet/seccomp/profiles/demo-app.json"),
            std::string::npos);
}

// generate --impact: which calls a check --impact report says the base must change.
TEST(Generate, ImpactChangesSplitFindingsByWhatLetsTheWorkloadRun) {
  CheckReport report;
  report.command = {"demo", "--serve"};
  report.profiles = {{"docker@29.4.3", "ERRNO(EPERM)"}, {"containerd@2.3.4", "ERRNO(EPERM)"}};
  report.impact = ImpactSummary{};
  auto finding = [](const std::string& name, std::vector<FindingImpact> impacts) {
    Finding out;
    out.call = make_call(Arch::kX86_64, name, {});
    out.impacts = std::move(impacts);
    return out;
  };
  auto impact = [](const std::string& profile, ImpactKind kind, ImpactFix fix) {
    FindingImpact out;
    out.profile = profile;
    out.kind = kind;
    out.fix = fix;
    return out;
  };
  report.findings = {
      finding("keyctl", {impact("docker@29.4.3", ImpactKind::kRecovers, ImpactFix::kNone)}),
      finding("personality", {impact("docker@29.4.3", ImpactKind::kBreaks, ImpactFix::kEnosys)}),
      finding("unshare", {impact("docker@29.4.3", ImpactKind::kBreaks, ImpactFix::kAllow),
                          impact("containerd@2.3.4", ImpactKind::kRecovers, ImpactFix::kNone)}),
      finding("mount", {impact("docker@29.4.3", ImpactKind::kUnstable, ImpactFix::kNone)}),
      finding("acct", {impact("containerd@2.3.4", ImpactKind::kBreaks, ImpactFix::kAllow)}),
  };
  auto names = [](const std::vector<RecordedCall>& calls) {
    std::vector<std::string> out;
    out.reserve(calls.size());
    for (const RecordedCall& call : calls)
      out.emplace_back(*syscall_name(call.arch, call.nr));
    return out;
  };

  auto docker = impact_changes(report, "docker@29.4.3", "report.json");
  ASSERT_TRUE(docker.ok()) << docker.error().message;
  EXPECT_EQ(names(docker->allow), (std::vector<std::string>{"unshare", "mount"}));
  EXPECT_EQ(names(docker->enosys), (std::vector<std::string>{"personality"}));
  EXPECT_EQ(docker->recovering, 1u);
  EXPECT_EQ(docker->command, report.command);

  auto containerd = impact_changes(report, "containerd@2.3.4", "report.json");
  ASSERT_TRUE(containerd.ok());
  EXPECT_EQ(names(containerd->allow), (std::vector<std::string>{"acct"}));
  EXPECT_TRUE(containerd->enosys.empty());
  EXPECT_EQ(containerd->recovering, 1u);

  auto unchecked = impact_changes(report, "containers-common@0.67.0", "report.json");
  ASSERT_FALSE(unchecked.ok());
  EXPECT_EQ(
      unchecked.error().message,
      "report.json: checked docker@29.4.3, containerd@2.3.4, not the base containers-common@0.67.0; give "
      "--base one of them or check with --profile for this base");

  report.impact.reset();
  auto plain = impact_changes(report, "docker@29.4.3", "report.json");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().message, "report.json: not a `seccheck check --impact` report (it has no impact)");
}

TEST(Merge, ProfilesKeepArgumentRulesApart) {
  Profile base = catalog_profile("docker");
  Profile a =
      generate({make_call(Arch::kX86_64, "clone", {kNewUts | kSigchld})}, base, Engine::kDocker).profile;
  Profile b = generate({make_call(Arch::kX86_64, "clone", {kNewNet | kSigchld}),
                        make_call(Arch::kX86_64, "keyctl", {})},
                       base, Engine::kDocker)
                  .profile;
  auto merged = merge_profiles({a, b});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  int eq_clone_rules = 0;
  for (const Rule& rule : merged->rules)
    if (rule.names == std::vector<std::string>{"clone"} && rule.args.size() == 1 &&
        rule.args[0].op == CompareOp::kEq)
      ++eq_clone_rules;
  EXPECT_EQ(eq_clone_rules, 2);
  EXPECT_EQ(merged->rules.size(), base.rules.size() + 3);
  ResolvedProfile resolved = resolve(*merged, Context{});
  int clone = *syscall_number(Arch::kX86_64, "clone");
  EXPECT_FALSE(evaluate(resolved, Arch::kX86_64, clone, {kNewUts | kSigchld}).blocked());
  EXPECT_FALSE(evaluate(resolved, Arch::kX86_64, clone, {kNewNet | kSigchld}).blocked());
  EXPECT_TRUE(evaluate(resolved, Arch::kX86_64, clone, {kNewUts | kNewNet | kSigchld}).blocked());
  EXPECT_FALSE(evaluate(resolved, Arch::kX86_64, *syscall_number(Arch::kX86_64, "keyctl"), {}).blocked());

  Profile minimal;
  minimal.source = "mini.json";
  minimal.default_action = {ActionKind::kKillProcess, std::nullopt};
  auto conflict = merge_profiles({a, minimal});
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.error().message.find("default action"), std::string::npos) << conflict.error().message;
}

TEST(Merge, RecordsSumCountsByKey) {
  RunRecord a, b;
  a.complete = b.complete = true;
  a.calls = {make_call(Arch::kX86_64, "clone", {kNewUts | kSigchld}, 2),
             make_call(Arch::kX86_64, "read", {}, 5)};
  b.calls = {make_call(Arch::kX86_64, "clone", {kNewNet | kSigchld}, 1),
             make_call(Arch::kX86_64, "read", {}, 7)};
  auto merged = merge_records({a, b});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->calls.size(), 3u);
  std::map<std::pair<std::string, std::uint64_t>, std::uint64_t> counts;
  for (const RecordedCall& call : merged->calls)
    counts[{syscall_display_name(call.arch, call.nr), call.args[0]}] = call.count;
  EXPECT_EQ((counts[{"read", 0}]), 12u);
  EXPECT_EQ((counts[{"clone", kNewUts | kSigchld}]), 2u);
  EXPECT_EQ((counts[{"clone", kNewNet | kSigchld}]), 1u);
  EXPECT_TRUE(merged->complete);
}

}  // namespace
}  // namespace seccheck::analysis
