#include "kafka/lag_timestamps.h"

#include <algorithm>
#include <map>
#include <utility>

#include "kafka/lag_flags.h"

namespace failwatch {

std::vector<RecordRead> PlanLagTimestampReads(const KafkaObservation& obs,
                                              std::size_t max_reads) {
  // (topic/partition, offset) → the largest lag waiting there.
  std::map<std::pair<TopicPartition, std::int64_t>, std::int64_t> wanted;
  for (const auto& [name, g] : obs.groups) {
    for (const auto& p : g.partitions) {
      if (p.status == ConsumerStatus::kErr || !p.committed || p.lag <= 0 ||
          *p.committed >= p.high || *p.committed < p.low) {
        continue;
      }
      auto& lag = wanted[{{p.topic, p.partition}, *p.committed}];
      lag = std::max(lag, p.lag);
    }
  }
  std::vector<std::pair<std::int64_t, RecordRead>> ranked;
  ranked.reserve(wanted.size());
  for (const auto& [key, lag] : wanted) {
    ranked.push_back({lag, RecordRead{key.first, key.second, 1}});
  }
  std::stable_sort(
      ranked.begin(), ranked.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<RecordRead> out;
  for (std::size_t i = 0; i < ranked.size() && i < max_reads; ++i) {
    out.push_back(ranked[i].second);
  }
  return out;
}

std::size_t ApplyLagTimestamps(
    KafkaObservation& obs, const std::vector<RecordRead>& reads,
    const std::vector<Result<std::vector<RecordInfo>>>& results) {
  struct Stamp {
    WallTime at;
    bool next_record = false;  // the offset had no record of its own
  };
  std::map<std::pair<TopicPartition, std::int64_t>, Stamp> stamp;
  for (std::size_t i = 0; i < reads.size() && i < results.size(); ++i) {
    if (!results[i].ok() || results[i].value().empty()) continue;
    const RecordInfo& r = results[i].value().front();
    if (!r.timestamp || r.offset < reads[i].offset) continue;
    // A compacted or deleted offset yields the next record: a younger one,
    // so the age read is a lower bound, and flagged as such.
    stamp[{reads[i].tp, reads[i].offset}] = {*r.timestamp,
                                             r.offset > reads[i].offset};
  }
  std::size_t set = 0;
  for (auto& [name, g] : obs.groups) {
    bool changed = false;
    for (auto& p : g.partitions) {
      if (!p.committed) continue;
      auto it = stamp.find({{p.topic, p.partition}, *p.committed});
      if (it == stamp.end()) continue;
      p.lag_seconds = std::max(0.0, ToSeconds(obs.at - it->second.at));
      p.lag_seconds_lower_bound = it->second.next_record;
      if (it->second.next_record) p.lag_seconds_caveat = kLagCompacted;
      changed = true;
      ++set;
    }
    if (!changed) continue;
    g.lag_seconds_max.reset();
    for (const auto& p : g.partitions) {
      if (p.lag_seconds) {
        g.lag_seconds_max =
            std::max(g.lag_seconds_max.value_or(0), *p.lag_seconds);
      }
    }
  }
  return set;
}

}  // namespace failwatch
