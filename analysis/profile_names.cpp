#include "analysis/profile_names.h"

#include <seccomp.h>

#include <algorithm>
#include <iterator>

namespace seccheck::analysis {
namespace {

constexpr ActionName kActions[] = {
    {ActionKind::kKillProcess, "SCMP_ACT_KILL_PROCESS", "KILL_PROCESS", false},
    {ActionKind::kKillThread, "SCMP_ACT_KILL_THREAD", "KILL_THREAD", false},
    {ActionKind::kKillThread, "SCMP_ACT_KILL", "KILL", true},  // KILL_THREAD's old name
    {ActionKind::kTrap, "SCMP_ACT_TRAP", "TRAP", false},
    {ActionKind::kErrno, "SCMP_ACT_ERRNO", "ERRNO", false},
    {ActionKind::kNotify, "SCMP_ACT_NOTIFY", "NOTIFY", false},
    {ActionKind::kTrace, "SCMP_ACT_TRACE", "TRACE", false},
    {ActionKind::kLog, "SCMP_ACT_LOG", "LOG", false},
    {ActionKind::kAllow, "SCMP_ACT_ALLOW", "ALLOW", false},
};

constexpr OpName kOps[] = {
    {CompareOp::kNe, "SCMP_CMP_NE", "!=", SCMP_CMP_NE},
    {CompareOp::kLt, "SCMP_CMP_LT", "<", SCMP_CMP_LT},
    {CompareOp::kLe, "SCMP_CMP_LE", "<=", SCMP_CMP_LE},
    {CompareOp::kEq, "SCMP_CMP_EQ", "==", SCMP_CMP_EQ},
    {CompareOp::kGe, "SCMP_CMP_GE", ">=", SCMP_CMP_GE},
    {CompareOp::kGt, "SCMP_CMP_GT", ">", SCMP_CMP_GT},
    {CompareOp::kMaskedEq, "SCMP_CMP_MASKED_EQ", "==", SCMP_CMP_MASKED_EQ},
};

template <typename Row, std::size_t N, typename Match>
const Row* find_row(const Row (&table)[N], Match match) {
  const Row* found = std::find_if(std::begin(table), std::end(table), match);
  return found == std::end(table) ? nullptr : found;
}

// Every ActionKind and CompareOp has a row (tests check it); an invalid value reads as the
// kernel's default action or as EQ.
const ActionName& action_row(ActionKind kind) {
  const ActionName* row = find_row(kActions, [&](const ActionName& r) { return r.kind == kind && !r.alias; });
  return row != nullptr ? *row : kActions[1];
}

}  // namespace

std::span<const ActionName> action_names() {
  return kActions;
}

std::string_view scmp_action_name(ActionKind kind) {
  return action_row(kind).scmp;
}

std::optional<ActionKind> parse_scmp_action(std::string_view scmp) {
  const ActionName* row = find_row(kActions, [&](const ActionName& r) { return r.scmp == scmp; });
  return row != nullptr ? std::optional(row->kind) : std::nullopt;
}

std::string_view action_kind_name(ActionKind kind) {
  return action_row(kind).name;
}

std::optional<ActionKind> parse_action_kind(std::string_view name) {
  const ActionName* row = find_row(kActions, [&](const ActionName& r) { return r.name == name && !r.alias; });
  return row != nullptr ? std::optional(row->kind) : std::nullopt;
}

std::span<const OpName> op_names() {
  return kOps;
}

const OpName& op_name(CompareOp op) {
  const OpName* row = find_row(kOps, [&](const OpName& r) { return r.op == op; });
  return row != nullptr ? *row : kOps[3];
}

std::optional<CompareOp> parse_scmp_op(std::string_view scmp) {
  const OpName* row = find_row(kOps, [&](const OpName& r) { return r.scmp == scmp; });
  return row != nullptr ? std::optional(row->op) : std::nullopt;
}

}  // namespace seccheck::analysis
