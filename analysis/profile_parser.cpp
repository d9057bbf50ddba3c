#include "analysis/profile_parser.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "analysis/json_input.h"
#include "analysis/profile_names.h"
#include "analysis/syscall_names.h"
#include "core/errno_names.h"

namespace seccheck::analysis {
namespace {

using nlohmann::json;

// Every SCMP_ARCH_* libseccomp 2.5 defines (the names OCI profiles use).
constexpr std::string_view kScmpArches[] = {
    "SCMP_ARCH_NATIVE",      "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",         "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

// The arch names moby's loader compares includes/excludes.arches with.
constexpr std::string_view kMobyArches[] = {
    "amd64",     "x86",         "x32",         "arm",      "arm64", "mips",    "mipsel", "mips64",
    "mips64n32", "mipsel64",    "mipsel64n32", "ppc",      "ppc64", "ppc64le", "s390",   "s390x",
    "riscv64",   "loongarch64", "parisc",      "parisc64", "m68k",  "sh",      "sheb",
};

constexpr std::string_view kFlags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",       "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",  "SECCOMP_FILTER_FLAG_NEW_LISTENER",
    "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

template <typename Range> std::string one_of(const Range& range) {
  std::string out;
  for (const auto& item : range) {
    std::string_view name;
    if constexpr (std::is_same_v<std::decay_t<decltype(item)>, std::string_view>) {
      name = item;
    } else {
      name = item.scmp;  // ActionName, OpName: as profiles spell them
    }
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

struct ParseFailure {
  std::string message;
};

class Parser {
 public:
  explicit Parser(const std::string& source) : source_(source) {}

  Profile parse(const json& document) {
    std::string root;
    const json* body = &document;
    if (!document.is_object())
      fail("", "expected a JSON object (a seccomp profile), got " + type_name(document));
    // A Security Profiles Operator SeccompProfile object: the profile is its spec, which
    // uses the same field names as the OCI / Docker format.
    const bool spo_kind = document.contains("kind") && document["kind"] == "SeccompProfile";
    const bool spo_api =
        document.contains("apiVersion") && document["apiVersion"].is_string() &&
        document["apiVersion"].get<std::string>().rfind("security-profiles-operator", 0) == 0;
    if (spo_kind || spo_api) {
      if (!document.contains("spec")) fail("spec", "a SeccompProfile object without a spec");
      body = &document["spec"];
      root = "spec";
      if (!body->is_object()) fail(root, "expected an object, got " + type_name(*body));
      if (body->contains("baseProfileName"))
        warn(root + ".baseProfileName: not followed (seccheck checks the spec's own rules only)");
    }
    return parse_body(*body, root);
  }

  std::vector<std::string> warnings;

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw ParseFailure{source_ + ": " + (path.empty() ? "" : path + ": ") + message};
  }
  void warn(const std::string& message) {
    if (warned_.insert(message).second) warnings.push_back(message);
  }
  static std::string join(const std::string& base, const std::string& key) {
    return base.empty() ? key : base + "." + key;
  }

  const json* field(const json& object, const std::string& key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string get_string(const json& value, const std::string& path) {
    if (!value.is_string()) fail(path, "expected a string, got " + type_name(value));
    return value.get<std::string>();
  }
  std::uint64_t get_u64(const json& value, const std::string& path) {
    if (value.is_number_unsigned()) return value.get<std::uint64_t>();
    if (value.is_number_integer()) fail(path, "expected a non-negative integer, got " + value.dump());
    fail(path, "expected a non-negative integer, got " + type_name(value));
  }
  std::uint32_t get_errno(const json& value, const std::string& path) {
    std::uint64_t number = get_u64(value, path);
    if (number > 0xffff) fail(path, "errno " + std::to_string(number) + " out of range (0..65535)");
    return static_cast<std::uint32_t>(number);
  }
  std::vector<std::string> get_strings(const json& value, const std::string& path) {
    if (!value.is_array()) fail(path, "expected an array of strings, got " + type_name(value));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(get_string(value[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }
  const json& get_object(const json& value, const std::string& path) {
    if (!value.is_object()) fail(path, "expected an object, got " + type_name(value));
    return value;
  }

  ActionKind parse_action(const json& value, const std::string& path) {
    std::string name = get_string(value, path);
    if (auto kind = parse_scmp_action(name)) return *kind;
    fail(path, "unknown action \"" + name + "\" (expected one of " + one_of(action_names()) + ")");
  }
  std::string parse_scmp_arch(const json& value, const std::string& path) {
    std::string name = get_string(value, path);
    if (std::find(std::begin(kScmpArches), std::end(kScmpArches), name) == std::end(kScmpArches))
      fail(path, "unknown architecture \"" + name +
                     "\" (expected SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, "
                     "SCMP_ARCH_AARCH64, ... as libseccomp names them)");
    return name;
  }
  std::uint32_t parse_errno_name(const json& value, const std::string& path) {
    std::string name = get_string(value, path);
    auto number = errno_number(name);
    if (!number) fail(path, "unknown errno name \"" + name + "\" (expected a name like EPERM or ENOSYS)");
    return *number;
  }

  RuleFilter parse_filter(const json& value, const std::string& path) {
    const json& object = get_object(value, path);
    RuleFilter filter;
    if (const json* caps = field(object, "caps")) {
      filter.caps = get_strings(*caps, path + ".caps");
      for (std::size_t i = 0; i < filter.caps.size(); ++i) {
        std::string& cap = filter.caps[i];
        std::string upper;
        for (char c : cap)
          upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper.rfind("CAP_", 0) != 0 || upper.size() <= 4)
          fail(path + ".caps[" + std::to_string(i) + "]",
               "\"" + cap + "\" is not a capability name (expected CAP_SYS_ADMIN style)");
      }
    }
    if (const json* arches = field(object, "arches")) {
      filter.arches = get_strings(*arches, path + ".arches");
      for (const std::string& arch : filter.arches) {
        // Real files carry misspelt names (Debian's "mips3l64n32"); they never match, as in the
        // runtimes, so they are a warning rather than an error.
        if (std::find(std::begin(kMobyArches), std::end(kMobyArches), arch) == std::end(kMobyArches))
          warn(path + ".arches: unknown architecture \"" + arch + "\" never matches");
      }
    }
    if (const json* kernel = field(object, "minKernel")) {
      filter.min_kernel = get_string(*kernel, path + ".minKernel");
      bool valid =
          !filter.min_kernel.empty() && std::isdigit(static_cast<unsigned char>(filter.min_kernel[0]));
      int dots = 0;
      for (char c : filter.min_kernel) {
        if (c == '.')
          ++dots;
        else if (!std::isdigit(static_cast<unsigned char>(c)))
          valid = false;
      }
      if (!valid || dots < 1 || dots > 2 || filter.min_kernel.back() == '.')
        fail(path + ".minKernel",
             "\"" + filter.min_kernel + "\" is not a kernel version (expected \"4.8\" style)");
    }
    return filter;
  }

  ArgCondition parse_arg(const json& value, const std::string& path) {
    const json& object = get_object(value, path);
    ArgCondition arg;
    const json* index = field(object, "index");
    if (!index) fail(path + ".index", "missing (expected the argument index 0..5)");
    std::uint64_t i = get_u64(*index, path + ".index");
    if (i > 5) fail(path + ".index", "argument index " + std::to_string(i) + " out of range (0..5)");
    arg.index = static_cast<unsigned>(i);
    if (const json* v = field(object, "value")) arg.value = get_u64(*v, path + ".value");
    if (const json* v = field(object, "valueTwo")) arg.value_two = get_u64(*v, path + ".valueTwo");
    const json* op = field(object, "op");
    if (!op) fail(path + ".op", "missing (expected one of " + one_of(op_names()) + ")");
    std::string op_text = get_string(*op, path + ".op");
    auto parsed_op = parse_scmp_op(op_text);
    if (!parsed_op)
      fail(path + ".op",
           "unknown comparison \"" + op_text + "\" (expected one of " + one_of(op_names()) + ")");
    arg.op = *parsed_op;
    return arg;
  }

  Rule parse_rule(const json& value, const std::string& path, int index) {
    const json& object = get_object(value, path);
    Rule rule;
    rule.source_index = index;
    const json* names = field(object, "names");
    const json* name = field(object, "name");
    if (names && name && !names->empty()) fail(path, "both \"name\" and \"names\" are given (use either)");
    if (names) rule.names = get_strings(*names, path + ".names");
    if (name) rule.names.push_back(get_string(*name, path + ".name"));
    if (rule.names.empty()) warn(path + ": rule names no syscall");
    for (const std::string& syscall : rule.names) {
      if (!is_known_profile_syscall(syscall)) warn("unknown syscall \"" + syscall + "\" (runtimes skip it)");
    }
    const json* action = field(object, "action");
    if (!action) fail(path + ".action", "missing (expected one of " + one_of(action_names()) + ")");
    rule.action.kind = parse_action(*action, path + ".action");
    if (const json* ret = field(object, "errnoRet")) rule.action.value = get_errno(*ret, path + ".errnoRet");
    if (const json* errno_text = field(object, "errno")) {
      // containers-common's loader prefers the name over errnoRet.
      rule.errno_name = get_string(*errno_text, path + ".errno");
      rule.action.value = parse_errno_name(*errno_text, path + ".errno");
    }
    if (rule.action.value && rule.action.kind != ActionKind::kErrno && rule.action.kind != ActionKind::kTrace)
      warn(path + ".errnoRet: ignored for an action other than SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    if (const json* args = field(object, "args")) {
      if (!args->is_array()) fail(path + ".args", "expected an array, got " + type_name(*args));
      for (std::size_t i = 0; i < args->size(); ++i)
        rule.args.push_back(parse_arg((*args)[i], path + ".args[" + std::to_string(i) + "]"));
    }
    if (const json* includes = field(object, "includes"))
      rule.includes = parse_filter(*includes, path + ".includes");
    if (const json* excludes = field(object, "excludes"))
      rule.excludes = parse_filter(*excludes, path + ".excludes");
    if (const json* comment = field(object, "comment"))
      rule.comment = get_string(*comment, path + ".comment");
    return rule;
  }

  Profile parse_body(const json& object, const std::string& root) {
    Profile profile;
    profile.name = source_;
    profile.source = source_;
    const std::string default_path = join(root, "defaultAction");
    const json* default_action = field(object, "defaultAction");
    if (!default_action) fail(default_path, "missing (expected one of " + one_of(action_names()) + ")");
    profile.default_action.kind = parse_action(*default_action, default_path);
    if (const json* ret = field(object, "defaultErrnoRet"))
      profile.default_errno_ret = get_errno(*ret, join(root, "defaultErrnoRet"));
    if (const json* name = field(object, "defaultErrno")) {
      profile.default_errno_name = get_string(*name, join(root, "defaultErrno"));
      profile.default_errno_ret = parse_errno_name(*name, join(root, "defaultErrno"));
    }
    if (const json* arches = field(object, "architectures")) {
      const std::string path = join(root, "architectures");
      if (!arches->is_array()) fail(path, "expected an array of strings, got " + type_name(*arches));
      for (std::size_t i = 0; i < arches->size(); ++i)
        profile.architectures.push_back(parse_scmp_arch((*arches)[i], path + "[" + std::to_string(i) + "]"));
    }
    if (const json* arch_map = field(object, "archMap")) {
      const std::string path = join(root, "archMap");
      if (!arch_map->is_array()) fail(path, "expected an array, got " + type_name(*arch_map));
      for (std::size_t i = 0; i < arch_map->size(); ++i) {
        const std::string entry_path = path + "[" + std::to_string(i) + "]";
        const json& entry = get_object((*arch_map)[i], entry_path);
        ArchMapEntry mapped;
        const json* arch = field(entry, "architecture");
        if (!arch) fail(entry_path + ".architecture", "missing (expected an SCMP_ARCH_* name)");
        mapped.architecture = parse_scmp_arch(*arch, entry_path + ".architecture");
        if (const json* subs = field(entry, "subArchitectures")) {
          if (!subs->is_array())
            fail(entry_path + ".subArchitectures", "expected an array of strings, got " + type_name(*subs));
          for (std::size_t j = 0; j < subs->size(); ++j)
            mapped.sub_architectures.push_back(
                parse_scmp_arch((*subs)[j], entry_path + ".subArchitectures[" + std::to_string(j) + "]"));
        }
        profile.arch_map.push_back(std::move(mapped));
      }
    }
    if (!profile.architectures.empty() && !profile.arch_map.empty())
      fail(root, "both \"architectures\" and \"archMap\" are given (use either, as Docker requires)");
    if (const json* flags = field(object, "flags")) {
      const std::string path = join(root, "flags");
      profile.flags = get_strings(*flags, path);
      for (std::size_t i = 0; i < profile.flags.size(); ++i) {
        if (std::find(std::begin(kFlags), std::end(kFlags), profile.flags[i]) == std::end(kFlags))
          fail(path + "[" + std::to_string(i) + "]",
               "unknown flag \"" + profile.flags[i] + "\" (expected one of " + one_of(kFlags) + ")");
      }
    }
    if (const json* path = field(object, "listenerPath"))
      profile.listener_path = get_string(*path, join(root, "listenerPath"));
    if (const json* metadata = field(object, "listenerMetadata"))
      profile.listener_metadata = get_string(*metadata, join(root, "listenerMetadata"));
    if (const json* syscalls = field(object, "syscalls")) {
      const std::string path = join(root, "syscalls");
      if (!syscalls->is_array()) fail(path, "expected an array of rules, got " + type_name(*syscalls));
      for (std::size_t i = 0; i < syscalls->size(); ++i)
        profile.rules.push_back(
            parse_rule((*syscalls)[i], path + "[" + std::to_string(i) + "]", static_cast<int>(i)));
    }
    profile.warnings = warnings;
    return profile;
  }

  const std::string& source_;
  std::set<std::string> warned_;
};

nlohmann::ordered_json filter_to_json(const RuleFilter& filter) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!filter.caps.empty()) out["caps"] = filter.caps;
  if (!filter.arches.empty()) out["arches"] = filter.arches;
  if (!filter.min_kernel.empty()) out["minKernel"] = filter.min_kernel;
  return out;
}

}  // namespace

Result<Profile> parse_profile(std::string_view json_text, const std::string& source) {
  auto parsed = parse_json_input(json_text, source);
  if (!parsed) return parsed.error();
  const json& document = *parsed;
  try {
    Parser parser(source);
    return parser.parse(document);
  } catch (const ParseFailure& failure) {
    return make_error(failure.message);
  }
}

Result<Profile> load_profile_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read the profile file (check the path)");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error(path + ": cannot read the profile file");
  return parse_profile(text.str(), path);
}

std::string profile_to_json(const Profile& profile, int indent) {
  nlohmann::ordered_json out;
  out["defaultAction"] = std::string(scmp_action_name(profile.default_action.kind));
  if (profile.default_errno_ret) out["defaultErrnoRet"] = *profile.default_errno_ret;
  if (!profile.default_errno_name.empty()) out["defaultErrno"] = profile.default_errno_name;
  if (!profile.architectures.empty()) out["architectures"] = profile.architectures;
  if (!profile.arch_map.empty()) {
    nlohmann::ordered_json map = nlohmann::ordered_json::array();
    for (const ArchMapEntry& entry : profile.arch_map) {
      nlohmann::ordered_json item;
      item["architecture"] = entry.architecture;
      item["subArchitectures"] = entry.sub_architectures;
      map.push_back(std::move(item));
    }
    out["archMap"] = std::move(map);
  }
  if (!profile.flags.empty()) out["flags"] = profile.flags;
  if (!profile.listener_path.empty()) out["listenerPath"] = profile.listener_path;
  if (!profile.listener_metadata.empty()) out["listenerMetadata"] = profile.listener_metadata;
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const Rule& rule : profile.rules) {
    nlohmann::ordered_json item;
    item["names"] = rule.names;
    item["action"] = std::string(scmp_action_name(rule.action.kind));
    if (rule.action.value) item["errnoRet"] = *rule.action.value;
    if (!rule.errno_name.empty()) item["errno"] = rule.errno_name;
    if (!rule.args.empty()) {
      nlohmann::ordered_json args = nlohmann::ordered_json::array();
      for (const ArgCondition& arg : rule.args) {
        nlohmann::ordered_json a;
        a["index"] = arg.index;
        a["value"] = arg.value;
        a["valueTwo"] = arg.value_two;
        a["op"] = std::string(op_name(arg.op).scmp);
        args.push_back(std::move(a));
      }
      item["args"] = std::move(args);
    }
    if (!rule.comment.empty()) item["comment"] = rule.comment;
    if (rule.includes != RuleFilter{}) item["includes"] = filter_to_json(rule.includes);
    if (rule.excludes != RuleFilter{}) item["excludes"] = filter_to_json(rule.excludes);
    rules.push_back(std::move(item));
  }
  out["syscalls"] = std::move(rules);
  return out.dump(indent);
}

}  // namespace seccheck::analysis
