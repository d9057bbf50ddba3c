#include "report/json_report.h"
#include "report/renderers.h"

namespace seccheck::report {
namespace {

class JsonRenderer : public Renderer {
 public:
  void render(const analysis::CheckReport& report, std::ostream& out) const override {
    // Workload strings may hold invalid UTF-8: each bad byte becomes U+FFFD rather than an
    // exception (schemas/report.schema.json says so).
    out << report_to_json(report).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << '\n';
  }
};

}  // namespace

std::unique_ptr<Renderer> make_json_renderer(const RenderOptions&) {
  return std::make_unique<JsonRenderer>();
}

}  // namespace seccheck::report
