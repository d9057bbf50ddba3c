#include "tests/analysis/kernel_harness.h"

#include <cerrno>

namespace seccheck::testing {

Observation expected_with_backstop(const analysis::Verdict& verdict) {
  Observation obs;
  switch (verdict.action.kind) {
    case analysis::ActionKind::kKillProcess:
    case analysis::ActionKind::kKillThread: obs.killed = true; break;
    case analysis::ActionKind::kTrap: obs.trapped = true; break;
    case analysis::ActionKind::kErrno:
      obs.ret = -1;
      obs.err = static_cast<int>(verdict.action.value.value_or(EPERM));
      break;
    default:  // ALLOW, LOG, TRACE, NOTIFY: the backstop's TRACE without a tracer
      obs.ret = -1;
      obs.err = ENOSYS;
      break;
  }
  return obs;
}

}  // namespace seccheck::testing
