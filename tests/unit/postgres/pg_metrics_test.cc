#include "postgres/pg_metrics.h"

#include <gtest/gtest.h>

#include <set>

#include "../metric_families.h"

namespace failwatch {
namespace {

using testing::Find;
using testing::Label;

TEST(BuildPgFamilies, EmptyObservationStillHasEveryFamily) {
  PgObservation obs;
  obs.database = "orders";
  PgDatabaseOptions cfg;
  cfg.apps = {{"orders-*", AppConfig::Expects::kPrimary}};
  auto fams = BuildPgFamilies(obs, cfg);
  std::set<std::string> names;
  for (const auto& f : fams) {
    EXPECT_TRUE(f.name.starts_with("failwatch_pg_")) << f.name;
    if (f.type == prometheus::MetricType::Counter) {
      EXPECT_TRUE(f.name.ends_with("_total")) << f.name;
    }
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate " << f.name;
  }
  EXPECT_EQ(names.size(), 39u);
  // A configured app is always present, 0 when nothing is stale.
  const auto* stale = Find(fams, "failwatch_pg_app_stale_connections");
  ASSERT_TRUE(stale);
  ASSERT_EQ(stale->metric.size(), 1u);
  EXPECT_EQ(stale->metric[0].gauge.value, 0);
  EXPECT_EQ(Find(fams, "failwatch_pg_primaries")->metric[0].gauge.value, 0);
}

TEST(BuildPgFamilies, RolesEndpointAndProbes) {
  PgObservation obs;
  obs.database = "orders";
  NodeState a;
  a.address = "10.0.0.1:5432";
  a.up = true;
  a.role = NodeRole::kStandby;
  a.in_recovery = true;
  a.timeline = 2;
  a.standby = StandbyStatus{0.5, 100, "streaming", "10.0.0.2:5432"};
  NodeState b;
  b.address = "10.0.0.2:5432";
  b.role = NodeRole::kUnreachable;
  b.error = MakeError(ErrorKind::kTimeout, "timeout", "x");
  obs.nodes = {a, b};
  obs.endpoint_targets = {
      {"db:5432", "writer", "10.0.0.1:5432", NodeRole::kStandby, false}};
  WriteProbePath sticky;
  sticky.path = "sticky";
  sticky.attempted = true;
  sticky.sqlstate = "25006";
  sticky.failures_total["25006"] = 3;
  obs.write_probes = {sticky};
  auto fams = BuildPgFamilies(obs, PgDatabaseOptions{});

  const auto* role = Find(fams, "failwatch_pg_node_role");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->metric.size(), 8u);  // 4 roles x 2 nodes, one-hot
  double ones = 0;
  for (const auto& m : role->metric) ones += m.gauge.value;
  EXPECT_EQ(ones, 2);
  const auto* target = Find(fams, "failwatch_pg_endpoint_target");
  ASSERT_EQ(target->metric.size(), 1u);
  EXPECT_EQ(Label(target->metric[0], "node_role"), "standby");
  EXPECT_EQ(Label(target->metric[0], "address"), "10.0.0.1:5432");
  // Down nodes export no role-dependent values.
  EXPECT_EQ(Find(fams, "failwatch_pg_node_timeline")->metric.size(), 1u);
  const auto* err = Find(fams, "failwatch_pg_node_error");
  ASSERT_EQ(err->metric.size(), 1u);
  EXPECT_EQ(Label(err->metric[0], "code"), "timeout");
  const auto* failures = Find(fams, "failwatch_pg_write_probe_failures_total");
  ASSERT_EQ(failures->metric.size(), 1u);
  EXPECT_EQ(Label(failures->metric[0], "sqlstate"), "25006");
  EXPECT_EQ(failures->metric[0].counter.value, 3);
  EXPECT_EQ(
      Find(fams, "failwatch_pg_write_probe_success")->metric[0].gauge.value, 0);
}

TEST(BuildPgFamilies, WriteEvidenceOnlyWhereSeen) {
  PgObservation obs;
  obs.database = "orders";
  AppConnectionGroup writing;
  writing.node = "10.0.0.1:5432";
  writing.application_name = "billing";
  writing.count = 3;
  writing.write_backends = 2;
  writing.last_write_verb = "INSERT";
  AppConnectionGroup reading = writing;
  reading.application_name = "reports";
  reading.write_backends = 0;
  obs.app_connections = {writing, reading};
  StaleAppConnections stale;
  stale.app = "orders-*";
  stale.node = "10.0.0.1:5432";
  stale.node_role = NodeRole::kStandby;
  stale.count = 4;
  stale.writes = 1;
  obs.stale_app_connections = {stale};
  auto fams = BuildPgFamilies(obs, PgDatabaseOptions{});
  const auto* groups = Find(fams, "failwatch_pg_app_connections_writes");
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->metric.size(), 1u);  // readers get no series
  EXPECT_EQ(Label(groups->metric[0], "application_name"), "billing");
  EXPECT_EQ(groups->metric[0].gauge.value, 2);
  const auto* writes = Find(fams, "failwatch_pg_stale_app_connections_writes");
  ASSERT_TRUE(writes);
  ASSERT_EQ(writes->metric.size(), 1u);
  EXPECT_EQ(writes->metric[0].gauge.value, 1);
}

}  // namespace
}  // namespace failwatch
