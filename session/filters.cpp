#include "session/filters.h"

#include <optional>

#include "analysis/compile.h"
#include "analysis/filter_cache.h"
#include "core/error.h"

namespace seccheck::session {
namespace {

const analysis::FilterCache* user_filter_cache() {
  static const std::optional<analysis::FilterCache> cache = analysis::FilterCache::for_user();
  return cache ? &*cache : nullptr;
}

void report_selection(const analysis::ProfileSelection& selection, const Diagnostics& diagnostics) {
  for (const std::string& warning : selection.warnings)
    diagnostics.warn(warning);
  for (const analysis::ResolvedProfile& resolved : selection.resolved) {
    diagnostics.note(resolved.name + ": " + std::to_string(resolved.rules.size()) +
                     " rules after resolution");
    for (const std::string& note : resolved.notes)
      diagnostics.note("  " + note);
  }
}

}  // namespace

analysis::ProfileSelection select_profiles(const std::vector<std::string>& specs,
                                           const analysis::Context& context, const Diagnostics& diagnostics) {
  Result<analysis::ProfileSelection> selection = analysis::select_profiles(specs, context);
  if (!selection) throw UserError(ExitCode::kUsage, selection.error().message);
  report_selection(*selection, diagnostics);
  return std::move(*selection);
}

analysis::ProfileSelection select_one_profile(const std::string& spec, const analysis::Context& context,
                                              const std::string& option, const Diagnostics& diagnostics) {
  Result<analysis::ProfileSelection> selection = analysis::select_one_profile(spec, context, option);
  if (!selection) throw UserError(ExitCode::kUsage, selection.error().message);
  report_selection(*selection, diagnostics);
  return std::move(*selection);
}

BpfProgram trace_filter_for(const analysis::ResolvedProfile& profile, std::uint16_t tag,
                            const Diagnostics& diagnostics) {
  const analysis::FilterCache* cache = user_filter_cache();
  Result<BpfProgram> program =
      analysis::compile(profile, analysis::CompileMode::kBlockingToTrace, tag, cache);
  if (!program) throw UserError(ExitCode::kToolFailure, program.error().message);
  diagnostics.note("filter for " + profile.name + ": " + std::to_string(program->instructions.size()) +
                   " BPF instructions" +
                   (program->from_cache ? " (from " + cache->directory().string() + ")" : std::string()));
  return std::move(*program);
}

BpfProgram record_everything_filter(const Diagnostics& diagnostics) {
  analysis::ResolvedProfile everything;
  everything.name = "record-everything";
  everything.default_action = {analysis::ActionKind::kTrace, 0};
  everything.architectures = {Arch::kX86_64, Arch::kI386, Arch::kX32};
  return trace_filter_for(everything, 0, diagnostics);
}

}  // namespace seccheck::session
