#include "app/targets.h"

#include <map>

#include "dns/dns_collector.h"
#include "health/check_policy.h"
#include "health/health_evaluator.h"
#include "kafka/kafka_collector.h"
#include "kafka/kafka_observation.h"
#include "pgbouncer/pgbouncer_collector.h"
#include "postgres/postgres_collector.h"

namespace failwatch {
namespace {

using CollectorMap = std::map<TargetKey, std::shared_ptr<Collector>>;

template <typename T>
const T* FindByName(const std::vector<T>& items, const std::string& name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

// Collects the new target list, reusing the previous collectors whose
// config did not change.
class TargetListBuilder {
 public:
  explicit TargetListBuilder(
      const std::vector<ScheduledTarget>& previous_targets) {
    for (const auto& t : previous_targets) {
      previous_[TargetKey{t.collector->kind(), t.collector->target()}] =
          t.collector;
    }
  }

  template <typename Make>
  void Add(bool unchanged, const std::string& kind, const std::string& target,
           const Schedule& schedule, const Make& make) {
    // The previous collector is reused when its config is unchanged.
    auto collector = unchanged ? Find(kind, target) : nullptr;
    if (!collector) collector = make();
    out_.push_back(ScheduledTarget{std::move(collector), schedule});
  }

  // The previous config's collector for (kind, target), if any.
  const Collector* Previous(const std::string& kind,
                            const std::string& target) const {
    return Find(kind, target).get();
  }

  std::vector<ScheduledTarget> Take() && { return std::move(out_); }

 private:
  std::shared_ptr<Collector> Find(const std::string& kind,
                                  const std::string& target) const {
    auto it = previous_.find(TargetKey{kind, target});
    return it == previous_.end() ? nullptr : it->second;
  }

  CollectorMap previous_;
  std::vector<ScheduledTarget> out_;
};

void AddDatabaseTargets(const Config& next, const Config* previous,
                        TargetListBuilder& targets) {
  for (const auto& db : next.databases) {
    const DatabaseConfig* old =
        previous ? FindByName(previous->databases, db.name) : nullptr;
    const bool unchanged = old != nullptr && *old == db;
    targets.Add(unchanged, kDnsKind, db.name, db.schedule,
                [&] { return MakeDnsCollector(db); });
    targets.Add(unchanged, kPostgresKind, db.name, db.schedule,
                [&] { return MakePostgresCollector(db); });
    // The collector joins with this database's node roles and endpoints,
    // so it is rebuilt whenever the database's config changes.
    for (const auto& pgb : db.pgbouncers) {
      targets.Add(unchanged, kPgBouncerKind,
                  PgBouncerTarget(db.name, pgb.address.ToString()),
                  pgb.schedule,
                  [&] { return MakePgBouncerCollector(db, pgb); });
    }
  }
}

void AddKafkaTargets(const Config& next, const Config* previous,
                     TargetListBuilder& targets) {
  // consumer_lag's window and stopped_after are health keys, but the
  // rates are measured by the Kafka collector from its own samples: the
  // app hands them over (collectors do not read the health config).
  const HealthTuning tuning = ResolveTuning(next.health);
  const bool rates_unchanged = previous != nullptr && [&] {
    const HealthTuning before = ResolveTuning(previous->health);
    return before.consumer_lag_window == tuning.consumer_lag_window &&
           before.consumer_lag_stopped_after ==
               tuning.consumer_lag_stopped_after;
  }();
  for (const auto& cluster : next.kafka) {
    const KafkaClusterConfig* old =
        previous ? FindByName(previous->kafka, cluster.name) : nullptr;
    const bool unchanged = old != nullptr && *old == cluster && rates_unchanged;
    targets.Add(unchanged, kKafkaKind, cluster.name, cluster.schedule, [&] {
      KafkaOptions options = KafkaOptionsFromConfig(cluster);
      options.rate_window = tuning.consumer_lag_window;
      options.stopped_after = tuning.consumer_lag_stopped_after;
      return MakeKafkaCollector(cluster, options);
    });
  }
}

void AddHealthTarget(const Config& next, const Config* previous,
                     TargetListBuilder& targets) {
  // The evaluator keeps hysteresis state and failover timelines: rebuild it
  // only when what it judges by changed, and then continue that state (a
  // reload during an incident must not reset the verdict).
  const bool health_unchanged =
      previous != nullptr && previous->health == next.health &&
      previous->databases == next.databases && previous->kafka == next.kafka;
  targets.Add(health_unchanged, kHealthKind, kHealthTarget,
              Schedule{kHealthInterval, kHealthInterval * 4 / 5}, [&] {
                std::vector<PgDatabaseOptions> databases(next.databases.begin(),
                                                         next.databases.end());
                return MakeHealthEvaluator(
                    next.health, std::move(databases),
                    targets.Previous(kHealthKind, kHealthTarget));
              });
}

}  // namespace

std::vector<ScheduledTarget> BuildTargets(
    const Config& next, const Config* previous,
    const std::vector<ScheduledTarget>& previous_targets) {
  TargetListBuilder targets(previous_targets);
  AddDatabaseTargets(next, previous, targets);
  AddKafkaTargets(next, previous, targets);
  AddHealthTarget(next, previous, targets);
  return std::move(targets).Take();
}

}  // namespace failwatch
