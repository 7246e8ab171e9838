// The assent command-line tool: what every command shares (exit statuses, the option parser,
// bounded file reading, loading the trust inputs, JSON output). docs/cli.md is its manual.
//
// The tool is one translation unit: main.cpp includes one header per command group. Every
// decision the tool reports is made by the library; this layer only reads arguments and files
// and prints results.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <assent/json/time.hpp>
#include <assent/keys/jwks.hpp>
#include <assent/keys/private_key.hpp>
#include <assent/policy/load.hpp>
#include <assent/request.hpp>

namespace assent_cli {

/// Exit statuses: the contract scripts rely on (docs/cli.md, "Exit statuses").
enum exit_status : int {
  exit_ok = 0,        ///< success, allow, valid
  exit_negative = 1,  ///< deny, invalid, tampered
  exit_usage = 2,     ///< usage error, unreadable or malformed input, any other failure
};

/// Ends a command: one line on stderr, then exit with `status`.
class cli_error : public std::runtime_error {
 public:
  explicit cli_error(const std::string& what, int status = exit_usage) : std::runtime_error(what), status_(status) {}
  [[nodiscard]] int status() const noexcept { return status_; }

 private:
  int status_;
};

/// Throws a cli_error (exit 2 unless told otherwise).
[[noreturn]] inline void fail(const std::string& message, int status = exit_usage) { throw cli_error(message, status); }

/// The text with every control character replaced by a space: an error is one line on stderr,
/// whatever a file name or a library message holds.
[[nodiscard]] inline std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return out;
}

/// A name as it appears in messages: JSON-quoted, so odd bytes cannot garble the line.
[[nodiscard]] inline std::string quote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// What a command sees of the process: its name (for messages), the standard streams, and
/// whether stdin was already consumed (it can be read once).
struct context {
  std::string command;  ///< "decide", "audit verify", ... (the prefix of its messages)
  std::ostream& out;    ///< results
  std::ostream& err;    ///< one line per error, warnings
  bool stdin_used = false;

  /// Prints a warning line (the command continues).
  void warn(const std::string& message) const { err << "assent " << command << ": warning: " << one_line(message) << '\n'; }
};

// ---- options --------------------------------------------------------------------------------

/// One option a command accepts: `--name VALUE` (or `--name=VALUE`) when it takes a value, else
/// a flag; `repeat` lets it be given more than once.
struct option_spec {
  const char* name;
  bool takes_value;
  bool repeat;
};

/// A parsed command line.
class arguments {
 public:
  std::map<std::string, std::vector<std::string>> options;  ///< by name, in order given
  std::vector<std::string> positional;                       ///< operands, in order
  bool help = false;                                         ///< --help or -h was given

  /// Whether the option was given.
  [[nodiscard]] bool has(const std::string& name) const { return options.count(name) != 0; }
  /// The option's value, if given.
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const {
    const auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second.back();
  }
  /// The option's value; a usage error when it is missing.
  [[nodiscard]] std::string need(const std::string& name) const {
    auto v = get(name);
    if (!v) fail("--" + name + " is required (see --help)");
    return *v;
  }
  /// Every value of a repeatable option.
  [[nodiscard]] std::vector<std::string> all(const std::string& name) const {
    const auto it = options.find(name);
    return it == options.end() ? std::vector<std::string>{} : it->second;
  }
  /// Requires between min and max operands (names them in the message).
  void operands(std::size_t min, std::size_t max, const char* what) const {
    if (positional.size() < min) fail(std::string("missing ") + what + " (see --help)");
    if (positional.size() > max) fail("unexpected argument " + quote(positional[max]) + " (see --help)");
  }
};

/// Parses `args` (the words after the command name). `--` ends the options; `-` is an operand
/// (stdin). Unknown options, a missing value, a flag given a value and a non-repeatable option
/// given twice are usage errors.
[[nodiscard]] inline arguments parse_arguments(const std::vector<std::string>& args,
                                               std::initializer_list<option_spec> spec) {
  arguments a;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (options_done || word == "-" || word.empty() || word[0] != '-') {
      a.positional.push_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word == "--help" || word == "-h") {
      a.help = true;
      return a;
    }
    if (word.size() < 3 || word[1] != '-') fail("unknown option " + quote(word) + " (see --help)");
    std::string name = word.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const option_spec* found = nullptr;
    for (const auto& s : spec) {
      if (name == s.name) found = &s;
    }
    if (found == nullptr) fail("unknown option --" + one_line(name) + " (see --help)");
    if (!found->repeat && a.has(name)) fail("--" + name + " given twice");
    if (found->takes_value) {
      if (!value) {
        if (i + 1 >= args.size()) fail("--" + name + " needs a value");
        value = args[++i];
      }
      a.options[name].push_back(*value);
    } else {
      if (value) fail("--" + name + " takes no value");
      a.options[name].push_back(std::string());
    }
  }
  return a;
}

/// Splits "a,b,c" into its items ("" gives none). Used for lists of names, which never hold a
/// comma (roles, environments, capabilities).
[[nodiscard]] inline std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// An RFC 3339 time option (`--at`, `--not-before`) as UTC seconds.
[[nodiscard]] inline std::int64_t parse_time_option(const std::string& name, const std::string& value) {
  const auto t = assent::json::parse_rfc3339(value);
  if (!t) fail("--" + name + " " + quote(value) + " is not an RFC 3339 time (e.g. 2026-11-21T10:00:00Z)");
  return *t;
}

/// A duration option: a positive whole number with an optional unit s, m, h or d (seconds by
/// default), at most one year.
[[nodiscard]] inline std::int64_t parse_duration_option(const std::string& name, const std::string& value) {
  const auto bad = [&] {
    fail("--" + name + " " + quote(value) + " is not a duration (a number with s, m, h or d, e.g. 30m)");
  };
  if (value.empty()) bad();
  std::size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9 || value.size() - digits > 1) bad();
  std::int64_t unit = 1;
  if (digits < value.size()) {
    switch (value[digits]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: bad();
    }
  }
  const std::int64_t seconds = std::stoll(value.substr(0, digits)) * unit;
  if (seconds <= 0 || seconds > 366 * 86400) fail("--" + name + " must be between 1s and 366d");
  return seconds;
}

// ---- files ----------------------------------------------------------------------------------

/// Bytes read from a file or stdin, at most limit + 1 of them.
struct file_text {
  std::string text;        ///< what was read
  bool truncated = false;  ///< the input is longer than the limit (text holds limit + 1 bytes)
};

namespace detail {
// Closes a descriptor it owns (never stdin).
struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd > 0) (void)::close(fd);
  }
};
}  // namespace detail

/// Reads `path` (`-`: stdin, once per run) up to `limit` bytes and one more, so an oversized
/// input is detected without reading it all. `what` names the input in messages
/// ("policy file").
[[nodiscard]] inline file_text read_input(context& ctx, const std::string& path, std::size_t limit,
                                          const std::string& what) {
  const std::string name = what + " " + (path == "-" ? std::string("(stdin)") : quote(path));
  int fd = 0;
  if (path == "-") {
    if (ctx.stdin_used) fail(name + ": stdin was already read by another argument");
    ctx.stdin_used = true;
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(name + ": cannot open: " + std::strerror(errno));
  }
  const detail::fd_closer closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) fail(name + ": is a directory");
  file_text out;
  // A regular file's size is known: one allocation, not a doubling string (which would hold
  // one and a half times the input while it grows).
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    out.text.reserve(std::min(static_cast<std::size_t>(st.st_size), limit) + 1);
  }
  char chunk[65536];
  while (out.text.size() <= limit) {
    const std::size_t want = std::min(sizeof chunk, limit + 1 - out.text.size());
    const ssize_t got = ::read(fd, chunk, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(name + ": cannot read: " + std::strerror(errno));
    }
    if (got == 0) break;
    out.text.append(chunk, static_cast<std::size_t>(got));
  }
  out.truncated = out.text.size() > limit;
  return out;
}

/// read_input, refusing an input longer than `limit`.
[[nodiscard]] inline std::string read_whole(context& ctx, const std::string& path, std::size_t limit,
                                            const std::string& what) {
  file_text t = read_input(ctx, path, limit, what);
  if (t.truncated) {
    fail(what + " " + (path == "-" ? std::string("(stdin)") : quote(path)) + ": larger than " +
         std::to_string(limit) + " bytes");
  }
  return std::move(t.text);
}

/// Limit on a JSON input (policy, request, key set): what the strict parser accepts.
inline constexpr std::size_t json_input_limit = assent::json::parse_limits{}.max_bytes;

// ---- trust inputs ---------------------------------------------------------------------------

/// Loads a trusted key set (JWKS); exit 2 naming the file, the key and the JSON path on a fault.
[[nodiscard]] inline std::shared_ptr<const assent::memory_key_store> load_key_set(context& ctx, const std::string& path) {
  const std::string text = read_whole(ctx, path, json_input_limit, "key set file");
  auto r = assent::load_jwks(text);
  if (!r) fail("key set file " + quote(path) + ": " + r.error.message);
  return r.store;
}

/// Loads a policy; exit 2 naming the file and the JSON path on a fault.
[[nodiscard]] inline assent::policy load_policy_file(context& ctx, const std::string& path) {
  const std::string text = read_whole(ctx, path, json_input_limit, "policy file");
  auto r = assent::load_policy(std::string_view(text));
  if (!r.ok()) fail("policy file " + quote(path) + ": " + r.describe());
  return std::move(*r.value);
}

/// Loads a request document; exit 2 naming the file and the JSON path on a fault.
[[nodiscard]] inline assent::request load_request_file(context& ctx, const std::string& path) {
  const std::string text = read_whole(ctx, path, json_input_limit, "request file");
  auto r = assent::parse_request(std::string_view(text));
  if (!r.ok()) fail("request file " + quote(path) + ": " + r.describe());
  return std::move(*r.value);
}

/// Loads a private key (JWK or PKCS#8 PEM) from a file; exit 2 on a fault. Not from stdin: the
/// library reads key files itself so it can wipe their bytes.
[[nodiscard]] inline assent::signing_key load_private_key(const std::string& path) {
  if (path == "-") fail("--key must name a file (process substitution such as <(...) works)");
  auto r = assent::load_signing_key_file(path);
  if (!r) fail(r.error.message);
  return std::move(*r.key);
}

// ---- output ---------------------------------------------------------------------------------

/// Prints one JSON document and a newline (compact, or indented with --pretty). Never throws on
/// bad UTF-8 (replaced); all text assent reads was UTF-8-checked already.
inline void print_json(const context& ctx, const nlohmann::json& j, bool pretty = false) {
  ctx.out << j.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

/// A JSON string, or null when absent.
[[nodiscard]] inline nlohmann::json or_null(const std::optional<std::string>& s) {
  return s ? nlohmann::json(*s) : nlohmann::json();
}

}  // namespace assent_cli
