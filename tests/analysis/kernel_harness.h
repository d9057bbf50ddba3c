// What the kernel must show for an evaluator verdict when the compiled program runs with the
// backstop of tests/support/seccomp_child.h, which runs the calls.
#pragma once

#include "analysis/evaluate.h"
#include "tests/support/seccomp_child.h"

namespace seccheck::testing {

// What the kernel must show for a verdict, with the backstop in place.
Observation expected_with_backstop(const analysis::Verdict& verdict);

}  // namespace seccheck::testing
