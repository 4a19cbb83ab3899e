#include "kafka/dlt_tracker.h"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace failwatch {
namespace {

constexpr char kUnknown[] = "unknown";
constexpr char kOther[] = "other";

}  // namespace

std::vector<DltHeaderCount> CountHeaders(
    const std::deque<std::pair<std::string, std::string>>& records,
    std::size_t cap) {
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  for (const auto& r : records) ++counts[r];
  std::vector<DltHeaderCount> all;
  for (const auto& [k, n] : counts) all.push_back({k.first, k.second, n});
  // Largest first; ties by name so the kept set is stable across samples.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    if (a.records != b.records) return a.records > b.records;
    return std::tie(a.original_topic, a.exception) <
           std::tie(b.original_topic, b.exception);
  });
  cap = std::max<std::size_t>(cap, 1);
  if (all.size() <= cap) return all;
  DltHeaderCount other{kOther, kOther, 0};
  for (std::size_t i = cap - 1; i < all.size(); ++i) {
    other.records += all[i].records;
  }
  all.resize(cap - 1);
  all.push_back(std::move(other));
  return all;
}

DltTracker::DltTracker(const KafkaClusterConfig& cluster,
                       const KafkaOptions& options)
    : cluster_(cluster), options_(options) {
  for (const auto& g : cluster_.groups) {
    dlt_topics_.insert(g.dead_letter_topics.begin(),
                       g.dead_letter_topics.end());
  }
}

std::vector<DltGroupInput> DltTracker::GroupInputs(
    const KafkaObservation& obs) const {
  std::vector<DltGroupInput> out;
  std::set<std::string> named;
  for (const auto& g : cluster_.groups) {
    DltGroupInput in;
    in.group = g.name;
    in.required = true;
    in.explicit_dlts = g.dead_letter_topics;
    in.reprocess_group = g.dlt_reprocess_group;
    if (const GroupState* s = obs.FindGroup(g.name)) in.topics = s->topics;
    named.insert(g.name);
    out.push_back(std::move(in));
  }
  // Discovered groups: their DLTs are watched when they exist.
  for (const auto& [name, g] : obs.groups) {
    if (named.contains(name) || g.reprocess_only) continue;
    out.push_back({name, false, {}, "", g.topics});
  }
  return out;
}

void DltTracker::RecordMissing(const DltMatch& match, KafkaObservation& obs) {
  obs.dlts_evaluated = true;
  obs.dlt_missing.clear();
  for (const auto& m : match.missing) {
    obs.dlt_missing.push_back({m.group, m.topic, m.expected_dlt, m.reason,
                               m.candidates, m.source_partitions,
                               m.dlt_partitions});
  }
}

void DltTracker::CountArrivals(DltMemory& mem, PartitionMemory& pmem, bool seen,
                               std::int64_t high, WallTime at) {
  // The counter starts when watching starts: records already there are not
  // arrivals (a restart must not look like a burst).
  if (!seen) {
    pmem.last_high = high;
  } else if (high > pmem.last_high) {
    mem.records_total += static_cast<std::uint64_t>(high - pmem.last_high);
    mem.last_arrival = at;
  } else if (high < pmem.last_high) {
    // Re-created topic: everything in it is new.
    mem.records_total += static_cast<std::uint64_t>(high);
    if (high > 0) mem.last_arrival = at;
  }
  pmem.last_high = high;
}

void DltTracker::PlanReads(const DltFold& f, const TopicPartition& tp,
                           const DltPartitionState& p, std::int64_t first,
                           const PartitionMemory& pmem,
                           std::vector<RecordRead>& reads) {
  const std::int64_t low = *p.low, high = *p.high;
  const bool depth_known = !f.state.reprocess_error;
  // Only when what a read depends on moved.
  Planned plan{f.state.topic, p.partition, first, high};
  RecordRead read{tp, 0, 0};
  std::optional<std::int64_t> from;
  if (options_.dlt_read_headers && high > low && high > pmem.header_end) {
    from = std::max({low, pmem.header_end,
                     high - std::max(options_.dlt_header_read_max, 1)});
    plan.headers = true;
  } else if (high > low && pmem.newest_for_high != high) {
    // Two records: the last offset may be a transaction marker.
    from = std::max(low, high - 2);
  }
  if (from) {
    // The read ends at the newest record; it covers the oldest unhandled
    // one when that lies within.
    plan.newest = true;
    plan.oldest = depth_known && first < high && first >= *from &&
                  pmem.oldest_for != first;
    read = {tp, *from, static_cast<int>(high - *from)};
    reads.push_back(read);
    planned_.push_back(plan);
  }
  if (depth_known && first < high && pmem.oldest_for != first && !plan.oldest) {
    Planned o{f.state.topic, p.partition, first, high};
    o.oldest = true;
    reads.push_back({tp, first, 1});
    planned_.push_back(o);
  }
}

DltPartitionState DltTracker::FoldPartition(DltFold& f,
                                            const TopicPartition& tp,
                                            const Watermark& wm, bool seen,
                                            PartitionMemory& pmem,
                                            std::vector<RecordRead>& reads) {
  DltPartitionState p;
  p.partition = tp.partition;
  const std::int64_t low = *wm.low, high = *wm.high;
  p.low = low;
  p.high = high;
  f.state.retained += std::max<std::int64_t>(high - low, 0);
  CountArrivals(*f.mem, pmem, seen, high, f.at);

  // Depth that matters.
  std::optional<std::int64_t> committed;
  if (f.reprocessor != nullptr && !f.reprocessor->error) {
    if (const auto* gp = f.reprocessor->Find(f.state.topic, p.partition)) {
      committed = gp->committed;
    }
  }
  p.reprocess_committed = committed;
  const std::int64_t first = std::max(low, committed.value_or(low));
  if (f.state.reprocess_error) {
    f.all_known = false;
  } else {
    p.unhandled = std::max<std::int64_t>(high - first, 0);
    f.unhandled_sum += *p.unhandled;
  }
  PlanReads(f, tp, p, first, pmem, reads);
  return p;
}

DltState DltTracker::PlanDlt(const std::string& name, const DltBinding& binding,
                             const KafkaObservation& obs, const DltReadings& in,
                             std::vector<RecordRead>& reads) {
  DltFold f;
  f.state.topic = name;
  for (const auto& src : binding.sources) {
    f.state.sources.push_back(
        {src.group, src.topic, src.convention, src.required});
  }
  f.state.reprocess_group = binding.reprocess_group;
  if (!binding.reprocess_group.empty()) {
    f.reprocessor = obs.FindGroup(binding.reprocess_group);
  }
  if (f.reprocessor != nullptr && f.reprocessor->error) {
    f.state.reprocess_error = f.reprocessor->error;
  }
  f.mem = &memory_[name];
  f.at = obs.at;
  std::map<int, PartitionMemory> kept;
  for (const auto& pm : in.metadata.partitions) {
    if (pm.tp.topic != name) continue;
    auto wm = in.watermarks.find(pm.tp);
    auto old = f.mem->partitions.find(pm.tp.partition);
    const bool seen = old != f.mem->partitions.end();
    PartitionMemory pmem = seen ? old->second : PartitionMemory{};
    if (!in.watermarks_ok || wm == in.watermarks.end() || !wm->second.ok()) {
      f.all_known = false;
      if (seen) kept.emplace(pm.tp.partition, std::move(pmem));
      DltPartitionState unread;
      unread.partition = pm.tp.partition;
      f.state.partitions.push_back(std::move(unread));
      continue;
    }
    f.state.partitions.push_back(
        FoldPartition(f, pm.tp, wm->second, seen, pmem, reads));
    kept.emplace(pm.tp.partition, std::move(pmem));
  }
  f.mem->partitions = std::move(kept);
  if (f.all_known) f.state.unhandled = f.unhandled_sum;
  f.state.records_total = f.mem->records_total;
  f.state.last_arrival_seen = f.mem->last_arrival;
  return std::move(f.state);
}

std::vector<RecordRead> DltTracker::Plan(KafkaObservation& obs,
                                         const ClusterMetadata& metadata,
                                         const WatermarkMap& watermarks,
                                         bool watermarks_ok) {
  planned_.clear();
  std::map<std::string, int> topic_partitions;
  for (const auto& p : metadata.partitions) topic_partitions[p.tp.topic]++;
  const DltMatch match =
      MatchDlts(GroupInputs(obs), topic_partitions, options_.dlt_conventions);
  RecordMissing(match, obs);
  // A DLT no longer matched (deleted, group gone) forgets its counters.
  std::erase_if(memory_,
                [&](const auto& kv) { return !match.dlts.contains(kv.first); });
  for (const auto& [name, b] : match.dlts) dlt_topics_.insert(name);

  const DltReadings in{metadata, watermarks, watermarks_ok};
  std::vector<RecordRead> reads;
  for (const auto& [name, binding] : match.dlts) {
    obs.dlts[name] = PlanDlt(name, binding, obs, in, reads);
  }
  return reads;
}

void DltTracker::ApplyRead(const Planned& plan,
                           const std::vector<RecordInfo>& records) {
  auto mem = memory_.find(plan.dlt);
  if (mem == memory_.end() || records.empty()) return;
  auto pit = mem->second.partitions.find(plan.partition);
  if (pit == mem->second.partitions.end()) return;
  PartitionMemory& pm = pit->second;
  if (plan.newest) {
    pm.newest_ts = records.back().timestamp;
    pm.newest_for_high = plan.high;
  }
  if (plan.oldest) {
    auto r = std::find_if(records.begin(), records.end(), [&](const auto& x) {
      return x.offset >= plan.first_unhandled;
    });
    if (r != records.end()) {
      pm.oldest_ts = r->timestamp;
      pm.oldest_for = plan.first_unhandled;
    }
  }
  if (plan.headers) {
    auto& ring = mem->second.header_ring;
    for (const auto& r : records) {
      if (r.offset < pm.header_end) continue;
      ring.emplace_back(r.original_topic.value_or(kUnknown),
                        r.exception.value_or(kUnknown));
      pm.header_end = r.offset + 1;
    }
    while (ring.size() > options_.dlt_header_window) ring.pop_front();
  }
}

void DltTracker::FinishDlt(DltState& s, const DltMemory& mem,
                           WallTime at) const {
  std::optional<WallTime> oldest;
  for (auto& p : s.partitions) {
    auto pit = mem.partitions.find(p.partition);
    if (pit == mem.partitions.end()) continue;
    const PartitionMemory& pm = pit->second;
    p.newest_timestamp = pm.newest_ts;
    if (pm.newest_ts &&
        (!s.newest_timestamp || *pm.newest_ts > *s.newest_timestamp)) {
      s.newest_timestamp = pm.newest_ts;
    }
    if (!p.unhandled || *p.unhandled == 0 || !p.low) continue;
    const std::int64_t first =
        std::max(*p.low, p.reprocess_committed.value_or(*p.low));
    if (pm.oldest_for == first && pm.oldest_ts) {
      p.oldest_unhandled_timestamp = pm.oldest_ts;
      if (!oldest || *pm.oldest_ts < *oldest) oldest = pm.oldest_ts;
    } else {
      s.oldest_unhandled_age_partial = true;
    }
  }
  if (oldest) {
    // A producer clock ahead of ours must not give a negative age.
    s.oldest_unhandled_age_seconds =
        std::max(0.0, std::chrono::duration<double>(at - *oldest).count());
  }
  if (options_.dlt_read_headers) {
    s.headers = CountHeaders(mem.header_ring, options_.dlt_header_cardinality);
    s.header_records = static_cast<std::int64_t>(mem.header_ring.size());
  }
}

void DltTracker::Apply(
    KafkaObservation& obs,
    const std::vector<Result<std::vector<RecordInfo>>>& results) {
  for (std::size_t i = 0; i < planned_.size() && i < results.size(); ++i) {
    if (results[i].ok()) ApplyRead(planned_[i], results[i].value());
  }
  planned_.clear();
  for (auto& [name, s] : obs.dlts) {
    auto mem = memory_.find(name);
    if (mem != memory_.end()) FinishDlt(s, mem->second, obs.at);
  }
}

}  // namespace failwatch
