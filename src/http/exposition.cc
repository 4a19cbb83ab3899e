#include "http/exposition.h"

#include <algorithm>
#include <map>

#include "core/metric_builder.h"
#include "core/version.h"

namespace failwatch::http {
namespace {

double Seconds(Millis d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::vector<prometheus::MetricFamily> MergeFamilies(
    std::vector<prometheus::MetricFamily> families,
    std::vector<std::string>* conflicts) {
  // std::map keeps names sorted; the first family of a name is the base.
  std::map<std::string, prometheus::MetricFamily> by_name;
  for (auto& f : families) {
    auto it = by_name.find(f.name);
    if (it == by_name.end()) {
      std::string name = f.name;
      by_name.emplace(std::move(name), std::move(f));
      continue;
    }
    if (it->second.type != f.type) {
      if (conflicts != nullptr) conflicts->push_back(f.name);
      continue;
    }
    auto& dst = it->second.metric;
    dst.insert(dst.end(), std::make_move_iterator(f.metric.begin()),
               std::make_move_iterator(f.metric.end()));
  }
  std::vector<prometheus::MetricFamily> out;
  out.reserve(by_name.size());
  for (auto& [name, f] : by_name) out.push_back(std::move(f));
  return out;
}

std::vector<prometheus::MetricFamily> FrameworkFamilies(
    const Snapshot& snapshot) {
  auto success = FamilyBuilder::Gauge(
      "failwatch_collector_success",
      "1 if the target's last sample succeeded, 0 if it failed or none has "
      "completed yet.");
  auto duration = FamilyBuilder::Gauge("failwatch_collector_duration_seconds",
                                       "Duration of the target's last sample.");
  auto last_success = FamilyBuilder::Gauge(
      "failwatch_collector_last_success_timestamp_seconds",
      "Unix time of the target's last successful sample; 0 = never.");
  auto samples = FamilyBuilder::Counter("failwatch_collector_samples_total",
                                        "Samples completed or abandoned.");
  auto failures = FamilyBuilder::Counter("failwatch_collector_failures_total",
                                         "Samples that failed.");
  auto deadline = FamilyBuilder::Counter(
      "failwatch_collector_deadline_exceeded_total",
      "Samples abandoned because they overran their timeout.");
  auto skipped = FamilyBuilder::Counter(
      "failwatch_collector_skipped_intervals_total",
      "Scheduled samples skipped because the previous one was still running.");
  auto interval = FamilyBuilder::Gauge("failwatch_collector_interval_seconds",
                                       "Configured sampling interval.");
  auto timeout = FamilyBuilder::Gauge("failwatch_collector_timeout_seconds",
                                      "Configured sample timeout.");
  for (const auto& [key, s] : snapshot.targets) {
    const Labels labels = {{"collector", key.kind}, {"target", key.target}};
    success.Add(labels, s.success() ? 1 : 0);
    duration.Add(labels, s.last_duration_seconds);
    last_success.Add(labels, s.last_success_time == WallTime{}
                                 ? 0
                                 : ToUnixSeconds(s.last_success_time));
    samples.Add(labels, static_cast<double>(s.samples_total));
    failures.Add(labels, static_cast<double>(s.failures_total));
    deadline.Add(labels, static_cast<double>(s.deadline_exceeded_total));
    skipped.Add(labels, static_cast<double>(s.skipped_total));
    interval.Add(labels, Seconds(s.schedule.interval));
    timeout.Add(labels, Seconds(s.schedule.timeout));
  }
  std::vector<prometheus::MetricFamily> out;
  for (auto* b : {&success, &duration, &last_success, &samples, &failures,
                  &deadline, &skipped, &interval, &timeout}) {
    std::move(*b).MoveTo(out);
  }
  return out;
}

std::string CompilerId() {
#if defined(__clang__)
  return "clang-" __clang_version__;
#elif defined(__GNUC__)
  return "gcc-" + std::to_string(__GNUC__) + "." +
         std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::vector<prometheus::MetricFamily> DaemonFamilies(const SiteSource& app,
                                                     SteadyTime now) {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(SingleSample(
      FamilyBuilder::Gauge("failwatch_build_info",
                           "Always 1; labels carry the version and compiler."),
      {{"version", kVersion}, {"compiler", CompilerId()}}, 1));
  out.push_back(
      SingleSample(FamilyBuilder::Gauge("failwatch_start_time_seconds",
                                        "Unix time the daemon started."),
                   {}, ToUnixSeconds(app.StartTime())));
  const ReloadStatus reload = app.Reload();
  out.push_back(SingleSample(
      FamilyBuilder::Gauge("failwatch_config_last_reload_successful",
                           "1 if the last configuration (re)load succeeded."),
      {}, reload.last_reload_successful ? 1 : 0));
  out.push_back(
      SingleSample(FamilyBuilder::Gauge(
                       "failwatch_config_last_reload_success_timestamp_seconds",
                       "Unix time of the last successful configuration load."),
                   {},
                   reload.last_reload_success == WallTime{}
                       ? 0
                       : ToUnixSeconds(reload.last_reload_success)));
  out.push_back(
      SingleSample(FamilyBuilder::Counter("failwatch_config_reloads_total",
                                          "Configuration reloads attempted."),
                   {}, static_cast<double>(reload.reloads_total)));
  out.push_back(SingleSample(
      FamilyBuilder::Counter("failwatch_config_reload_failures_total",
                             "Configuration reloads that failed."),
      {}, static_cast<double>(reload.reload_failures_total)));
  out.push_back(SingleSample(
      FamilyBuilder::Gauge(
          "failwatch_scheduler_heartbeat_age_seconds",
          "Seconds since the scheduler's supervisor last beat; grows when the "
          "collection loop is stuck."),
      {}, std::max(0.0, ToSeconds(now - app.SchedulerHeartbeat()))));
  return out;
}

}  // namespace failwatch::http
