// The bundled demo workload: an ordinary program plus a few calls that RuntimeDefault
// profiles treat differently (a user namespace, a keyring, personality, AF_VSOCK).
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  int fd = open("/etc/hostname", O_RDONLY);
  if (fd >= 0) close(fd);
  printf("demo: unshare(CLONE_NEWUSER) = %d\n", unshare(CLONE_NEWUSER));
  printf("demo: keyctl(KEYCTL_GET_KEYRING_ID) = %ld\n", syscall(SYS_keyctl, 0, -3, 0));
  printf("demo: personality(query) = %d\n", personality(0xffffffff));
  int vsock = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
  printf("demo: socket(AF_VSOCK) = %d\n", vsock);
  if (vsock >= 0) close(vsock);
  return 0;
}
