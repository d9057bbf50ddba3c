#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "container/oci_config.h"

namespace seccheck::container {
namespace {

// A bundle folder with a rootfs/ (what parse_bundle_config checks exists).
class OciConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccheck-oci-config-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(mkdir((dir_ + "/rootfs").c_str(), 0755), 0);
  }
  void TearDown() override {
    rmdir((dir_ + "/rootfs").c_str());
    rmdir(dir_.c_str());
  }
  nlohmann::json minimal() const {
    return {{"ociVersion", "1.0.2"},
            {"process", {{"args", {"/bin/app", "--serve"}}, {"terminal", true}}},
            {"root", {{"path", "rootfs"}, {"readonly", true}}},
            {"mounts", {{{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"}}}},
            {"linux", {{"namespaces", {{{"type", "pid"}}}}}}};
  }
  std::string dir_;
};

TEST_F(OciConfigTest, TakesArgsRootAndBoundingCapabilities) {
  nlohmann::json config = minimal();
  config["process"]["capabilities"] = {{"bounding", {"CAP_KILL", "CAP_SYS_ADMIN"}},
                                       {"effective", {"CAP_KILL"}}};
  auto bundle = parse_bundle_config(config.dump(), dir_);
  ASSERT_TRUE(bundle) << bundle.error().message;
  EXPECT_EQ(bundle->args, (std::vector<std::string>{"/bin/app", "--serve"}));
  EXPECT_EQ(bundle->rootfs, dir_ + "/rootfs");
  EXPECT_EQ(bundle->capabilities, (std::set<std::string>{"CAP_KILL", "CAP_SYS_ADMIN"}));
  EXPECT_FALSE(bundle->declared_profile);
}

TEST_F(OciConfigTest, NoCapabilitiesMeansNone) {
  auto bundle = parse_bundle_config(minimal().dump(), dir_);
  ASSERT_TRUE(bundle);
  EXPECT_TRUE(bundle->capabilities.empty());
}

TEST_F(OciConfigTest, RejectsWhatIsNotAnOciConfig) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "config.json: not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"process": {"args": ["/x"]}, "root": {"path": "rootfs"}})", "no \"ociVersion\" string"},
      {R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"}})", "no process.args"},
      {R"({"ociVersion": "1.0.2", "process": {"args": "/x"}, "root": {"path": "rootfs"}})",
       "process.args is not a list of strings"},
      {R"({"ociVersion": "1.0.2", "process": {"args": []}, "root": {"path": "rootfs"}})",
       "process.args is empty"},
      {R"({"ociVersion": "1.0.2", "process": {"args": ["/x"]}})", "no root.path string"},
      {R"({"ociVersion": "1.0.2", "process": {"args": ["/x"]}, "root": {"path": "nope"}})",
       "is not a folder"},
      {R"({"ociVersion": "1.0.2", "process": {"args": ["/x"], "capabilities": {"bounding": ["CAP_FLY"]}},
           "root": {"path": "rootfs"}})",
       "process.capabilities.bounding"},
  };
  for (const auto& [text, message] : cases) {
    auto bundle = parse_bundle_config(text, dir_);
    ASSERT_FALSE(bundle) << text;
    EXPECT_NE(bundle.error().message.find(message), std::string::npos)
        << text << " -> " << bundle.error().message;
  }
}

TEST_F(OciConfigTest, WrapsArgsMountsSeccheckAndRemovesTheDeclaredProfile) {
  nlohmann::json config = minimal();
  config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ERRNO"},
                                {"architectures", {"SCMP_ARCH_X86_64"}},
                                {"syscalls", {{{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}}}}};
  auto bundle = parse_bundle_config(config.dump(), dir_);
  ASSERT_TRUE(bundle);
  ASSERT_TRUE(bundle->declared_profile);
  EXPECT_EQ(describe_declared_profile(*bundle->declared_profile),
            "linux.seccomp of config.json: defaultAction SCMP_ACT_ERRNO, 1 syscall rule, architectures "
            "SCMP_ARCH_X86_64");
  WrapSpec spec{"/usr/bin/seccheck-static", "/tmp/work/out", {"check", "--init"}, {}};
  auto wrapped = wrap_config(*bundle, spec);
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_EQ((*wrapped)["process"]["args"],
            nlohmann::json({kSeccheckInContainer, "check", "--init", "--", "/bin/app", "--serve"}));
  EXPECT_EQ((*wrapped)["process"]["terminal"], false);
  EXPECT_EQ((*wrapped)["root"]["path"], dir_ + "/rootfs");
  EXPECT_FALSE((*wrapped)["linux"].contains("seccomp"));
  EXPECT_TRUE((*wrapped)["linux"].contains("namespaces"));
  const auto& mounts = (*wrapped)["mounts"];
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[1]["destination"], kSeccheckInContainer);
  EXPECT_EQ(mounts[1]["source"], "/usr/bin/seccheck-static");
  EXPECT_NE(mounts[1]["options"].dump().find("\"ro\""), std::string::npos);
  EXPECT_EQ(mounts[2]["destination"], kOutInContainer);
  EXPECT_EQ(mounts[2]["source"], "/tmp/work/out");
  // The original is untouched.
  EXPECT_TRUE(bundle->config["linux"].contains("seccomp"));
  EXPECT_EQ(bundle->config["process"]["args"].size(), 2u);

  spec.workload = {"/bin/other"};
  EXPECT_EQ((*wrap_config(*bundle, spec))["process"]["args"].back(), "/bin/other");
}

TEST_F(OciConfigTest, RefusesAConfigWithoutADevTmpfs) {
  nlohmann::json config = minimal();
  config["mounts"] = nlohmann::json::array();
  auto bundle = parse_bundle_config(config.dump(), dir_);
  ASSERT_TRUE(bundle);
  auto wrapped = wrap_config(*bundle, WrapSpec{"/s", "/o", {"check"}, {}});
  ASSERT_FALSE(wrapped);
  EXPECT_NE(wrapped.error().message.find("no tmpfs on /dev"), std::string::npos);
}

}  // namespace
}  // namespace seccheck::container
