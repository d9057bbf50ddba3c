#include "audit/parser.h"

#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/decode.h"
#include "core/syscall_table.h"

namespace seccheck::audit {
namespace {

constexpr std::uint32_t kUnset = 4294967295u;  // (u32)-1: an auid or session never set
constexpr std::size_t kMaxJsonObject = std::size_t{1} << 20;
constexpr std::size_t kMaxMalformedExamples = 5;
constexpr std::int64_t kMaxSeconds = std::int64_t{1} << 40;  // far past any clock, safe to scale to ms

template <typename T> std::optional<T> parse_number(std::string_view text, int base = 10) {
  if (base == 16 && (text.starts_with("0x") || text.starts_with("0X"))) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// audit_log_n_hex(): two hex digits per byte, no quotes.
std::optional<std::string> hex_decode(std::string_view text) {
  if (text.empty() || text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_digit(text[i]);
    const int low = hex_digit(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

struct Field {
  std::string_view key;
  std::string value;
  bool quoted = false;
};

// The key=value fields of a record's body. Quoted values may hold spaces (audit never writes
// one unquoted in its raw form); in ausearch -i output a value may hold bare spaces
// ("comm=my prog"), so a word without '=' continues the previous value.
std::vector<Field> split_fields(std::string_view body) {
  std::vector<Field> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    if (body[pos] == ' ') {
      ++pos;
      continue;
    }
    std::size_t space = body.find(' ', pos);
    const std::size_t end = space == std::string_view::npos ? body.size() : space;
    const std::size_t eq = body.find('=', pos);
    if (eq == std::string_view::npos || eq > end || eq == pos) {
      if (!out.empty() && !out.back().quoted) {
        out.back().value += ' ';
        out.back().value += body.substr(pos, end - pos);
      }
      pos = end;
      continue;
    }
    Field field;
    field.key = body.substr(pos, eq - pos);
    pos = eq + 1;
    if (pos < body.size() && body[pos] == '"') {
      const std::size_t close = body.find('"', pos + 1);
      if (close != std::string_view::npos) {
        field.value = std::string(body.substr(pos + 1, close - pos - 1));
        field.quoted = true;
        out.push_back(std::move(field));
        pos = close + 1;
        continue;
      }
    }
    const std::size_t value_end = std::min(body.find(' ', pos), body.size());
    field.value = std::string(body.substr(pos, value_end - pos));
    out.push_back(std::move(field));
    pos = value_end;
  }
  return out;
}

const Field* find_field(const std::vector<Field>& fields, std::string_view key) {
  for (const Field& field : fields)
    if (field.key == key) return &field;
  return nullptr;
}

// "11/14/2023" (en_US), "14.11.2023" (de), "2023-11-14" (ISO): ausearch prints the date with
// strftime's %x, so its shape follows the locale; two-digit years are 20xx.
bool parse_local_date(std::string_view date, std::tm& tm) {
  char separator = 0;
  for (char c : date)
    if (c == '/' || c == '.' || c == '-') {
      separator = c;
      break;
    }
  if (separator == 0) return false;
  std::vector<int> parts;
  std::size_t pos = 0;
  while (pos <= date.size()) {
    std::size_t end = date.find(separator, pos);
    if (end == std::string_view::npos) end = date.size();
    auto value = parse_number<int>(date.substr(pos, end - pos));
    if (!value) return false;
    parts.push_back(*value);
    pos = end + 1;
  }
  if (parts.size() != 3) return false;
  int year, month, day;
  if (parts[0] > 31) {
    year = parts[0], month = parts[1], day = parts[2];
  } else if (separator == '/') {
    month = parts[0], day = parts[1], year = parts[2];
  } else {
    day = parts[0], month = parts[1], year = parts[2];
  }
  if (year < 100) year += 2000;
  if (year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return true;
}

// The time part of an audit stamp: "1700000000.123" (seconds since the epoch), or ausearch -i's
// "11/14/2023 22:13:20.123" in the local time zone (`interpreted` is then set).
std::optional<std::int64_t> parse_stamp_time(std::string_view text, bool& interpreted) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    const std::size_t dot = text.find('.');
    auto seconds = parse_number<std::int64_t>(text.substr(0, dot));
    if (!seconds || *seconds > kMaxSeconds) return std::nullopt;
    std::int64_t millis = 0;
    if (dot != std::string_view::npos) {
      auto fraction = parse_number<std::int64_t>(text.substr(dot + 1));
      if (!fraction || text.size() - dot - 1 != 3) return std::nullopt;
      millis = *fraction;
    }
    interpreted = false;
    return *seconds * 1000 + millis;
  }
  std::tm tm{};
  if (!parse_local_date(text.substr(0, space), tm)) return std::nullopt;
  std::string_view clock = text.substr(space + 1);
  const std::size_t dot = clock.find('.');
  std::int64_t millis = 0;
  if (dot != std::string_view::npos) {
    auto fraction = parse_number<std::int64_t>(clock.substr(dot + 1));
    if (!fraction) return std::nullopt;
    millis = *fraction;
    clock = clock.substr(0, dot);
  }
  if (clock.size() != 8 || clock[2] != ':' || clock[5] != ':') return std::nullopt;
  auto hours = parse_number<int>(clock.substr(0, 2));
  auto minutes = parse_number<int>(clock.substr(3, 2));
  auto seconds = parse_number<int>(clock.substr(6, 2));
  if (!hours || !minutes || !seconds) return std::nullopt;
  tm.tm_hour = *hours;
  tm.tm_min = *minutes;
  tm.tm_sec = *seconds;
  tm.tm_isdst = -1;
  const std::time_t when = std::mktime(&tm);
  if (when == static_cast<std::time_t>(-1)) return std::nullopt;
  interpreted = true;
  return static_cast<std::int64_t>(when) * 1000 + millis;
}

// The part of a line that is one audit record: type=TYPE [msg=]audit(STAMP):BODY.
struct Header {
  std::string type;  // "SECCOMP", "1326"
  std::string node;
  std::int64_t time_ms = 0;
  std::uint64_t serial = 0;
  bool interpreted = false;
  std::size_t start = 0;  // where the record (or its node= prefix) begins in the line
  std::size_t body = 0;
};

bool is_seccomp_type(std::string_view type) {
  return type == "SECCOMP" || type == "1326";
}

bool type_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '[' ||
         c == ']';
}

std::optional<Header> find_header(std::string_view text) {
  for (std::size_t pos = text.find("type="); pos != std::string_view::npos;
       pos = text.find("type=", pos + 1)) {
    if (pos > 0 && text[pos - 1] != ' ' && text[pos - 1] != '\t') continue;
    std::size_t p = pos + 5;
    std::size_t end = p;
    while (end < text.size() && type_char(text[end]))
      ++end;
    std::string type(text.substr(p, end - p));
    if (type.starts_with("UNKNOWN[") && type.ends_with("]")) type = type.substr(8, type.size() - 9);
    if (type.empty()) continue;
    p = end;
    while (p < text.size() && text[p] == ' ')
      ++p;
    if (text.substr(p).starts_with("msg=")) p += 4;
    if (!text.substr(p).starts_with("audit(")) continue;
    p += 6;
    const std::size_t close = text.find(')', p);
    if (close == std::string_view::npos) continue;
    const std::string_view stamp = text.substr(p, close - p);
    const std::size_t colon = stamp.rfind(':');
    if (colon == std::string_view::npos) continue;
    auto serial = parse_number<std::uint64_t>(stamp.substr(colon + 1));
    bool interpreted = false;
    auto time = parse_stamp_time(stamp.substr(0, colon), interpreted);
    if (!serial || !time) continue;
    p = close + 1;
    if (p < text.size() && text[p] == ' ') {
      interpreted = true;  // ausearch -i writes "audit(...) : "
      ++p;
    }
    if (p >= text.size() || text[p] != ':') continue;
    Header header;
    header.type = std::move(type);
    header.time_ms = *time;
    header.serial = *serial;
    header.interpreted = interpreted;
    header.start = pos;
    header.body = p + 1;
    // auditd's name_format: "node=HOST type=..."
    std::string_view before = text.substr(0, pos);
    while (before.ends_with(' '))
      before.remove_suffix(1);
    const std::size_t word = before.rfind(' ');
    const std::string_view last = word == std::string_view::npos ? before : before.substr(word + 1);
    if (last.starts_with("node=")) {
      header.node = std::string(last.substr(5));
      header.start = word == std::string_view::npos ? 0 : word + 1;
    }
    return header;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> id_value(const Field* field, std::string* name) {
  if (field == nullptr || field->value == "unset") return std::nullopt;
  if (auto number = parse_number<std::uint32_t>(field->value)) {
    if (*number == kUnset) return std::nullopt;
    return number;
  }
  if (name != nullptr) *name = field->value;
  return std::nullopt;
}

std::string untrusted_value(const Field* field, bool interpreted) {
  if (field == nullptr) return "";
  if (field->quoted || interpreted || field->value == "(null)" || field->value == "?") return field->value;
  if (auto decoded = hex_decode(field->value)) return *decoded;
  return field->value;
}

std::optional<int> signal_value(std::string_view text) {
  if (auto number = parse_number<int>(text)) return number;
  for (const NamedFlagTable& table : flag_tables()) {
    if (table.name != "signal") continue;
    for (const FlagName& entry : table.entries)
      if (entry.name == text) return static_cast<int>(entry.value);
  }
  return std::nullopt;
}

// "unknown-syscall(1073742074)" -> 1073742074; "unknown-seccomp-code(0x12340000)" -> "0x12340000".
std::optional<std::string_view> inside_parentheses(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix) || !text.ends_with(")")) return std::nullopt;
  return text.substr(prefix.size(), text.size() - prefix.size() - 1);
}

std::optional<SeccompRecord> build_record(const Header& header, std::string_view body, std::string& why) {
  const std::size_t enriched = body.find('\x1d');  // auditd's ENRICHED format appends names after 0x1d
  if (enriched != std::string_view::npos) body = body.substr(0, enriched);
  const std::vector<Field> fields = split_fields(body);
  SeccompRecord record;
  record.time_ms = header.time_ms;
  record.serial = header.serial;
  record.node = header.node;

  const Field* arch = find_field(fields, "arch");
  if (arch == nullptr) {
    why = "no arch= field";
    return std::nullopt;
  }
  if (auto value = parse_number<std::uint32_t>(arch->value, 16)) {
    record.audit_arch = *value;
  } else if (auto named = audit_arch_from_name(arch->value)) {
    record.audit_arch = *named;
  } else if (auto inner = inside_parentheses(arch->value, "unknown-elf-type(")) {
    auto number = parse_number<std::uint32_t>(*inner, 16);
    if (!number) {
      why = "arch=" + arch->value + " is no audit arch";
      return std::nullopt;
    }
    record.audit_arch = *number;
  } else {
    why = "arch=" + arch->value + " is no audit arch";
    return std::nullopt;
  }

  const Field* syscall = find_field(fields, "syscall");
  if (syscall == nullptr || syscall->value.empty()) {
    why = "no syscall= field";
    return std::nullopt;
  }
  std::string name;
  if (auto number = parse_number<std::int64_t>(syscall->value)) {
    record.raw_nr = *number;
  } else if (auto inner = inside_parentheses(syscall->value, "unknown-syscall(")) {
    record.raw_nr = parse_number<std::int64_t>(*inner);
    if (!record.raw_nr) {
      why = "syscall=" + syscall->value + " is no number";
      return std::nullopt;
    }
  } else {
    // ausearch -i: "unshare", or "socketcall(socket)" for the multiplexed calls.
    name = syscall->value.substr(0, syscall->value.find('('));
  }
  if (record.raw_nr) {
    const std::int64_t raw = *record.raw_nr;
    record.arch = arch_from_audit(record.audit_arch, static_cast<std::uint64_t>(raw) & 0xffffffffu);
    std::int64_t nr = raw;
    if (record.arch == Arch::kX32) nr = raw & ~static_cast<std::int64_t>(kX32SyscallBit);
    record.nr = nr >= 0 && nr < static_cast<std::int64_t>(kX32SyscallBit) ? static_cast<int>(nr) : -1;
    if (record.arch && record.nr >= 0) {
      if (auto known = syscall_name(*record.arch, record.nr)) record.syscall = std::string(*known);
    }
  } else {
    record.arch = arch_from_audit(record.audit_arch, 0);
    record.syscall = name;
    if (record.arch) {
      if (auto number = syscall_number(*record.arch, name)) record.nr = *number;
    }
  }

  const Field* code = find_field(fields, "code");
  if (code == nullptr) {
    why = "no code= field";
    return std::nullopt;
  }
  std::optional<std::uint32_t> code_value = parse_number<std::uint32_t>(code->value, 16);
  if (!code_value) {
    if (auto inner = inside_parentheses(code->value, "unknown-seccomp-code(")) {
      code_value = parse_number<std::uint32_t>(*inner, 16);
    } else if (auto named = action_from_name(code->value)) {
      record.action = *named;
    } else {
      why = "code=" + code->value + " is no seccomp action";
      return std::nullopt;
    }
  }
  if (code_value) {
    record.code = code_value;
    if (auto action = action_from_code(*code_value)) {
      record.action = *action;
    } else {
      // The kernel treats an action it does not know as KILL_PROCESS.
      record.action = analysis::Action{analysis::ActionKind::kKillProcess, std::nullopt};
      record.action_known = false;
    }
  }

  record.pid = id_value(find_field(fields, "pid"), nullptr);
  record.uid = id_value(find_field(fields, "uid"), &record.uid_name);
  record.gid = id_value(find_field(fields, "gid"), nullptr);
  record.auid = id_value(find_field(fields, "auid"), &record.auid_name);
  record.ses = id_value(find_field(fields, "ses"), nullptr);
  record.comm = untrusted_value(find_field(fields, "comm"), header.interpreted);
  record.exe = untrusted_value(find_field(fields, "exe"), header.interpreted);
  if (const Field* sig = find_field(fields, "sig")) record.sig = signal_value(sig->value).value_or(-1);
  if (const Field* compat = find_field(fields, "compat")) record.compat = compat->value == "1";
  if (const Field* ip = find_field(fields, "ip")) record.ip = parse_number<std::uint64_t>(ip->value, 16);
  return record;
}

// "6,1234,5678,-;message": /dev/kmsg's record prefix (priority, sequence, microseconds, flags).
std::optional<std::string_view> strip_kmsg_prefix(std::string_view line) {
  const std::size_t semicolon = line.find(';');
  if (semicolon > 64) return std::nullopt;  // npos (no ';') too
  const std::string_view prefix = line.substr(0, semicolon);
  int commas = 0;
  for (char c : prefix) {
    if (c == ',') {
      ++commas;
    } else if (commas < 3 && (c < '0' || c > '9')) {
      return std::nullopt;
    }
  }
  if (commas < 3 || prefix.front() == ',') return std::nullopt;
  return line.substr(semicolon + 1);
}

std::string json_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

}  // namespace

AuditParser::AuditParser() : AuditParser(Options{}) {}

AuditParser::AuditParser(Options options) : options_(options), started_(!options.since_ms) {
  loss_.set_complete_stream(options_.complete_stream);
}

void AuditParser::malformed(const std::string& why) {
  ++stats_.malformed;
  if (stats_.malformed_examples.size() < kMaxMalformedExamples)
    stats_.malformed_examples.push_back("line " + std::to_string(stats_.lines) + ": " + why);
}

std::optional<SeccompRecord> AuditParser::add_line(std::string_view line) {
  ++stats_.lines;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
    line.remove_suffix(1);

  const std::size_t first = line.find_first_not_of(" \t");
  const bool opens_json = first != std::string_view::npos && line[first] == '{';
  if (json_depth_ > 0 || (json_.empty() && opens_json)) {
    if (json_.empty()) json_first_line_ = stats_.lines;
    for (char c : line) {
      if (json_in_string_) {
        if (json_escape_) {
          json_escape_ = false;
        } else if (c == '\\') {
          json_escape_ = true;
        } else if (c == '"') {
          json_in_string_ = false;
        }
      } else if (c == '"') {
        json_in_string_ = true;
      } else if (c == '{') {
        ++json_depth_;
      } else if (c == '}') {
        --json_depth_;
      }
    }
    json_.append(line);
    json_ += '\n';
    if (json_depth_ <= 0) {
      std::string object = std::move(json_);
      json_.clear();
      json_depth_ = 0;
      json_in_string_ = json_escape_ = false;
      return parse_json(object);
    }
    if (json_.size() > kMaxJsonObject) {
      malformed("a JSON object from line " + std::to_string(json_first_line_) + " is longer than 1 MiB");
      json_.clear();
      json_depth_ = 0;
      json_in_string_ = json_escape_ = false;
    }
    return std::nullopt;
  }
  if (auto message = strip_kmsg_prefix(line)) return parse_text(*message, InputForm::kKmsg);
  return parse_text(line, InputForm::kAuditd);
}

void AuditParser::finish() {
  if (json_.empty()) return;
  malformed("a JSON object from line " + std::to_string(json_first_line_) + " never closes");
  json_.clear();
  json_depth_ = 0;
  json_in_string_ = json_escape_ = false;
}

bool AuditParser::note_loss_line(std::string_view text) {
  if (text.starts_with("-- Boot ") || text.starts_with("-- Reboot --")) {
    loss_.new_boot();  // journalctl's marker between boots
    return true;
  }
  if (const std::size_t at = text.find(" callbacks suppressed"); at != std::string_view::npos) {
    // "kauditd_printk_skb: 541 callbacks suppressed"
    const std::size_t colon = text.rfind(": ", at);
    if (colon == std::string_view::npos) return false;
    auto count = parse_number<std::uint64_t>(text.substr(colon + 2, at - colon - 2));
    std::size_t word = text.find_last_of(" ]", colon);
    word = word == std::string_view::npos ? 0 : word + 1;
    const std::string_view function = text.substr(word, colon - word);
    if (!count || !(function.starts_with("kauditd") || function.starts_with("audit"))) return false;
    if (started_) loss_.add_suppressed(*count);
    return true;
  }
  if (const std::size_t at = text.find(" printk messages dropped"); at != std::string_view::npos) {
    const std::size_t start = text.rfind("** ", at);
    if (start == std::string_view::npos) return false;
    if (auto count = parse_number<std::uint64_t>(text.substr(start + 3, at - start - 3))) {
      if (started_) loss_.add_kernel_messages_lost(*count);
      return true;
    }
    return false;
  }
  const std::size_t at = text.find("audit: ");
  if (at == std::string_view::npos) return false;
  const std::string_view rest = text.substr(at + 7);
  if (rest.starts_with("audit_lost=")) {
    const std::string_view value = rest.substr(
        11, rest.find(' ') == std::string_view::npos ? std::string_view::npos : rest.find(' ') - 11);
    if (auto count = parse_number<std::uint64_t>(value)) {
      if (started_) loss_.add_audit_lost_value(*count);
      return true;
    }
    return false;
  }
  if (rest.starts_with("type=")) return false;
  if (rest.find("limit exceeded") != std::string_view::npos ||
      rest.find("queue overflow") != std::string_view::npos) {
    if (started_) loss_.add_lost_line();
    return true;
  }
  return false;
}

std::optional<SeccompRecord> AuditParser::parse_text(std::string_view text, InputForm form) {
  if (note_loss_line(text)) return std::nullopt;
  auto header = find_header(text);
  if (!header) {
    if (text.find("type=1326 ") != std::string_view::npos ||
        text.find("type=SECCOMP ") != std::string_view::npos)
      malformed("a seccomp record without a readable audit(TIME:SERIAL): stamp");
    return std::nullopt;
  }
  if (form == InputForm::kAuditd) {
    const std::string_view before = text.substr(0, header->start);
    if (header->interpreted) {
      form = InputForm::kAusearch;
    } else if (before.find_first_not_of(' ') == std::string_view::npos) {
      form = InputForm::kAuditd;
    } else if (before.starts_with("[") || before.starts_with("audit:") ||
               before.find("] audit:") != std::string_view::npos) {
      form = before.find(" kernel: ") != std::string_view::npos ? InputForm::kSyslog : InputForm::kDmesg;
    } else {
      form = InputForm::kSyslog;
    }
  }
  if (options_.since_ms) {
    if (header->time_ms < *options_.since_ms) return std::nullopt;
    started_ = true;
  }
  // One type, whichever way the input names it (auditd: SECCOMP, the kernel log: 1326).
  if (is_seccomp_type(header->type)) header->type = "1326";
  loss_.add_stamp(header->node, header->type, header->serial);
  if (!is_seccomp_type(header->type)) {
    ++stats_.other_audit_records;
    return std::nullopt;
  }
  std::string why;
  auto record = build_record(*header, text.substr(header->body), why);
  if (!record) {
    malformed(why);
    return std::nullopt;
  }
  record->form = form;
  record->line = stats_.lines;
  ++stats_.records;
  stats_.forms.insert(form);
  return record;
}

std::optional<SeccompRecord> AuditParser::parse_json(const std::string& object) {
  nlohmann::json entry = nlohmann::json::parse(object, nullptr, false);
  if (entry.is_discarded() || !entry.is_object()) {
    if (object.find("1326") != std::string::npos || object.find("SECCOMP") != std::string::npos)
      malformed("a JSON object from line " + std::to_string(json_first_line_) + " is not valid JSON");
    return std::nullopt;
  }
  if (auto boot = entry.find("_BOOT_ID"); boot != entry.end()) {
    const std::string id = json_text(*boot);
    if (!boot_id_.empty() && id != boot_id_) loss_.new_boot();
    boot_id_ = id;
  }
  const auto message = entry.find("MESSAGE");
  std::string text;
  if (message == entry.end()) return std::nullopt;
  if (message->is_string()) {
    text = message->get<std::string>();
  } else if (message->is_array()) {
    // journalctl writes a field that is not valid UTF-8 (or holds control bytes) as its bytes.
    for (const auto& byte : *message) {
      if (!byte.is_number_unsigned() || byte.get<std::uint64_t>() > 255) {
        malformed("MESSAGE of the JSON object from line " + std::to_string(json_first_line_) +
                  " is an array of non-bytes");
        return std::nullopt;
      }
      text += static_cast<char>(byte.get<std::uint64_t>());
    }
  } else {
    const std::string type = entry.contains("_AUDIT_TYPE") ? json_text(entry["_AUDIT_TYPE"]) : "";
    if (type == "1326")
      malformed("MESSAGE of the JSON object from line " + std::to_string(json_first_line_) +
                " is not given (journalctl leaves out long fields unless --all)");
    return std::nullopt;
  }
  const std::string transport = entry.contains("_TRANSPORT") ? json_text(entry["_TRANSPORT"]) : "";
  if (transport != "audit") return parse_text(text, InputForm::kJournalJson);

  // journald's audit transport: MESSAGE is "SECCOMP auid=..." (type name, then the body); the
  // serial and type are fields, the time is the record's own (as _SOURCE_REALTIME_TIMESTAMP).
  const std::string type = entry.contains("_AUDIT_TYPE") ? json_text(entry["_AUDIT_TYPE"]) : "";
  auto serial = parse_number<std::uint64_t>(entry.contains("_AUDIT_ID") ? json_text(entry["_AUDIT_ID"]) : "");
  std::string when =
      entry.contains("_SOURCE_REALTIME_TIMESTAMP") ? json_text(entry["_SOURCE_REALTIME_TIMESTAMP"]) : "";
  if (when.empty() && entry.contains("__REALTIME_TIMESTAMP")) when = json_text(entry["__REALTIME_TIMESTAMP"]);
  auto micros = parse_number<std::int64_t>(when);
  if (type.empty() || !serial) {
    if (type == "1326") malformed("a journal audit entry without _AUDIT_ID");
    return std::nullopt;
  }
  const std::int64_t time_ms = micros ? *micros / 1000 : 0;
  if (options_.since_ms) {
    if (time_ms < *options_.since_ms) return std::nullopt;
    started_ = true;
  }
  loss_.add_stamp("", type, *serial);
  if (type != "1326") {
    ++stats_.other_audit_records;
    return std::nullopt;
  }
  Header header;
  header.type = type;
  header.serial = *serial;
  header.time_ms = time_ms;
  const std::size_t space = text.find(' ');
  std::string why;
  auto record =
      build_record(header, space == std::string::npos ? "" : std::string_view(text).substr(space + 1), why);
  if (!record) {
    malformed(why);
    return std::nullopt;
  }
  record->form = InputForm::kJournalJson;
  record->line = json_first_line_;
  ++stats_.records;
  stats_.forms.insert(InputForm::kJournalJson);
  return record;
}

ParsedLog parse_log(std::string_view text, AuditParser::Options options) {
  AuditParser parser(options);
  ParsedLog out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (auto record = parser.add_line(text.substr(pos, end - pos))) out.records.push_back(std::move(*record));
    pos = end + 1;
  }
  parser.finish();
  out.loss = parser.loss();
  out.stats = parser.stats();
  return out;
}

}  // namespace seccheck::audit
