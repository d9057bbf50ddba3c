// The wait policy polls only in a long run of syscall stops: never right after a process event,
// and again once kStopsBeforePolling syscall stops have followed it.
#include <gtest/gtest.h>

#include "tracer/wait_policy.h"

namespace seccheck::tracer {
namespace {

void syscall_stops(WaitPolicy& policy, int count) {
  for (int i = 0; i < count; ++i)
    policy.on_syscall_stop();
}

TEST(WaitPolicy, SleepsUntilARunOfSyscallStopsIsLongEnough) {
  WaitPolicy policy;
  EXPECT_FALSE(policy.polling());
  syscall_stops(policy, WaitPolicy::kStopsBeforePolling - 1);
  EXPECT_FALSE(policy.polling());
  policy.on_syscall_stop();
  EXPECT_TRUE(policy.polling());
  syscall_stops(policy, 100000);
  EXPECT_TRUE(policy.polling());
}

TEST(WaitPolicy, AProcessEventEndsPollingUntilTheNextLongRun) {
  WaitPolicy policy;
  syscall_stops(policy, WaitPolicy::kStopsBeforePolling);
  ASSERT_TRUE(policy.polling());
  policy.on_process_event();
  EXPECT_FALSE(policy.polling());
  syscall_stops(policy, WaitPolicy::kStopsBeforePolling - 1);
  EXPECT_FALSE(policy.polling());
  policy.on_syscall_stop();
  EXPECT_TRUE(policy.polling());
}

TEST(WaitPolicy, AForkExecStormNeverPolls) {
  // About 30 calls per process between its exec and the next fork, as bench_fork_exec makes.
  WaitPolicy policy;
  for (int process = 0; process < 1000; ++process) {
    policy.on_process_event();  // fork
    policy.on_process_event();  // exec
    for (int call = 0; call < 30; ++call) {
      policy.on_syscall_stop();
      ASSERT_FALSE(policy.polling()) << "process " << process << ", call " << call;
    }
  }
}

TEST(Heuristics, PollingIsOnUnlessTheBenchTurnsItOff) {
  EXPECT_TRUE(parse_heuristics("").poll);
  EXPECT_FALSE(parse_heuristics("no-poll").poll);
  EXPECT_FALSE(parse_heuristics("other,no-poll").poll);
  EXPECT_TRUE(parse_heuristics("no-polling,poll").poll);  // only the exact word counts
}

TEST(Heuristics, ParentsAsleepInWaitAreLeftOutUnlessTheBenchCountsThem) {
  EXPECT_TRUE(parse_heuristics("").discount_waiting_parents);
  EXPECT_FALSE(parse_heuristics("count-waiting-parents").discount_waiting_parents);
  const Heuristics both = parse_heuristics("no-poll,count-waiting-parents");
  EXPECT_FALSE(both.poll);
  EXPECT_FALSE(both.discount_waiting_parents);
  EXPECT_TRUE(parse_heuristics("no-poll").discount_waiting_parents);
}

}  // namespace
}  // namespace seccheck::tracer
