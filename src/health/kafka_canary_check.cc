#include "health/kafka_canary_check.h"

#include <spdlog/fmt/fmt.h>

namespace failwatch {
namespace {

nlohmann::json Evidence(const CanaryState& s) {
  return {{"topic", s.topic},
          {"sla_seconds", s.sla_seconds},
          {"running", s.running},
          {"produced", s.produced_total},
          {"acked", s.acked_total},
          {"produce_errors", s.produce_errors_total},
          {"received", s.received_total},
          {"lost", s.lost_total},
          {"late", s.late_total},
          {"in_flight", s.in_flight}};
}

}  // namespace

void CheckKafkaCanary(const HealthInputs& in, const HealthTuning&,
                      std::vector<Condition>& out) {
  for (const auto& k : in.kafka) {
    if (!k->canary) continue;
    const CanaryState& s = *k->canary;
    Condition c;
    c.check = "kafka_canary";
    c.target = k->cluster;
    c.evidence = Evidence(s);
    if (!s.running) {
      c.unknown = true;
      c.reason = fmt::format("canary on {} not running{}", k->cluster,
                             s.error ? ": " + s.error->message : "");
      out.push_back(std::move(c));
      continue;
    }
    std::vector<int> lost;
    bool decided = false;
    for (const auto& p : s.partitions) {
      decided |= p.last_lost.has_value();
      if (p.last_lost.value_or(false)) lost.push_back(p.partition);
    }
    c.evidence["lost_partitions"] = lost;
    if (!lost.empty()) {
      c.status = CheckStatus::kDegraded;
      c.reason = fmt::format(
          "canary records on {} not consumed within {:.0f} s on {} of {} "
          "partitions ({}; {} lost since start)",
          k->cluster, s.sla_seconds, lost.size(), s.partitions.size(),
          fmt::join(lost, ", "), s.lost_total);
    } else if (!decided) {
      c.unknown = true;
      c.reason = fmt::format("canary on {}: no record decided yet", k->cluster);
    } else {
      c.reason = fmt::format(
          "canary records on {} arrive within {:.0f} s ({} received, {} lost "
          "since start)",
          k->cluster, s.sla_seconds, s.received_total, s.lost_total);
    }
    out.push_back(std::move(c));
  }
}

}  // namespace failwatch
