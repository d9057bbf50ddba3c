#include "cli/check_plan.h"

#include <seccomp.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace seccheck::cli {
namespace {

// A rebuilt or reinstalled seccheck may carry another catalog or compiler: its identity is
// part of every key.
std::optional<std::string> binary_identity() {
  struct stat st {};
  if (stat("/proc/self/exe", &st) != 0) return std::nullopt;
  std::ostringstream out;
  out << st.st_dev << ':' << st.st_ino << ':' << st.st_size << ':' << st.st_mtim.tv_sec << '.'
      << st.st_mtim.tv_nsec;
  return out.str();
}

// A --profile value as load_profiles reads it: a file's bytes are part of the key (a changed
// file is another plan); a catalog name stands for itself. A pipe (`--profile <(...)`) can be
// read only once, by the run itself: such a run has no plan.
bool append_spec(std::ostringstream& key, const char* label, const std::string& spec) {
  key << label << ' ' << spec.size() << ':' << spec << '\n';
  struct stat st {};
  if (stat(spec.c_str(), &st) != 0) return true;
  if (!S_ISREG(st.st_mode)) return false;
  std::ifstream file(spec, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  key << "  file " << bytes.str().size() << ':' << bytes.str() << '\n';
  return true;
}

std::string entry_input(const std::string& key, std::size_t index, bool last) {
  return key + "filter " + std::to_string(index) + (last ? " (last)\n" : "\n");
}

}  // namespace

std::optional<std::string> check_plan_key(const std::vector<std::string>& profile_specs,
                                          const std::string& enforce_spec, const analysis::Context& context,
                                          bool record_all) {
  auto binary = binary_identity();
  if (!binary) return std::nullopt;
  const scmp_version* lib = seccomp_version();
  std::ostringstream key;
  key << "seccheck check plan 1\nversion " << SECCHECK_VERSION << "\nbinary " << *binary << "\nlibseccomp "
      << lib->major << '.' << lib->minor << '.' << lib->micro << "\nmode " << (record_all ? "record" : "fast")
      << '\n';
  for (const std::string& spec : profile_specs)
    if (!append_spec(key, "profile", spec)) return std::nullopt;
  if (!enforce_spec.empty() && !append_spec(key, "enforce", enforce_spec)) return std::nullopt;
  key << "caps";
  for (const std::string& cap : context.capabilities)
    key << ' ' << cap;
  key << "\narch " << static_cast<int>(context.host_arch) << "\nkernel "
      << analysis::to_string(context.kernel) << "\nruntime " << static_cast<int>(context.runtime)
      << "\nlibseccomp-model " << (context.libseccomp ? analysis::to_string(*context.libseccomp) : "all")
      << "\nloader " << (context.loader ? static_cast<int>(*context.loader) : -1) << '\n';
  return key.str();
}

std::optional<std::vector<BpfProgram>> find_check_plan(const analysis::FilterCache& cache,
                                                       const std::string& key) {
  // Entry i, then either entry i+1 or the one marked last: a plan stored only in part is a miss.
  std::vector<BpfProgram> filters;
  for (std::size_t index = 0;; ++index) {
    BpfProgram program;
    program.description = "from the plan cache";
    program.from_cache = true;
    if (auto instructions = cache.find(entry_input(key, index, false))) {
      program.instructions = std::move(*instructions);
      filters.push_back(std::move(program));
      continue;
    }
    auto last = cache.find(entry_input(key, index, true));
    if (!last) return std::nullopt;
    program.instructions = std::move(*last);
    filters.push_back(std::move(program));
    return filters;
  }
}

void store_check_plan(const analysis::FilterCache& cache, const std::string& key,
                      const std::vector<BpfProgram>& filters) {
  // The last entry is written last, so a reader never finds a plan whose end is missing.
  for (std::size_t index = 0; index < filters.size(); ++index)
    cache.store(entry_input(key, index, index + 1 == filters.size()), filters[index].instructions);
}

}  // namespace seccheck::cli
