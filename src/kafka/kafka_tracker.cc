#include "kafka/kafka_tracker.h"

#include <algorithm>
#include <functional>

#include "core/utf8.h"

namespace failwatch {
namespace {

bool Matches(const OptionalRegex& re, const std::string& s) {
  return re && re->FullMatch(s);
}

}  // namespace

KafkaTracker::KafkaTracker(std::string cluster, KafkaOptions options)
    : cluster_(std::move(cluster)), options_(std::move(options)) {}

std::unique_ptr<KafkaTracker> KafkaTracker::Create(
    const KafkaClusterConfig& cluster, const KafkaOptions& options) {
  std::unique_ptr<KafkaTracker> t(new KafkaTracker(cluster.name, options));
  // Compiled by the config loader; copies share the compiled program.
  t->discover_ = cluster.discover_groups;
  t->group_allow_ = options.group_allow;
  t->group_deny_ = options.group_deny;
  t->topic_allow_ = options.topic_allow;
  t->topic_deny_ = options.topic_deny;
  for (const auto& g : cluster.groups) {
    t->configured_.insert(g.name);
    if (!g.topics.empty()) {
      t->configured_topics_[g.name].insert(g.topics.begin(), g.topics.end());
    }
  }
  for (const auto& g : cluster.groups) {
    // Whoever reprocesses the dead-letter topics: its committed offsets
    // there are what DLT depth subtracts.
    if (!g.dlt_reprocess_group.empty()) {
      if (!t->configured_.contains(g.dlt_reprocess_group)) {
        t->reprocess_only_.insert(g.dlt_reprocess_group);
      }
      t->configured_.insert(g.dlt_reprocess_group);
    }
  }
  return t;
}

bool KafkaTracker::TopicAllowed(const std::string& topic) const {
  if (dlt_topics_.contains(topic)) return true;
  if (topic_allow_ && !Matches(topic_allow_, topic)) return false;
  return !Matches(topic_deny_, topic);
}

bool KafkaTracker::GroupAllowed(const std::string& group) const {
  if (group_allow_ && !Matches(group_allow_, group)) return false;
  return !Matches(group_deny_, group);
}

std::vector<TopicPartition> KafkaTracker::PartitionsOfInterest(
    const ClusterMetadata& metadata) const {
  std::vector<TopicPartition> out;
  for (const auto& p : metadata.partitions) {
    if (TopicAllowed(p.tp.topic)) out.push_back(p.tp);
  }
  return out;
}

std::set<std::string> KafkaTracker::WantedGroups(const DiscoveryView& discovery,
                                                 WallTime now) {
  std::set<std::string> wanted = configured_;
  if (discover_ && discovery.listed) {
    for (const auto& g : *discovery.listed) {
      // Any bytes can come from a broker; a label value must be UTF-8.
      if (!IsPrintableUtf8(g)) {
        ++invalid_group_names_total_;
        continue;
      }
      if (Matches(discover_, g) && GroupAllowed(g)) wanted.insert(g);
    }
  } else if (discover_) {
    // Listing unavailable right now: keep the groups found before rather
    // than dropping their series on a transient failure.
    for (const auto& [name, track] : groups_) wanted.insert(name);
  }
  // Discovered groups known to be empty expire after the TTL; configured
  // ones are reported for as long as they are configured.
  for (auto it = wanted.begin(); it != wanted.end();) {
    auto g = groups_.find(*it);
    auto d = discovery.described.find(*it);
    const bool expired = !configured_.contains(*it) && g != groups_.end() &&
                         d != discovery.described.end() &&
                         d->second.members == 0 &&
                         now - g->second.last_active > options_.empty_group_ttl;
    it = expired ? wanted.erase(it) : std::next(it);
  }
  std::erase_if(groups_,
                [&](const auto& kv) { return !wanted.contains(kv.first); });
  return wanted;
}

KafkaTracker::TopicIndex KafkaTracker::IndexAllowedPartitions(
    const ClusterMetadata& metadata) {
  // Metadata is sorted by topic, so a group's request is built from its
  // topics, not from a scan of them all.
  TopicIndex by_topic;
  all_partitions_.clear();
  for (const auto& p : metadata.partitions) {
    if (!TopicAllowed(p.tp.topic)) continue;
    by_topic[p.tp.topic].push_back(p.tp);
    all_partitions_.push_back(p.tp);
  }
  bool new_topic = false;
  for (const auto& [topic, parts] : by_topic) {
    if (allowed_topics_.insert(topic).second) new_topic = true;
  }
  std::erase_if(allowed_topics_,
                [&](const std::string& t) { return !by_topic.contains(t); });
  if (new_topic) ++topic_generation_;
  return by_topic;
}

KafkaTracker::GroupTrack& KafkaTracker::TrackGroup(const std::string& name,
                                                   WallTime now) {
  auto [it, inserted] = groups_.try_emplace(name);
  GroupTrack& track = it->second;
  if (inserted) {
    track.configured = configured_.contains(name);
    track.last_active = now;
    if (auto c = configured_topics_.find(name); c != configured_topics_.end()) {
      track.configured_topics = c->second;
    }
  }
  track.fetch = FetchKind::kKnown;
  return track;
}

bool KafkaTracker::ProbeDue(const GroupTrack& track, WallTime now) const {
  return track.configured_topics.empty() &&
         (!track.last_probe || track.topics.empty() ||
          now - *track.last_probe >= options_.topic_probe_interval ||
          track.probed_topic_generation < topic_generation_);
}

CommittedRequest KafkaTracker::KnownTopicsRequest(
    const std::string& name, const GroupTrack& track,
    const DiscoveryView& discovery, const TopicIndex& by_topic) {
  std::set<std::string> topics = track.topics;
  topics.insert(track.configured_topics.begin(), track.configured_topics.end());
  if (auto d = discovery.described.find(name); d != discovery.described.end()) {
    for (const auto& tp : d->second.assigned) topics.insert(tp.topic);
  }
  CommittedRequest req{name, FetchKind::kKnown, {}};
  for (const auto& t : topics) {
    auto parts = by_topic.find(t);
    if (parts == by_topic.end()) continue;
    req.partitions.insert(req.partitions.end(), parts->second.begin(),
                          parts->second.end());
  }
  return req;
}

void KafkaTracker::AssignProbes(std::vector<ProbeCandidate> due,
                                std::vector<CommittedRequest>& plan) {
  // A NULL list first where the brokers may answer it (one cheap request
  // per group); explicit probes within the budget, never-probed groups
  // first, then the oldest probe.
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    if (a.track->last_probe.has_value() != b.track->last_probe.has_value()) {
      return !a.track->last_probe.has_value();
    }
    return a.track->last_probe.value_or(WallTime{}) <
           b.track->last_probe.value_or(WallTime{});
  });
  std::map<std::string, FetchKind> probe_kind;
  probe_budget_ = options_.topic_probe_max_partitions;
  explicit_probes_ = 0;
  probes_pending_ = 0;
  for (const ProbeCandidate& d : due) {
    if (all_fetch_ != AllFetch::kUnsupported &&
        !d.track->needs_explicit_probe) {
      d.track->fetch = FetchKind::kAll;
    } else if (TakeProbeBudget()) {
      d.track->fetch = FetchKind::kProbe;
    } else {
      ++probes_pending_;
      continue;
    }
    probe_kind[*d.name] = d.track->fetch;
  }
  for (auto& req : plan) {
    auto k = probe_kind.find(req.group);
    if (k == probe_kind.end()) continue;
    req.kind = k->second;
    if (req.kind == FetchKind::kAll) {
      req.partitions.clear();
    } else {
      req.partitions = all_partitions_;
    }
  }
}

std::vector<CommittedRequest> KafkaTracker::PlanFetch(
    const ClusterMetadata& metadata, const DiscoveryView& discovery,
    WallTime now) {
  const std::set<std::string> wanted = WantedGroups(discovery, now);
  const TopicIndex by_topic = IndexAllowedPartitions(metadata);
  std::vector<ProbeCandidate> due;
  std::vector<CommittedRequest> plan;
  for (const auto& name : wanted) {
    GroupTrack& track = TrackGroup(name, now);
    if (ProbeDue(track, now)) due.push_back({&name, &track});
    plan.push_back(KnownTopicsRequest(name, track, discovery, by_topic));
  }
  AssignProbes(std::move(due), plan);
  return plan;
}

bool KafkaTracker::TakeProbeBudget() {
  const std::size_t cost = all_partitions_.size();
  // At least one explicit probe per sample, however big the cluster.
  if (explicit_probes_ > 0 && cost > probe_budget_) return false;
  probe_budget_ -= std::min(probe_budget_, cost);
  ++explicit_probes_;
  probe_partitions_total_ += cost;
  return true;
}

std::vector<CommittedRequest> KafkaTracker::PlanProbeFollowUp(
    const std::map<std::string, Result<CommittedOffsets>>& committed) {
  auto has_commit = [](const Result<CommittedOffsets>& res) {
    return res.ok() && std::any_of(res.value().begin(), res.value().end(),
                                   [](const auto& kv) {
                                     return kv.second.offset.has_value();
                                   });
  };
  auto asked_all = [&](const std::string& name) {
    auto g = groups_.find(name);
    return g != groups_.end() && g->second.fetch == FetchKind::kAll;
  };
  std::vector<CommittedRequest> out;
  // One NULL-list answer with a commit shows the brokers answer them: the
  // empty ones are groups without commits.
  for (const auto& [name, res] : committed) {
    if (asked_all(name) && has_commit(res)) all_fetch_ = AllFetch::kWorks;
  }
  if (all_fetch_ == AllFetch::kWorks) return out;
  for (const auto& [name, res] : committed) {
    if (!asked_all(name) || !res.ok()) continue;
    auto g = groups_.find(name);
    if (!TakeProbeBudget()) {
      ++probes_pending_;
      g->second.needs_explicit_probe = true;
      continue;
    }
    g->second.fetch = FetchKind::kProbe;
    g->second.needs_explicit_probe = true;
    out.push_back({name, FetchKind::kProbe, all_partitions_});
  }
  return out;
}

const char* KafkaTracker::all_fetch_state() const {
  switch (all_fetch_) {
    case AllFetch::kWorks:
      return "works";
    case AllFetch::kUnsupported:
      return "unsupported";
    case AllFetch::kUnknown:
      break;
  }
  return "unknown";
}

bool KafkaTracker::NoteProbe(GroupTrack& track, const CommittedOffsets& offsets,
                             WallTime now) {
  const bool any_commit =
      std::any_of(offsets.begin(), offsets.end(),
                  [](const auto& kv) { return kv.second.offset.has_value(); });
  switch (track.fetch) {
    case FetchKind::kKnown:
      return false;
    case FetchKind::kAll:
      if (any_commit) {
        all_fetch_ = AllFetch::kWorks;
      } else if (all_fetch_ != AllFetch::kWorks) {
        // Nothing committed, or a broker that ignores NULL lists.
        track.needs_explicit_probe = true;
        return false;
      }
      break;
    case FetchKind::kProbe:
      if (any_commit && track.needs_explicit_probe &&
          all_fetch_ == AllFetch::kUnknown) {
        all_fetch_ = AllFetch::kUnsupported;
      }
      track.needs_explicit_probe = false;
      break;
  }
  track.last_probe = now;
  track.probed_topic_generation = topic_generation_;
  return true;
}

void KafkaTracker::RateSums::Add(const GroupPartitionState& p,
                                 bool comparable) {
  if (p.committed) point.committed_sum += *p.committed;
  point.end_sum += p.high;
  point.lag_sum += p.lag;
  if (!comparable) point.reset = true;
  // FNV-1a over (topic, partition, has commit): only equality matters.
  auto mix = [this](std::uint64_t v) {
    signature = (signature ^ v) * 1099511628211ULL;
  };
  mix(std::hash<std::string>{}(p.topic));
  mix(static_cast<std::uint64_t>(p.partition));
  mix(p.committed ? 1 : 0);
}

void KafkaTracker::RecordRates(GroupTrack& track, RateSums sums,
                               GroupState& g) const {
  if (!track.rates) {
    track.rates.emplace(options_.rate_window,
                        std::max({options_.rate_history, options_.rate_window,
                                  options_.stopped_after}),
                        options_.rate_points);
  }
  if (sums.signature != track.rate_signature) sums.point.reset = true;
  track.rate_signature = sums.signature;
  track.rates->Record(sums.point);
  g.rates =
      ComputeGroupRates({track.rates->points(), options_.rate_window,
                         options_.stopped_after, track.rates->last_progress()});
}

void KafkaTracker::Describe(GroupState& g, const DiscoveryView& discovery) {
  auto d = discovery.described.find(g.name);
  if (d == discovery.described.end()) return;
  g.state = d->second.state;
  g.members = d->second.members;
}

GroupState KafkaTracker::ErrorGroup(const std::string& name,
                                    const GroupTrack& track,
                                    const Error& error) const {
  GroupState g;
  g.name = name;
  g.configured = track.configured;
  g.reprocess_only = reprocess_only_.contains(name);
  g.status = ConsumerStatus::kErr;
  g.error = error;
  g.topics.assign(track.topics.begin(), track.topics.end());
  g.partitions.reserve(track.partitions.size());
  for (const auto& [tp, pt] : track.partitions) {
    GroupPartitionState p;
    p.topic = tp.topic;
    p.partition = tp.partition;
    p.status = ConsumerStatus::kErr;
    g.partitions.push_back(std::move(p));
  }
  return g;
}

std::shared_ptr<const KafkaObservation> KafkaTracker::UpdateFailed(
    const Error& error, WallTime now, const DiscoveryView& discovery) {
  all_partitions_ = std::vector<TopicPartition>();
  auto obs = NewObservation(now, discovery);
  obs->error = error;
  if (groups_.empty()) {
    for (const auto& name : configured_) {
      groups_[name].configured = true;
      groups_[name].last_active = now;
    }
  }
  for (const auto& [name, track] : groups_) {
    obs->groups[name] = ErrorGroup(name, track, error);
  }
  return obs;
}

std::shared_ptr<KafkaObservation> KafkaTracker::NewObservation(
    WallTime now, const DiscoveryView& discovery) const {
  auto obs = std::make_shared<KafkaObservation>();
  obs->cluster = cluster_;
  obs->at = now;
  obs->group_listing_supported = discovery.listing_supported;
  obs->groups_invalid_name_total = invalid_group_names_total_;
  obs->group_describe_supported = discovery.describe_supported;
  return obs;
}

const OffsetHistory* KafkaTracker::FindOffsets(const TopicPartition& tp) const {
  auto it = std::lower_bound(
      offsets_.begin(), offsets_.end(), tp,
      [](const auto& kv, const TopicPartition& t) { return kv.first < t; });
  return it != offsets_.end() && it->first == tp ? &it->second : nullptr;
}

KafkaTracker::MetadataIndex KafkaTracker::IndexAllowedMetadata(
    const ClusterMetadata& metadata) const {
  MetadataIndex by_topic;
  for (const auto& p : metadata.partitions) {
    if (TopicAllowed(p.tp.topic)) by_topic[p.tp.topic].push_back(&p);
  }
  // The flat histories rely on (topic, partition) order; ReadMetadata
  // sorts, this keeps it true for any caller.
  for (auto& [topic, parts] : by_topic) {
    std::sort(parts.begin(), parts.end(),
              [](const PartitionMetadata* a, const PartitionMetadata* b) {
                return a->tp.partition < b->tp.partition;
              });
  }
  return by_topic;
}

void KafkaTracker::RecordEndOffsets(const SampleReadings& in,
                                    const MetadataIndex& by_topic,
                                    KafkaObservation& obs) {
  // Both in (topic, partition) order: a merge keeps the histories of the
  // partitions that still exist (read or not), starts one for a partition
  // read for the first time, and forgets the partitions that are gone.
  std::vector<std::pair<TopicPartition, OffsetHistory>> histories;
  histories.reserve(in.metadata.partitions.size());
  auto old = offsets_.begin();
  obs.partitions.reserve(in.metadata.partitions.size());
  for (const auto& [topic, parts] : by_topic) {
    for (const PartitionMetadata* p : parts) {
      PartitionWatermarks w{p->tp.topic, p->tp.partition, p->leader, {}, {}};
      while (old != offsets_.end() && old->first < p->tp) ++old;
      const bool had = old != offsets_.end() && old->first == p->tp;
      auto wm = in.watermarks.find(p->tp);
      const bool read =
          !in.watermark_error && wm != in.watermarks.end() && wm->second.ok();
      if (had) {
        histories.emplace_back(p->tp, std::move(old->second));
      } else if (read) {
        histories.emplace_back(p->tp,
                               OffsetHistory(options_.offset_history_points));
      }
      if (read) {
        w.low = wm->second.low;
        w.high = wm->second.high;
        histories.back().second.Record(in.now, *w.high);
      }
      obs.partitions.push_back(std::move(w));
    }
  }
  offsets_ = std::move(histories);
}

std::set<std::string> KafkaTracker::ConsumedTopics(
    const std::string& name, const GroupTrack& track,
    const CommittedOffsets& offsets, const DiscoveryView& discovery,
    bool probed) {
  std::set<std::string> consumed;
  for (const auto& [tp, c] : offsets) {
    if (c.offset) consumed.insert(tp.topic);
  }
  if (auto d = discovery.described.find(name); d != discovery.described.end()) {
    for (const auto& tp : d->second.assigned) consumed.insert(tp.topic);
  }
  consumed.insert(track.configured_topics.begin(),
                  track.configured_topics.end());
  // A topic consumed before keeps its place unless this fetch covered it
  // and found no commit.
  std::set<std::string> answered;
  for (const auto& [tp, c] : offsets) answered.insert(tp.topic);
  for (const auto& t : track.topics) {
    if (!probed && !answered.contains(t)) consumed.insert(t);
  }
  return consumed;
}

void KafkaTracker::FillLagSeconds(GroupPartitionState& p,
                                  const TopicPartition& tp,
                                  WallTime now) const {
  const OffsetHistory* hist = FindOffsets(tp);
  if (hist == nullptr) return;
  if (auto ls = InterpolateLagSeconds(
          hist->points(), p.committed.value_or(p.low), p.high, now)) {
    p.lag_seconds = ls->seconds;
    p.lag_seconds_lower_bound = ls->lower_bound;
  }
}

GroupPartitionState KafkaTracker::FoldPartition(
    const TopicPartition& tp, const CommittedOffset& committed,
    PartitionTrack& pt, const SampleReadings& in, GroupFold& fold) const {
  GroupPartitionState p;
  p.topic = tp.topic;
  p.partition = tp.partition;
  p.committed = committed.offset;
  auto wm = in.watermarks.find(tp);
  const bool readable = !in.watermark_error && wm != in.watermarks.end() &&
                        wm->second.ok() && committed.error.empty();
  if (!readable) {
    p.status = ConsumerStatus::kErr;
    return p;
  }
  p.low = *wm->second.low;
  p.high = *wm->second.high;
  p.lag = ComputeLag(p.committed, p.low, p.high);
  FillLagSeconds(p, tp, in.now);
  auto points = pt.history.WindowPoints(in.now);
  const StatusPoint* prev = points.empty() ? nullptr : &points.back();
  if (prev != nullptr && prev->committed != p.committed) fold.moved = true;
  const bool rewound = pt.history.Record({in.now, p.committed, p.high, p.lag});
  // Summable with the previous sample only if both offsets moved forward
  // and the commit neither appeared nor vanished.
  fold.sums.Add(p, prev != nullptr && !rewound && prev->high <= p.high &&
                       prev->committed.has_value() == p.committed.has_value());
  GroupState& g = fold.group;
  std::optional<bool> has_members;
  if (g.members) has_members = *g.members > 0;
  p.status = EvaluatePartitionStatus({in.now, options_.status_window,
                                      pt.history.WindowPoints(in.now), false,
                                      pt.history.last_rewind(), has_members});
  g.lag_sum += p.lag;
  g.lag_max = std::max(g.lag_max, p.lag);
  if (p.lag_seconds) {
    g.lag_seconds_max = std::max(g.lag_seconds_max.value_or(0), *p.lag_seconds);
  }
  return p;
}

GroupState KafkaTracker::FoldReadGroup(const std::string& name,
                                       GroupTrack& track,
                                       const CommittedOffsets& offsets,
                                       const SampleReadings& in,
                                       const MetadataIndex& by_topic) {
  // A completed probe covered every topic.
  const bool probed = NoteProbe(track, offsets, in.now);
  GroupFold fold;
  GroupState& g = fold.group;
  g.name = name;
  g.configured = track.configured;
  g.reprocess_only = reprocess_only_.contains(name);
  Describe(g, in.discovery);
  fold.sums.point.at = in.now;
  const std::set<std::string> consumed =
      ConsumedTopics(name, track, offsets, in.discovery, probed);
  track.topics.clear();
  // Sized once: the observation keeps these vectors for an interval.
  std::size_t expected = 0;
  for (const auto& topic : consumed) {
    if (auto parts = by_topic.find(topic); parts != by_topic.end()) {
      expected += parts->second.size();
    }
  }
  std::vector<std::pair<TopicPartition, PartitionTrack>> kept;
  kept.reserve(expected);
  g.partitions.reserve(expected);
  for (const auto& topic : consumed) {
    auto parts = by_topic.find(topic);
    if (parts == by_topic.end()) continue;  // deleted or filtered out
    track.topics.insert(topic);
    for (const PartitionMetadata* pm : parts->second) {
      // After a completed probe a partition missing from the answer has
      // no commit; otherwise it was not asked this sample.
      static const CommittedOffset kNoCommit;
      auto c = offsets.find(pm->tp);
      if (c == offsets.end() && !probed) continue;
      auto old = std::lower_bound(track.partitions.begin(),
                                  track.partitions.end(), pm->tp,
                                  [](const auto& kv, const TopicPartition& tp) {
                                    return kv.first < tp;
                                  });
      PartitionTrack pt = old != track.partitions.end() && old->first == pm->tp
                              ? std::move(old->second)
                              : PartitionTrack(options_);
      GroupPartitionState p = FoldPartition(
          pm->tp, c != offsets.end() ? c->second : kNoCommit, pt, in, fold);
      g.status = WorstStatus(g.status, p.status);
      kept.emplace_back(pm->tp, std::move(pt));
      g.partitions.push_back(std::move(p));
    }
  }
  // `consumed` and each topic's partitions are sorted, so `kept` is too.
  track.partitions = std::move(kept);
  RecordRates(track, std::move(fold.sums), g);
  if (fold.moved || (g.members && *g.members > 0)) track.last_active = in.now;
  g.topics.assign(track.topics.begin(), track.topics.end());
  return std::move(g);
}

GroupState KafkaTracker::FoldGroup(const std::string& name, GroupTrack& track,
                                   const SampleReadings& in,
                                   const MetadataIndex& by_topic) {
  auto res = in.committed.find(name);
  if (res == in.committed.end()) {
    return ErrorGroup(
        name, track,
        MakeError(ErrorKind::kInternal, "not_fetched", "group not fetched"));
  }
  if (!res->second.ok()) {
    GroupState g = ErrorGroup(name, track, res->second.error());
    Describe(g, in.discovery);
    return g;
  }
  return FoldReadGroup(name, track, res->second.value(), in, by_topic);
}

std::shared_ptr<KafkaObservation> KafkaTracker::Update(
    const SampleReadings& in) {
  // Only the probes of this sample needed it (40 bytes a partition). A
  // move-assign frees it; `= {}` would pick the initializer-list overload,
  // which keeps the capacity (5.2 MB at 100 000 partitions, heaptrack).
  all_partitions_ = std::vector<TopicPartition>();
  auto obs = NewObservation(in.now, in.discovery);
  const MetadataIndex by_topic = IndexAllowedMetadata(in.metadata);
  RecordEndOffsets(in, by_topic, *obs);
  for (auto& [name, track] : groups_) {
    obs->groups[name] = FoldGroup(name, track, in, by_topic);
  }
  return obs;
}

}  // namespace failwatch
