// The Job manifest: it must parse as YAML and carry what a cluster requires. Parsed by
// python3-yaml (a test oracle; the test skips when it is missing).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "container/k8s_job.h"
#include "tests/support/run_process.h"

namespace seccheck::container {
namespace {

TEST(K8sJob, ParsesAsYamlWithEveryRequiredField) {
  if (std::system("python3 -c 'import yaml' 2>/dev/null") != 0)
    GTEST_SKIP() << "python3-yaml is not installed";
  JobSpec spec;
  spec.name = "seccheck-registry-example-com-app-1-2";
  spec.image = "registry.example.com/app:1.2";
  spec.command = {"/app/server", "--self-test", "a \"quoted\": value"};
  spec.seccheck_image = "seccheck:0.1.0";
  spec.cap_add = {"SYS_ADMIN"};
  spec.cap_drop = {"NET_RAW"};
  char path[] = "/tmp/seccheck-job-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << job_manifest_yaml(spec);
  // Prints the fields a cluster needs, one per line, or fails.
  const std::string script = R"(
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
assert len(docs) == 1, len(docs)
job = docs[0]
assert job['apiVersion'] == 'batch/v1' and job['kind'] == 'Job'
pod = job['spec']['template']['spec']
assert pod['restartPolicy'] in ('Never', 'OnFailure')
init, = pod['initContainers']
main, = pod['containers']
print(job['metadata']['name'])
print(init['image'], init['command'][-1], init['volumeMounts'][0]['mountPath'])
print(main['name'], main['image'])
print(' | '.join(main['command']))
print(main['securityContext']['seccompProfile']['type'])
print(main['securityContext']['capabilities']['add'], main['securityContext']['capabilities']['drop'])
print(pod['volumes'][0]['name'], pod['volumes'][0]['emptyDir'], main['volumeMounts'][0]['readOnly'])
)";
  testing::ProcessOutput out = testing::run_process({"/usr/bin/env", "python3", "-c", script, path});
  std::remove(path);
  ASSERT_EQ(out.exit_status, 0) << out.err;
  EXPECT_EQ(
      out.out,
      "seccheck-registry-example-com-app-1-2\n"
      "seccheck:0.1.0 /seccheck/seccheck /seccheck\n"
      "check registry.example.com/app:1.2\n"
      "/seccheck/seccheck | check | --format | json | -q | --init | --cap-add | SYS_ADMIN | --cap-drop | "
      "NET_RAW | -- | /app/server | --self-test | a \"quoted\": value\n"
      "Unconfined\n"
      "['SYS_ADMIN'] ['NET_RAW']\n"
      "seccheck {} True\n");
}

}  // namespace
}  // namespace seccheck::container
