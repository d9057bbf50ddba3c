#include "report/trace_writer.h"

#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/arch.h"
#include "core/decode.h"
#include "core/errno_names.h"
#include "core/syscall_table.h"

namespace seccheck::report {
namespace {

bool is_error_return(std::int64_t value) {
  return value < 0 && value >= -4095;
}

// Remembers the first failed write, so finish() can report it.
class CheckedOutput {
 public:
  explicit CheckedOutput(std::FILE* out) : out_(out) {}
  void write(const std::string& text) {
    if (error_ == 0 && std::fwrite(text.data(), 1, text.size(), out_) != text.size())
      error_ = errno ? errno : EIO;
  }
  Result<void> finish() {
    if (error_ == 0 && std::fflush(out_) != 0) error_ = errno ? errno : EIO;
    if (error_ == 0 && std::ferror(out_)) error_ = EIO;
    if (error_ != 0) return make_error(std::string("writing the trace failed: ") + std::strerror(error_));
    return {};
  }

 private:
  std::FILE* out_;
  int error_ = 0;
};

std::string pid_prefix(pid_t pid, bool show) {
  return show ? "[pid " + std::to_string(pid) + "] " : "";
}

class TextWriter final : public TraceWriter {
 public:
  explicit TextWriter(std::FILE* out) : out_(out) {}
  void call(const TracedCall& call) override {
    const SyscallEvent& e = call.event;
    std::string line = pid_prefix(e.tid, call.show_pid);
    if (e.arch != Arch::kX86_64) line += "[" + std::string(arch_name(e.arch)) + "] ";
    line += syscall_display_name(e.arch, e.nr) + "(" + call.arguments +
            ") = " + (e.return_value ? format_return(e.arch, e.nr, *e.return_value) : std::string("?")) +
            "\n";
    out_.write(line);
  }
  void process_exit(pid_t pid, int status, bool show_pid) override {
    const std::string prefix = pid_prefix(pid, show_pid);
    if (WIFEXITED(status))
      out_.write(prefix + "+++ exited with " + std::to_string(WEXITSTATUS(status)) + " +++\n");
    else if (WIFSIGNALED(status))
      out_.write(prefix + "+++ killed by " + signal_string(WTERMSIG(status)) +
                 (WCOREDUMP(status) ? " (core dumped)" : "") + " +++\n");
  }
  Result<void> finish() override { return out_.finish(); }

 private:
  CheckedOutput out_;
};

class JsonLinesWriter final : public TraceWriter {
 public:
  explicit JsonLinesWriter(std::FILE* out) : out_(out) {}
  void call(const TracedCall& call) override {
    const SyscallEvent& e = call.event;
    nlohmann::ordered_json line;
    line["pid"] = e.pid;
    line["tid"] = e.tid;
    line["arch"] = std::string(arch_name(e.arch));
    line["nr"] = e.nr;
    line["name"] = syscall_display_name(e.arch, e.nr);
    line["args"] = e.args;
    line["text"] = call.arguments;
    if (e.return_value) {
      line["ret"] = *e.return_value;
      if (is_error_return(*e.return_value))
        line["errno"] = errno_name(static_cast<std::uint32_t>(-*e.return_value));
    }
    line["timestamp_ns"] = e.timestamp_ns;
    line["exe"] = call.executable;
    // Paths and strings from the workload may be invalid UTF-8: such bytes become U+FFFD.
    out_.write(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  }
  Result<void> finish() override { return out_.finish(); }

 private:
  CheckedOutput out_;
};

// At most this many distinct decoded values per syscall; further ones are counted together.
constexpr std::size_t kMaxDistinctValues = 16;

class SummaryWriter final : public TraceWriter {
 public:
  SummaryWriter(std::FILE* out, bool count_errors) : out_(out), count_errors_(count_errors) {}

  void call(const TracedCall& call) override {
    const SyscallEvent& e = call.event;
    Stats& stats = stats_[{e.arch, e.nr}];
    ++stats.count;
    if (e.return_value && is_error_return(*e.return_value)) ++stats.errors;
    if (!call.profile_value) return;
    auto it = stats.values.find(*call.profile_value);
    if (it != stats.values.end())
      ++it->second;
    else if (stats.values.size() < kMaxDistinctValues)
      stats.values.emplace(*call.profile_value, 1);
    else
      ++stats.other_values;
  }

  Result<void> finish() override {
    std::vector<std::pair<Key, const Stats*>> rows;
    for (const auto& [key, stats] : stats_)
      rows.emplace_back(key, &stats);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      if (a.second->count != b.second->count) return a.second->count > b.second->count;
      return syscall_display_name(a.first.first, a.first.second) <
             syscall_display_name(b.first.first, b.first.second);
    });
    row("calls", count_errors_ ? "errors" : "", "arch", "syscall", "argument values");
    out_.write(std::string(10, '-') + " " + std::string(8, '-') + " " + std::string(7, '-') + " " +
               std::string(24, '-') + " " + std::string(15, '-') + "\n");
    std::uint64_t total = 0, total_errors = 0;
    for (const auto& [key, stats] : rows) {
      total += stats->count;
      total_errors += stats->errors;
      std::string values;
      for (const auto& [value, n] : stats->values) {
        if (!values.empty()) values += "; ";
        values += value + " x" + std::to_string(n);
      }
      if (stats->other_values) values += "; (other values) x" + std::to_string(stats->other_values);
      row(std::to_string(stats->count), count_errors_ ? std::to_string(stats->errors) : "",
          std::string(arch_name(key.first)), syscall_display_name(key.first, key.second), values);
    }
    out_.write(std::string(10, '-') + " " + std::string(8, '-') + "\n");
    char line[64];
    std::snprintf(line, sizeof line, "%10llu %8s %s\n", static_cast<unsigned long long>(total),
                  count_errors_ ? std::to_string(total_errors).c_str() : "", "total");
    out_.write(line);
    return out_.finish();
  }

 private:
  using Key = std::pair<Arch, int>;
  struct Stats {
    std::uint64_t count = 0;
    std::uint64_t errors = 0;
    std::map<std::string, std::uint64_t> values;
    std::uint64_t other_values = 0;
  };

  void row(const std::string& calls, const std::string& errors, const std::string& arch,
           const std::string& name, const std::string& values) {
    char head[128];
    std::snprintf(head, sizeof head, "%10s %8s %-7s %-24s ", calls.c_str(), errors.c_str(), arch.c_str(),
                  name.c_str());
    out_.write(head + values + "\n");
  }

  CheckedOutput out_;
  bool count_errors_;
  std::map<Key, Stats> stats_;
};

}  // namespace

std::unique_ptr<TraceWriter> make_trace_writer(TraceFormat format, std::FILE* out, bool count_errors) {
  switch (format) {
    case TraceFormat::kText: return std::make_unique<TextWriter>(out);
    case TraceFormat::kJsonLines: return std::make_unique<JsonLinesWriter>(out);
    case TraceFormat::kSummary: return std::make_unique<SummaryWriter>(out, count_errors);
  }
  return std::make_unique<TextWriter>(out);
}

}  // namespace seccheck::report
