#include "core/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace failwatch {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};

// Order matters: "ms" must be tried before "m", and units must appear
// largest first in the input.
constexpr std::array<Unit, 6> kUnits = {{{"w", 7LL * 24 * 3600 * 1000},
                                         {"d", 24LL * 3600 * 1000},
                                         {"h", 3600LL * 1000},
                                         {"ms", 1},
                                         {"m", 60LL * 1000},
                                         {"s", 1000}}};

int UnitRank(std::string_view suffix) {
  // Rank by size so "5s1m" is rejected.
  if (suffix == "w") return 0;
  if (suffix == "d") return 1;
  if (suffix == "h") return 2;
  if (suffix == "m") return 3;
  if (suffix == "s") return 4;
  return 5;  // ms
}

Error Bad(std::string_view text, std::string why) {
  return MakeError(ErrorKind::kInvalid, "bad_duration",
                   "invalid duration \"" + std::string(text) + "\": " + why);
}

Error OutOfRange(std::string_view text) {
  return Bad(text, "duration out of range (at most " +
                       std::to_string(kMaxDurationMs / kUnits[1].ms) + "d)");
}

}  // namespace

Result<Millis> ParseDuration(std::string_view text) {
  if (text.empty()) return Bad(text, "empty");
  if (text == "0") return Millis(0);
  std::int64_t total = 0;
  int last_rank = -1;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') {
      return Bad(text, "expected a number (e.g. 250ms, 5s, 1m30s)");
    }
    std::int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      // Any number past the maximum is out of range; stop before int64
      // could overflow.
      if (n > kMaxDurationMs) return OutOfRange(text);
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.suffix.size()) == u.suffix) {
        // "m" must not swallow the "m" of "ms".
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      return Bad(text, "missing or unknown unit (use ms, s, m, h, d, w)");
    }
    int rank = UnitRank(unit->suffix);
    if (rank <= last_rank) return Bad(text, "units must go from largest to smallest");
    last_rank = rank;
    i += unit->suffix.size();
    // Each term and the running sum are checked against the maximum, so
    // "15250284452w106751991167d..." cannot wrap around.
    if (n > kMaxDurationMs / unit->ms) return OutOfRange(text);
    total += n * unit->ms;
    if (total > kMaxDurationMs) return OutOfRange(text);
  }
  return Millis(total);
}

std::string FormatDuration(Millis d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  const std::array<Unit, 4> units = {
      {{"h", 3600LL * 1000}, {"m", 60LL * 1000}, {"s", 1000}, {"ms", 1}}};
  for (const Unit& u : units) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + std::string(u.suffix);
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace failwatch
