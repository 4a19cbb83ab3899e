// The health evaluator runs as a pseudo-collector (kind "health", target
// "verdict"), scheduled like any target, so the framework records its
// duration and success. Each Sample reads the latest snapshot, runs the
// pure checks, applies hysteresis (the only state, kept here), advances the
// failover timelines and publishes a Verdict.
//
// That state outlives a reload: an operator who edits the config in the
// middle of an incident (a broker list, a new database) must not get a
// verdict that forgets what it held, waits its `for` again and logs
// "from=ok". An evaluator built for a new config continues its
// predecessor's state (ContinueFrom).
#pragma once

#include <memory>
#include <mutex>
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

  // Takes over `previous`'s statuses, holds, failover timelines and last
  // verdict; checks and databases the new config lacks are dropped at the
  // next sample. Call before the first Sample. The state is shared, under
  // a mutex, so a sample still running in `previous` cannot race this one.
  void ContinueFrom(const HealthEvaluator& previous);

 private:
  struct Memory {
    explicit Memory(Millis failover_timeout)
        : hysteresis(nullptr), failovers(failover_timeout) {}
    std::mutex mu;
    Hysteresis hysteresis;
    FailoverTracker failovers;
    VerdictState last_state = VerdictState::kOk;
  };

  std::string kind_ = kHealthKind;
  std::string target_ = kHealthTarget;
  HealthConfig health_;
  std::vector<PgDatabaseOptions> databases_;
  HealthTuning tuning_;
  ObservationCache cache_;
  std::shared_ptr<Memory> memory_;
};

// `previous`, when it is a HealthEvaluator, is continued (ContinueFrom).
std::shared_ptr<Collector> MakeHealthEvaluator(
    const HealthConfig& health, std::vector<PgDatabaseOptions> databases,
    const Collector* previous = nullptr);

}  // namespace failwatch
