#include "health/health_inputs.h"

#include <algorithm>

namespace failwatch {
namespace {

std::shared_ptr<const Observation> Latest(const Snapshot& snapshot,
                                          const TargetKey& key,
                                          ObservationCache& cache) {
  const TargetState* s = snapshot.Find(key.kind, key.target);
  if (s == nullptr) return nullptr;
  if (s->observation) {
    cache[key] = s->observation;
    return s->observation;
  }
  auto it = cache.find(key);
  return it == cache.end() ? nullptr : it->second;
}

}  // namespace

HealthInputs GatherInputs(const Snapshot* snapshot,
                          const std::vector<PgDatabaseOptions>& databases,
                          WallTime now, ObservationCache& cache) {
  HealthInputs in;
  in.now = now;
  if (snapshot == nullptr) {
    cache.clear();
    return in;
  }
  std::erase_if(cache, [snapshot](const auto& entry) {
    return snapshot->targets.find(entry.first) == snapshot->targets.end();
  });

  std::map<std::string, DatabaseInputs> dbs;
  for (const auto& [key, state] : snapshot->targets) {
    if (key.kind == kHealthKind) continue;
    CollectorHealth c;
    c.kind = key.kind;
    c.target = key.target;
    c.sampled = state.sampled;
    c.error = state.error;
    c.last_sample_time = state.last_sample_time;
    c.last_success_time = state.last_success_time;
    c.failures_total = state.failures_total;
    c.interval = state.schedule.interval;
    in.collectors.push_back(std::move(c));

    if (key.kind == kDnsKind) {
      auto obs = std::dynamic_pointer_cast<const DnsObservation>(
          Latest(*snapshot, key, cache));
      if (obs) dbs[key.target].dns = std::move(obs);
    } else if (key.kind == kKafkaKind) {
      auto obs = std::dynamic_pointer_cast<const KafkaObservation>(
          Latest(*snapshot, key, cache));
      if (obs) in.kafka.push_back(std::move(obs));  // targets are sorted
    } else if (key.kind == kPostgresKind) {
      auto obs = std::dynamic_pointer_cast<const PgObservation>(
          Latest(*snapshot, key, cache));
      if (obs) dbs[key.target].pg = std::move(obs);
    } else if (key.kind == kPgBouncerKind) {
      // Target "<database>/<address>": the observation names its database.
      auto obs = std::dynamic_pointer_cast<const PgBouncerObservation>(
          Latest(*snapshot, key, cache));
      if (obs) dbs[obs->database].pgbouncers.push_back(std::move(obs));
    }
  }
  for (auto& [name, db] : dbs) {
    db.name = name;
    for (const auto& cfg : databases) {
      if (cfg.name != name) continue;
      db.apps = cfg.apps;
      db.write_probe_enabled = cfg.write_probe.enabled;
    }
    in.databases.push_back(std::move(db));
  }
  return in;
}

}  // namespace failwatch
