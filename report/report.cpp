#include <array>
#include <string_view>
#include <utility>

#include "report/renderer.h"
#include "report/renderers.h"

namespace seccheck::report {
namespace {

constexpr std::array<std::pair<std::string_view, Format>, 5> kFormats = {{
    {"text", Format::kText},
    {"json", Format::kJson},
    {"sarif", Format::kSarif},
    {"junit", Format::kJunit},
    {"markdown", Format::kMarkdown},
}};

}  // namespace

std::optional<Format> parse_format(const std::string& name) {
  for (const auto& [text, format] : kFormats) {
    if (text == name) return format;
  }
  return std::nullopt;
}

std::string_view format_name(Format format) {
  for (const auto& [text, value] : kFormats) {
    if (value == format) return text;
  }
  return "text";
}

std::vector<std::string> format_names() {
  std::vector<std::string> names;
  names.reserve(std::size(kFormats));
  for (const auto& entry : kFormats)
    names.emplace_back(entry.first);
  return names;
}

std::unique_ptr<Renderer> make_renderer(Format format, const RenderOptions& options) {
  switch (format) {
    case Format::kText: return make_text_renderer(options);
    case Format::kJson: return make_json_renderer(options);
    case Format::kSarif: return make_sarif_renderer(options);
    case Format::kJunit: return make_junit_renderer(options);
    case Format::kMarkdown: return make_markdown_renderer(options);
  }
  return make_text_renderer(options);
}

}  // namespace seccheck::report
