// An SiteSource with fixed, settable data for the HTTP tests.
#pragma once

#include <memory>
#include <mutex>

#include "http/site_source.h"
#include "core/metric_builder.h"
#include "core/rendered_families.h"

namespace failwatch::http::testing {

class FakeAppState : public SiteSource {
 public:
  explicit FakeAppState(const Clock& clock) : clock_(clock) {
    heartbeat_ = clock.Steady();
    snapshot_ = std::make_shared<Snapshot>();
  }

  std::shared_ptr<const Snapshot> CurrentSnapshot() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshot_;
  }
  SteadyTime SchedulerHeartbeat() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return heartbeat_;
  }
  nlohmann::json ConfigSummary() const override {
    return {{"databases", {{{"name", "orders"}, {"user", "monitor"}}}}};
  }
  ReloadStatus Reload() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return reload_;
  }
  WallTime StartTime() const override {
    return WallTime(std::chrono::seconds(1'700'000'000));
  }

  void SetSnapshot(std::shared_ptr<const Snapshot> s) {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = std::move(s);
  }
  void SetHeartbeat(SteadyTime t) {
    std::lock_guard<std::mutex> lock(mu_);
    heartbeat_ = t;
  }
  void SetReload(ReloadStatus r) {
    std::lock_guard<std::mutex> lock(mu_);
    reload_ = std::move(r);
  }

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  SteadyTime heartbeat_{};
  ReloadStatus reload_;
};

// FamilyBuilder::Add returns an lvalue and MoveTo wants an rvalue, so a
// one-line chain does not compile; this is that chain.
inline prometheus::MetricFamily OneSample(FamilyBuilder b, const Labels& labels,
                                          double value) {
  b.Add(labels, value);
  return std::move(b).Build();
}

// A target state with one gauge family of its own.
inline TargetState MakeTarget(const std::string& kind,
                              const std::string& target, bool sampled,
                              std::optional<Error> error = std::nullopt) {
  TargetState s;
  s.key = {kind, target};
  s.schedule.interval = Millis(15000);
  s.schedule.timeout = Millis(5000);
  s.sampled = sampled;
  s.error = std::move(error);
  if (sampled) {
    s.last_sample_time = WallTime(std::chrono::milliseconds(1'700'000'100'250));
    if (!s.error) s.last_success_time = s.last_sample_time;
    s.last_duration_seconds = 0.125;
    s.samples_total = 3;
    s.failures_total = s.error ? 1 : 0;
    // Rendered as the scheduler publishes it.
    s.rendered = RenderFamilies({OneSample(
        FamilyBuilder::Gauge("failwatch_" + kind + "_up", "Target reachable."),
        {{"target", target}}, s.error ? 0 : 1)});
  }
  return s;
}

}  // namespace failwatch::http::testing
