#include "health/health_evaluator.h"

#include <spdlog/spdlog.h>

#include "health/check_table.h"
#include "health/health_metrics.h"
#include "health/verdict.h"

namespace failwatch {
namespace {

void LogTransition(const StatusTransition& t) {
  const bool worse = static_cast<int>(t.to) > static_cast<int>(t.from);
  spdlog::log(worse ? spdlog::level::warn : spdlog::level::info,
              "health check changed check={} target={} tier={} from={} to={} "
              "conclusive={} reason=\"{}\"",
              t.check, t.target, CheckTierName(t.tier), CheckStatusName(t.from),
              CheckStatusName(t.to), t.conclusive, t.reason);
}

void LogVerdictChange(VerdictState from, const Verdict& v) {
  if (from == v.status) return;
  const bool worse = static_cast<int>(v.status) > static_cast<int>(from);
  spdlog::log(worse ? spdlog::level::warn : spdlog::level::info,
              "verdict changed from={} to={} headline=\"{}\"",
              VerdictStateName(from), VerdictStateName(v.status), v.Headline());
}

void LogFailover(const FailoverTracker::Event& e, WallTime now) {
  const std::string line = FormatTimelineLog(e.timeline, now);
  switch (e.kind) {
    case FailoverTracker::Event::Kind::kConverged:
      spdlog::info("failover converged {}", line);
      break;
    case FailoverTracker::Event::Kind::kNotConverged:
      spdlog::warn("failover not converged {}", line);
      break;
    case FailoverTracker::Event::Kind::kSuperseded:
      spdlog::warn("failover superseded by a new promotion {}", line);
      break;
  }
}

}  // namespace

HealthEvaluator::HealthEvaluator(HealthConfig health,
                                 std::vector<PgDatabaseOptions> databases,
                                 HealthTuning tuning)
    : health_(std::move(health)),
      databases_(std::move(databases)),
      tuning_(tuning),
      memory_(std::make_shared<Memory>(tuning.failover_timeout)) {}

void HealthEvaluator::ContinueFrom(const HealthEvaluator& previous) {
  memory_ = previous.memory_;
}

SampleOutput HealthEvaluator::Sample(const SampleContext& ctx) {
  const WallTime now =
      ctx.now != WallTime{}
          ? ctx.now
          : (ctx.clock ? ctx.clock->Wall() : SystemClock::Get().Wall());
  const HealthInputs in =
      GatherInputs(ctx.snapshot.get(), databases_, now, cache_);

  std::vector<Condition> conditions = RunChecks(in, tuning_);

  // Shared with the evaluator of the config before a reload (ContinueFrom):
  // each sample applies its own config to the state under the lock.
  std::lock_guard<std::mutex> lock(memory_->mu);
  Memory& m = *memory_;
  m.hysteresis.set_policy(
      [this](std::string_view check) { return ResolvePolicy(health_, check); });
  m.failovers.set_timeout(tuning_.failover_timeout);

  std::vector<StatusTransition> transitions;
  std::vector<CheckResult> results =
      m.hysteresis.Apply(conditions, now, &transitions);
  for (const auto& t : transitions) LogTransition(t);

  for (const auto& e : m.failovers.Update(in)) LogFailover(e, now);

  auto verdict = std::make_shared<Verdict>(
      MakeVerdict(std::move(results), m.failovers.Timelines(), now));
  LogVerdictChange(m.last_state, *verdict);
  m.last_state = verdict->status;
  SampleOutput out;
  out.families = BuildHealthFamilies(*verdict, m.failovers);
  out.observation = std::move(verdict);
  return out;
}

std::shared_ptr<Collector> MakeHealthEvaluator(
    const HealthConfig& health, std::vector<PgDatabaseOptions> databases,
    const Collector* previous) {
  auto evaluator = std::make_shared<HealthEvaluator>(
      health, std::move(databases), ResolveTuning(health));
  if (const auto* before = dynamic_cast<const HealthEvaluator*>(previous)) {
    evaluator->ContinueFrom(*before);
  }
  return evaluator;
}

}  // namespace failwatch
