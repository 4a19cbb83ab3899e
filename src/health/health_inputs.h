// Everything the checks look at, gathered from one Snapshot. Checks are
// pure functions of HealthInputs (plus tuning), so tests build inputs by
// hand and the evaluator builds them from the published state.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/snapshot.h"
#include "dns/dns_observation.h"
#include "kafka/kafka_observation.h"
#include "pgbouncer/pgbouncer_observation.h"
#include "postgres/pg_observation.h"
#include "postgres/postgres_options.h"

namespace failwatch {

inline constexpr char kHealthKind[] = "health";
inline constexpr char kHealthTarget[] = "verdict";

struct DatabaseInputs {
  std::string name;
  // From the config; empty when the database is only in the snapshot.
  std::vector<AppConfig> apps;
  bool write_probe_enabled = false;
  // Null until the collector published one.
  std::shared_ptr<const DnsObservation> dns;
  std::shared_ptr<const PgObservation> pg;
  // One per PgBouncer of the database that published an observation,
  // ordered by target.
  std::vector<std::shared_ptr<const PgBouncerObservation>> pgbouncers;
  // Kafka observations join in a sibling struct per cluster.
};

// The framework's record of one collector target.
struct CollectorHealth {
  std::string kind;
  std::string target;
  bool sampled = false;
  std::optional<Error> error;
  WallTime last_sample_time{};
  WallTime last_success_time{};
  std::uint64_t failures_total = 0;
  Millis interval{0};
};

struct HealthInputs {
  WallTime now{};
  std::vector<DatabaseInputs> databases;    // sorted by name
  std::vector<CollectorHealth> collectors;  // all but the evaluator itself
  // Latest observation per Kafka cluster, sorted by cluster name.
  std::vector<std::shared_ptr<const KafkaObservation>> kafka;
};

// Observations last seen per target. A target whose latest sample was
// abandoned has no observation in the snapshot; reusing the last one keeps
// the checks (and their hysteresis) alive while collector_failing reports
// the blind spot. Entries of targets that left the snapshot are dropped.
using ObservationCache =
    std::map<TargetKey, std::shared_ptr<const Observation>>;

// Builds the inputs from `snapshot` (may be null) and the configured
// databases. Updates `cache`.
HealthInputs GatherInputs(const Snapshot* snapshot,
                          const std::vector<PgDatabaseOptions>& databases,
                          WallTime now, ObservationCache& cache);

}  // namespace failwatch
