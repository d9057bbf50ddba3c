#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "container/image_run.h"
#include "container/oci_config.h"
#include "container/work_folder.h"

namespace seccheck::container {
namespace {

using Args = std::vector<std::string>;

// What `docker image inspect` 20.10 prints, cut to the fields read (and one that is not).
constexpr const char* kInspect = R"([{
  "Id": "sha256:895a",
  "Config": {
    "User": "1000:1000",
    "Env": ["PATH=/usr/bin:/bin", "MODE=serve"],
    "Entrypoint": ["/bin/app"],
    "Cmd": ["--port", "8080"],
    "WorkingDir": "/srv",
    "Labels": null
  }
}])";

TEST(ImageInspect, TakesEntrypointCmdEnvWorkdirAndUser) {
  auto image = parse_image_inspect(kInspect);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->entrypoint, (Args{"/bin/app"}));
  EXPECT_EQ(image->cmd, (Args{"--port", "8080"}));
  EXPECT_EQ(image->env, (Args{"PATH=/usr/bin:/bin", "MODE=serve"}));
  EXPECT_EQ(image->working_dir, "/srv");
  EXPECT_EQ(image->user, "1000:1000");
  EXPECT_EQ(image_command(*image), (Args{"/bin/app", "--port", "8080"}));
}

TEST(ImageInspect, NullFieldsAreEmpty) {
  // An imported root filesystem: docker prints null Entrypoint and empty strings.
  auto image = parse_image_inspect(R"([{"Config": {"Entrypoint": null, "Cmd": ["/bin/sh"], "User": "",
                                        "WorkingDir": "", "Env": null}}])");
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_TRUE(image->entrypoint.empty());
  EXPECT_EQ(image_command(*image), (Args{"/bin/sh"}));
  auto bare = parse_image_inspect(R"([{"Id": "sha256:1", "Config": null}])");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_TRUE(image_command(*bare).empty());
}

TEST(ImageInspect, RejectsWhatIsNotAnImage) {
  EXPECT_EQ(parse_image_inspect("Error: no such image").error().message,
            "image inspect: the engine's output is not JSON");
  EXPECT_EQ(parse_image_inspect("[]").error().message, "image inspect: the engine listed no image");
  EXPECT_EQ(parse_image_inspect(R"([{"Config": {"Cmd": "/bin/sh"}}])").error().message,
            "image inspect: Config.Cmd is not a list");
  EXPECT_EQ(parse_image_inspect(R"([{"Config": {"Env": [1]}}])").error().message,
            "image inspect: Config.Env holds a non-string");
  EXPECT_EQ(parse_image_inspect(R"([{"Config": {"User": 0}}])").error().message,
            "image inspect: Config.User is not a string");
}

TEST(EngineCommand, WrapsTheWorkloadWithSeccheckUnconfinedForThisRunOnly) {
  EngineRunSpec spec;
  spec.engine = "podman";
  spec.image = "example/app:1";
  spec.container_name = "seccheck-42-abcdef";
  spec.seccheck_host_path = "/usr/bin/seccheck-static";
  spec.out_host_dir = "/tmp/w/out";
  spec.engine_args = {"--cap-add", "SYS_ADMIN", "--network", "none"};
  spec.check_args = {"check", "--format", "json"};
  spec.workload = {"/bin/app", "--port", "8080"};
  EXPECT_EQ(engine_run_command(spec),
            (Args{"podman",
                  "run",
                  "--rm",
                  "--name",
                  "seccheck-42-abcdef",
                  "--security-opt",
                  "seccomp=unconfined",
                  "--volume",
                  std::string("/usr/bin/seccheck-static:") + kSeccheckInContainer + ":ro",
                  "--volume",
                  std::string("/tmp/w/out:") + kOutInContainer,
                  "--entrypoint",
                  kSeccheckInContainer,
                  "--cap-add",
                  "SYS_ADMIN",
                  "--network",
                  "none",
                  "example/app:1",
                  "check",
                  "--format",
                  "json",
                  "--",
                  "/bin/app",
                  "--port",
                  "8080"}));
  EXPECT_EQ(engine_inspect_command("docker", "x"), (Args{"docker", "image", "inspect", "x"}));
  EXPECT_EQ(engine_remove_command("docker", "n"), (Args{"docker", "rm", "--force", "n"}));
}

TEST(EngineCommand, ContainerOptionsAreOneEngineOptionEach) {
  ContainerOptions options;
  options.cap_add = {"SYS_ADMIN,NET_ADMIN", "CAP_BPF"};
  options.cap_drop = {"ALL"};
  options.privileged = true;
  options.user = "1000:1000";
  options.env = {"A=1", "B=x,y"};
  options.volumes = {"/data:/data:ro"};
  options.network = "none";
  EXPECT_EQ(engine_container_args(options),
            (Args{"--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-add", "CAP_BPF", "--cap-drop",
                  "ALL", "--privileged", "--user", "1000:1000", "--env", "A=1", "--env", "B=x,y", "--volume",
                  "/data:/data:ro", "--network", "none"}));
  EXPECT_EQ(engine_container_args({}), Args{});
}

TEST(ImageInspect, DescribesWhatRuns) {
  auto image = parse_image_inspect(kInspect);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(describe_image_run(*image, image_command(*image)),
            "runs /bin/app --port 8080 as user 1000:1000 in /srv (2 environment variables)");
  EXPECT_EQ(describe_image_run(ImageConfig{}, {"/bin/sh"}),
            "runs /bin/sh as user root in / (0 environment variables)");
}

TEST(EngineMessage, KeepsTheLastLineWithoutPrefixes) {
  EXPECT_EQ(engine_message("Error: No such image: nope\n"), "No such image: nope");
  EXPECT_EQ(
      engine_message("docker: Error response from daemon: pull access denied.\nSee 'docker run --help'.\n\n"),
      "pull access denied.");
  EXPECT_EQ(engine_message("Error: crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted\n"),
            "crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted");
  EXPECT_EQ(
      engine_message("docker: Error response from daemon: network bogus not found\n\nRun 'docker run --help' "
                     "for more information\n"),
      "network bogus not found");
  EXPECT_EQ(engine_message(""), "");
  EXPECT_TRUE(is_missing_image("Error: No such image: nope\n"));
  EXPECT_TRUE(is_missing_image("Error: nope: image not known\n"));
  EXPECT_FALSE(is_missing_image("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n"));
}

TEST(StderrRelay, PassesStderrOnAndKeepsItsEnd) {
  StderrRelay relay;
  ASSERT_GE(relay.fd(), 0);
  ASSERT_EQ(write(relay.fd(), "first\n", 6), 6);
  const std::string long_line(5000, 'x');
  ASSERT_EQ(write(relay.fd(), long_line.data(), long_line.size()), static_cast<ssize_t>(long_line.size()));
  ASSERT_EQ(write(relay.fd(), "\nlast\n", 6), 6);
  const std::string kept = relay.finish();
  EXPECT_EQ(kept.size(), 4096u);
  EXPECT_EQ(engine_message(kept), "last");
  EXPECT_EQ(relay.finish(), kept) << "finish() twice keeps the same";
}

TEST(CaptureCommand, CapturesBothStreamsAndTheStatus) {
  auto output = capture_command({"/bin/sh", "-c", "echo out; echo err >&2; exit 7"}, 30);
  EXPECT_EQ(output.status, 7);
  EXPECT_EQ(output.out, "out\n");
  EXPECT_EQ(output.err, "err\n");
  EXPECT_FALSE(output.timed_out);
  auto missing = capture_command({"/nonexistent/engine"}, 30);
  EXPECT_EQ(missing.status, -1);
  EXPECT_EQ(missing.error_number, ENOENT);
}

TEST(CaptureCommand, KillsAHungCommandAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  auto output = capture_command({"/bin/sleep", "30"}, 1);
  EXPECT_TRUE(output.timed_out);
  EXPECT_EQ(output.status, 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(WorkFolder, PlacesFilesForTheContainerAndLeavesNothingBehind) {
  std::string dir;
  {
    WorkFolder folder("test");
    dir = folder.dir();
    EXPECT_EQ(folder.place_text("{}", "p.json"), std::string(kOutInContainer) + "/p.json");
    EXPECT_TRUE(std::filesystem::is_regular_file(folder.output_path("p.json")));
    struct stat st {};
    ASSERT_EQ(stat(folder.out_dir().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0777u) << "the container's user must be able to write the report";
    EXPECT_EQ(folder.id().rfind("seccheck-", 0), 0u);
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace seccheck::container
