#include "health/postgres_checks.h"

#include <spdlog/fmt/fmt.h>

#include "health/health_format.h"

namespace failwatch {
namespace {

bool Writable(const EndpointTarget& t) {
  return t.node_role == NodeRole::kPrimary && !t.superseded;
}

nlohmann::json NodeJson(const NodeState& n) {
  nlohmann::json j = {{"address", n.address},
                      {"role", NodeRoleName(n.role)},
                      {"up", n.up},
                      {"superseded", n.superseded}};
  if (n.timeline) j["timeline"] = *n.timeline;
  if (n.error) j["error"] = n.error->code + ": " + n.error->message;
  return j;
}

nlohmann::json NodesJson(const PgObservation& pg) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : pg.nodes) nodes.push_back(NodeJson(n));
  return nodes;
}

std::vector<std::string> Primaries(const PgObservation& pg) {
  std::vector<std::string> out;
  for (const auto& n : pg.nodes) {
    if (n.up && n.role == NodeRole::kPrimary) out.push_back(n.address);
  }
  return out;
}

}  // namespace

std::string DescribeNode(const PgObservation& pg, const std::string& address) {
  const NodeState* n = pg.FindNode(address);
  if (n == nullptr) return address + " (not in the node set)";
  if (!n->up) {
    return fmt::format("{} (unreachable{})", address,
                       n->error ? ": " + n->error->code : std::string());
  }
  if (n->role == NodeRole::kStandby) {
    if (n->last_demotion != WallTime{}) {
      return fmt::format("{} (standby since {})", address,
                         FormatClock(n->last_demotion));
    }
    return address + " (standby)";
  }
  if (n->role == NodeRole::kPrimary && n->superseded) {
    return fmt::format("{} (superseded primary, timeline {})", address,
                       n->timeline ? std::to_string(*n->timeline) : "?");
  }
  return fmt::format("{} ({})", address, NodeRoleName(n->role));
}

void CheckEndpointNotPrimary(const HealthInputs& in, const HealthTuning&,
                             std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    const PgObservation& pg = *db.pg;
    Condition c;
    c.check = "endpoint_not_primary";
    c.target = db.name + "/writer";
    std::vector<const EndpointTarget*> targets;
    for (const auto& t : pg.endpoint_targets) {
      if (t.endpoint_role == "writer") targets.push_back(&t);
    }
    c.evidence["writer"] = pg.writer;
    if (targets.empty()) {
      c.unknown = true;
      c.reason = "writer endpoint has no resolved address to judge";
      out.push_back(std::move(c));
      continue;
    }
    c.evidence["endpoint"] = targets.front()->endpoint;
    nlohmann::json addrs = nlohmann::json::array();
    std::vector<std::string> bad;
    for (const EndpointTarget* t : targets) {
      addrs.push_back({{"address", t->address},
                       {"role", NodeRoleName(t->node_role)},
                       {"superseded", t->superseded}});
      if (Writable(*t)) continue;
      bad.push_back(DescribeNode(pg, t->address));
      const NodeState* n = pg.FindNode(t->address);
      if (n != nullptr && n->last_demotion != WallTime{} &&
          (c.onset == WallTime{} || n->last_demotion < c.onset)) {
        c.onset = n->last_demotion;
      }
    }
    c.evidence["addresses"] = std::move(addrs);
    const std::string& endpoint = targets.front()->endpoint;
    if (bad.empty()) {
      c.reason = fmt::format("writer endpoint {} resolves to the primary {}",
                             endpoint, targets.front()->address);
    } else {
      c.status = bad.size() == targets.size() ? CheckStatus::kDown
                                              : CheckStatus::kDegraded;
      c.reason = fmt::format(
          "writer endpoint {} resolves to {}; the primary "
          "is {}",
          endpoint, Join(bad), pg.writer.empty() ? "unknown" : pg.writer);
    }
    out.push_back(std::move(c));
  }
}

void CheckNoPrimary(const HealthInputs& in, const HealthTuning&,
                    std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    const PgObservation& pg = *db.pg;
    Condition c;
    c.check = "no_primary";
    c.target = db.name;
    c.evidence["nodes"] = NodesJson(pg);
    if (pg.nodes.empty()) {
      c.unknown = true;
      c.reason = "no nodes known yet";
    } else if (pg.primaries == 0) {
      c.status = CheckStatus::kDown;
      std::vector<std::string> nodes;
      for (const auto& n : pg.nodes)
        nodes.push_back(DescribeNode(pg, n.address));
      c.reason = fmt::format("no primary among {} nodes: {}", pg.nodes.size(),
                             Join(nodes));
    } else {
      c.reason = fmt::format("primary {}", Join(Primaries(pg)));
    }
    out.push_back(std::move(c));
  }
}

void CheckMultiplePrimaries(const HealthInputs& in, const HealthTuning&,
                            std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    const PgObservation& pg = *db.pg;
    Condition c;
    c.check = "multiple_primaries";
    c.target = db.name;
    const auto primaries = Primaries(pg);
    c.evidence["primaries"] = primaries;
    c.evidence["writer"] = pg.writer;
    if (pg.nodes.empty()) {
      c.unknown = true;
      c.reason = "no nodes known yet";
    } else if (pg.primaries >= 2) {
      c.status = CheckStatus::kDown;
      std::vector<std::string> described;
      for (const auto& a : primaries) described.push_back(DescribeNode(pg, a));
      c.reason = fmt::format(
          "{} primaries: {}; writes to a superseded primary are lost",
          pg.primaries, Join(described));
      c.evidence["nodes"] = NodesJson(pg);
    } else {
      c.reason = fmt::format("{} primary", pg.primaries);
    }
    out.push_back(std::move(c));
  }
}

namespace {

// A node that cannot be reached while another one serves as primary
// replicates nothing: a promotion now could not use it. Without this row a
// crashed or hung standby left the verdict ok (the fault matrix found it).
Condition UnreachableReplica(const std::string& db, const PgObservation& pg,
                             const NodeState& n, const HealthTuning& tuning) {
  Condition c;
  c.check = "replication_lag";
  c.target = db + "/" + n.address;
  c.status = CheckStatus::kDegraded;
  c.evidence = {{"node", n.address},
                {"receiver_status", "unreachable"},
                {"error", n.error ? n.error->ToString() : ""},
                {"threshold_seconds", tuning.replication_lag_seconds},
                {"threshold_bytes", tuning.replication_lag_bytes}};
  c.reason = DescribeNode(pg, n.address) +
             ": not replicating, a promotion could not use it";
  return c;
}

std::vector<std::string> LagProblems(const StandbyStatus& s,
                                     const HealthTuning& tuning) {
  std::vector<std::string> problems;
  if (s.replay_lag_seconds &&
      *s.replay_lag_seconds > tuning.replication_lag_seconds) {
    problems.push_back(fmt::format("replay lag {:.1f} s > {:.0f} s",
                                   *s.replay_lag_seconds,
                                   tuning.replication_lag_seconds));
  }
  if (s.replay_lag_bytes &&
      *s.replay_lag_bytes > tuning.replication_lag_bytes) {
    problems.push_back(fmt::format("{} bytes not replayed > {}",
                                   *s.replay_lag_bytes,
                                   tuning.replication_lag_bytes));
  }
  if (s.receiver_status != "streaming") {
    problems.push_back(s.receiver_status.empty()
                           ? std::string("no WAL receiver (not streaming)")
                           : "WAL receiver " + s.receiver_status +
                                 " (not streaming)");
  }
  return problems;
}

Condition StandbyLag(const std::string& db, const NodeState& n,
                     const HealthTuning& tuning) {
  Condition c;
  c.check = "replication_lag";
  c.target = db + "/" + n.address;
  c.evidence = {{"node", n.address},
                {"threshold_seconds", tuning.replication_lag_seconds},
                {"threshold_bytes", tuning.replication_lag_bytes}};
  if (!n.standby) {
    c.unknown = true;
    c.reason = n.address + " standby status not read";
    return c;
  }
  const StandbyStatus& s = *n.standby;
  c.evidence["replay_lag_seconds"] = s.replay_lag_seconds
                                         ? nlohmann::json(*s.replay_lag_seconds)
                                         : nlohmann::json(nullptr);
  c.evidence["replay_lag_bytes"] = s.replay_lag_bytes
                                       ? nlohmann::json(*s.replay_lag_bytes)
                                       : nlohmann::json(nullptr);
  c.evidence["receiver_status"] = s.receiver_status;
  c.evidence["upstream"] = s.upstream;
  const std::vector<std::string> problems = LagProblems(s, tuning);
  if (problems.empty()) {
    c.reason = fmt::format("standby {} streaming from {}, replay lag {:.1f} s",
                           n.address, s.upstream.empty() ? "?" : s.upstream,
                           s.replay_lag_seconds.value_or(0));
  } else {
    c.status = CheckStatus::kDegraded;
    c.reason = fmt::format("standby {}: {}", n.address, Join(problems));
  }
  return c;
}

}  // namespace

void CheckReplicationLag(const HealthInputs& in, const HealthTuning& tuning,
                         std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.pg) continue;
    for (const auto& n : db.pg->nodes) {
      if (!n.up && db.pg->primaries > 0) {
        out.push_back(UnreachableReplica(db.name, *db.pg, n, tuning));
        continue;
      }
      if (!n.up || n.role != NodeRole::kStandby) continue;
      out.push_back(StandbyLag(db.name, n, tuning));
    }
  }
}

}  // namespace failwatch
