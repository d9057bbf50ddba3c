// Linked statically (-static): libc's mount is part of the binary, so its `syscall` instruction
// is the program's own code. Calls mount only when given two paths, which no test run does.
#include <stdio.h>
#include <sys/mount.h>

int main(int argc, char** argv) {
  if (argc > 2 && mount(argv[1], argv[2], "tmpfs", MS_NOSUID, NULL) != 0) {
    perror("mount");
    return 1;
  }
  puts("ok");
  return 0;
}
