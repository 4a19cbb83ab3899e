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

std::optional<CheckStatus> ParseCheckStatus(std::string_view name) {
  for (CheckStatus s : kAllCheckStatuses) {
    if (name == CheckStatusName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace failwatch
