// The renderers behind make_renderer, one file each. Internal to report/; callers use
// renderer.h.
#pragma once

#include <memory>

#include "report/renderer.h"

namespace seccheck::report {

std::unique_ptr<Renderer> make_text_renderer(const RenderOptions& options);
std::unique_ptr<Renderer> make_json_renderer(const RenderOptions& options);
std::unique_ptr<Renderer> make_sarif_renderer(const RenderOptions& options);
std::unique_ptr<Renderer> make_junit_renderer(const RenderOptions& options);
std::unique_ptr<Renderer> make_markdown_renderer(const RenderOptions& options);

}  // namespace seccheck::report
