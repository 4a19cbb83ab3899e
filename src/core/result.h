// Errors on sampling paths are values: a Result<T> holds either a T or an
// Error. Exceptions are reserved for startup and config load.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace failwatch {

enum class ErrorKind {
  kTimeout,      // the sample's deadline passed
  kUnavailable,  // connection refused, server down, DNS server unreachable
  kNotFound,     // NXDOMAIN, unknown object
  kRejected,     // the server answered with an error (auth, SQLSTATE, rcode)
  kInvalid,      // malformed input or reply
  kInternal,     // a bug or resource exhaustion on our side
};

const char* ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  // A short machine-readable code that is safe as a label value: a c-ares
  // status name, an SQLSTATE, a librdkafka error name, "timeout", ...
  std::string code;
  // One line for humans. Must never contain a secret.
  std::string message;

  std::string ToString() const;
};

inline Error MakeError(ErrorKind kind, std::string code, std::string message) {
  return Error{kind, std::move(code), std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace failwatch
