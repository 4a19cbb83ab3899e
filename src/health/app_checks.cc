#include "health/app_checks.h"

#include <spdlog/fmt/fmt.h>

#include <set>

#include "health/health_format.h"

namespace failwatch {
namespace {

const char* CauseText(StaleCause cause) {
  switch (cause) {
    case StaleCause::kKeptFromBeforePromotion:
      return "pool kept them";
    case StaleCause::kConnectedAfterPromotion:
      return "opened after the promotion: stale DNS or cached address";
    case StaleCause::kUnknown:
      return "cause unknown: failwatch did not see the promotion";
  }
  return "cause unknown";
}

std::string RoleText(const PgObservation& pg, const StaleAppConnections& s) {
  const NodeState* n = pg.FindNode(s.node);
  if (s.node_role == NodeRole::kStandby) {
    if (n != nullptr && n->last_demotion != WallTime{}) {
      return "standby since " + FormatClock(n->last_demotion);
    }
    return "standby";
  }
  if (s.node_role == NodeRole::kPrimary) return "superseded primary";
  return std::string(NodeRoleName(s.node_role)) + " role";
}

WallTime StaleSince(const PgObservation& pg, const StaleAppConnections& s) {
  if (s.cause == StaleCause::kKeptFromBeforePromotion) {
    const NodeState* n = pg.FindNode(s.node);
    if (n != nullptr && n->last_demotion != WallTime{}) return n->last_demotion;
    if (pg.last_promotion != WallTime{}) return pg.last_promotion;
  }
  return s.oldest_backend_start;
}

nlohmann::json ProbeEvidence(const WriteProbePath& p) {
  return {{"path", p.path},
          {"address", p.address},
          {"sqlstate", p.sqlstate},
          {"error", p.last_error},
          {"latency_seconds", p.latency_seconds},
          {"last_attempt", TimeJson(p.last_attempt)},
          {"last_success", TimeJson(p.last_success)},
          {"attempts_total", p.attempts_total},
          {"failures_total", p.failures_total}};
}

// The sticky path stays pinned to the old node until its lifetime ends.
// Once no application holds a connection on a wrong node, its failure
// hurts nobody now: it says what a pool that keeps connections would see.
bool AppsConverged(const PgObservation& pg) {
  for (const auto& s : pg.stale_app_connections) {
    if (s.count > 0) return false;
  }
  // An unconfigured client whose writes fail on a node in recovery.
  for (const auto& s : pg.unconfigured_writers) {
    if (s.writes > 0) return false;
  }
  return true;
}

void MarkStickyRisk(const PgObservation& pg, WallTime now, Condition& c) {
  c.tier = CheckTier::kRisk;
  c.evidence["apps_converged"] = true;
  if (pg.last_promotion == WallTime{}) {
    c.reason = "every app converged, but " + c.reason;
    return;
  }
  c.reason = fmt::format(
      "a pool that keeps its connections would still fail writes, {} after "
      "the promotion ({})",
      FormatAgo(pg.last_promotion, now), c.reason);
}

Condition JudgeProbe(const std::string& database, const WriteProbePath& p) {
  Condition c;
  c.check = "write_probe";
  c.target = database + "/" + p.path;
  c.evidence = ProbeEvidence(p);
  const bool fresh = p.path == "fresh";
  if (!p.attempted) {
    c.unknown = true;
    c.reason = p.path + " write probe not attempted yet";
    return c;
  }
  if (p.ok) {
    c.reason = fmt::format(
        "write through a {} connection to {} ok in {:.0f} ms",
        fresh ? "new" : "kept", p.address, p.latency_seconds * 1000);
    return c;
  }
  const std::string where = p.address.empty() ? "" : " on " + p.address;
  const std::string code = p.sqlstate.empty() ? "error" : p.sqlstate;
  if (fresh) {
    c.status = CheckStatus::kDown;
    c.reason = fmt::format("writes through a new connection fail{}: {} {}",
                           where, code, p.last_error);
  } else if (p.sqlstate == kSqlStateReadOnly) {
    c.status = CheckStatus::kDegraded;
    c.reason = fmt::format(
        "a kept connection{} gets 25006 (read-only): pools that keep "
        "connections across a failover fail writes",
        where);
  } else {
    c.status = CheckStatus::kDegraded;
    c.reason = fmt::format("writes through a kept connection fail{}: {} {}",
                           where, code, p.last_error);
  }
  return c;
}

nlohmann::json StaleEvidence(const StaleAppConnections& s, WallTime since) {
  return {{"node", s.node},
          {"role", NodeRoleName(s.node_role)},
          {"cause", StaleCauseName(s.cause)},
          {"count", s.count},
          {"client_addrs", s.client_addrs},
          {"writes", s.writes},
          {"write_verb", s.write_verb},
          {"last_write", TimeJson(s.last_write_at)},
          {"oldest_backend_start", TimeJson(s.oldest_backend_start)},
          {"rollbacks_recent", s.rollbacks_recent},
          {"rollbacks_rising", s.rollbacks_rising},
          {"stale_since", TimeJson(since)}};
}

// "3 connections on N (standby since T, pool kept them); 2 last wrote
// (INSERT) and failed with 25006", or, without a write seen, "...; the node
// rolled back 12 transactions in the last 5 s (writes failing with 25006)".
// The rollback count is node-wide: where the app's own write proves the
// failure it adds nothing but length (it stays in the evidence).
std::string StalePart(const PgObservation& pg, const StaleAppConnections& s,
                      WallTime now) {
  std::string part =
      fmt::format("{} on {} ({}, {})", CountOf(s.count, "connection"), s.node,
                  RoleText(pg, s), CauseText(s.cause));
  if (s.writes > 0) {
    part += fmt::format("; {} last wrote ({}) and failed with 25006", s.writes,
                        s.write_verb);
  }
  if (s.rollbacks_rising && s.writes == 0) {
    const auto seconds = s.rollbacks_window_start == WallTime{}
                             ? 0
                             : std::chrono::duration_cast<std::chrono::seconds>(
                                   now - s.rollbacks_window_start)
                                   .count();
    part += fmt::format(
        "; the node rolled back {} in the last {} s (writes failing with "
        "25006)",
        CountOf(s.rollbacks_recent, "transaction"), seconds);
  }
  return part;
}

// The condition of one app over its entries in `entries`. A configured app
// is degraded while it holds any connection on a wrong node (after `for`:
// an idle connection may never be used); at once (conclusive) when one of
// them last wrote on a node in recovery, because that write has failed, or
// when the node in recovery it sits on keeps rolling back transactions
// (rollbacks_rising: a pool's BEGIN; INSERT; ROLLBACK leaves ROLLBACK as
// the last statement). An unconfigured client is judged by its writes alone: it
// is listed only after one, and reads ok once it stops writing.
Condition JudgeStale(const PgObservation& pg, const std::string& database,
                     const std::string& app,
                     const std::vector<StaleAppConnections>& entries,
                     bool configured, WallTime now) {
  Condition c;
  c.check = "stale_app_connections";
  c.target = database + "/" + app;
  c.evidence["app"] = app;
  c.evidence["configured"] = configured;
  if (pg.nodes.empty()) {
    c.unknown = true;
    c.reason = "no nodes known yet";
    return c;
  }
  std::int64_t total = 0, writes = 0;
  bool rollbacks_rising = false;
  nlohmann::json nodes = nlohmann::json::array();
  std::vector<std::string> parts;
  for (const auto& s : entries) {
    if (s.app != app) continue;
    total += s.count;
    writes += s.writes;
    const WallTime since = StaleSince(pg, s);
    nodes.push_back(StaleEvidence(s, since));
    if (s.count > 0) parts.push_back(StalePart(pg, s, now));
    if (configured && s.count > 0 && s.rollbacks_rising) {
      rollbacks_rising = true;
    }
    if (since != WallTime{} && (c.onset == WallTime{} || since < c.onset)) {
      c.onset = since;
    }
  }
  c.evidence["connections"] = total;
  c.evidence["writes"] = writes;
  c.evidence["nodes"] = std::move(nodes);
  const std::string who = configured ? app : app + " (not configured)";
  c.evidence["rollbacks_rising"] = rollbacks_rising;
  c.conclusive = writes > 0 || rollbacks_rising;
  if (writes > 0 || (configured && total > 0)) {
    c.status = CheckStatus::kDegraded;
    c.reason = fmt::format("{} holds {}", who, Join(parts, "; "));
  } else if (total > 0) {
    c.reason = fmt::format(
        "{} no longer writes to a node in recovery; {} remain", who,
        CountOf(total, "connection"));
  } else if (configured) {
    c.reason = fmt::format("{} has no connections on a wrong node", app);
  } else {
    c.reason =
        fmt::format("{} has no connections left on a node in recovery", who);
  }
  return c;
}

}  // namespace

void CheckWriteProbe(const HealthInputs& in, const HealthTuning&,
                     std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    if (db.pg->write_probes.empty() && db.write_probe_enabled) {
      // Enabled but the collector published no path: judge nothing, hold.
      for (const char* path : {"fresh", "sticky"}) {
        Condition c;
        c.check = "write_probe";
        c.target = db.name + "/" + path;
        c.unknown = true;
        c.reason = std::string(path) + " write probe has not reported";
        out.push_back(std::move(c));
      }
      continue;
    }
    const bool converged = AppsConverged(*db.pg);
    for (const auto& p : db.pg->write_probes) {
      Condition c = JudgeProbe(db.name, p);
      if (p.path == "sticky" && c.status != CheckStatus::kOk && converged) {
        MarkStickyRisk(*db.pg, in.now, c);
      }
      out.push_back(std::move(c));
    }
  }
}

void CheckStaleAppConnections(const HealthInputs& in, const HealthTuning&,
                              std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    const PgObservation& pg = *db.pg;
    std::set<std::string> apps;
    for (const auto& a : db.apps) {
      if (a.expects == AppConfig::Expects::kPrimary) {
        apps.insert(a.application_name);
      }
    }
    for (const auto& s : pg.stale_app_connections) apps.insert(s.app);
    for (const auto& app : apps) {
      out.push_back(JudgeStale(pg, db.name, app, pg.stale_app_connections,
                               /*configured=*/true, in.now));
    }
    // Unconfigured writers: one target per client, unless a configured
    // target has that name already.
    std::set<std::string> writers;
    for (const auto& s : pg.unconfigured_writers) {
      if (apps.count(s.app) == 0) writers.insert(s.app);
    }
    for (const auto& w : writers) {
      out.push_back(JudgeStale(pg, db.name, w, pg.unconfigured_writers,
                               /*configured=*/false, in.now));
    }
  }
}

}  // namespace failwatch
