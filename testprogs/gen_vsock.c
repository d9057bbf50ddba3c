// socket(AF_VSOCK, SOCK_STREAM, 0): Docker's default profile denies the AF_VSOCK family (40).
// Exits 0 unless the call failed with EPERM (the profile's answer); a kernel without vsock
// support answers EAFNOSUPPORT, which is not a seccomp denial.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int fd = socket(40, SOCK_STREAM, 0);
  if (fd < 0) {
    printf("socket(AF_VSOCK): %s\n", strerror(errno));
    return errno == EPERM ? 1 : 0;
  }
  printf("socket(AF_VSOCK): ok\n");
  close(fd);
  return 0;
}
