// --once phases come from what each collector declares it reads.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "app/targets.h"
#include "core/scheduler.h"

namespace failwatch {
namespace {

// Two PgBouncers in front of one database: each reads the database's node
// roles, which the PostgreSQL collector builds from the DNS answers. Set by
// hand (the phase of out.back()), PostgreSQL ran beside DNS here and the
// first PgBouncer beside it.
TEST(OncePhasesTest, TwoPgBouncersRunAfterPostgresWhichRunsAfterDns) {
  Config config;
  DatabaseConfig db;
  db.name = "orders";
  db.endpoint = {"127.0.0.1", 1};
  PgBouncerConfig a, b;
  a.address = {"127.0.0.1", 2};
  b.address = {"127.0.0.1", 3};
  db.pgbouncers = {a, b};
  config.databases = {db};

  std::vector<ScheduledTarget> targets = BuildTargets(config, nullptr, {});
  const std::vector<int> phases = OncePhases(targets);
  ASSERT_EQ(phases.size(), targets.size());
  std::multimap<std::string, int> by_kind;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    by_kind.emplace(targets[i].collector->kind(), phases[i]);
  }
  ASSERT_EQ(by_kind.count("pgbouncer"), 2u);
  EXPECT_EQ(by_kind.find("dns")->second, 0);
  EXPECT_EQ(by_kind.find("postgres")->second, 1);
  auto [first, last] = by_kind.equal_range("pgbouncer");
  for (auto it = first; it != last; ++it) EXPECT_EQ(it->second, 2);
  EXPECT_EQ(by_kind.find("health")->second, 3);
}

}  // namespace
}  // namespace failwatch
