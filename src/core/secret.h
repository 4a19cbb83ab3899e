// A credential (read from the config by the loader). It has no implicit
// conversion to a string and prints as "<secret>", so it cannot end up in a log
// line or in /status by accident; code that really needs the value calls
// Reveal().
#pragma once

#include <ostream>
#include <string>

namespace failwatch {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) {
  return os << "<secret>";
}

}  // namespace failwatch
