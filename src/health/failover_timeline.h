// The failover timeline of each database: promotion -> the writer endpoint
// resolves to the promoted node -> PgBouncer servers moved (databases with
// PgBouncers) -> apps converged (no stale app connections, no PgBouncer
// server on a wrong node, fresh write probe ok). Built from the observations
// over time; one structured log line per failover when it converges or when it
// has not after a timeout.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metric_builder.h"
#include "health/health_inputs.h"

namespace failwatch {

// Step names: the `step` label and the JSON values.
inline constexpr char kStepPromoted[] = "promoted";
inline constexpr char kStepDnsSwitched[] = "dns_switched";
inline constexpr char kStepAppsConverged[] = "apps_converged";
// Every PgBouncer of the database has no writer-pool server left on a node
// that is not the writable primary (only for databases with PgBouncers).
inline constexpr char kStepPgBouncerMoved[] = "pgbouncer_moved";

struct FailoverStep {
  std::string step;
  WallTime at{};
};

struct FailoverTimeline {
  enum class State { kInProgress, kConverged, kNotConverged };
  std::string database;
  std::string old_primary;  // "" = not known
  std::string new_primary;
  WallTime promoted_at{};
  std::vector<FailoverStep> steps;  // reached steps, oldest first
  State state = State::kInProgress;
  // While not converged: what it waits for, one short line each.
  std::vector<std::string> waiting_for;

  const FailoverStep* Find(const std::string& step) const;
  // Seconds from promotion to apps_converged; nullopt until converged.
  std::optional<double> ConvergenceSeconds() const;
};

// "in_progress", "converged", "not_converged".
const char* FailoverStateName(FailoverTimeline::State state);

// The one line logged for a failover (without the leading message).
std::string FormatTimelineLog(const FailoverTimeline& t, WallTime now);

// Upper bounds of failwatch_failover_convergence_seconds: from a Patroni
// switchover (seconds) to a pool waiting out HikariCP's maxLifetime (30 min).
std::vector<double> ConvergenceBuckets();

// A node that just went unreachable (a rewind restarts the old primary) may
// come back holding stale connections: it blocks convergence this long
// before it counts as gone (a dead primary must not block it forever).
inline constexpr Millis kUnreachableSettle{30000};

class FailoverTracker {
 public:
  explicit FailoverTracker(Millis timeout) : timeout_(timeout) {}

  struct Event {
    enum class Kind { kConverged, kNotConverged, kSuperseded };
    Kind kind;
    FailoverTimeline timeline;
  };

  // Advances every database's timeline with the latest observations.
  std::vector<Event> Update(const HealthInputs& in);

  // A reloaded config's timeout applies to the open timelines (databases
  // the config dropped are dropped by Update, their inputs being gone).
  void set_timeout(Millis timeout) { timeout_ = timeout; }

  // The current or last timeline per database that had a failover.
  std::vector<FailoverTimeline> Timelines() const;
  // Per database: failovers seen and convergence histogram.
  const std::map<std::string, std::uint64_t>& failovers_total() const {
    return failovers_total_;
  }
  const std::map<std::string, HistogramData>& convergence() const {
    return convergence_;
  }

 private:
  struct DbTrack {
    WallTime seen_promotion{};
    std::string last_writer;
    std::optional<FailoverTimeline> timeline;
    // Since when each node has been unreachable (absent = up).
    std::map<std::string, WallTime> down_since;
  };

  void Advance(const DatabaseInputs& db, WallTime now, DbTrack& track,
               std::vector<Event>& events);
  // The steps after the promotion, until converged or timed out.
  void AdvanceOpenTimeline(const DatabaseInputs& db, WallTime now,
                           DbTrack& track, std::vector<Event>& events);

  Millis timeout_;
  std::map<std::string, DbTrack> tracks_;
  std::map<std::string, std::uint64_t> failovers_total_;
  std::map<std::string, HistogramData> convergence_;
};

}  // namespace failwatch
