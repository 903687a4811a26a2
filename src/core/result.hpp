// Result<T>: a value or an Error. Errors are values that travel up by early
// return; exceptions are kept for the unrecoverable and caught once in main.
// (clang 14, used for fuzzing, cannot use libstdc++'s std::expected.)
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace newsmirror::core {

// The kinds are the ones callers branch on: a fetch loop retries `timeout`
// and `connection` but not `parse`; the CLI maps `config` and `usage` to
// exit status 2. A 304 is not an error at all.
enum class ErrorKind {
  io,          // reading or writing a local file failed
  timeout,     // a network operation took too long
  connection,  // could not connect / resolve / TLS / connection reset
  http_status, // the server answered with a status we do not accept
  too_large,   // a body or file exceeded its cap
  parse,       // input is malformed beyond recovery
  not_feed,    // a document that is not a feed at all
  config,      // malformed configuration (file, line and key in the message)
  usage,       // the user asked for something impossible
  database,    // SQLite reported an error
  busy,        // another process is writing the mirror (and we were told not to wait)
  cancelled,   // the user asked to stop before it was done (Ctrl-C)
  forbidden,   // a request we refuse to make: content leading to a private address
  internal,    // a bug or an unexpected library failure
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;  // for a person: what failed and where

  Error() = default;
  Error(ErrorKind k, std::string m) : kind(k), message(std::move(m)) {}

  // Prefixes context, e.g. error.with_context("法广") -> "法广: timeout ...".
  Error with_context(std::string_view context) const {
    return Error(kind, std::string(context) + ": " + message);
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace newsmirror::core
