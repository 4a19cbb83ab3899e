// The one interface every source implements. A collector samples one target
// (a database's DNS names, a node set, a PgBouncer, a Kafka cluster) and
// returns metric families plus typed observations for the evaluators.
//
// The framework, not the collector, measures duration, success and
// last-success time, enforces the deadline and publishes the result.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace failwatch {

class Snapshot;

// Typed facts a collector publishes for evaluators and other collectors
// (e.g. the PostgreSQL collector reads the DNS answer history). Immutable
// once published; consumers dynamic_pointer_cast to the concrete type.
class Observation {
 public:
  virtual ~Observation() = default;
};

// The kind of the targets that publish observations of type T, declared
// beside T (kDnsObservations in dns/dns_observation.h, ...): readers name
// the key, never a string, and get T back (Snapshot::Get).
template <typename T>
struct ObservationKey {
  const char* kind;
};

struct SampleContext {
  SteadyTime deadline;
  WallTime now;
  const Clock* clock = nullptr;
  // The latest published state of all targets when this sample started.
  std::shared_ptr<const Snapshot> snapshot;

  Millis Remaining() const {
    auto left = deadline - clock->Steady();
    return left.count() > 0 ? std::chrono::duration_cast<Millis>(left)
                            : Millis(0);
  }
  bool Expired() const { return clock->Steady() >= deadline; }
};

struct SampleOutput {
  std::vector<prometheus::MetricFamily> families;
  std::shared_ptr<const Observation> observation;
  // Set when the sample failed. A failed sample may still carry families
  // (error counters, the parts that worked).
  std::optional<Error> error;
};

class Collector {
 public:
  virtual ~Collector() = default;
  // The source kind, the `collector` label: "dns", "postgres", ...
  virtual const std::string& kind() const = 0;
  // The `target` label, unique within a kind: "orders", "main", ...
  virtual const std::string& target() const = 0;
  // Must return by ctx.deadline; the framework abandons it otherwise. Called
  // from one thread at a time per collector.
  virtual SampleOutput Sample(const SampleContext& ctx) = 0;
  // Kinds whose observations Sample reads from ctx.snapshot. --once runs a
  // target after every target of these kinds (Scheduler::OncePhases).
  virtual std::vector<std::string> reads() const { return {}; }
};

}  // namespace failwatch
