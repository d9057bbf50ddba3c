#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <utility>

#include "core/fd.h"

namespace seccheck {
namespace {

bool is_open(int fd) {
  return fcntl(fd, F_GETFD) != -1;
}

TEST(Fd, ClosesWhatItOwnsOnceAndMovesOwnership) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    Fd read_end(fds[0]);
    Fd write_end(fds[1]);
    EXPECT_TRUE(read_end.valid());
    Fd moved(std::move(read_end));
    EXPECT_FALSE(read_end.valid());  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_EQ(moved.get(), fds[0]);
    write_end = std::move(moved);  // closes the write end, takes the read end
    EXPECT_FALSE(is_open(fds[1]));
    EXPECT_TRUE(is_open(fds[0]));
  }
  EXPECT_FALSE(is_open(fds[0]));
}

TEST(Fd, ReleaseGivesUpAndResetCloses) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  Fd fd(fds[0]);
  const int raw = fd.release();
  EXPECT_EQ(raw, fds[0]);
  EXPECT_FALSE(fd.valid());
  fd.reset(fds[1]);
  EXPECT_TRUE(is_open(raw));
  close(raw);
  fd.reset();
  EXPECT_FALSE(is_open(fds[1]));
  EXPECT_FALSE(Fd().valid());
}

}  // namespace
}  // namespace seccheck
