// The one spelling table for seccomp actions and one for argument comparisons: how profiles
// write them (SCMP_ACT_ERRNO, SCMP_CMP_MASKED_EQ), how reports and verdicts name them (ERRNO),
// the comparison's symbol (!=) and libseccomp's constant. The profile parser, every writer and
// every printer take their names from here.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "analysis/profile.h"

namespace seccheck::analysis {

struct ActionName {
  ActionKind kind;
  std::string_view scmp;  // "SCMP_ACT_ERRNO", as profiles write it
  std::string_view name;  // "ERRNO": reports, verdicts, listings
  bool alias;             // an old spelling the parser accepts (SCMP_ACT_KILL) but nothing writes
};
// In the kernel's precedence order (most severe first), aliases after the name they stand for.
std::span<const ActionName> action_names();
// "SCMP_ACT_ERRNO" (never an alias).
std::string_view scmp_action_name(ActionKind kind);
// Accepts every SCMP_ACT_* spelling, aliases included.
std::optional<ActionKind> parse_scmp_action(std::string_view scmp);
// "KILL_PROCESS", "ERRNO", "ALLOW", ...: SCMP_ACT_* without the prefix.
std::string_view action_kind_name(ActionKind kind);
std::optional<ActionKind> parse_action_kind(std::string_view name);

struct OpName {
  CompareOp op;
  std::string_view scmp;    // "SCMP_CMP_NE", as profiles write it
  std::string_view symbol;  // "!="; MASKED_EQ's is "==" (printers put "& mask" before it)
  int libseccomp;           // libseccomp's scmp_compare value
};
// In CompareOp order.
std::span<const OpName> op_names();
const OpName& op_name(CompareOp op);
std::optional<CompareOp> parse_scmp_op(std::string_view scmp);

}  // namespace seccheck::analysis
