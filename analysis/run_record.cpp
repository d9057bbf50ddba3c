#include "analysis/run_record.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/json_input.h"
#include "core/number_format.h"
#include "core/syscall_table.h"

namespace seccheck::analysis {
namespace {

using nlohmann::ordered_json;

const std::vector<unsigned> kNoIndices;

}  // namespace

std::string RecordedCall::key() const {
  std::string key = std::string(arch_name(arch)) + "/" + syscall_display_name(arch, nr);
  for (unsigned index : kept_args)
    key += "/arg" + std::to_string(index) + "=" + hex(args[index]);
  return key;
}

void ArgRelevance::add_profile(const Profile& profile) {
  for (const Rule& rule : profile.rules) {
    if (rule.args.empty()) continue;
    for (const std::string& name : rule.names) {
      std::vector<unsigned>& indices = by_name_[name];
      for (const ArgCondition& condition : rule.args) {
        if (std::find(indices.begin(), indices.end(), condition.index) == indices.end())
          indices.push_back(condition.index);
      }
      std::sort(indices.begin(), indices.end());
    }
  }
}

const std::vector<unsigned>& ArgRelevance::indices(const std::string& syscall) const {
  auto it = by_name_.find(syscall);
  return it == by_name_.end() ? kNoIndices : it->second;
}

CallAggregator::CallAggregator(const ArgRelevance& relevance, std::size_t max_distinct_per_syscall)
    : relevance_(relevance), max_distinct_(max_distinct_per_syscall) {}

std::pair<RecordedCall*, bool> CallAggregator::add(const SyscallEvent& event) {
  ++calls_stopped_;
  std::string name = syscall_display_name(event.arch, event.nr);
  const std::vector<unsigned>& indices = relevance_.indices(name);
  std::vector<std::uint64_t> values;
  values.reserve(indices.size());
  for (unsigned index : indices) {
    // 32-bit ABIs pass the low 32 bits; the kernel's filter sees nothing else.
    std::uint64_t value = event.args[index];
    if (event.arch == Arch::kI386) value &= 0xffffffffu;
    values.push_back(value);
  }
  Key key{event.arch, event.nr, values};
  auto found = calls_.find(key);
  if (found == calls_.end()) {
    std::size_t& distinct = distinct_per_syscall_[{event.arch, event.nr}];
    if (!indices.empty() && distinct >= max_distinct_) {
      // Bounded: count further patterns on the first entry of this syscall.
      auto first = calls_.lower_bound(Key{event.arch, event.nr, {}});
      ++first->second.count;
      return {&first->second, false};
    }
    ++distinct;
    RecordedCall call;
    call.arch = event.arch;
    call.nr = event.nr;
    call.args = event.args;
    if (event.arch == Arch::kI386)
      for (auto& a : call.args)
        a &= 0xffffffffu;
    call.kept_args = indices;
    call.first_pid = event.pid;
    found = calls_.emplace(std::move(key), std::move(call)).first;
    ++found->second.count;
    return {&found->second, true};
  }
  ++found->second.count;
  return {&found->second, false};
}

std::vector<RecordedCall> CallAggregator::take_calls() {
  std::vector<RecordedCall> result;
  result.reserve(calls_.size());
  for (auto& [key, call] : calls_)
    result.push_back(std::move(call));
  calls_.clear();
  distinct_per_syscall_.clear();
  return result;
}

std::string run_record_to_json(const RunRecord& record) {
  ordered_json root;
  root["seccheck_record"] = kRunRecordVersion;
  root["command"] = record.command;
  root["exit_status"] = record.exit_status;
  root["interrupted"] = record.interrupted;
  root["complete"] = record.complete;
  root["started_at"] = record.started_at;
  root["duration_seconds"] = record.duration_seconds;
  root["kernel"] = record.kernel;
  root["processes"] = record.processes;
  root["calls_stopped"] = record.calls_stopped;
  root["notices"] = record.notices;
  ordered_json calls = ordered_json::array();
  for (const RecordedCall& call : record.calls) {
    ordered_json entry;
    entry["arch"] = arch_name(call.arch);
    entry["nr"] = call.nr;
    entry["name"] = syscall_display_name(call.arch, call.nr);
    ordered_json args = ordered_json::array();
    for (std::uint64_t value : call.args)
      args.push_back(hex(value));
    entry["args"] = args;
    entry["kept_args"] = call.kept_args;
    entry["count"] = call.count;
    entry["first_pid"] = call.first_pid;
    entry["executable"] = call.executable;
    entry["command_line"] = call.command_line;
    ordered_json stack = ordered_json::array();
    for (const StackFrame& frame : call.stack) {
      stack.push_back({{"pc", hex(frame.pc)},
                       {"binary", frame.binary},
                       {"function", frame.function},
                       {"offset", frame.offset}});
      if (!frame.source_file.empty()) {
        stack.back()["source_file"] = frame.source_file;
        stack.back()["source_line"] = frame.source_line;
      }
    }
    entry["stack"] = stack;
    calls.push_back(entry);
  }
  root["calls"] = calls;
  // Workload strings may hold invalid UTF-8: replace rather than throw.
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

// Field access with errors that name the path, e.g. "rec.json: calls[3].nr: expected a number".
class RecordReader {
 public:
  explicit RecordReader(std::string source) : source_(std::move(source)) {}
  std::string error;

  const nlohmann::json* field(const nlohmann::json& object, const char* key, const std::string& path,
                              bool required = true) {
    if (!error.empty()) return nullptr;
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) fail(path + key, "missing");
      return nullptr;
    }
    return &*it;
  }
  void fail(const std::string& path, const std::string& what) {
    if (error.empty()) error = source_ + ": " + path + ": " + what;
  }
  std::uint64_t number(const nlohmann::json& value, const std::string& path) {
    if (value.is_number_unsigned() || value.is_number_integer()) return value.get<std::uint64_t>();
    if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      char* end = nullptr;
      errno = 0;
      unsigned long long parsed = std::strtoull(text.c_str(), &end, 0);
      if (!text.empty() && end && *end == '\0' && errno == 0) return parsed;
    }
    fail(path, "expected a number or a \"0x...\" string");
    return 0;
  }
  std::string string(const nlohmann::json* value, const std::string& path) {
    if (!value) return "";
    if (!value->is_string()) {
      fail(path, "expected a string");
      return "";
    }
    return value->get<std::string>();
  }
  std::vector<std::string> strings(const nlohmann::json* value, const std::string& path) {
    std::vector<std::string> out;
    if (!value) return out;
    if (!value->is_array()) {
      fail(path, "expected an array of strings");
      return out;
    }
    for (const auto& item : *value) {
      if (!item.is_string()) {
        fail(path, "expected an array of strings");
        return out;
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

 private:
  std::string source_;
};

}  // namespace

Result<RunRecord> parse_run_record(const std::string& json_text, const std::string& source) {
  auto parsed = parse_json_input(json_text, source);
  if (!parsed) return parsed.error();
  const nlohmann::json& root = *parsed;
  if (!root.is_object() || !root.contains("seccheck_record"))
    return make_error(source + ": not a seccheck record (no \"seccheck_record\" field); write one with "
                               "`seccheck check --record FILE -- CMD`");
  RecordReader reader(source);
  RunRecord record;
  const auto& version = root["seccheck_record"];
  if (!version.is_number_integer() || version.get<int>() != kRunRecordVersion)
    return make_error(source + ": seccheck_record: version " + version.dump() +
                      " is not supported (expected " + std::to_string(kRunRecordVersion) + ")");
  record.command = reader.strings(reader.field(root, "command", ""), "command");
  if (auto* v = reader.field(root, "exit_status", ""))
    record.exit_status = static_cast<int>(reader.number(*v, "exit_status"));
  if (auto* v = reader.field(root, "interrupted", "", false))
    record.interrupted = v->is_boolean() && v->get<bool>();
  if (auto* v = reader.field(root, "complete", "")) record.complete = v->is_boolean() && v->get<bool>();
  record.started_at = reader.string(reader.field(root, "started_at", "", false), "started_at");
  if (auto* v = reader.field(root, "duration_seconds", "", false); v && v->is_number())
    record.duration_seconds = v->get<double>();
  record.kernel = reader.string(reader.field(root, "kernel", "", false), "kernel");
  if (auto* v = reader.field(root, "processes", "", false)) record.processes = reader.number(*v, "processes");
  // Records written before the counter had one name call it calls_seen.
  for (const char* key : {"calls_stopped", "calls_seen"}) {
    if (auto* v = reader.field(root, key, "", false)) {
      record.calls_stopped = reader.number(*v, key);
      break;
    }
  }
  record.notices = reader.strings(reader.field(root, "notices", "", false), "notices");
  const nlohmann::json* calls = reader.field(root, "calls", "");
  if (calls && !calls->is_array()) reader.fail("calls", "expected an array");
  if (calls && calls->is_array()) {
    for (std::size_t i = 0; i < calls->size() && reader.error.empty(); ++i) {
      const nlohmann::json& entry = (*calls)[i];
      std::string path = "calls[" + std::to_string(i) + "].";
      if (!entry.is_object()) {
        reader.fail(path.substr(0, path.size() - 1), "expected an object");
        break;
      }
      RecordedCall call;
      std::string arch_text = reader.string(reader.field(entry, "arch", path), path + "arch");
      auto arch = parse_x86_arch(arch_text);
      if (!arch && reader.error.empty())
        reader.fail(path + "arch", "unknown arch \"" + arch_text + "\" (expected x86_64, i386 or x32)");
      call.arch = arch.value_or(Arch::kX86_64);
      if (auto* v = reader.field(entry, "nr", path))
        call.nr = static_cast<int>(reader.number(*v, path + "nr"));
      if (auto* v = reader.field(entry, "args", path)) {
        if (!v->is_array() || v->size() != 6) {
          reader.fail(path + "args", "expected an array of 6 numbers");
        } else {
          for (unsigned a = 0; a < 6; ++a)
            call.args[a] = reader.number((*v)[a], path + "args[" + std::to_string(a) + "]");
        }
      }
      if (auto* v = reader.field(entry, "kept_args", path, false)) {
        if (!v->is_array()) reader.fail(path + "kept_args", "expected an array of argument indices");
        for (const auto& index : *v) {
          std::uint64_t value = reader.number(index, path + "kept_args");
          if (value > 5)
            reader.fail(path + "kept_args", "argument index " + std::to_string(value) + " is over 5");
          call.kept_args.push_back(static_cast<unsigned>(value));
        }
      }
      if (auto* v = reader.field(entry, "count", path)) call.count = reader.number(*v, path + "count");
      if (auto* v = reader.field(entry, "first_pid", path, false))
        call.first_pid = static_cast<pid_t>(reader.number(*v, path + "first_pid"));
      call.executable = reader.string(reader.field(entry, "executable", path, false), path + "executable");
      call.command_line =
          reader.strings(reader.field(entry, "command_line", path, false), path + "command_line");
      if (auto* v = reader.field(entry, "stack", path, false); v && v->is_array()) {
        for (const auto& frame_json : *v) {
          if (!frame_json.is_object()) continue;
          StackFrame frame;
          if (auto it = frame_json.find("pc"); it != frame_json.end())
            frame.pc = reader.number(*it, path + "stack.pc");
          if (auto it = frame_json.find("binary"); it != frame_json.end() && it->is_string())
            frame.binary = *it;
          if (auto it = frame_json.find("function"); it != frame_json.end() && it->is_string())
            frame.function = *it;
          if (auto it = frame_json.find("offset"); it != frame_json.end())
            frame.offset = reader.number(*it, path + "stack.offset");
          if (auto it = frame_json.find("source_file"); it != frame_json.end() && it->is_string())
            frame.source_file = *it;
          if (auto it = frame_json.find("source_line"); it != frame_json.end())
            frame.source_line = static_cast<int>(reader.number(*it, path + "stack.source_line"));
          call.stack.push_back(std::move(frame));
        }
      }
      record.calls.push_back(std::move(call));
    }
  }
  if (!reader.error.empty()) return make_error(reader.error);
  return record;
}

Result<RunRecord> load_run_record(const std::string& path) {
  auto text = read_input_file(path);
  if (!text) return text.error();
  return parse_run_record(*text, path);
}

}  // namespace seccheck::analysis
