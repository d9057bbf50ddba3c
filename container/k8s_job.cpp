#include "container/k8s_job.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace seccheck::container {
namespace {

// A JSON string is a valid YAML double-quoted scalar.
std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

void list(std::ostringstream& out, const std::string& indent, const std::vector<std::string>& items) {
  for (const auto& item : items)
    out << indent << "- " << quoted(item) << "\n";
}

std::string without_cap_prefix(const std::string& name) {
  return name.rfind("CAP_", 0) == 0 ? name.substr(4) : name;
}

}  // namespace

std::string job_manifest_yaml(const JobSpec& spec) {
  std::vector<std::string> check = {"/seccheck/seccheck", "check", "--format", "json", "-q", "--init"};
  // The check's context is the pod's: the same capability changes the container gets.
  for (const auto& cap : spec.cap_add)
    check.insert(check.end(), {"--cap-add", without_cap_prefix(cap)});
  for (const auto& cap : spec.cap_drop)
    check.insert(check.end(), {"--cap-drop", without_cap_prefix(cap)});
  if (spec.privileged) check.push_back("--privileged");
  check.insert(check.end(), spec.check_options.begin(), spec.check_options.end());
  check.push_back("--");
  check.insert(check.end(), spec.command.begin(), spec.command.end());

  std::ostringstream out;
  out << "# seccheck: checks " << spec.image << " against the RuntimeDefault seccomp profiles.\n"
      << "# The pod runs seccomp Unconfined (this Job only) so seccheck can trace; its log is the\n"
      << "# workload's output followed by the JSON report (kubectl logs job/" << spec.name << ").\n"
      << "apiVersion: batch/v1\n"
      << "kind: Job\n"
      << "metadata:\n"
      << "  name: " << quoted(spec.name) << "\n"
      << "  labels:\n"
      << "    app.kubernetes.io/name: \"seccheck\"\n"
      << "spec:\n"
      << "  backoffLimit: 0\n"
      << "  ttlSecondsAfterFinished: 86400\n"
      << "  template:\n"
      << "    metadata:\n"
      << "      labels:\n"
      << "        app.kubernetes.io/name: \"seccheck\"\n"
      << "    spec:\n"
      << "      restartPolicy: Never\n"
      << "      volumes:\n"
      << "        - name: seccheck\n"
      << "          emptyDir: {}\n"
      << "      initContainers:\n"
      << "        - name: seccheck-copy\n"
      << "          image: " << quoted(spec.seccheck_image) << "\n"
      << "          command:\n";
  list(out, "            ", {"cp", "/usr/bin/seccheck-static", "/seccheck/seccheck"});
  out << "          volumeMounts:\n"
      << "            - name: seccheck\n"
      << "              mountPath: /seccheck\n"
      << "      containers:\n"
      << "        - name: check\n"
      << "          image: " << quoted(spec.image) << "\n"
      << "          command:\n";
  list(out, "            ", check);
  out << "          securityContext:\n"
      << "            seccompProfile:\n"
      << "              type: Unconfined\n";
  if (spec.privileged) out << "            privileged: true\n";
  if (!spec.cap_add.empty() || !spec.cap_drop.empty()) {
    out << "            capabilities:\n";
    std::vector<std::string> add, drop;
    for (const auto& cap : spec.cap_add)
      add.push_back(without_cap_prefix(cap));
    for (const auto& cap : spec.cap_drop)
      drop.push_back(without_cap_prefix(cap));
    if (!add.empty()) {
      out << "              add:\n";
      list(out, "                ", add);
    }
    if (!drop.empty()) {
      out << "              drop:\n";
      list(out, "                ", drop);
    }
  }
  out << "          volumeMounts:\n"
      << "            - name: seccheck\n"
      << "              mountPath: /seccheck\n"
      << "              readOnly: true\n";
  return out.str();
}

}  // namespace seccheck::container
