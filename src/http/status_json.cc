#include "http/status_json.h"

#include "core/version.h"
#include "http/time_format.h"

namespace failwatch::http {
namespace {

nlohmann::json TimeOrNull(WallTime t) {
  if (t == WallTime{}) return nullptr;
  return FormatRfc3339(t);
}

double Seconds(Millis d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

nlohmann::json TargetStatusJson(const TargetState& s) {
  nlohmann::json t;
  t["collector"] = s.key.kind;
  t["target"] = s.key.target;
  t["interval"] = Seconds(s.schedule.interval);
  t["timeout"] = Seconds(s.schedule.timeout);
  t["sampled"] = s.sampled;
  t["success"] = s.success();
  t["last_sample_time"] = s.sampled ? TimeOrNull(s.last_sample_time) : nullptr;
  t["last_success_time"] = TimeOrNull(s.last_success_time);
  t["duration_seconds"] = s.last_duration_seconds;
  t["samples_total"] = s.samples_total;
  t["failures_total"] = s.failures_total;
  t["deadline_exceeded_total"] = s.deadline_exceeded_total;
  t["skipped_intervals_total"] = s.skipped_total;
  if (s.error) {
    t["error"] = {{"kind", ErrorKindName(s.error->kind)},
                  {"code", s.error->code},
                  {"message", s.error->message}};
  } else {
    t["error"] = nullptr;
  }
  return t;
}

nlohmann::json BuildStatusJson(const SiteSource& app, const Snapshot& snapshot) {
  nlohmann::json out;
  out["version"] = kVersion;
  out["start_time"] = FormatRfc3339(app.StartTime());
  out["config"] = app.ConfigSummary();
  const ReloadStatus r = app.Reload();
  out["reload"] = {
      {"last_reload_successful", r.last_reload_successful},
      {"last_reload_success_time", TimeOrNull(r.last_reload_success)},
      {"reloads_total", r.reloads_total},
      {"reload_failures_total", r.reload_failures_total},
      {"last_error", r.last_error.empty() ? nlohmann::json(nullptr)
                                          : nlohmann::json(r.last_error)},
  };
  out["snapshot_version"] = snapshot.version;
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& [key, state] : snapshot.targets) {
    targets.push_back(TargetStatusJson(state));
  }
  out["targets"] = std::move(targets);
  return out;
}

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace failwatch::http
