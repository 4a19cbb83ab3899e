// The evaluator's published answer (kind "health", target "verdict"), read
// by /status, /, the verdict endpoint and readiness via
// snapshot->ObservationAs<Verdict>("health", "verdict").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/collector.h"
#include "core/snapshot.h"
#include "health/condition.h"
#include "health/failover_timeline.h"
#include "health/health_options.h"

namespace failwatch {

class Verdict final : public Observation {
 public:
  WallTime evaluated_at{};
  // The worst contribution of the published checks: impact checks make it
  // degraded or down, risk checks at most at_risk.
  VerdictState status = VerdictState::kOk;
  // Applications are hurt now: status is degraded or down (impact only).
  bool degraded = false;
  // Worst first, then by check and target.
  std::vector<CheckResult> checks;
  // The current or last failover per database that had one.
  std::vector<FailoverTimeline> failovers;

  // The 3 a.m. answer in one line: "degraded: orders-api holds 12
  // connections on 127.0.0.3:5432 (standby since 03:12:04Z, pool kept
  // them); orders: writer endpoint moved to 127.0.0.2:5432 41 s ago".
  // Impact reasons come first; risk reasons follow, marked "risk:".
  std::string Headline() const;
};

// The evaluator's latest verdict in `snapshot`, or null before the first
// evaluation.
std::shared_ptr<const Verdict> FindVerdict(const Snapshot& snapshot);

// Builds a Verdict from published results; sorts the checks.
Verdict MakeVerdict(std::vector<CheckResult> checks,
                    std::vector<FailoverTimeline> failovers, WallTime now);

// The /status and verdict-endpoint JSON; schema in docs/reference/health.md.
nlohmann::json VerdictToJson(const Verdict& verdict);
nlohmann::json CheckResultToJson(const CheckResult& check);
nlohmann::json FailoverToJson(const FailoverTimeline& timeline);

// Why readiness should fail under `fails_on`, or nullopt when ready. A null
// verdict (not evaluated yet) fails readiness unless fails_on is kNever:
// "unknown" must not pass a gate that was asked to guard.
std::optional<std::string> ReadinessFailure(
    const Verdict* verdict, HealthConfig::ReadinessFailsOn fails_on);

}  // namespace failwatch
