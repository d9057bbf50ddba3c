// One interface for every output format of a check report. Renderers only format: they never
// evaluate, and they write nothing but the report to the stream.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/findings.h"

namespace seccheck::report {

enum class Format { kText, kJson, kSarif, kJunit, kMarkdown };

std::optional<Format> parse_format(const std::string& name);  // text|json|sarif|junit|markdown
std::string_view format_name(Format format);
// Every name parse_format accepts, in a fixed order (for --help and completion).
std::vector<std::string> format_names();

struct RenderOptions {
  bool color = false;  // text only; callers enable it only on a TTY
  int max_stack_frames = 5;
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual void render(const analysis::CheckReport& report, std::ostream& out) const = 0;
};

std::unique_ptr<Renderer> make_renderer(Format format, const RenderOptions& options);

// Version of the JSON report schema (schemas/report.schema.json); bumped on breaking changes.
inline constexpr int kReportSchemaVersion = 1;

}  // namespace seccheck::report
