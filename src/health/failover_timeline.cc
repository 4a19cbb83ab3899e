#include "health/failover_timeline.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <set>

#include "health/health_format.h"

namespace failwatch {
namespace {

WallTime SampleTime(const PgObservation& pg, WallTime now) {
  return pg.sampled_at == WallTime{} ? now : pg.sampled_at;
}

std::string NewPrimary(const PgObservation& pg) {
  for (const auto& n : pg.nodes) {
    if (n.last_promotion == pg.last_promotion) return n.address;
  }
  return pg.writer;
}

// The node that was demoted most recently, other than `exclude`.
std::string LatestDemoted(const PgObservation& pg, const std::string& exclude) {
  const NodeState* best = nullptr;
  for (const auto& n : pg.nodes) {
    if (n.address == exclude || n.last_demotion == WallTime{}) continue;
    if (best == nullptr || n.last_demotion > best->last_demotion) best = &n;
  }
  return best ? best->address : "";
}

// The writer endpoint resolves only to the promoted node, and it is a
// writable primary.
bool EndpointOnNewPrimary(const PgObservation& pg, const std::string& node) {
  bool any = false;
  for (const auto& t : pg.endpoint_targets) {
    if (t.endpoint_role != "writer") continue;
    any = true;
    if (t.address != node || t.node_role != NodeRole::kPrimary ||
        t.superseded) {
      return false;
    }
  }
  return any;
}

// The start of the trailing run of DNS answers naming only `host`: more
// precise than the PostgreSQL sample time, and it moves later if the answer
// flapped back in between.
std::optional<WallTime> DnsRunStart(const DnsObservation* dns,
                                    const std::string& host) {
  if (dns == nullptr) return std::nullopt;
  const EndpointDnsState* e = dns->Find("writer");
  if (e == nullptr) return std::nullopt;
  std::optional<WallTime> start;
  for (auto it = e->history.rbegin(); it != e->history.rend(); ++it) {
    if (!it->addresses) continue;  // a failed lookup neither moves nor breaks
    if (*it->addresses != AddressSet{host}) break;
    start = it->at;
  }
  return start;
}

// Every PgBouncer of the database, sampled after the promotion, has its
// writer pools' servers on the new primary and none on a node that is not
// the writable primary. Servers behind a proxy (role unknown) never block:
// failwatch cannot judge them.
bool PgBouncerMoved(const PgBouncerObservation* pgb,
                    const FailoverTimeline& t) {
  if (pgb == nullptr || !pgb->roles_known || pgb->StaleTotal() != 0 ||
      pgb->sampled_at < t.promoted_at) {
    return false;
  }
  for (const auto& s : pgb->servers) {
    if (s.pool_target != PoolTarget::kWriter ||
        s.role == ServerRole::kUnknown) {
      continue;
    }
    if (s.count > 0 && s.address != t.new_primary) return false;
  }
  return true;
}

bool PgBouncersMoved(const DatabaseInputs& db, const FailoverTimeline& t) {
  if (db.pgbouncers.empty()) return false;
  for (const auto& pgb : db.pgbouncers) {
    if (!PgBouncerMoved(pgb.get(), t)) return false;
  }
  return true;
}

// The latest PgBouncer sample: the step is reached when the last of them
// showed its servers moved.
WallTime PgBouncersSampled(const DatabaseInputs& db, WallTime fallback) {
  WallTime at{};
  for (const auto& pgb : db.pgbouncers) at = std::max(at, pgb->sampled_at);
  return at == WallTime{} ? fallback : at;
}

void PgBouncerWaits(const DatabaseInputs& db, std::vector<std::string>& out) {
  for (const auto& pgb : db.pgbouncers) {
    if (pgb == nullptr) continue;
    if (!pgb->roles_known) {
      out.push_back(
          fmt::format("PgBouncer {}: server roles unknown", pgb->address));
      continue;
    }
    for (const auto& s : pgb->stale_servers) {
      out.push_back(fmt::format(
          "PgBouncer {} holds {} writer-pool servers on {} ({})", pgb->address,
          s.count, s.address, ServerRoleName(s.role)));
    }
  }
}

std::vector<std::string> WaitingFor(
    const DatabaseInputs& db, const FailoverTimeline& t,
    const std::map<std::string, WallTime>& down_since, WallTime now) {
  const PgObservation& pg = *db.pg;
  std::vector<std::string> out;
  for (const auto& n : pg.nodes) {
    if (n.superseded) {
      out.push_back(fmt::format("{} still answers as primary", n.address));
    }
    auto down = down_since.find(n.address);
    if (!n.up && down != down_since.end() &&
        now - down->second < kUnreachableSettle) {
      out.push_back(
          fmt::format("{} unreachable for {}: its app connections are unknown",
                      n.address, FormatAgo(down->second, now)));
    }
  }
  if (t.Find(kStepDnsSwitched) == nullptr) {
    std::vector<std::string> addrs;
    for (const auto& e : pg.endpoint_targets) {
      if (e.endpoint_role == "writer") {
        addrs.push_back(
            fmt::format("{} ({})", e.address, NodeRoleName(e.node_role)));
      }
    }
    out.push_back(fmt::format("writer endpoint resolves to {}",
                              addrs.empty() ? "nothing" : Join(addrs)));
  }
  PgBouncerWaits(db, out);
  for (const auto& s : pg.stale_app_connections) {
    out.push_back(fmt::format("{} holds {} on {} ({})", s.app,
                              CountOf(s.count, "connection"), s.node,
                              StaleCauseName(s.cause)));
  }
  // An unconfigured client failing writes on a node in recovery has not
  // converged either; one that only stays connected there is not waited on.
  for (const auto& s : pg.unconfigured_writers) {
    if (s.writes == 0) continue;
    out.push_back(fmt::format("{} (not configured) writes to {} ({} fails)",
                              s.app, s.node, s.write_verb));
  }
  if (const WriteProbePath* p = pg.FindProbe("fresh")) {
    if (!p->ok || p->last_success < t.promoted_at) {
      out.push_back(fmt::format(
          "fresh write probe {}",
          p->ok ? std::string("not yet ok since the promotion")
                : "failing: " +
                      (p->sqlstate.empty() ? p->last_error : p->sqlstate)));
    }
  }
  return out;
}

std::string StepValue(const FailoverTimeline& t, const char* step) {
  const FailoverStep* s = t.Find(step);
  return s ? FormatUtc(s->at) : "none";
}

std::string StepAfter(const FailoverTimeline& t, const char* step) {
  const FailoverStep* s = t.Find(step);
  if (s == nullptr) return "none";
  return fmt::format("{:.1f}", ToSeconds(s->at - t.promoted_at));
}

// A new timeline's old primary: the last writer failwatch saw, or, when that
// is unknown or the promoted node itself, the node demoted last.
FailoverTimeline StartTimeline(const DatabaseInputs& db,
                               const std::string& last_writer) {
  const PgObservation& pg = *db.pg;
  FailoverTimeline t;
  t.database = db.name;
  t.promoted_at = pg.last_promotion;
  t.new_primary = NewPrimary(pg);
  t.old_primary = last_writer != t.new_primary ? last_writer : std::string();
  if (t.old_primary.empty()) t.old_primary = LatestDemoted(pg, t.new_primary);
  t.steps.push_back({kStepPromoted, t.promoted_at});
  return t;
}

void TrackUnreachable(const PgObservation& pg, WallTime now,
                      std::map<std::string, WallTime>& down_since) {
  for (const auto& n : pg.nodes) {
    if (n.up) {
      down_since.erase(n.address);
    } else {
      down_since.try_emplace(n.address, SampleTime(pg, now));
    }
  }
}

void RecordSwitchSteps(const DatabaseInputs& db, WallTime sampled,
                       FailoverTimeline& t) {
  if (t.Find(kStepDnsSwitched) == nullptr &&
      EndpointOnNewPrimary(*db.pg, t.new_primary)) {
    WallTime at = sampled;
    if (auto run = DnsRunStart(db.dns.get(), HostOfAddress(t.new_primary));
        run && *run < at) {
      // Never before the promotion: an endpoint that already named this
      // node (a moving VIP or proxy) switched the moment it was promoted.
      at = *run < t.promoted_at ? t.promoted_at : *run;
    }
    t.steps.push_back({kStepDnsSwitched, at});
  }
  if (t.Find(kStepPgBouncerMoved) == nullptr && PgBouncersMoved(db, t)) {
    const WallTime at = PgBouncersSampled(db, sampled);
    t.steps.push_back({kStepPgBouncerMoved, std::max(at, t.promoted_at)});
  }
}

}  // namespace

const FailoverStep* FailoverTimeline::Find(const std::string& step) const {
  for (const auto& s : steps) {
    if (s.step == step) return &s;
  }
  return nullptr;
}

std::optional<double> FailoverTimeline::ConvergenceSeconds() const {
  const FailoverStep* s = Find(kStepAppsConverged);
  if (s == nullptr) return std::nullopt;
  return ToSeconds(s->at - promoted_at);
}

const char* FailoverStateName(FailoverTimeline::State state) {
  switch (state) {
    case FailoverTimeline::State::kInProgress:
      return "in_progress";
    case FailoverTimeline::State::kConverged:
      return "converged";
    case FailoverTimeline::State::kNotConverged:
      return "not_converged";
  }
  return "in_progress";
}

std::string FormatTimelineLog(const FailoverTimeline& t, WallTime now) {
  return fmt::format(
      "database={} state={} old_primary={} new_primary={} promoted_at={} "
      "dns_switched_at={} dns_switched_after_s={} pgbouncer_moved_at={} "
      "pgbouncer_moved_after_s={} apps_converged_at={} "
      "convergence_s={} elapsed_s={:.1f} waiting_for=\"{}\"",
      t.database, FailoverStateName(t.state),
      t.old_primary.empty() ? "unknown" : t.old_primary,
      t.new_primary.empty() ? "unknown" : t.new_primary,
      FormatUtc(t.promoted_at), StepValue(t, kStepDnsSwitched),
      StepAfter(t, kStepDnsSwitched), StepValue(t, kStepPgBouncerMoved),
      StepAfter(t, kStepPgBouncerMoved), StepValue(t, kStepAppsConverged),
      StepAfter(t, kStepAppsConverged), ToSeconds(now - t.promoted_at),
      Join(t.waiting_for, "; "));
}

std::vector<double> ConvergenceBuckets() {
  return {5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600};
}

std::vector<FailoverTracker::Event> FailoverTracker::Update(
    const HealthInputs& in) {
  std::vector<Event> events;
  std::set<std::string> present;
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    present.insert(db.name);
    Advance(db, in.now, tracks_[db.name], events);
  }
  std::erase_if(tracks_, [&present](const auto& entry) {
    return !present.contains(entry.first);
  });
  std::erase_if(failovers_total_, [&present](const auto& entry) {
    return !present.contains(entry.first);
  });
  std::erase_if(convergence_, [&present](const auto& entry) {
    return !present.contains(entry.first);
  });
  return events;
}

void FailoverTracker::Advance(const DatabaseInputs& db, WallTime now,
                              DbTrack& track, std::vector<Event>& events) {
  const PgObservation& pg = *db.pg;
  failovers_total_.try_emplace(db.name, 0);
  if (auto [h, added] = convergence_.try_emplace(db.name); added) {
    h->second.bounds = ConvergenceBuckets();
  }
  if (pg.last_promotion != WallTime{} &&
      pg.last_promotion != track.seen_promotion) {
    if (track.timeline &&
        track.timeline->state != FailoverTimeline::State::kConverged) {
      events.push_back({Event::Kind::kSuperseded, *track.timeline});
    }
    track.timeline = StartTimeline(db, track.last_writer);
    track.seen_promotion = pg.last_promotion;
    failovers_total_[db.name]++;
  }
  if (!pg.writer.empty()) track.last_writer = pg.writer;
  TrackUnreachable(pg, now, track.down_since);
  if (!track.timeline ||
      track.timeline->state == FailoverTimeline::State::kConverged) {
    return;
  }
  AdvanceOpenTimeline(db, now, track, events);
}

void FailoverTracker::AdvanceOpenTimeline(const DatabaseInputs& db,
                                          WallTime now, DbTrack& track,
                                          std::vector<Event>& events) {
  FailoverTimeline& t = *track.timeline;
  const WallTime sampled = SampleTime(*db.pg, now);
  RecordSwitchSteps(db, sampled, t);
  t.waiting_for = WaitingFor(db, t, track.down_since, now);
  if (t.Find(kStepDnsSwitched) != nullptr && t.waiting_for.empty()) {
    t.steps.push_back({kStepAppsConverged, sampled});
    t.state = FailoverTimeline::State::kConverged;
    convergence_[db.name].Observe(*t.ConvergenceSeconds());
    events.push_back({Event::Kind::kConverged, t});
    return;
  }
  if (t.state == FailoverTimeline::State::kInProgress &&
      now - t.promoted_at >= timeout_) {
    t.state = FailoverTimeline::State::kNotConverged;
    events.push_back({Event::Kind::kNotConverged, t});
  }
}

std::vector<FailoverTimeline> FailoverTracker::Timelines() const {
  std::vector<FailoverTimeline> out;
  for (const auto& [name, track] : tracks_) {
    if (track.timeline) out.push_back(*track.timeline);
  }
  return out;
}

}  // namespace failwatch
