#include "kafka/kafka_tracker.h"

#include <algorithm>

namespace failwatch {
namespace {

Result<std::optional<std::regex>> Compile(const std::string& pattern,
                                          const std::string& what) {
  if (pattern.empty()) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(std::regex(pattern));
  } catch (const std::regex_error&) {
    return MakeError(ErrorKind::kInvalid, "bad_regex",
                     what + ": invalid regular expression");
  }
}

bool Matches(const std::optional<std::regex>& re, const std::string& s) {
  return re && std::regex_match(s, *re);
}

}  // namespace

KafkaTracker::KafkaTracker(std::string cluster, KafkaOptions options)
    : cluster_(std::move(cluster)), options_(std::move(options)) {}

Result<std::unique_ptr<KafkaTracker>> KafkaTracker::Create(
    const KafkaClusterConfig& cluster, const KafkaOptions& options) {
  std::unique_ptr<KafkaTracker> t(new KafkaTracker(cluster.name, options));
  struct {
    const std::string& pattern;
    const char* what;
    std::optional<std::regex>& out;
  } regexes[] = {
      {cluster.discover_groups, "discover_groups", t->discover_},
      {options.group_allow, "group_allow", t->group_allow_},
      {options.group_deny, "group_deny", t->group_deny_},
      {options.topic_allow, "topic_allow", t->topic_allow_},
      {options.topic_deny, "topic_deny", t->topic_deny_},
  };
  for (auto& r : regexes) {
    auto compiled =
        Compile(r.pattern, "kafka cluster \"" + cluster.name + "\": " + r.what);
    if (!compiled.ok()) return compiled.error();
    r.out = std::move(compiled).value();
  }
  for (const auto& g : cluster.groups) t->configured_.insert(g.name);
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

std::vector<CommittedRequest> KafkaTracker::PlanFetch(
    const ClusterMetadata& metadata, const DiscoveryView& discovery,
    WallTime now) {
  std::set<std::string> wanted = configured_;
  if (discover_ && discovery.listed) {
    for (const auto& g : *discovery.listed) {
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

  std::set<std::string> all_topics;
  for (const auto& p : metadata.partitions) {
    if (TopicAllowed(p.tp.topic)) all_topics.insert(p.tp.topic);
  }
  std::vector<CommittedRequest> plan;
  for (const auto& name : wanted) {
    auto [it, inserted] = groups_.try_emplace(name);
    GroupTrack& track = it->second;
    if (inserted) {
      track.configured = configured_.contains(name);
      track.last_active = now;
    }
    const bool new_topics = !std::includes(
        track.topics_at_probe.begin(), track.topics_at_probe.end(),
        all_topics.begin(), all_topics.end());
    track.probing = !track.last_probe || track.topics.empty() ||
                    now - *track.last_probe >= options_.topic_probe_interval ||
                    new_topics;
    std::set<std::string> topics = track.topics;
    if (auto d = discovery.described.find(name);
        d != discovery.described.end()) {
      for (const auto& tp : d->second.assigned) topics.insert(tp.topic);
    }
    if (track.probing) {
      track.last_probe = now;
      track.topics_at_probe = all_topics;
      topics = all_topics;
    }
    CommittedRequest req{name, {}};
    for (const auto& p : metadata.partitions) {
      if (topics.contains(p.tp.topic) && TopicAllowed(p.tp.topic)) {
        req.partitions.push_back(p.tp);
      }
    }
    plan.push_back(std::move(req));
  }
  return plan;
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
  auto obs = std::make_shared<KafkaObservation>();
  obs->cluster = cluster_;
  obs->at = now;
  obs->error = error;
  obs->group_listing_supported = discovery.listing_supported;
  obs->group_describe_supported = discovery.describe_supported;
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

std::shared_ptr<KafkaObservation> KafkaTracker::Update(
    const SampleReadings& in) {
  auto obs = std::make_shared<KafkaObservation>();
  obs->cluster = cluster_;
  obs->at = in.now;
  obs->group_listing_supported = in.discovery.listing_supported;
  obs->group_describe_supported = in.discovery.describe_supported;

  // End-offset histories: forget partitions that no longer exist.
  std::map<std::string, std::vector<const PartitionMetadata*>> by_topic;
  for (const auto& p : in.metadata.partitions) {
    if (TopicAllowed(p.tp.topic)) by_topic[p.tp.topic].push_back(&p);
  }
  std::erase_if(offsets_, [&](const auto& kv) {
    auto t = by_topic.find(kv.first.topic);
    return t == by_topic.end() ||
           std::none_of(
               t->second.begin(), t->second.end(),
               [&](const PartitionMetadata* p) { return p->tp == kv.first; });
  });
  for (const auto& [topic, parts] : by_topic) {
    for (const PartitionMetadata* p : parts) {
      PartitionWatermarks w{p->tp.topic, p->tp.partition, p->leader, {}, {}};
      auto wm = in.watermarks.find(p->tp);
      if (!in.watermark_error && wm != in.watermarks.end() && wm->second.ok()) {
        w.low = wm->second.low;
        w.high = wm->second.high;
        offsets_.try_emplace(p->tp, options_.offset_history_points)
            .first->second.Record(in.now, *w.high);
      }
      obs->partitions.push_back(std::move(w));
    }
  }

  for (auto& [name, track] : groups_) {
    auto res = in.committed.find(name);
    if (res == in.committed.end()) {
      obs->groups[name] = ErrorGroup(
          name, track,
          MakeError(ErrorKind::kInternal, "not_fetched", "group not fetched"));
      continue;
    }
    if (!res->second.ok()) {
      obs->groups[name] = ErrorGroup(name, track, res->second.error());
      Describe(obs->groups[name], in.discovery);
      continue;
    }
    const CommittedOffsets& offsets = res->second.value();
    GroupState g;
    g.name = name;
    g.configured = track.configured;
    g.reprocess_only = reprocess_only_.contains(name);
    Describe(g, in.discovery);

    std::set<std::string> consumed;
    for (const auto& [tp, c] : offsets) {
      if (c.offset) consumed.insert(tp.topic);
    }
    if (auto d = in.discovery.described.find(name);
        d != in.discovery.described.end()) {
      for (const auto& tp : d->second.assigned) consumed.insert(tp.topic);
    }
    // A topic skipped this sample (not probed, not known) keeps its place
    // only if it was consumed before and the fetch did not cover it.
    for (const auto& t : track.topics) {
      const bool covered =
          std::any_of(offsets.begin(), offsets.end(),
                      [&](const auto& kv) { return kv.first.topic == t; });
      if (!covered) consumed.insert(t);
    }
    track.topics.clear();

    std::map<TopicPartition, PartitionTrack> kept;
    bool moved = false;
    for (const auto& topic : consumed) {
      auto parts = by_topic.find(topic);
      if (parts == by_topic.end()) continue;  // deleted or filtered out
      track.topics.insert(topic);
      for (const PartitionMetadata* pm : parts->second) {
        auto c = offsets.find(pm->tp);
        if (c == offsets.end()) continue;  // not asked this sample
        GroupPartitionState p;
        p.topic = pm->tp.topic;
        p.partition = pm->tp.partition;
        p.committed = c->second.offset;
        auto old = track.partitions.find(pm->tp);
        PartitionTrack pt = old != track.partitions.end()
                                ? std::move(old->second)
                                : PartitionTrack(options_);
        auto wm = in.watermarks.find(pm->tp);
        const bool readable = !in.watermark_error &&
                              wm != in.watermarks.end() && wm->second.ok() &&
                              c->second.error.empty();
        if (!readable) {
          p.status = ConsumerStatus::kErr;
        } else {
          p.low = *wm->second.low;
          p.high = *wm->second.high;
          p.lag = ComputeLag(p.committed, p.low, p.high);
          auto hist = offsets_.find(pm->tp);
          if (hist != offsets_.end()) {
            if (auto ls = InterpolateLagSeconds(hist->second.points(),
                                                p.committed.value_or(p.low),
                                                p.high, in.now)) {
              p.lag_seconds = ls->seconds;
              p.lag_seconds_lower_bound = ls->lower_bound;
            }
          }
          auto points = pt.history.WindowPoints(in.now);
          if (!points.empty() && points.back().committed != p.committed) {
            moved = true;
          }
          pt.history.Record({in.now, p.committed, p.high, p.lag});
          std::optional<bool> has_members;
          if (g.members) has_members = *g.members > 0;
          p.status = EvaluatePartitionStatus(
              {in.now, options_.status_window, pt.history.WindowPoints(in.now),
               false, pt.history.last_rewind(), has_members});
          g.lag_sum += p.lag;
          g.lag_max = std::max(g.lag_max, p.lag);
          if (p.lag_seconds) {
            g.lag_seconds_max =
                std::max(g.lag_seconds_max.value_or(0), *p.lag_seconds);
          }
        }
        g.status = WorstStatus(g.status, p.status);
        kept.emplace(pm->tp, std::move(pt));
        g.partitions.push_back(std::move(p));
      }
    }
    track.partitions = std::move(kept);
    if (moved || (g.members && *g.members > 0)) track.last_active = in.now;
    g.topics.assign(track.topics.begin(), track.topics.end());
    obs->groups[name] = std::move(g);
  }
  return obs;
}

}  // namespace failwatch
