// Runs a command and reports the peak resident memory of that child process alone, from the
// kernel's accounting (wait4's rusage, ru_maxrss, in KiB on Linux): the CLI tests bound the
// memory of a command with it, a number rather than a timing.
//
//   assent-maxrss OUT_FILE COMMAND [ARGS...]
//
// Writes the peak in KiB to OUT_FILE and exits with the command's status (128 + signal when a
// signal ended it). stdin, stdout and stderr are the command's.
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fputs("usage: assent-maxrss OUT_FILE COMMAND [ARGS...]\n", stderr);
    return 125;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    std::perror("assent-maxrss: fork");
    return 125;
  }
  if (child == 0) {
    ::execvp(argv[2], argv + 2);
    std::perror("assent-maxrss: exec");
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  pid_t got;
  do {
    got = ::wait4(child, &status, 0, &usage);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    std::perror("assent-maxrss: wait4");
    return 125;
  }
  std::FILE* out = std::fopen(argv[1], "w");
  if (out == nullptr || std::fprintf(out, "%ld\n", usage.ru_maxrss) < 0 || std::fclose(out) != 0) {
    std::perror("assent-maxrss: OUT_FILE");
    return 125;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
