// Regular expressions from the config (discover_groups, group_allow, ...):
// RE2, so matching is linear in the input and compiling never recurses on
// the pattern's nesting (std::regex overflowed the stack on "((((...))))").
// Patterns are compiled once, when the config is loaded, with a bounded
// length and program size; matching is always a full match.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace re2 {
class RE2;
}

namespace failwatch {

// Longer patterns are refused before RE2 sees them.
inline constexpr std::size_t kMaxRegexLength = 4096;
// RE2's memory budget for one compiled pattern (program and DFA caches).
inline constexpr std::int64_t kMaxRegexMemory = 8 << 20;

class Regex {
 public:
  // Error code "bad_regex"; the message names the reason, not the pattern
  // (the caller decides whether to echo it).
  static Result<Regex> Compile(std::string_view pattern);

  // The whole of `s` matches (RE2::FullMatch).
  bool FullMatch(std::string_view s) const;
  const std::string& pattern() const;
  // Same pattern text (config equality on reload).
  friend bool operator==(const Regex& a, const Regex& b) {
    return a.pattern() == b.pattern();
  }

 private:
  explicit Regex(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
  std::shared_ptr<const re2::RE2> re_;  // shared: copies are cheap
};

// A config filter: unset = no filter (the key was empty or absent).
using OptionalRegex = std::optional<Regex>;

// The pattern text, "" when unset (for the config summary).
const std::string& PatternOf(const OptionalRegex& re);

}  // namespace failwatch
