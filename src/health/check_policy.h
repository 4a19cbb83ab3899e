// Hysteresis defaults per check and the thresholds the checks use. The
// defaults are chosen for the failover story (see docs/reference/health.md
// for the reasoning per check); users override `for` and `clear_after`
// under health.checks.<name>.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "health/health_options.h"

namespace failwatch {

struct CheckPolicy {
  // How long a worse raw status must hold before it is published.
  Millis for_duration{0};
  // How long a better raw status must hold before the alarm clears.
  Millis clear_after{0};
  bool operator==(const CheckPolicy&) const = default;
};

// The defaults for `name` (its row in health/check_table.cc); unknown names
// get {0, 0}.
CheckPolicy DefaultPolicy(std::string_view name);

// The default overlaid with health.checks.<name>.
CheckPolicy ResolvePolicy(const HealthConfig& config, std::string_view name);

// Thresholds the checks and the failover tracker use. Each is a key under
// health.checks.<check> (the thresholds of its CheckSpec in
// health/check_table.cc; the failover timeout is health.failover_timeout);
// ResolveTuning applies them.
struct HealthTuning {
  // dns_flapping: an old answer must come back within this window. With a
  // 5 s TTL, A -> B -> A shows within ~10-15 s; 30 s catches slower flips.
  Millis dns_flap_window{30'000};
  // dns_ttl (max_ttl): a writer endpoint whose records live longer than
  // this is cached by clients for longer than a managed failover takes
  // (RDS Multi-AZ 60-120 s, Aurora's TTL is 5 s): after the promotion they
  // keep connecting to the old node until the TTL runs out.
  double dns_max_ttl_seconds = 60;
  // replication_lag: degraded above either. 30 s of replay lag is 30 s of
  // writes lost if this standby were promoted now; 512 MiB of unreplayed
  // WAL is several seconds of replay before a promotion can finish.
  double replication_lag_seconds = 30;
  std::int64_t replication_lag_bytes = 512LL * 1024 * 1024;
  // collector_failing: a target with no completed sample for this many
  // intervals is stale (the scheduler or the collector is stuck).
  int collector_stale_intervals = 5;
  // consumer_lag: degraded above this many seconds behind (besides any
  // WARN/STALL/STOP/REWIND status). Five minutes: batch-ish consumers
  // routinely run a minute or two behind; a consumer stuck on a read-only
  // database after a failover passes this while the failover is still
  // being worked on.
  double consumer_lag_seconds = 300;
  // consumer_lag (window, stopped_after): rates over this window tell a
  // consumer falling behind from a burst that drains; no progress for
  // stopped_after while lag > 0 is a stopped consumer.
  Millis consumer_lag_window{60'000};
  Millis consumer_lag_stopped_after{30'000};
  // pgbouncer_waiting (max_wait, max_waiting): any pool's oldest waiting
  // client waited longer than max_wait, or more than max_waiting clients
  // wait in total. A healthy pool hands out a server in milliseconds; a
  // second of waiting is a request timing out somewhere.
  double pgbouncer_max_wait_seconds = 1.0;
  std::int64_t pgbouncer_max_waiting = 19;
  // dlt_receiving: records entered a DLT within this window. The policy's
  // clear_after (300 s) then keeps it reported for 5 min after the last.
  Millis dlt_receiving_window{60'000};
  // dlt_unhandled_age: the oldest record nobody reprocessed is older than
  // this. Retry topics and automatic replays finish well within 10 min; a
  // dead letter older than that is waiting for a human.
  double dlt_unhandled_age_seconds = 600;
  // The failover timeline is logged as not converged after this long.
  // Pools that keep connections (HikariCP maxLifetime 30 min) never
  // converge on their own; 5 min is far beyond any managed failover
  // (RDS Multi-AZ 60-120 s) yet early enough to act on.
  Millis failover_timeout{300'000};

  bool operator==(const HealthTuning&) const = default;
};

// The defaults overlaid with the health config's thresholds.
HealthTuning ResolveTuning(const HealthConfig& config);

}  // namespace failwatch
