#include "pgbouncer/pgbouncer_metrics.h"

#include <gtest/gtest.h>

#include <set>

#include "../metric_families.h"

namespace failwatch {
namespace {

using testing::Find;
using testing::Label;

TEST(PgBouncerMetricsTest, EveryFamilyEvenWhenEmpty) {
  auto empty = BuildPgBouncerFamilies(PgBouncerObservation{});
  std::set<std::string> names;
  for (const auto& f : empty) {
    names.insert(f.name);
    EXPECT_TRUE(f.metric.empty()) << f.name;
    EXPECT_TRUE(f.name.starts_with("failwatch_pgbouncer_")) << f.name;
    if (f.type == prometheus::MetricType::Counter) {
      EXPECT_TRUE(f.name.ends_with("_total")) << f.name;
    }
  }
  EXPECT_EQ(names.size(), empty.size());  // no duplicates
  EXPECT_EQ(empty.size(), 21u);
}

TEST(PgBouncerMetricsTest, ValuesAndLabels) {
  PgBouncerObservation obs;
  obs.database = "orders";
  obs.address = "127.0.0.24:56432";
  obs.sampled_at = WallTime(std::chrono::seconds(1));
  obs.roles_known = true;
  obs.version = "PgBouncer 1.18.0";
  PgBouncerPool p;
  p.database = "orders";
  p.user = "app";
  p.cl_waiting = 2;
  p.maxwait_seconds = 1.5;
  p.pool_mode = "session";
  obs.pools = {p};
  PgBouncerStaleServers s;
  s.pool_db = "orders";
  s.pool_user = "app";
  s.address = "127.0.0.22:55432";
  s.role = ServerRole::kSupersededPrimary;
  s.count = 3;
  obs.stale_servers = {s};
  PgBouncerStats st;
  st.database = "orders";
  st.wait_seconds = 0.25;
  obs.stats = {st};

  auto fams = BuildPgBouncerFamilies(obs);
  const auto* maxwait = Find(fams, "failwatch_pgbouncer_pool_maxwait_seconds");
  ASSERT_TRUE(maxwait && maxwait->metric.size() == 1);
  EXPECT_DOUBLE_EQ(maxwait->metric[0].gauge.value, 1.5);
  EXPECT_EQ(Label(maxwait->metric[0], "database"), "orders");
  EXPECT_EQ(Label(maxwait->metric[0], "pgbouncer"), "127.0.0.24:56432");
  EXPECT_EQ(Label(maxwait->metric[0], "pool_user"), "app");

  const auto* clients =
      Find(fams, "failwatch_pgbouncer_pool_client_connections");
  ASSERT_TRUE(clients && clients->metric.size() == 2);
  EXPECT_EQ(Label(clients->metric[1], "state"), "waiting");
  EXPECT_DOUBLE_EQ(clients->metric[1].gauge.value, 2);

  const auto* stale =
      Find(fams, "failwatch_pgbouncer_stale_server_connections");
  ASSERT_TRUE(stale && stale->metric.size() == 1);
  EXPECT_EQ(Label(stale->metric[0], "role"), "superseded_primary");
  EXPECT_EQ(Label(stale->metric[0], "backend"), "127.0.0.22:55432");
  const auto* sum = Find(fams, "failwatch_pgbouncer_stale_servers");
  ASSERT_TRUE(sum && sum->metric.size() == 1);
  EXPECT_DOUBLE_EQ(sum->metric[0].gauge.value, 3);

  const auto* wait =
      Find(fams, "failwatch_pgbouncer_client_wait_seconds_total");
  ASSERT_TRUE(wait && wait->metric.size() == 1);
  EXPECT_EQ(wait->type, prometheus::MetricType::Counter);
  EXPECT_DOUBLE_EQ(wait->metric[0].counter.value, 0.25);

  const auto* info = Find(fams, "failwatch_pgbouncer_info");
  ASSERT_TRUE(info && info->metric.size() == 1);
  EXPECT_EQ(Label(info->metric[0], "version"), "PgBouncer 1.18.0");
}

}  // namespace
}  // namespace failwatch
