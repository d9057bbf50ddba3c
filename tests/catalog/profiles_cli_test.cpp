// `seccheck profiles list | show | diff`, run as the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace seccheck {
namespace {

using testing::run_process;
using testing::seccheck_binary;

testing::ProcessOutput seccheck(std::vector<std::string> args) {
  args.insert(args.begin(), seccheck_binary());
  return run_process(args, 30);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(ProfilesCli, ListsEveryEntryWithProvenance) {
  auto out = seccheck({"profiles", "list"});
  ASSERT_EQ(out.exit_status, 0) << out.err;
  EXPECT_TRUE(has(out.out, "docker@25.0.3")) << out.out;
  EXPECT_TRUE(has(out.out, "v25.0.3 … v28.1.1 (45 tags)"));
  EXPECT_TRUE(has(out.out, "docker@29.4.3"));
  EXPECT_TRUE(has(out.out, "latest  docker-v29.4.3"));
  EXPECT_TRUE(has(out.out, "containers-common@main-8840603a87"));
  int entries = 0;  // rows whose RUNTIME column names a runtime
  for (const char* runtime : {"  docker  ", "  containerd  ", "  containers-common  "}) {
    for (std::size_t at = out.out.find(runtime); at != std::string::npos; at = out.out.find(runtime, at + 1))
      ++entries;
  }
  EXPECT_EQ(entries, 27);
}

TEST(ProfilesCli, ShowsRulesWithConditions) {
  auto out = seccheck({"profiles", "show", "docker@24.0"});
  ASSERT_EQ(out.exit_status, 0) << out.err;
  EXPECT_EQ(
      out.out.substr(0, out.out.find('\n')),
      "docker@24.0 = docker@23.0.7 (the profile of v24.0.9, the newest 24.0 release the catalog knows)");
  EXPECT_TRUE(has(out.out, "ERRNO(38) if no CAP_SYS_ADMIN:\n        clone3")) << out.out;
  EXPECT_TRUE(has(
      out.out, "ALLOW [arg0&0x7e020000==0] if no CAP_SYS_ADMIN, arch not in {s390,s390x}:\n        clone"));
  EXPECT_TRUE(has(out.out, "ALLOW if kernel >= 4.8:\n        process_vm_readv, process_vm_writev, ptrace"));
  EXPECT_TRUE(has(out.out, "default:       ERRNO (EPERM, defaultErrnoRet 1)"));
}

TEST(ProfilesCli, ShowJsonIsAProfile) {
  auto out = seccheck({"profiles", "show", "crio", "--json"});
  ASSERT_EQ(out.exit_status, 0) << out.err;
  auto json = nlohmann::json::parse(out.out);
  EXPECT_EQ(json["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(json["defaultErrnoRet"], 38);
  EXPECT_EQ(json["syscalls"].size(), 40u);

  auto several = seccheck({"profiles", "show", "runtime-default", "--json"});
  ASSERT_EQ(several.exit_status, 0) << several.err;
  EXPECT_EQ(nlohmann::json::parse(several.out).size(), 3u);
}

TEST(ProfilesCli, DiffIsPerSyscallForAContext) {
  auto out = seccheck({"profiles", "diff", "docker", "containerd", "--kernel", "6.1"});
  ASSERT_EQ(out.exit_status, 0) << out.err;
  EXPECT_TRUE(has(out.out, "lsm_get_self_attr  EPERM          allow")) << out.out;
  EXPECT_TRUE(has(out.out, "3 syscalls differ"));
  // clone: the same rules in another order are no difference.
  EXPECT_FALSE(has(out.out, "\nclone"));

  auto old = seccheck({"profiles", "diff", "docker@20.10.0", "docker@20.10.10", "--kernel", "6.1"});
  ASSERT_EQ(old.exit_status, 0) << old.err;
  EXPECT_TRUE(has(old.out, "clone3           EPERM               ENOSYS")) << old.out;

  // minKernel: containers-common allows ptrace on any kernel, Docker from 4.8.
  auto k44 = seccheck({"profiles", "diff", "crio", "docker", "--kernel", "4.4"});
  ASSERT_EQ(k44.exit_status, 0) << k44.err;
  EXPECT_TRUE(has(k44.out, "\nptrace ")) << k44.out;
  auto k510 = seccheck({"profiles", "diff", "crio", "docker", "--kernel", "5.10"});
  EXPECT_FALSE(has(k510.out, "\nptrace ")) << k510.out;

  // Capabilities: with CAP_SYS_ADMIN Docker allows mount like containers-common does.
  auto plain = seccheck({"profiles", "diff", "crio", "docker", "--kernel", "6.1"});
  auto admin = seccheck({"profiles", "diff", "crio", "docker", "--kernel", "6.1", "--cap-add", "SYS_ADMIN"});
  EXPECT_TRUE(has(plain.out, "\nmount ")) << plain.out;
  EXPECT_FALSE(has(admin.out, "\nmount ")) << admin.out;
}

TEST(ProfilesCli, RawDiffListsRulesAddedAndRemoved) {
  auto out = seccheck({"profiles", "diff", "docker@20.10.4", "docker@20.10.10", "--raw"});
  ASSERT_EQ(out.exit_status, 0) << out.err;
  EXPECT_TRUE(has(out.out, "  + ALLOW if CAP_SYS_ADMIN: clone3\n")) << out.out;
  EXPECT_TRUE(has(out.out, "  + ERRNO(38) if no CAP_SYS_ADMIN: clone3\n"));
  EXPECT_EQ(count_lines(out.out), 3);

  auto same = seccheck({"profiles", "diff", "docker@23.0.7", "docker@24.0", "--raw"});
  ASSERT_EQ(same.exit_status, 0) << same.err;
  EXPECT_TRUE(has(same.out, "(no difference"));
}

TEST(ProfilesCli, BadInputIsOneLineAndExitTwo) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"profiles", "show", "dockr"}, "unknown profile 'dockr'"},
      {{"profiles", "diff", "docker", "nope@1.0"}, "unknown profile 'nope@1.0'"},
      {{"profiles", "diff", "docker", "containerd", "--kernel", "five"},
       "--kernel: bad kernel version 'five'"},
      {{"profiles", "diff", "docker", "containerd", "--cap-add", "SYS_ADMINN"},
       "--cap-add: unknown capability"},
      {{"profiles", "diff", "docker", "containerd", "--libseccomp", "2.4"}, "--libseccomp: '2.4'"},
      {{"profiles", "diff", "docker", "containerd", "--runtime", "youki"}, "--runtime"},
      {{"profiles", "diff", "runtime-default", "docker"}, "names 3 profiles"},
      {{"profiles", "show", "/nonexistent/p.json"}, "/nonexistent/p.json"},
  };
  for (const auto& [args, message] : cases) {
    auto out = seccheck(args);
    EXPECT_EQ(out.exit_status, 2) << args[1] << " " << args[2] << ": " << out.err;
    EXPECT_TRUE(has(out.err, message)) << out.err;
    EXPECT_EQ(count_lines(out.err), 1) << out.err;
  }
}

}  // namespace
}  // namespace seccheck
