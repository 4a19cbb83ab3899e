#include "health/collector_checks.h"

#include <spdlog/fmt/fmt.h>

#include "health/health_format.h"

namespace failwatch {

void CheckCollectorFailing(const HealthInputs& in, const HealthTuning& tuning,
                           std::vector<Condition>& out) {
  for (const auto& t : in.collectors) {
    Condition c;
    c.check = "collector_failing";
    c.target = t.kind + "/" + t.target;
    c.evidence = {{"collector", t.kind},
                  {"target", t.target},
                  {"last_sample", TimeJson(t.last_sample_time)},
                  {"last_success", TimeJson(t.last_success_time)},
                  {"failures_total", t.failures_total}};
    if (!t.sampled) {
      c.unknown = true;
      c.reason = c.target + " not sampled yet";
      out.push_back(std::move(c));
      continue;
    }
    const std::string last_success =
        t.last_success_time == WallTime{}
            ? "never succeeded"
            : "last success " + FormatClock(t.last_success_time);
    const Millis stale_after = t.interval * tuning.collector_stale_intervals;
    if (t.error) {
      c.status = CheckStatus::kDegraded;
      c.evidence["error_kind"] = ErrorKindName(t.error->kind);
      c.evidence["error_code"] = t.error->code;
      c.evidence["error"] = t.error->message;
      c.reason = fmt::format("{} samples fail: {} {} ({})", c.target,
                             t.error->code, t.error->message, last_success);
    } else if (stale_after.count() > 0 &&
               in.now - t.last_sample_time > stale_after) {
      c.status = CheckStatus::kDegraded;
      c.evidence["stale_after_seconds"] = ToSeconds(stale_after);
      c.reason =
          fmt::format("{} has not completed a sample for {} ({})", c.target,
                      FormatAgo(t.last_sample_time, in.now), last_success);
    } else {
      c.reason = c.target + " samples ok";
    }
    out.push_back(std::move(c));
  }
}

}  // namespace failwatch
