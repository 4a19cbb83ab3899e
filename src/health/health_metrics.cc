#include "health/health_metrics.h"

#include "core/metric_builder.h"

namespace failwatch {
namespace {

void AddCheckFamilies(const Verdict& v,
                      std::vector<prometheus::MetricFamily>& out) {
  auto status = FamilyBuilder::Gauge(
      "failwatch_check_status",
      "State set: 1 for the check's current status (after for/clear_after "
      "hysteresis), 0 for the other two; one series per ok/degraded/down.");
  auto since = FamilyBuilder::Gauge(
      "failwatch_check_since_timestamp_seconds",
      "Unix time the condition behind the check's current status began.");
  for (const auto& c : v.checks) {
    const Labels base = {{"check", c.check}, {"target", c.target}};
    for (CheckStatus s : kAllCheckStatuses) {
      Labels l = base;
      l.emplace_back("status", CheckStatusName(s));
      status.Add(l, s == c.status ? 1 : 0);
    }
    since.Add(base, ToUnixSeconds(c.since));
  }
  std::move(status).MoveTo(out);
  std::move(since).MoveTo(out);

  auto tier = FamilyBuilder::Gauge(
      "failwatch_check_tier",
      "Info: what the check's failure means, impact (applications hurt "
      "now) or risk (it will hurt at the next failover); always 1.");
  for (const auto& c : v.checks) {
    tier.Add({{"check", c.check},
              {"target", c.target},
              {"tier", CheckTierName(c.tier)}},
             1);
  }
  std::move(tier).MoveTo(out);

  auto degraded = FamilyBuilder::Gauge(
      "failwatch_degraded",
      "1 when an impact check is degraded or down (applications are hurt "
      "now: the verdict is degraded or down), else 0. Risk checks never "
      "set it.");
  degraded.Add({}, v.degraded ? 1 : 0);
  std::move(degraded).MoveTo(out);
  auto overall = FamilyBuilder::Gauge(
      "failwatch_status",
      "State set of the verdict: 1 for the current one of "
      "ok/at_risk/degraded/down (at_risk: only risk checks fail).");
  for (VerdictState s : kAllVerdictStates) {
    overall.Add({{"status", VerdictStateName(s)}}, s == v.status ? 1 : 0);
  }
  std::move(overall).MoveTo(out);
}

void AddFailoverFamilies(const Verdict& v, const FailoverTracker& tracker,
                         std::vector<prometheus::MetricFamily>& out) {
  auto steps = FamilyBuilder::Gauge(
      "failwatch_failover_step_timestamp_seconds",
      "Unix time each step of the current or last failover was reached "
      "(promoted, dns_switched, pgbouncer_moved, apps_converged); no series "
      "until reached.");
  auto in_progress = FamilyBuilder::Gauge(
      "failwatch_failover_in_progress",
      "1 while the database's last failover has not converged (apps still "
      "on the old node, or DNS not moved), else 0.");
  for (const auto& t : v.failovers) {
    for (const auto& s : t.steps) {
      steps.Add({{"database", t.database}, {"step", s.step}},
                ToUnixSeconds(s.at));
    }
  }
  for (const auto& [db, n] : tracker.failovers_total()) {
    bool open = false;
    for (const auto& t : v.failovers) {
      if (t.database == db && t.state != FailoverTimeline::State::kConverged) {
        open = true;
      }
    }
    in_progress.Add({{"database", db}}, open ? 1 : 0);
  }
  std::move(steps).MoveTo(out);
  std::move(in_progress).MoveTo(out);

  auto total = FamilyBuilder::Counter(
      "failwatch_failovers_total",
      "Promotions seen by this evaluator (a new last_promotion time).");
  for (const auto& [db, n] : tracker.failovers_total()) {
    total.Add({{"database", db}}, static_cast<double>(n));
  }
  std::move(total).MoveTo(out);

  prometheus::MetricFamily hist;
  hist.name = "failwatch_failover_convergence_seconds";
  hist.help =
      "Seconds from a promotion to apps converged (writer endpoint on the "
      "new primary, no stale app connections, fresh write probe ok).";
  hist.type = prometheus::MetricType::Histogram;
  for (const auto& [db, data] : tracker.convergence()) {
    auto one = HistogramFamily(hist.name, hist.help, {{"database", db}}, data);
    for (auto& m : one.metric) hist.metric.push_back(std::move(m));
  }
  out.push_back(std::move(hist));
}

}  // namespace

std::vector<prometheus::MetricFamily> BuildHealthFamilies(
    const Verdict& verdict, const FailoverTracker& failovers) {
  std::vector<prometheus::MetricFamily> out;
  AddCheckFamilies(verdict, out);
  AddFailoverFamilies(verdict, failovers, out);
  return out;
}

}  // namespace failwatch
