// The three states every check reports, ordered by severity so "the worst"
// is a max(); what a check's failure means (its tier); and the verdict's
// four states, which combine the two.
#pragma once

#include <string_view>

namespace failwatch {

enum class CheckStatus { kOk = 0, kDegraded = 1, kDown = 2 };

// "ok", "degraded", "down": label values and JSON strings.
const char* CheckStatusName(CheckStatus status);

inline constexpr CheckStatus kAllCheckStatuses[] = {
    CheckStatus::kOk, CheckStatus::kDegraded, CheckStatus::kDown};

inline CheckStatus Worse(CheckStatus a, CheckStatus b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

// What a failing check means. Impact: applications fail or fall behind
// now (pages). Risk: failover readiness, it will hurt at the next failover
// (tickets). Only impact makes the verdict degraded or down.
enum class CheckTier { kImpact = 0, kRisk = 1 };
// "impact", "risk".
const char* CheckTierName(CheckTier tier);

// ok < at_risk < degraded < down. at_risk: only risk checks fail.
enum class VerdictState { kOk = 0, kAtRisk = 1, kDegraded = 2, kDown = 3 };
// "ok", "at_risk", "degraded", "down".
const char* VerdictStateName(VerdictState state);

inline constexpr VerdictState kAllVerdictStates[] = {
    VerdictState::kOk, VerdictState::kAtRisk, VerdictState::kDegraded,
    VerdictState::kDown};

// What one published check contributes to the verdict.
inline VerdictState VerdictContribution(CheckStatus status, CheckTier tier) {
  if (status == CheckStatus::kOk) return VerdictState::kOk;
  if (tier == CheckTier::kRisk) return VerdictState::kAtRisk;
  return status == CheckStatus::kDown ? VerdictState::kDown
                                      : VerdictState::kDegraded;
}

inline VerdictState Worse(VerdictState a, VerdictState b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

}  // namespace failwatch
