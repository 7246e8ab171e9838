// assent: the command-line tool (docs/cli.md). Dispatches to one function per command; every
// error ends as one line on stderr and exit status 2, whatever was thrown.
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <assent/version.hpp>

#include "cmd_approve.hpp"
#include "cmd_audit.hpp"
#include "cmd_decide.hpp"
#include "cmd_keys.hpp"
#include "cmd_policy.hpp"
#include "cmd_verify.hpp"
#include "common.hpp"

namespace assent_cli {

inline constexpr const char* main_help =
    R"(Usage: assent COMMAND [OPTIONS] [ARGS]

Approval governance from the command line: keys, signed approvals, decisions, audit logs.

Commands:
  keygen               create a key pair: private JWK to a file, public JWK to stdout
  approve              sign an approval (a DSSE envelope of approval claims)
  sign                 sign any payload into a DSSE envelope
  cosign               add a signature to an envelope
  verify               check envelope signatures against a key set (no policy)
  decide               decide a request against a policy, keys and credentials
  hash                 the spec hash (sha256:...) of a file
  policy check         validate a policy and print its id and hash
  audit verify         check an audit log's hash chain (and checkpoint)
  audit export         sign an export of an audit log
  audit verify-export  check a signed export offline
  audit metrics        governance metrics of an audit log
  audit append         record a host event (e.g. a closed review) in an audit log

"assent COMMAND --help" describes a command. Exit status: 0 success, allow or valid;
1 deny, invalid or tampered; 2 usage error, unreadable or malformed input.
)";

using command_fn = int (*)(context&, const std::vector<std::string>&);

struct command_entry {
  const char* name;
  command_fn run;
};

// Commands with subcommands ("policy check", "audit verify") are listed by their full name.
inline constexpr command_entry commands[] = {
    {"keygen", cmd_keygen},
    {"approve", cmd_approve},
    {"sign", cmd_sign},
    {"cosign", cmd_cosign},
    {"verify", cmd_verify},
    {"decide", cmd_decide},
    {"hash", cmd_hash},
    {"policy check", cmd_policy_check},
    {"audit verify", cmd_audit_verify},
    {"audit export", cmd_audit_export},
    {"audit verify-export", cmd_audit_verify_export},
    {"audit metrics", cmd_audit_metrics},
    {"audit append", cmd_audit_append},
};

inline int dispatch(int argc, char** argv) {
  std::vector<std::string> words(argv + (argc > 0 ? 1 : 0), argv + (argc > 0 ? argc : 0));
  if (words.empty()) {
    std::cerr << "assent: a command is required (assent --help lists them)\n";
    return exit_usage;
  }
  if (words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    std::cout << main_help;
    return exit_ok;
  }
  if (words[0] == "--version") {
    std::cout << "assent " << assent::version_string() << '\n';
    return exit_ok;
  }
  // A group name alone, or with --help, prints the group's help.
  std::string name = words[0];
  std::size_t used = 1;
  if (name == "policy" || name == "audit") {
    const char* group_help = name == "policy" ? policy_help : audit_help;
    if (words.size() < 2 || words[1] == "--help" || words[1] == "-h") {
      (words.size() < 2 ? std::cerr : std::cout) << group_help;
      return words.size() < 2 ? exit_usage : exit_ok;
    }
    name += " " + words[1];
    used = 2;
  }
  context ctx{name, std::cout, std::cerr};
  for (const auto& c : commands) {
    if (name != c.name) continue;
    int status = exit_usage;
    try {
      status = c.run(ctx, std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(used), words.end()));
    } catch (const cli_error& e) {
      std::cout.flush();
      std::cerr << "assent " << name << ": " << one_line(e.what()) << '\n';
      status = e.status();
    } catch (const std::bad_alloc&) {
      std::cerr << "assent " << name << ": out of memory\n";
      status = exit_usage;
    } catch (const std::exception& e) {
      std::cerr << "assent " << name << ": " << one_line(e.what()) << '\n';
      status = exit_usage;
    }
    return status;
  }
  std::cerr << "assent: unknown command " << quote(name) << " (assent --help lists them)\n";
  return exit_usage;
}

inline int run(int argc, char** argv) {
  const int status = dispatch(argc, argv);
  // An allow (or anything) whose report could not be written is not a success.
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "assent: cannot write to stdout\n";
    return exit_usage;
  }
  return status;
}

}  // namespace assent_cli

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must fail a write with EFBIG, which the audit sink turns into
  // a deny (audit_failed), not kill the process with SIGXFSZ before it can say so.
  (void)std::signal(SIGXFSZ, SIG_IGN);
  try {
    return assent_cli::run(argc, argv);
  } catch (...) {
    // Nothing escapes main: not even a failure to format an error message.
    std::fputs("assent: unexpected error\n", stderr);
    return assent_cli::exit_usage;
  }
}
