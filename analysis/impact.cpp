#include "analysis/impact.h"

#include <array>
#include <utility>

namespace seccheck::analysis {
namespace {

constexpr std::array<std::pair<ImpactKind, std::string_view>, 3> kKinds = {{
    {ImpactKind::kRecovers, "recovers"},
    {ImpactKind::kBreaks, "breaks"},
    {ImpactKind::kUnstable, "unstable"},
}};
constexpr std::array<std::pair<ImpactFix, std::string_view>, 3> kFixes = {{
    {ImpactFix::kNone, "none"},
    {ImpactFix::kEnosys, "errno_enosys"},
    {ImpactFix::kAllow, "allow"},
}};
constexpr std::array<std::pair<GateMode, std::string_view>, 3> kGates = {{
    {GateMode::kAny, "any"},
    {GateMode::kBreaking, "breaking"},
    {GateMode::kReachable, "reachable"},
}};

template <typename T, std::size_t N>
std::string_view name_of(const std::array<std::pair<T, std::string_view>, N>& table, T value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

template <typename T, std::size_t N>
std::optional<T> value_of(const std::array<std::pair<T, std::string_view>, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : ", ") + word;
  return text;
}

}  // namespace

std::string_view impact_kind_name(ImpactKind kind) {
  return name_of(kKinds, kind);
}
std::optional<ImpactKind> parse_impact_kind(std::string_view name) {
  return value_of(kKinds, name);
}
std::string_view impact_fix_name(ImpactFix fix) {
  return name_of(kFixes, fix);
}
std::optional<ImpactFix> parse_impact_fix(std::string_view name) {
  return value_of(kFixes, name);
}
std::string_view gate_mode_name(GateMode mode) {
  return name_of(kGates, mode);
}
std::optional<GateMode> parse_gate_mode(std::string_view name) {
  return value_of(kGates, name);
}

std::string describe_impact(const FindingImpact& impact) {
  std::string text(impact_kind_name(impact.kind));
  switch (impact.kind) {
    case ImpactKind::kRecovers:
      if (!impact.fell_back_to.empty()) {
        text += " (fell back to " + joined(impact.fell_back_to);
        if (impact.together > 1)
          text += ", in a run answering " + std::to_string(impact.together) + " findings";
        text += ")";
      }
      break;
    case ImpactKind::kBreaks:
      text += ": " + impact.outcome;
      if (impact.fix == ImpactFix::kEnosys)
        text += "; fix: answer ENOSYS (errnoRet 38), tried: recovers";
      else if (impact.fix == ImpactFix::kAllow)
        text += "; fix: allow the call" +
                (impact.fix_outcome.empty() ? std::string() : " (ENOSYS tried: " + impact.fix_outcome + ")");
      break;
    case ImpactKind::kUnstable: text += ": two plain runs ended differently, no verdict"; break;
  }
  return text;
}

}  // namespace seccheck::analysis
