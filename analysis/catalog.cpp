#include "analysis/catalog.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "analysis/profile_parser.h"

namespace seccheck::embedded {
std::string_view catalog_docker_json();
std::string_view catalog_containerd_json();
std::string_view catalog_containers_common_json();
}  // namespace seccheck::embedded

namespace seccheck::analysis {
namespace {

using nlohmann::json;

// A broken embedded catalog is a build defect, not a user error: it throws, and the catalog
// tests catch it before anything ships.
[[noreturn]] void data_error(const std::string& where, const std::string& what) {
  throw std::logic_error("profiles catalog: " + where + ": " + what);
}

struct IdRule {
  std::string id;
  Rule rule;
};

struct Layer {  // one version, built
  CatalogEntry entry;
  Action default_action{ActionKind::kErrno, std::nullopt};
  std::optional<std::uint32_t> default_errno_ret;
  std::vector<ArchMapEntry> arch_map;
  // A version shares every rule it does not change with the version it derives from.
  std::vector<std::shared_ptr<const IdRule>> rules;
};

std::uint64_t parse_number(const std::string& text, const std::string& where) {
  try {
    std::size_t used = 0;
    std::uint64_t value = std::stoull(text, &used, 0);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  data_error(where, "bad number '" + text + "'");
}

Action parse_action(const std::string& text, const std::string& where) {
  std::istringstream in(text);
  std::string word, value;
  in >> word >> value;
  static const std::map<std::string, ActionKind> kinds = {
      {"allow", ActionKind::kAllow},
      {"errno", ActionKind::kErrno},
      {"kill", ActionKind::kKillThread},
      {"kill_thread", ActionKind::kKillThread},
      {"kill_process", ActionKind::kKillProcess},
      {"trap", ActionKind::kTrap},
      {"log", ActionKind::kLog},
      {"trace", ActionKind::kTrace},
      {"notify", ActionKind::kNotify},
  };
  auto it = kinds.find(word);
  if (it == kinds.end()) data_error(where, "unknown action '" + text + "'");
  Action action{it->second, std::nullopt};
  if (!value.empty()) action.value = static_cast<std::uint32_t>(parse_number(value, where));
  return action;
}

// "a0 != 0x28", "a1 & 0x7e020000 == 0x0"
ArgCondition parse_arg(const std::string& text, const std::string& where) {
  std::istringstream in(text);
  std::string arg, op, value, eq, datum;
  in >> arg >> op >> value >> eq >> datum;
  if (arg.size() != 2 || arg[0] != 'a' || arg[1] < '0' || arg[1] > '5')
    data_error(where, "bad argument '" + text + "'");
  ArgCondition condition;
  condition.index = static_cast<unsigned>(arg[1] - '0');
  condition.value = parse_number(value, where);
  static const std::map<std::string, CompareOp> ops = {
      {"!=", CompareOp::kNe}, {"<", CompareOp::kLt}, {"<=", CompareOp::kLe},      {"==", CompareOp::kEq},
      {">=", CompareOp::kGe}, {">", CompareOp::kGt}, {"&", CompareOp::kMaskedEq},
  };
  auto it = ops.find(op);
  if (it == ops.end()) data_error(where, "bad operator in '" + text + "'");
  condition.op = it->second;
  if (condition.op == CompareOp::kMaskedEq) {
    if (eq != "==") data_error(where, "expected 'aN & MASK == VALUE' in '" + text + "'");
    condition.value_two = parse_number(datum, where);
  } else if (!eq.empty()) {
    data_error(where, "trailing text in '" + text + "'");
  }
  return condition;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;)
    words.push_back(word);
  return words;
}

// "CAP_X" (includes.caps), "no CAP_X" (excludes.caps), "arch in a b", "arch not in a b",
// "kernel >= 4.8" (includes.minKernel), "kernel < 4.8" (excludes.minKernel).
void parse_when(const std::string& text, Rule& rule, const std::string& where) {
  if (text.rfind("CAP_", 0) == 0) {
    rule.includes.caps.push_back(text);
  } else if (text.rfind("no CAP_", 0) == 0) {
    rule.excludes.caps.push_back(text.substr(3));
  } else if (text.rfind("arch not in ", 0) == 0) {
    rule.excludes.arches = split_words(text.substr(12));
  } else if (text.rfind("arch in ", 0) == 0) {
    rule.includes.arches = split_words(text.substr(8));
  } else if (text.rfind("kernel >= ", 0) == 0) {
    rule.includes.min_kernel = text.substr(10);
  } else if (text.rfind("kernel < ", 0) == 0) {
    rule.excludes.min_kernel = text.substr(9);
  } else {
    data_error(where, "unknown condition '" + text + "'");
  }
}

std::vector<std::string> string_list(const json& value, const std::string& where) {
  if (!value.is_array()) data_error(where, "expected a list");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) data_error(where, "expected strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

IdRule parse_rule(const json& value, const std::string& where) {
  IdRule out;
  out.id = value.value("id", "");
  if (out.id.empty()) data_error(where, "rule without id");
  const std::string at = where + " rule " + out.id;
  out.rule.names = string_list(value.at("names"), at);
  out.rule.action = parse_action(value.at("action").get<std::string>(), at);
  if (value.contains("args")) {
    for (const auto& arg : string_list(value["args"], at))
      out.rule.args.push_back(parse_arg(arg, at));
  }
  if (value.contains("when")) {
    for (const auto& when : string_list(value["when"], at))
      parse_when(when, out.rule, at);
  }
  return out;
}

void parse_top(const json& value, Layer& layer, const std::string& where) {
  if (value.contains("default")) {
    Action action = parse_action(value["default"].get<std::string>(), where);
    layer.default_action = Action{action.kind, std::nullopt};
    layer.default_errno_ret = action.kind == ActionKind::kErrno ? action.value : std::nullopt;
  }
  if (value.contains("archMap")) {
    layer.arch_map.clear();
    for (const auto& row : value["archMap"]) {
      auto arches = string_list(row, where + " archMap");
      if (arches.empty()) data_error(where, "empty archMap row");
      layer.arch_map.push_back({arches.front(), {arches.begin() + 1, arches.end()}});
    }
  }
}

std::vector<int> version_key(const std::string& version) {
  std::vector<int> key;
  std::istringstream in(version);
  for (std::string part; std::getline(in, part, '.');) {
    try {
      key.push_back(std::stoi(part));
    } catch (const std::exception&) {
      key.push_back(-1);
    }
  }
  return key;
}

struct Catalog {
  std::vector<CatalogEntry> entries;
  std::vector<Layer> layers;  // same order as entries
};

void load_family(std::string_view text, const char* file, Catalog& catalog) {
  json doc = json::parse(text);
  const std::string family = doc.at("family").get<std::string>();
  const std::string engine_name = doc.at("engine").get<std::string>();
  const Result<Engine> engine = parse_engine(engine_name);
  if (!engine) throw std::runtime_error(std::string(file) + ": engine: " + engine.error().message);
  std::map<std::string, std::size_t> by_version;
  const std::size_t first = catalog.layers.size();
  for (const auto& v : doc.at("versions")) {
    Layer layer;
    layer.entry.family = family;
    layer.entry.version = v.at("version").get<std::string>();
    layer.entry.name = family + "@" + layer.entry.version;
    const std::string where = std::string(file) + " " + layer.entry.name;
    layer.entry.releases = v.value("releases", "");
    layer.entry.release_versions = string_list(v.value("release_versions", json::array()), where);
    layer.entry.source = v.value("source", "");
    layer.entry.reference_file = v.value("reference_file", "");
    layer.entry.engine = *engine;
    if (v.contains("from")) {
      const std::string parent = v["from"].get<std::string>();
      auto it = by_version.find(parent);
      if (it == by_version.end()) data_error(where, "derives from unknown version " + parent);
      const Layer& base = catalog.layers[it->second];
      layer.entry.parent = base.entry.name;
      layer.default_action = base.default_action;
      layer.default_errno_ret = base.default_errno_ret;
      layer.arch_map = base.arch_map;
      layer.rules = base.rules;
      if (v.contains("set")) parse_top(v["set"], layer, where);
      auto find = [&](const std::string& id) {
        auto rule =
            std::find_if(layer.rules.begin(), layer.rules.end(), [&](const auto& r) { return r->id == id; });
        if (rule == layer.rules.end()) data_error(where, "no rule '" + id + "' to change");
        return rule;
      };
      for (const auto& id : string_list(v.value("remove", json::array()), where))
        layer.rules.erase(find(id));
      const json name_changes = v.value("names", json::object());
      for (const auto& [id, change] : name_changes.items()) {
        auto rule = find(id);
        auto changed = std::make_shared<IdRule>(**rule);
        *rule = changed;
        auto& names = changed->rule.names;
        for (const auto& name : string_list(change.value("remove", json::array()), where)) {
          auto at = std::find(names.begin(), names.end(), name);
          if (at == names.end()) data_error(where, "rule '" + id + "' has no name " + name);
          names.erase(at);
        }
        for (const auto& name : string_list(change.value("add", json::array()), where)) {
          // Keep the upstream habit of sorted lists where the list is sorted.
          names.insert(std::upper_bound(names.begin(), names.end(), name), name);
        }
      }
      for (const auto& add : v.value("add", json::array())) {
        auto rule = std::make_shared<const IdRule>(parse_rule(add, where));
        auto at = layer.rules.begin();
        if (!add.at("after").is_null()) at = std::next(find(add["after"].get<std::string>()));
        layer.rules.insert(at, std::move(rule));
      }
    } else {
      parse_top(v, layer, where);
      for (const auto& rule : v.at("rules"))
        layer.rules.push_back(std::make_shared<const IdRule>(parse_rule(rule, where)));
    }
    std::unordered_set<std::string_view> ids;
    for (const auto& rule : layer.rules)
      if (!ids.insert(rule->id).second) data_error(where, "duplicate rule id " + rule->id);
    by_version[layer.entry.version] = catalog.layers.size();
    catalog.layers.push_back(std::move(layer));
  }
  // latest: the entry shipping the highest release number (version order, not time order:
  // Docker 20.10.x and 23.0.x were maintained in parallel).
  std::size_t best = catalog.layers.size();
  std::vector<int> best_key;
  for (std::size_t i = first; i < catalog.layers.size(); ++i) {
    for (const auto& release : catalog.layers[i].entry.release_versions) {
      auto key = version_key(release);
      if (best == catalog.layers.size() || key > best_key) best = i, best_key = key;
    }
  }
  if (best < catalog.layers.size()) catalog.layers[best].entry.latest = true;
}

const Catalog& catalog() {
  // Never destroyed: freeing thousands of strings at exit only delays the report.
  static const Catalog& instance = *new Catalog([] {
    Catalog built;
    load_family(embedded::catalog_docker_json(), "profiles/docker.json", built);
    load_family(embedded::catalog_containerd_json(), "profiles/containerd.json", built);
    load_family(embedded::catalog_containers_common_json(), "profiles/containers-common.json", built);
    for (const auto& layer : built.layers)
      built.entries.push_back(layer.entry);
    return built;
  }());
  return instance;
}

Profile build_profile(const Layer& layer) {
  Profile profile;
  profile.name = layer.entry.name;
  profile.source = "seccheck catalog " + layer.entry.name + " (" + layer.entry.source + ")";
  profile.default_action = layer.default_action;
  profile.default_errno_ret = layer.default_errno_ret;
  profile.arch_map = layer.arch_map;
  for (const auto& rule : layer.rules) {
    profile.rules.push_back(rule->rule);
    profile.rules.back().source_index = static_cast<int>(profile.rules.size()) - 1;
  }
  return profile;
}

const CatalogEntry* latest_of(const std::string& family) {
  for (const auto& entry : catalog().entries) {
    if (entry.family == family && entry.latest) return &entry;
  }
  return nullptr;
}

const CatalogEntry* entry_named(const std::string& name) {
  for (const auto& entry : catalog().entries) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string family_of_alias(const std::string& name) {
  if (name == "docker" || name == "moby") return "docker";
  if (name == "containerd") return "containerd";
  if (name == "crio" || name == "cri-o" || name == "podman" || name == "containers-common")
    return "containers-common";
  return "";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string close_names(const std::string& name) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  const std::string family = name.substr(0, name.find('@'));
  for (const auto& candidate : catalog_names()) {
    std::size_t distance = edit_distance(name, candidate);
    // Same family, other version: always a useful hint.
    if (candidate.rfind(family + "@", 0) == 0 && name.find('@') != std::string::npos)
      distance = std::min<std::size_t>(distance, 4);
    if (distance <= 4) scored.emplace_back(distance, candidate);
  }
  std::sort(scored.begin(), scored.end());
  std::string out;
  for (std::size_t i = 0; i < scored.size() && i < 6; ++i)
    out += (i ? ", " : "") + scored[i].second;
  if (out.empty()) out = "docker, containerd, crio, podman, runtime-default";
  return out;
}

}  // namespace

const std::vector<CatalogEntry>& catalog_entries() {
  return catalog().entries;
}

const CatalogEntry* catalog_entry_for(const std::string& profile_name) {
  return entry_named(profile_name);
}

ProfileLoader loader_for(const Profile& profile, const Context& context) {
  if (context.engine) return loader_for(*context.engine);
  const CatalogEntry* entry = catalog_entry_for(profile.name);
  return loader_for(entry ? entry->engine : Engine::kDocker);
}

Result<CatalogMatch> resolve_catalog_name(const std::string& name) {
  CatalogMatch match;
  if (name == "runtime-default") {
    for (const char* family : {"docker", "containerd", "containers-common"})
      match.entries.push_back(latest_of(family));
    match.explanation =
        "runtime-default = the latest docker, containerd and crio (containers-common) profiles";
    return match;
  }
  if (const std::string family = family_of_alias(name); !family.empty()) {
    const CatalogEntry* entry = latest_of(family);
    match.entries.push_back(entry);
    match.explanation = name + " = " + entry->name + " (latest: ships " + entry->releases + ")";
    return match;
  }
  if (const CatalogEntry* entry = entry_named(name)) {
    match.entries.push_back(entry);
    return match;
  }
  if (name == "containers-common@main") {
    for (const auto& entry : catalog().entries) {
      if (entry.family == "containers-common" && entry.version.rfind("main-", 0) == 0) {
        match.entries.push_back(&entry);
        match.explanation = name + " = " + entry.name + " (unreleased upstream state)";
        return match;
      }
    }
  }
  const auto at = name.find('@');
  if (at != std::string::npos) {
    const std::string family = name.substr(0, at);
    const std::string version = name.substr(at + 1);
    const auto dots = std::count(version.begin(), version.end(), '.');
    const CatalogEntry* found = nullptr;
    std::string release;
    for (const auto& entry : catalog().entries) {
      if (entry.family != family) continue;
      for (const auto& shipped : entry.release_versions) {
        if (dots == 2 && shipped == version) found = &entry, release = shipped;
        // docker@24.0 / docker@24: the newest release of that line.
        if (dots < 2 && !version.empty() && shipped.rfind(version + ".", 0) == 0 &&
            (found == nullptr || version_key(shipped) > version_key(release))) {
          found = &entry, release = shipped;
        }
      }
    }
    if (found) {
      match.entries.push_back(found);
      match.explanation = dots < 2 ? name + " = " + found->name + " (the profile of v" + release +
                                         ", the newest " + version + " release the catalog knows)"
                                   : name + " = " + found->name + " (ships " + found->releases + ")";
      return match;
    }
  }
  return make_error("unknown profile '" + name + "': neither a catalog name nor a file (close names: " +
                    close_names(name) + "; all names: seccheck profiles list)");
}

Result<std::vector<Profile>> catalog_profiles(const std::string& name) {
  auto match = resolve_catalog_name(name);
  if (!match) return match.error();
  std::vector<Profile> profiles;
  for (const CatalogEntry* entry : match->entries) {
    const auto& layers = catalog().layers;
    auto layer = std::find_if(layers.begin(), layers.end(),
                              [&](const Layer& l) { return l.entry.name == entry->name; });
    profiles.push_back(build_profile(*layer));
  }
  return profiles;
}

Result<std::vector<Profile>> load_profiles(const std::string& name_or_path) {
  std::error_code ignored;
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               name_or_path.ends_with(".json") ||
                               std::filesystem::exists(name_or_path, ignored);
  if (!looks_like_path) return catalog_profiles(name_or_path);
  auto profile = load_profile_file(name_or_path);
  if (!profile) return profile.error();
  return std::vector<Profile>{std::move(*profile)};
}

std::vector<std::string> catalog_names() {
  std::vector<std::string> names = {"docker",
                                    "moby",
                                    "containerd",
                                    "crio",
                                    "cri-o",
                                    "podman",
                                    "containers-common",
                                    "runtime-default",
                                    "containers-common@main"};
  for (const auto& entry : catalog().entries) {
    names.push_back(entry.name);
    for (const auto& release : entry.release_versions) {
      names.push_back(entry.family + "@" + release);
      names.push_back(entry.family + "@" + release.substr(0, release.rfind('.')));
      names.push_back(entry.family + "@" + release.substr(0, release.find('.')));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace seccheck::analysis
