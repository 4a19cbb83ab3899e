#include "health/check_status.h"

namespace failwatch {

const char* CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kDegraded:
      return "degraded";
    case CheckStatus::kDown:
      return "down";
  }
  return "down";
}

const char* CheckTierName(CheckTier tier) {
  return tier == CheckTier::kRisk ? "risk" : "impact";
}

const char* VerdictStateName(VerdictState state) {
  switch (state) {
    case VerdictState::kOk:
      return "ok";
    case VerdictState::kAtRisk:
      return "at_risk";
    case VerdictState::kDegraded:
      return "degraded";
    case VerdictState::kDown:
      return "down";
  }
  return "down";
}

}  // namespace failwatch
