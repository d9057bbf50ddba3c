// Opens paths carrying terminal escape sequences and invalid UTF-8; a tracer must print them
// escaped. Both opens fail (ENOENT).
#include <fcntl.h>

int main(void) {
  open("/nonexistent/\x1b[2J\x1b]0;pwned\x07", O_RDONLY);
  open("/nonexistent/\xff\xc2\x9b" "31m-caf\xc3\xa9", O_RDONLY);
  return 0;
}
