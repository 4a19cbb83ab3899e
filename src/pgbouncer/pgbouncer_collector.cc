#include "pgbouncer/pgbouncer_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "core/snapshot.h"
#include "pgbouncer/pgbouncer_metrics.h"
#include "pgbouncer/pgbouncer_rows.h"
#include "postgres/node_set.h"
#include "postgres/pg_session.h"

namespace failwatch {
namespace {

// Kept back from the deadline to build the output.
constexpr Millis kOutputMargin{20};

enum Command : std::size_t {
  kVersion,
  kDatabases,
  kPools,
  kServers,
  kStats,
  kCommands
};
constexpr std::array<const char*, kCommands> kSql = {
    "SHOW VERSION", "SHOW DATABASES", "SHOW POOLS", "SHOW SERVERS",
    "SHOW STATS"};

}  // namespace

PgBouncerCollector::PgBouncerCollector(PgDatabaseOptions database,
                                       PgBouncerConfig pgbouncer,
                                       std::shared_ptr<PgClient> client)
    : database_(std::move(database)),
      pgbouncer_(std::move(pgbouncer)),
      address_(pgbouncer_.address.ToString()),
      target_(PgBouncerTarget(database_.name, address_)),
      client_(client ? std::move(client) : LibpqClient()),
      session_(client_->NewConnection()) {}

ConnTarget PgBouncerCollector::AdminTarget() const {
  ConnTarget t;
  if (IsIpLiteral(pgbouncer_.address.host)) {
    t.hostaddr = pgbouncer_.address.host;
  } else {
    t.host = pgbouncer_.address.host;
  }
  t.port = pgbouncer_.address.port;
  t.user = pgbouncer_.user;
  t.password = pgbouncer_.password;
  t.dbname = pgbouncer_.dbname;
  // PgBouncer answers 'N' to the TLS request when client TLS is off.
  t.sslmode = "prefer";
  t.application_name = "failwatch";
  t.connect_timeout_seconds = static_cast<int>(
      std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                 pgbouncer_.schedule.timeout)
                                 .count()));
  return t;
}

std::optional<Error> PgBouncerCollector::RunCommands(SteadyTime deadline,
                                                     const Clock& clock,
                                                     AdminTables& tables) {
  static_assert(std::tuple_size_v<AdminTables> == kCommands);
  const ConnTarget target = AdminTarget();
  for (std::size_t i = 0; i < kCommands; ++i) {
    SessionJob job;
    job.session = session_.get();
    job.target = target;
    job.sql = kSql[i];
    std::vector<SessionJob*> jobs = {&job};
    client_->Run(jobs, deadline, clock);
    if (job.error) return job.error;
    if (job.results.empty()) {
      return MakeError(ErrorKind::kInvalid, "bad_reply",
                       std::string(job.sql) + ": no result");
    }
    QueryResult& r = job.results.front();
    if (!r.ok) {
      return MakeError(ErrorKind::kRejected,
                       r.sqlstate.empty() ? "rejected" : r.sqlstate,
                       job.sql + ": " + r.message);
    }
    tables[i] = {r.columns, std::move(r.rows)};
  }
  return std::nullopt;
}

std::optional<Error> PgBouncerCollector::FoldTables(const AdminTables& tables,
                                                    const SampleContext& ctx,
                                                    PgBouncerObservation& obs) {
  auto databases = ParseDatabases(tables[kDatabases]);
  auto pools = ParsePools(tables[kPools]);
  auto servers = ParseServers(tables[kServers]);
  auto stats = ParseStats(tables[kStats]);
  if (!databases.ok()) return databases.error();
  if (!pools.ok()) return pools.error();
  if (!servers.ok()) return servers.error();
  if (!stats.ok()) return stats.error();
  // The admin console's own pseudo-database is not a pool to watch.
  const std::string& admin = pgbouncer_.dbname;
  obs.sampled_at = ctx.now;
  obs.version = ParseVersion(tables[kVersion]);
  std::erase_if(*databases, [&](auto& d) { return d.name == admin; });
  std::erase_if(*pools, [&](auto& p) { return p.database == admin; });
  std::erase_if(*servers, [&](auto& s) { return s.database == admin; });
  std::erase_if(*stats, [&](auto& s) { return s.database == admin; });
  obs.databases = std::move(*databases);
  obs.pools = std::move(*pools);
  obs.stats = std::move(*stats);
  std::shared_ptr<const PgObservation> pg;
  if (ctx.snapshot) pg = ctx.snapshot->Get(kPgObservations, database_.name);
  JoinServers(*servers, database_, pg.get(), writer_pools_, obs);
  return std::nullopt;
}

SampleOutput PgBouncerCollector::Failed(Error error) {
  // A protocol-level failure leaves the session in an unknown state.
  if (error.kind != ErrorKind::kRejected) session_->Close();
  if (logged_code_ != error.code) {
    spdlog::warn(
        "pgbouncer sample failed database={} pgbouncer={} code={} "
        "error=\"{}\"",
        database_.name, address_, error.code, error.message);
    logged_code_ = error.code;
  }
  SampleOutput out;
  // Every family, no samples.
  out.families = BuildPgBouncerFamilies(PgBouncerObservation{});
  out.error = std::move(error);
  return out;
}

SampleOutput PgBouncerCollector::Sample(const SampleContext& ctx) {
  const Millis budget = ctx.Remaining();
  const Millis margin = std::clamp(budget / 10, Millis(5), kOutputMargin);
  const SteadyTime deadline = ctx.clock->Steady() + budget - margin;

  auto obs = std::make_shared<PgBouncerObservation>();
  obs->database = database_.name;
  obs->address = address_;
  AdminTables tables;
  std::optional<Error> error = RunCommands(deadline, *ctx.clock, tables);
  if (!error) error = FoldTables(tables, ctx, *obs);
  if (error) return Failed(std::move(*error));
  if (!logged_code_.empty()) {
    spdlog::info("pgbouncer sample recovered database={} pgbouncer={}",
                 database_.name, address_);
    logged_code_.clear();
  }
  SampleOutput out;
  out.families = BuildPgBouncerFamilies(*obs);
  out.observation = std::move(obs);
  return out;
}

std::shared_ptr<Collector> MakePgBouncerCollector(
    const PgDatabaseOptions& database, const PgBouncerConfig& pgbouncer) {
  return std::make_shared<PgBouncerCollector>(database, pgbouncer);
}

}  // namespace failwatch
