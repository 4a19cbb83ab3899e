#include "core/regex.h"

#include <re2/re2.h>

namespace failwatch {

Result<Regex> Regex::Compile(std::string_view pattern) {
  if (pattern.size() > kMaxRegexLength) {
    return MakeError(ErrorKind::kInvalid, "bad_regex",
                     "regex too long (" + std::to_string(pattern.size()) +
                         " bytes, at most " + std::to_string(kMaxRegexLength) +
                         ")");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMaxRegexMemory);
  auto re = std::make_shared<const RE2>(
      re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    std::string why = re->error();
    // RE2 quotes the offending part, which can be most of the pattern.
    constexpr std::size_t kMaxWhy = 120;
    if (why.size() > kMaxWhy) why = why.substr(0, kMaxWhy) + "...";
    if (re->error_code() == RE2::ErrorPatternTooLarge) {
      why = "regex too complex (its compiled program exceeds " +
            std::to_string(kMaxRegexMemory >> 20) + " MiB)";
    }
    return MakeError(ErrorKind::kInvalid, "bad_regex", why);
  }
  return Regex(std::move(re));
}

bool Regex::FullMatch(std::string_view s) const {
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *re_);
}

const std::string& Regex::pattern() const { return re_->pattern(); }

const std::string& PatternOf(const OptionalRegex& re) {
  static const std::string kNone;
  return re ? re->pattern() : kNone;
}

}  // namespace failwatch
