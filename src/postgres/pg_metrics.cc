#include "postgres/pg_metrics.h"

#include "core/metric_builder.h"
#include "postgres/pg_family_groups.h"

namespace failwatch {
namespace {

// The database as a whole: writers, promotions, where endpoints point.
void AppendDatabaseFamilies(const PgObservation& obs, PgFamilies& out) {
  const Labels dl{{"database", obs.database}};
  FamilyBuilder::Gauge(
      "failwatch_pg_primaries",
      "Up nodes that are primaries: 0 = no writer, 2 or more = split brain.")
      .Add(dl, obs.primaries)
      .MoveTo(out);
  auto writer = FamilyBuilder::Gauge(
      "failwatch_pg_writer",
      "1 for the primary on the highest timeline (absent when none or "
      "ambiguous).");
  if (!obs.writer.empty()) {
    writer.Add({{"database", obs.database}, {"node", obs.writer}}, 1);
  }
  writer.MoveTo(out);
  FamilyBuilder::Counter("failwatch_pg_promotions_total",
                         "Promotions seen on any node of the database.")
      .Add(dl, static_cast<double>(obs.promotions_total))
      .MoveTo(out);
  FamilyBuilder::Gauge(
      "failwatch_pg_last_promotion_time_seconds",
      "When failwatch saw the database's last promotion (0 = never).")
      .Add(dl, PgSeconds(obs.last_promotion))
      .MoveTo(out);
  auto target = FamilyBuilder::Gauge(
      "failwatch_pg_endpoint_target",
      "1 per address an endpoint resolves to now, with the role of the "
      "node there (role = writer|reader endpoint).");
  for (const EndpointTarget& t : obs.endpoint_targets) {
    target.Add({{"database", obs.database},
                {"endpoint", t.endpoint},
                {"role", t.endpoint_role},
                {"address", t.address},
                {"node_role", t.superseded ? "superseded_primary"
                                           : NodeRoleName(t.node_role)}},
               1);
  }
  target.MoveTo(out);
}

}  // namespace

std::vector<prometheus::MetricFamily> BuildPgFamilies(
    const PgObservation& obs, const PgDatabaseOptions& config) {
  PgFamilies out;
  AppendPgNodeStateFamilies(obs, out);
  AppendPgReplicationFamilies(obs, out);
  AppendPgNodeHistoryFamilies(obs, out);
  AppendDatabaseFamilies(obs, out);
  AppendPgAppConnectionFamilies(obs, config, out);
  AppendPgWriteProbeFamilies(obs, out);
  return out;
}

}  // namespace failwatch
