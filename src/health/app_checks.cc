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
      Condition c;
      c.check = "stale_app_connections";
      c.target = db.name + "/" + app;
      c.evidence["app"] = app;
      if (pg.nodes.empty()) {
        c.unknown = true;
        c.reason = "no nodes known yet";
        out.push_back(std::move(c));
        continue;
      }
      std::int64_t total = 0;
      nlohmann::json nodes = nlohmann::json::array();
      std::vector<std::string> parts;
      for (const auto& s : pg.stale_app_connections) {
        if (s.app != app) continue;
        total += s.count;
        const WallTime since = StaleSince(pg, s);
        nodes.push_back(
            {{"node", s.node},
             {"role", NodeRoleName(s.node_role)},
             {"cause", StaleCauseName(s.cause)},
             {"count", s.count},
             {"oldest_backend_start", TimeJson(s.oldest_backend_start)},
             {"stale_since", TimeJson(since)}});
        parts.push_back(fmt::format("{} connections on {} ({}, {})", s.count,
                                    s.node, RoleText(pg, s),
                                    CauseText(s.cause)));
        if (since != WallTime{} && (c.onset == WallTime{} || since < c.onset)) {
          c.onset = since;
        }
      }
      c.evidence["connections"] = total;
      c.evidence["nodes"] = std::move(nodes);
      if (total > 0) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format("{} holds {}", app, Join(parts, "; "));
      } else {
        c.reason = fmt::format("{} has no connections on a wrong node", app);
      }
      out.push_back(std::move(c));
    }
  }
}

}  // namespace failwatch
