// Group lifecycle from DescribeGroups answers: state and member changes
// between two describes, logged, and rebalances counted. librdkafka 2.0.2's
// DescribeConsumerGroups gives no generation id, so a rebalance is
// inferred: entering PreparingRebalance/CompletingRebalance, or a change of
// members between two settled states (Empty -> Stable, Stable with another
// member count: the rebalance completed between two describes). It is a
// lower bound: a rebalance that keeps the member count (a member restart)
// and completes between two describes is not seen.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kafka/kafka_observation.h"

namespace failwatch {

struct GroupLifecycleChange {
  std::string group;
  std::optional<std::string> from_state, to_state;
  std::optional<int> from_members, to_members;
  bool rebalance = false;
};

class GroupLifecycle {
 public:
  // Compares each described group with its last describe; groups that left
  // the observation are forgotten. Returns the changes (for the log).
  std::vector<GroupLifecycleChange> Observe(const KafkaObservation& obs);
  // Rebalances seen per group (described groups only).
  const std::map<std::string, std::uint64_t>& rebalances() const {
    return rebalances_;
  }

 private:
  struct Seen {
    std::string state;
    std::optional<int> members;
  };
  std::map<std::string, Seen> last_;
  std::map<std::string, std::uint64_t> rebalances_;
};

// True when a change from `from` to `to` is a rebalance (see above).
bool IsRebalance(const std::string& from_state, std::optional<int> from_members,
                 const std::string& to_state, std::optional<int> to_members);

// failwatch_kafka_group_rebalances_total, built apart from the collector's
// other families.
void AppendGroupLifecycleFamilies(const std::string& cluster,
                                  const GroupLifecycle& lifecycle,
                                  std::vector<prometheus::MetricFamily>& out);

// One key=value log line per change.
void LogGroupLifecycleChanges(const std::string& cluster,
                              const std::vector<GroupLifecycleChange>& changes);

}  // namespace failwatch
