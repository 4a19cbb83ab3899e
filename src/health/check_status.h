// The three states every check reports, ordered by severity so "the worst"
// is a max().
#pragma once

#include <optional>
#include <string_view>

namespace failwatch {

enum class CheckStatus { kOk = 0, kDegraded = 1, kDown = 2 };

// "ok", "degraded", "down": label values and JSON strings.
const char* CheckStatusName(CheckStatus status);
std::optional<CheckStatus> ParseCheckStatus(std::string_view name);

inline constexpr CheckStatus kAllCheckStatuses[] = {
    CheckStatus::kOk, CheckStatus::kDegraded, CheckStatus::kDown};

inline CheckStatus Worse(CheckStatus a, CheckStatus b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

}  // namespace failwatch
