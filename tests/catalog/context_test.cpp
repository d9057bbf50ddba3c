#include <gtest/gtest.h>

#include <set>

#include "analysis/context.h"

namespace seccheck::analysis {
namespace {

TEST(Context, DefaultCapabilitiesAreDockers14) {
  const auto& caps = default_container_capabilities();
  EXPECT_EQ(caps.size(), 14u);
  for (const char* cap : {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                          "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                          "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}) {
    EXPECT_TRUE(caps.count(cap)) << cap;
  }
  EXPECT_EQ(Context{}.capabilities, caps);
}

TEST(Context, PodmanDefaultLacksAuditWriteMknodNetRaw) {
  const auto& podman = podman_default_capabilities();
  EXPECT_EQ(podman.size(), 11u);
  std::set<std::string> missing;
  for (const auto& cap : default_container_capabilities()) {
    if (!podman.count(cap)) missing.insert(cap);
  }
  EXPECT_EQ(missing, (std::set<std::string>{"CAP_AUDIT_WRITE", "CAP_MKNOD", "CAP_NET_RAW"}));
}

TEST(Context, AllCapabilitiesInKernelOrder) {
  const auto& all = all_capabilities();
  ASSERT_EQ(all.size(), 41u);
  EXPECT_EQ(all.front(), "CAP_CHOWN");
  EXPECT_EQ(all[21], "CAP_SYS_ADMIN");  // 21 in <linux/capability.h>
  EXPECT_EQ(all[29], "CAP_AUDIT_WRITE");
  EXPECT_EQ(all[38], "CAP_PERFMON");
  EXPECT_EQ(all[39], "CAP_BPF");
  EXPECT_EQ(all.back(), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 41u);
}

TEST(Context, NormalizesCapabilityNames) {
  EXPECT_EQ(*normalize_capability("SYS_ADMIN"), "CAP_SYS_ADMIN");
  EXPECT_EQ(*normalize_capability("cap_sys_admin"), "CAP_SYS_ADMIN");
  EXPECT_EQ(*normalize_capability("net_raw"), "CAP_NET_RAW");
  auto bad = normalize_capability("SYS_ADMINN");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "unknown capability 'SYS_ADMINN' (expected a name like SYS_ADMIN or CAP_NET_RAW)");
}

TEST(Context, ParsesKernelVersions) {
  EXPECT_EQ(*parse_kernel_version("5.10"), (KernelVersion{5, 10}));
  EXPECT_EQ(*parse_kernel_version("6.1.0-18-amd64"), (KernelVersion{6, 1}));
  EXPECT_EQ(*parse_kernel_version("4.8"), (KernelVersion{4, 8}));
  EXPECT_EQ(*parse_kernel_version("6.18.0"), (KernelVersion{6, 18}));
  EXPECT_EQ(*parse_kernel_version("6.9-rc1"), (KernelVersion{6, 9}));
  for (const char* bad : {"", "6", "six.one", "6.", "6.x", "5.10abc", "-1.2"}) {
    auto parsed = parse_kernel_version(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_NE(parsed.error().message.find("bad kernel version"), std::string::npos);
    }
  }
  EXPECT_LT((KernelVersion{4, 4}), (KernelVersion{4, 8}));
  EXPECT_LT((KernelVersion{4, 8}), (KernelVersion{4, 10}));
}

TEST(Context, RunningKernelIsRead) {
  const KernelVersion running = running_kernel_version();
  EXPECT_GE(running, (KernelVersion{3, 0}));
  EXPECT_EQ(Context{}.kernel, running);
}

TEST(Context, Describes) {
  Context context;
  context.kernel = {5, 10};
  EXPECT_EQ(describe(context), "caps: default (14), kernel 5.10, runc, libseccomp knowing every call");
  context.capabilities.insert("CAP_SYS_ADMIN");
  context.capabilities.erase("CAP_NET_RAW");
  context.oci_runtime = OciRuntime::kCrun;
  context.libseccomp = KernelVersion{2, 5};
  EXPECT_EQ(describe(context),
            "caps: default (14) +CAP_SYS_ADMIN -CAP_NET_RAW, kernel 5.10, crun, libseccomp 2.5");
}

}  // namespace
}  // namespace seccheck::analysis
