#include "kafka/group_lifecycle.h"

#include <spdlog/spdlog.h>

#include "core/metric_builder.h"

namespace failwatch {
namespace {

bool Rebalancing(const std::string& state) {
  return state == "PreparingRebalance" || state == "CompletingRebalance";
}

std::string Text(const std::optional<std::string>& s) {
  return s ? *s : "none";
}
std::string Text(const std::optional<int>& n) {
  return n ? std::to_string(*n) : "unknown";
}

}  // namespace

bool IsRebalance(const std::string& from_state, std::optional<int> from_members,
                 const std::string& to_state, std::optional<int> to_members) {
  if (Rebalancing(from_state)) return false;  // counted when it began
  if (Rebalancing(to_state)) return true;
  if (to_state == "Dead" || from_state == "Dead") return false;
  return from_members && to_members && *from_members != *to_members;
}

std::vector<GroupLifecycleChange> GroupLifecycle::Observe(
    const KafkaObservation& obs) {
  std::vector<GroupLifecycleChange> changes;
  for (auto it = last_.begin(); it != last_.end();) {
    if (obs.groups.contains(it->first)) {
      ++it;
    } else {
      rebalances_.erase(it->first);
      it = last_.erase(it);
    }
  }
  for (const auto& [name, g] : obs.groups) {
    if (!g.state) continue;  // not described (yet, or unsupported)
    rebalances_.try_emplace(name, 0);
    auto [it, first] = last_.try_emplace(name, Seen{*g.state, g.members});
    if (first) continue;
    Seen& seen = it->second;
    if (seen.state == *g.state && seen.members == g.members) continue;
    GroupLifecycleChange c{name, seen.state, g.state, seen.members, g.members,
                           IsRebalance(seen.state, seen.members, *g.state,
                                       g.members)};
    if (c.rebalance) ++rebalances_[name];
    seen = Seen{*g.state, g.members};
    changes.push_back(std::move(c));
  }
  return changes;
}

void AppendGroupLifecycleFamilies(const std::string& cluster,
                                  const GroupLifecycle& lifecycle,
                                  std::vector<prometheus::MetricFamily>& out) {
  auto f = FamilyBuilder::Counter(
      "failwatch_kafka_group_rebalances_total",
      "Rebalances seen between DescribeGroups answers (a lower bound; only "
      "groups the brokers describe)");
  for (const auto& [group, n] : lifecycle.rebalances()) {
    f.Add({{"cluster", cluster}, {"group", group}}, static_cast<double>(n));
  }
  f.MoveTo(out);
}

void LogGroupLifecycleChanges(const std::string& cluster,
                              const std::vector<GroupLifecycleChange>& changes) {
  for (const auto& c : changes) {
    spdlog::info(
        "kafka group changed cluster={} group=\"{}\" state_from={} state_to={} "
        "members_from={} members_to={} rebalance={}",
        cluster, c.group, Text(c.from_state), Text(c.to_state),
        Text(c.from_members), Text(c.to_members), c.rebalance);
  }
}

}  // namespace failwatch
