#include <string>

#include "core/metric_builder.h"
#include "postgres/pg_family_groups.h"

namespace failwatch {
namespace {

constexpr NodeRole kAllRoles[] = {NodeRole::kPrimary, NodeRole::kStandby,
                                  NodeRole::kUnreachable, NodeRole::kUnknown};

struct StateFamilies {
  FamilyBuilder up, role, info, recovery, read_only, superseded, timeline,
      version, start, node_error;
};

StateFamilies MakeStateFamilies() {
  return {
      .up = FamilyBuilder::Gauge(
          "failwatch_pg_node_up",
          "1 when the node answered the status query in the last sample."),
      .role = FamilyBuilder::Gauge(
          "failwatch_pg_node_role",
          "1 for the node's current role (primary, standby, unreachable, "
          "unknown), 0 for the others."),
      .info = FamilyBuilder::Gauge(
          "failwatch_pg_node_info",
          "1 per node; source says how it entered the node set "
          "(member, dns, discovered)."),
      .recovery = FamilyBuilder::Gauge("failwatch_pg_node_in_recovery",
                                       "pg_is_in_recovery() of the node."),
      .read_only = FamilyBuilder::Gauge(
          "failwatch_pg_node_read_only",
          "1 when new sessions on the node default to read-only "
          "(transaction_read_only)."),
      .superseded = FamilyBuilder::Gauge(
          "failwatch_pg_node_superseded",
          "1 for a primary on a lower timeline than another primary: the old "
          "node after a promotion, still accepting writes that will be "
          "lost."),
      .timeline = FamilyBuilder::Gauge("failwatch_pg_node_timeline",
                                       "Current timeline ID of the node."),
      .version = FamilyBuilder::Gauge("failwatch_pg_node_server_version_num",
                                      "server_version_num of the node."),
      .start = FamilyBuilder::Gauge(
          "failwatch_pg_node_postmaster_start_time_seconds",
          "pg_postmaster_start_time() as a Unix timestamp."),
      .node_error = FamilyBuilder::Gauge(
          "failwatch_pg_node_error",
          "1 while the node's last sample failed; code is an SQLSTATE, "
          "\"timeout\" or \"08001\" (could not connect)."),
  };
}

void AddState(const std::string& db, const NodeState& n, StateFamilies& f) {
  const Labels base{{"database", db}, {"node", n.address}};
  f.up.Add(base, n.up ? 1 : 0);
  for (NodeRole r : kAllRoles) {
    f.role.Add(
        {{"database", db}, {"node", n.address}, {"role", NodeRoleName(r)}},
        n.role == r ? 1 : 0);
  }
  f.info.Add({{"database", db},
              {"node", n.address},
              {"source", NodeSourceName(n.sources)}},
             1);
  if (n.error) {
    f.node_error.Add(
        {{"database", db}, {"node", n.address}, {"code", n.error->code}}, 1);
  }
  if (!n.up) return;
  f.recovery.Add(base, n.in_recovery ? 1 : 0);
  f.read_only.Add(base, n.read_only ? 1 : 0);
  f.superseded.Add(base, n.superseded ? 1 : 0);
  if (n.timeline) f.timeline.Add(base, *n.timeline);
  f.version.Add(base, n.server_version_num);
  f.start.Add(base, PgSeconds(n.postmaster_start));
}

struct HistoryFamilies {
  FamilyBuilder promotions, last_promotion, last_demotion, rollbacks,
      rollbacks_recent, errors;
};

HistoryFamilies MakeHistoryFamilies() {
  return {
      .promotions = FamilyBuilder::Counter(
          "failwatch_pg_node_promotions_total",
          "Promotions of the node seen by failwatch (recovery -> primary, or "
          "a primary's timeline went up)."),
      .last_promotion = FamilyBuilder::Gauge(
          "failwatch_pg_node_last_promotion_time_seconds",
          "When failwatch saw the node's last promotion (0 = never)."),
      .last_demotion = FamilyBuilder::Gauge(
          "failwatch_pg_node_last_demotion_time_seconds",
          "When failwatch saw the node go from primary to recovery (0 = "
          "never)."),
      .rollbacks = FamilyBuilder::Counter(
          "failwatch_pg_node_xact_rollbacks_total",
          "sum(pg_stat_database.xact_rollback) of the node: rolled-back "
          "transactions (failwatch's own failed probes included; reset by "
          "pg_stat_reset() or a crash restart)."),
      .rollbacks_recent = FamilyBuilder::Gauge(
          "failwatch_pg_node_rollbacks_recent",
          "Rolled-back transactions of the node over the last 5 samples, "
          "failwatch's own subtracted. On a node in recovery: most likely "
          "writes failing with 25006."),
      .errors = FamilyBuilder::Counter(
          "failwatch_pg_errors_total",
          "failwatch's own failed connects and queries per node, by SQLSTATE "
          "(or timeout)."),
  };
}

void AddHistory(const std::string& db, const NodeState& n, HistoryFamilies& f) {
  const Labels base{{"database", db}, {"node", n.address}};
  f.promotions.Add(base, static_cast<double>(n.promotions_total));
  f.last_promotion.Add(base, PgSeconds(n.last_promotion));
  f.last_demotion.Add(base, PgSeconds(n.last_demotion));
  if (n.up && n.xact_rollback_total) {
    f.rollbacks.Add(base, static_cast<double>(*n.xact_rollback_total));
    f.rollbacks_recent.Add(base, static_cast<double>(n.rollbacks_recent));
  }
}

}  // namespace

void AppendPgNodeStateFamilies(const PgObservation& obs, PgFamilies& out) {
  StateFamilies f = MakeStateFamilies();
  for (const NodeState& n : obs.nodes) AddState(obs.database, n, f);
  for (FamilyBuilder* b :
       {&f.up, &f.role, &f.info, &f.recovery, &f.read_only, &f.superseded,
        &f.timeline, &f.version, &f.start, &f.node_error}) {
    b->MoveTo(out);
  }
}

void AppendPgNodeHistoryFamilies(const PgObservation& obs, PgFamilies& out) {
  HistoryFamilies f = MakeHistoryFamilies();
  for (const NodeState& n : obs.nodes) AddHistory(obs.database, n, f);
  for (const auto& [node, codes] : obs.errors_total) {
    for (const auto& [code, count] : codes) {
      f.errors.Add({{"database", obs.database}, {"node", node}, {"code", code}},
                   static_cast<double>(count));
    }
  }
  for (FamilyBuilder* b : {&f.promotions, &f.last_promotion, &f.last_demotion,
                           &f.rollbacks, &f.rollbacks_recent, &f.errors}) {
    b->MoveTo(out);
  }
}

}  // namespace failwatch
