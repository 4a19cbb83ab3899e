// The health evaluator runs as a pseudo-collector (kind "health", target
// "verdict"), scheduled like any target, so the framework records its
// duration and success. Each Sample reads the latest snapshot, runs the
// pure checks, applies hysteresis (the only state, kept here), advances the
// failover timelines and publishes a Verdict.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/collector.h"
#include "health/check_policy.h"
#include "health/failover_timeline.h"
#include "health/health_inputs.h"
#include "health/health_options.h"
#include "health/hysteresis.h"

namespace failwatch {

// How often the scheduler should run the evaluator: twice per default
// collector interval, so a condition is judged within 0.5 s of being
// published.
inline constexpr Millis kHealthInterval{500};

class HealthEvaluator final : public Collector {
 public:
  HealthEvaluator(HealthConfig health, std::vector<PgDatabaseOptions> databases,
                  HealthTuning tuning = {});
  // The hysteresis policy captures `this`.
  HealthEvaluator(const HealthEvaluator&) = delete;
  HealthEvaluator& operator=(const HealthEvaluator&) = delete;

  const std::string& kind() const override { return kind_; }
  const std::string& target() const override { return target_; }
  SampleOutput Sample(const SampleContext& ctx) override;
  // Every collector's observations.
  std::vector<std::string> reads() const override {
    return {kDnsKind, kPostgresKind, kPgBouncerKind, kKafkaKind};
  }

 private:
  std::string kind_ = kHealthKind;
  std::string target_ = kHealthTarget;
  HealthConfig health_;
  std::vector<PgDatabaseOptions> databases_;
  HealthTuning tuning_;
  ObservationCache cache_;
  Hysteresis hysteresis_;
  FailoverTracker failovers_;
  VerdictState last_state_ = VerdictState::kOk;
};

std::shared_ptr<Collector> MakeHealthEvaluator(
    const HealthConfig& health, std::vector<PgDatabaseOptions> databases);

}  // namespace failwatch
