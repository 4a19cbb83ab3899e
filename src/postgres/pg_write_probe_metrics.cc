#include "core/metric_builder.h"
#include "postgres/pg_family_groups.h"

namespace failwatch {

void AppendPgWriteProbeFamilies(const PgObservation& obs, PgFamilies& out) {
  const std::string& db = obs.database;
  auto probe_ok = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_success",
      "1 when the last heartbeat write through the path succeeded "
      "(fresh: new connection to the endpoint's current address; sticky: "
      "one long-lived connection).");
  auto probe_latency = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_latency_seconds",
      "Duration of the last heartbeat write (fresh includes connecting).");
  auto probe_attempts = FamilyBuilder::Counter(
      "failwatch_pg_write_probe_attempts_total", "Heartbeat writes tried.");
  auto probe_failures = FamilyBuilder::Counter(
      "failwatch_pg_write_probe_failures_total",
      "Failed heartbeat writes by SQLSTATE (25006 = read-only node).");
  auto probe_last_success = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_last_success_time_seconds",
      "When the path last wrote successfully (0 = never).");
  auto probe_target = FamilyBuilder::Gauge(
      "failwatch_pg_write_probe_target",
      "1 for the node the path wrote to in its last attempt.");
  for (const WriteProbePath& p : obs.write_probes) {
    const Labels l{{"database", db}, {"path", p.path}};
    if (p.attempted) {
      probe_ok.Add(l, p.ok ? 1 : 0);
      probe_latency.Add(l, p.latency_seconds);
    }
    probe_attempts.Add(l, static_cast<double>(p.attempts_total));
    for (const auto& [code, count] : p.failures_total) {
      probe_failures.Add(
          {{"database", db}, {"path", p.path}, {"sqlstate", code}},
          static_cast<double>(count));
    }
    probe_last_success.Add(l, PgSeconds(p.last_success));
    if (!p.address.empty()) {
      probe_target.Add(
          {{"database", db}, {"path", p.path}, {"address", p.address}}, 1);
    }
  }
  for (FamilyBuilder* f :
       {&probe_ok, &probe_latency, &probe_attempts, &probe_failures,
        &probe_last_success, &probe_target}) {
    f->MoveTo(out);
  }
}

}  // namespace failwatch
