// Resolution: reproduces containerd's own resolved output, and the traps the reference README
// lists (clone3's ENOSYS, default errnos, caps adding and removing rules, minKernel, runtime
// effects).
#include <gtest/gtest.h>
#include <seccomp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/catalog.h"
#include "analysis/profile_parser.h"
#include "analysis/resolve.h"
#include "core/syscall_table.h"
#include "tests/catalog/catalog_compare.h"
#include "tests/support/run_process.h"

namespace seccheck::analysis {
namespace {

Profile catalog_profile(const std::string& name) {
  auto profiles = catalog_profiles(name);
  EXPECT_TRUE(profiles) << name;
  return profiles->front();
}

Context context_with(std::initializer_list<const char*> add = {}, KernelVersion kernel = {6, 1}) {
  Context context;
  context.kernel = kernel;
  for (const char* cap : add)
    context.capabilities.insert(cap);
  return context;
}

Context all_caps(KernelVersion kernel = {6, 1}) {
  Context context;
  context.kernel = kernel;
  context.capabilities = {all_capabilities().begin(), all_capabilities().end()};
  return context;
}

// The rules naming `name`, as "ACTION[errno] [args] condition" strings.
std::vector<const ResolvedRule*> rules_for(const ResolvedProfile& profile, const std::string& name) {
  std::vector<const ResolvedRule*> out;
  for (const auto& rule : profile.rules) {
    if (std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end()) out.push_back(&rule);
  }
  return out;
}

bool names_unconditionally_allowed(const ResolvedProfile& profile, const std::string& name) {
  for (const auto* rule : rules_for(profile, name)) {
    if (rule->action.kind == ActionKind::kAllow && rule->args.empty()) return true;
  }
  return false;
}

std::vector<std::string> resolved_keys(const ResolvedProfile& profile) {
  std::vector<std::string> keys;
  for (const auto& rule : profile.rules)
    keys.push_back(testing::resolved_rule_key(rule.names, rule.action, rule.args));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<std::string> flat_keys(const Profile& flat) {
  std::vector<std::string> keys;
  for (const auto& rule : flat.rules) {
    Action action = rule.action;
    if (action.kind == ActionKind::kErrno && !action.value) action.value = 1;  // runc: EPERM
    keys.push_back(testing::resolved_rule_key(rule.names, action, rule.args));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(Resolve, ReproducesContainerdsOwnOutput) {
  const std::string shared = testing::shared_dir();
  if (shared.empty())
    GTEST_SKIP() << "../shared/reference-profiles is absent: no containerd output to compare with";
  int compared = 0;
  for (const auto& entry : catalog_entries()) {
    if (entry.family != "containerd") continue;
    for (const char* caps : {"defaultcaps", "allcaps"}) {
      SCOPED_TRACE(entry.name + " " + caps);
      auto expected = load_profile_file(shared + "/reference-profiles/evaluated/containerd-" + entry.version +
                                        ".linux-amd64." + caps + ".json");
      ASSERT_TRUE(expected) << expected.error().message;
      const Context context = std::string(caps) == "allcaps" ? all_caps() : context_with();
      // Both from the catalog and from the reference conversion: the same output.
      auto from_file = load_profile_file(shared + "/reference-profiles/" + entry.reference_file);
      ASSERT_TRUE(from_file);
      for (const Profile& profile : {catalog_profile(entry.name), *from_file}) {
        const ResolvedProfile resolved = resolve(profile, context);
        EXPECT_EQ(resolved_keys(resolved), flat_keys(*expected));
        EXPECT_EQ(resolved.default_action, (Action{ActionKind::kErrno, 1u}));
        std::vector<Arch> expected_arches;
        for (const auto& name : expected->architectures)
          expected_arches.push_back(*parse_arch(name));
        EXPECT_EQ(resolved.architectures, expected_arches);
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 12);
}

TEST(Resolve, Clone3IsEnosysWithoutSysAdminFrom20_10_10) {
  for (const char* name : {"docker@20.10.10", "docker@29.4.3", "containerd@1.6.20", "containerd@2.3.4"}) {
    SCOPED_TRACE(name);
    const ResolvedProfile resolved = resolve(catalog_profile(name), context_with());
    auto rules = rules_for(resolved, "clone3");
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0]->action, (Action{ActionKind::kErrno, 38u}));
    EXPECT_EQ(rules[0]->condition, "if no CAP_SYS_ADMIN");
    // With CAP_SYS_ADMIN the ERRNO rule is gone and clone3 is allowed.
    const ResolvedProfile admin = resolve(catalog_profile(name), context_with({"CAP_SYS_ADMIN"}));
    EXPECT_TRUE(names_unconditionally_allowed(admin, "clone3"));
    for (const auto* rule : rules_for(admin, "clone3"))
      EXPECT_EQ(rule->action.kind, ActionKind::kAllow);
  }
  for (const char* name : {"docker@20.10.0", "docker@20.10.4"}) {
    SCOPED_TRACE(name);
    const ResolvedProfile resolved = resolve(catalog_profile(name), context_with());
    EXPECT_TRUE(rules_for(resolved, "clone3").empty());
    EXPECT_EQ(resolved.default_action, (Action{ActionKind::kErrno, 1u}));  // unset defaultErrnoRet: EPERM
  }
}

TEST(Resolve, DefaultErrnoDiffersByRuntime) {
  EXPECT_EQ(resolve(catalog_profile("docker"), context_with()).default_action,
            (Action{ActionKind::kErrno, 1u}));
  EXPECT_EQ(resolve(catalog_profile("containerd"), context_with()).default_action,
            (Action{ActionKind::kErrno, 1u}));
  EXPECT_EQ(resolve(catalog_profile("crio"), context_with()).default_action,
            (Action{ActionKind::kErrno, 38u}));
  EXPECT_EQ(resolve(catalog_profile("containers-common@0.50.1"), context_with()).default_action,
            (Action{ActionKind::kErrno, 38u}));
}

TEST(Resolve, CapabilitiesAddAndRemoveRules) {
  const Profile docker = catalog_profile("docker@29.4.3");
  const ResolvedProfile plain = resolve(docker, context_with());
  // CAP_SYS_ADMIN: mount and unshare allowed, clone unfiltered, clone3's ENOSYS rule gone.
  const ResolvedProfile admin = resolve(docker, context_with({"CAP_SYS_ADMIN"}));
  EXPECT_FALSE(names_unconditionally_allowed(plain, "mount"));
  EXPECT_TRUE(names_unconditionally_allowed(admin, "mount"));
  EXPECT_FALSE(names_unconditionally_allowed(plain, "clone"));
  ASSERT_EQ(rules_for(plain, "clone").size(), 1u);
  EXPECT_EQ(rules_for(plain, "clone")[0]->condition, "if no CAP_SYS_ADMIN, arch not in {s390,s390x}");
  EXPECT_EQ(rules_for(plain, "clone")[0]->args.size(), 1u);
  EXPECT_TRUE(names_unconditionally_allowed(admin, "clone"));
  EXPECT_EQ(rules_for(admin, "clone").size(), 1u);  // the filtered rule is excluded by the cap
  // CAP_SYS_PTRACE: kcmp, pidfd_getfd, process_madvise.
  EXPECT_FALSE(names_unconditionally_allowed(plain, "kcmp"));
  EXPECT_TRUE(names_unconditionally_allowed(resolve(docker, context_with({"CAP_SYS_PTRACE"})), "kcmp"));
  // CAP_BPF / CAP_PERFMON (Docker >= 23.0).
  EXPECT_FALSE(names_unconditionally_allowed(plain, "bpf"));
  const ResolvedProfile bpf = resolve(docker, context_with({"CAP_BPF"}));
  EXPECT_TRUE(names_unconditionally_allowed(bpf, "bpf"));
  EXPECT_EQ(rules_for(bpf, "bpf")[0]->condition, "if CAP_BPF");
  EXPECT_TRUE(
      names_unconditionally_allowed(resolve(docker, context_with({"CAP_PERFMON"})), "perf_event_open"));
  // Docker 20.10 has no CAP_BPF rule: bpf needs CAP_SYS_ADMIN there.
  EXPECT_FALSE(names_unconditionally_allowed(
      resolve(catalog_profile("docker@20.10.18"), context_with({"CAP_BPF"})), "bpf"));

  // containers-common: CAP_AUDIT_WRITE switches the socket rules.
  const Profile crio = catalog_profile("containers-common@0.67.0");
  const ResolvedProfile with_audit = resolve(crio, context_with());
  auto socket = rules_for(with_audit, "socket");
  ASSERT_EQ(socket.size(), 2u);  // ERRNO(1) [arg0==40] and ALLOW [arg0!=40] if CAP_AUDIT_WRITE
  Context podman;
  podman.kernel = {6, 1};
  podman.capabilities = podman_default_capabilities();
  const ResolvedProfile without_audit = resolve(crio, podman);
  auto podman_socket = rules_for(without_audit, "socket");
  ASSERT_EQ(podman_socket.size(), 4u);
  int enospc = 0, eperm = 0;
  for (const auto* rule : podman_socket) {
    if (rule->action == Action{ActionKind::kErrno, 22u}) ++enospc;
    if (rule->action == Action{ActionKind::kErrno, 1u}) ++eperm;
  }
  EXPECT_EQ(enospc, 1);  // EINVAL for NETLINK_AUDIT sockets
  EXPECT_EQ(eperm, 1);   // AF_VSOCK
  // containers-common 0.50.1: setns is both allowed and denied without CAP_SYS_ADMIN.
  const ResolvedProfile old = resolve(catalog_profile("containers-common@0.50.1"), context_with());
  auto setns = rules_for(old, "setns");
  ASSERT_EQ(setns.size(), 2u);
}

TEST(Resolve, MinKernelGatesPtrace) {
  const Profile docker = catalog_profile("docker@29.4.3");
  const ResolvedProfile old_kernel = resolve(docker, context_with({}, {4, 4}));
  const ResolvedProfile new_kernel = resolve(docker, context_with({}, {5, 10}));
  const ResolvedProfile exactly = resolve(docker, context_with({}, {4, 8}));
  EXPECT_TRUE(rules_for(old_kernel, "ptrace").empty());
  EXPECT_TRUE(rules_for(old_kernel, "process_vm_readv").empty());
  ASSERT_EQ(rules_for(new_kernel, "ptrace").size(), 1u);
  EXPECT_EQ(rules_for(new_kernel, "ptrace")[0]->condition, "if kernel >= 4.8");
  EXPECT_TRUE(names_unconditionally_allowed(new_kernel, "process_vm_writev"));
  EXPECT_TRUE(names_unconditionally_allowed(exactly, "ptrace"));
  // CAP_SYS_PTRACE allows it on any kernel.
  EXPECT_TRUE(
      names_unconditionally_allowed(resolve(docker, context_with({"CAP_SYS_PTRACE"}, {4, 4})), "ptrace"));
}

TEST(Resolve, ContainersCommonLoaderHasNoMinKernel) {
  auto profile = parse_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}}]})",
                               "min-kernel.json");
  ASSERT_TRUE(profile) << profile.error().message;
  Context context = context_with({}, {4, 4});
  EXPECT_TRUE(resolve(*profile, context).rules.empty());
  context.engine = Engine::kCrio;
  const ResolvedProfile common = resolve(*profile, context);
  ASSERT_EQ(common.rules.size(), 1u);
  bool noted = false;
  for (const auto& note : common.notes)
    noted |= note.find("no minKernel") != std::string::npos;
  EXPECT_TRUE(noted);
  // Catalog entries pick their runtime's loader.
  EXPECT_EQ(loader_for(catalog_profile("crio"), Context{}), ProfileLoader::kContainersCommon);
  EXPECT_EQ(loader_for(catalog_profile("containerd"), Context{}), ProfileLoader::kMoby);
  EXPECT_EQ(loader_for(*profile, Context{}), ProfileLoader::kMoby);
}

TEST(Resolve, ArchitecturesComeFromTheNativeArchMapEntry) {
  const ResolvedProfile docker = resolve(catalog_profile("docker"), context_with());
  EXPECT_EQ(docker.architectures, (std::vector<Arch>{Arch::kX86_64, Arch::kI386, Arch::kX32}));
  // Arch conditions: arch_prctl is for amd64 (and x32, which moby's loader never matches).
  EXPECT_TRUE(names_unconditionally_allowed(docker, "arch_prctl"));
  EXPECT_EQ(rules_for(docker, "arch_prctl")[0]->condition, "if arch in {amd64,x32}");
  EXPECT_TRUE(rules_for(docker, "s390_pci_mmio_read").empty());

  auto bare = parse_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []})", "bare.json");
  ASSERT_TRUE(bare);
  const ResolvedProfile native = resolve(*bare, context_with());
  EXPECT_EQ(native.architectures, (std::vector<Arch>{Arch::kX86_64}));
  EXPECT_FALSE(native.notes.empty());
}

TEST(Resolve, ErrnoWithoutErrnoRetIsEpermNotTheDefault) {
  auto profile = parse_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
      {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]})",
                               "errno.json");
  ASSERT_TRUE(profile) << profile.error().message;
  const ResolvedProfile resolved = resolve(*profile, context_with());
  EXPECT_EQ(resolved.default_action, (Action{ActionKind::kErrno, 38u}));
  ASSERT_EQ(resolved.rules.size(), 1u);
  EXPECT_EQ(resolved.rules[0].action, (Action{ActionKind::kErrno, 1u}));
}

TEST(Resolve, RuncEnosysStubAboveTheNewestNamedCall) {
  const ResolvedProfile docker = resolve(catalog_profile("docker@29.4.3"), context_with());
  const EnosysStub* x86_64 = enosys_stub_for(docker, Arch::kX86_64);
  ASSERT_NE(x86_64, nullptr);
  EXPECT_EQ(x86_64->above, 466);  // removexattrat (Linux 6.13)
  EXPECT_EQ(x86_64->newest, "removexattrat");
  ASSERT_NE(enosys_stub_for(docker, Arch::kI386), nullptr);
  ASSERT_NE(enosys_stub_for(docker, Arch::kX32), nullptr);
  // An older profile names fewer calls: everything above gets ENOSYS, not EPERM.
  const ResolvedProfile old = resolve(catalog_profile("docker@20.10.0"), context_with());
  ASSERT_NE(enosys_stub_for(old, Arch::kX86_64), nullptr);
  EXPECT_EQ(enosys_stub_for(old, Arch::kX86_64)->above, 439);  // faccessat2 (Linux 5.8)
  EXPECT_EQ(enosys_stub_for(old, Arch::kX86_64)->newest, "faccessat2");
  // No stub: crun; containers-common (default errno already ENOSYS); a permissive default.
  Context crun = context_with();
  crun.oci_runtime = OciRuntime::kCrun;
  EXPECT_TRUE(resolve(catalog_profile("docker"), crun).enosys_stubs.empty());
  EXPECT_TRUE(resolve(catalog_profile("crio"), context_with()).enosys_stubs.empty());
  auto allow = parse_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["mount"], "action": "SCMP_ACT_ERRNO"}]})",
                             "allow.json");
  ASSERT_TRUE(allow);
  EXPECT_TRUE(resolve(*allow, context_with()).enosys_stubs.empty());
}

TEST(Resolve, OldLibseccompDropsCallsItCannotName) {
  Context context = context_with();
  context.libseccomp = KernelVersion{2, 5};
  const ResolvedProfile resolved = resolve(catalog_profile("docker@29.4.3"), context);
  for (const char* name : {"statmount", "listmount", "mseal", "uretprobe", "setxattrat"}) {
    EXPECT_TRUE(rules_for(resolved, name).empty()) << name;
  }
  EXPECT_TRUE(names_unconditionally_allowed(resolved, "futex_waitv"));
  EXPECT_TRUE(names_unconditionally_allowed(resolved, "cachestat"));
  bool noted = false;
  for (const auto& note : resolved.notes)
    noted |= note.find("libseccomp 2.5 cannot name") != std::string::npos;
  EXPECT_TRUE(noted);
  // runc's stub then starts below them: the newest name 2.5 knows is futex_requeue (456).
  const EnosysStub* stub = enosys_stub_for(resolved, Arch::kX86_64);
  ASSERT_NE(stub, nullptr);
  EXPECT_EQ(stub->above, 456);
  EXPECT_EQ(stub->newest, "futex_requeue");
  // containerd@2.3.4 allows lsm_* unconditionally; with 2.5 they are gone (rule keeps others).
  const ResolvedProfile containerd = resolve(catalog_profile("containerd@2.3.4"), context);
  EXPECT_TRUE(rules_for(containerd, "lsm_get_self_attr").empty());
  EXPECT_TRUE(names_unconditionally_allowed(containerd, "read"));
  // 2.6 and later: nothing dropped.
  context.libseccomp = KernelVersion{2, 6};
  EXPECT_FALSE(rules_for(resolve(catalog_profile("docker@29.4.3"), context), "statmount").empty());
}

TEST(Resolve, Libseccomp25TableMatchesTheLinkedLibrary) {
  const scmp_version* version = seccomp_version();
  if (version->major != 2 || version->minor != 5) {
    GTEST_SKIP() << "linked libseccomp is " << version->major << "." << version->minor
                 << ", not 2.5: cannot check the 2.5 table against it";
  }
  std::vector<std::string> unknown;
  for (const auto& entry : syscall_table()) {
    if (syscall_number_on(entry, Arch::kX86_64) < 0) continue;
    const std::string name(entry.name);
    if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name.c_str()) == __NR_SCMP_ERROR)
      unknown.push_back(name);
  }
  std::vector<std::string> table(names_unknown_to_libseccomp_2_5().begin(),
                                 names_unknown_to_libseccomp_2_5().end());
  std::sort(unknown.begin(), unknown.end());
  std::sort(table.begin(), table.end());
  EXPECT_EQ(unknown, table);
}

}  // namespace
}  // namespace seccheck::analysis
