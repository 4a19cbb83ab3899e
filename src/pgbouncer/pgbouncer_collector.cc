#include "pgbouncer/pgbouncer_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "core/snapshot.h"
#include "pgbouncer/pgbouncer_metrics.h"
#include "pgbouncer/pgbouncer_rows.h"
#include "postgres/node_set.h"

namespace failwatch {
namespace {

// Kept back from the deadline to build the output.
constexpr Millis kOutputMargin{20};

enum Command { kVersion, kDatabases, kPools, kServers, kStats, kCommands };
constexpr std::array<const char*, kCommands> kSql = {
    "SHOW VERSION", "SHOW DATABASES", "SHOW POOLS", "SHOW SERVERS",
    "SHOW STATS"};

}  // namespace

PgBouncerCollector::PgBouncerCollector(PgDatabaseOptions database,
                                       PgBouncerConfig pgbouncer)
    : database_(std::move(database)),
      pgbouncer_(std::move(pgbouncer)),
      address_(pgbouncer_.address.ToString()),
      target_(PgBouncerTarget(database_.name, address_)) {}

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

SampleOutput PgBouncerCollector::Sample(const SampleContext& ctx) {
  const Millis budget = ctx.Remaining();
  const Millis margin = std::clamp(budget / 10, Millis(5), kOutputMargin);
  const SteadyTime deadline =
      std::chrono::steady_clock::now() + budget - margin;

  auto obs = std::make_shared<PgBouncerObservation>();
  obs->database = database_.name;
  obs->address = address_;

  std::array<AdminTable, kCommands> tables;
  std::optional<Error> error;
  const ConnTarget target = AdminTarget();
  for (int i = 0; i < kCommands && !error; ++i) {
    SessionJob job;
    job.session = &session_;
    job.target = target;
    job.sql = kSql[static_cast<std::size_t>(i)];
    std::vector<SessionJob*> jobs = {&job};
    RunSessions(jobs, deadline);
    if (job.error) {
      error = job.error;
    } else if (job.results.empty()) {
      error = MakeError(ErrorKind::kInvalid, "bad_reply",
                        std::string(job.sql) + ": no result");
    } else if (!job.results.front().ok) {
      const QueryResult& r = job.results.front();
      error = MakeError(ErrorKind::kRejected,
                        r.sqlstate.empty() ? "rejected" : r.sqlstate,
                        job.sql + ": " + r.message);
    } else {
      tables[static_cast<std::size_t>(i)] = {
          job.results.front().columns, std::move(job.results.front().rows)};
    }
  }

  if (!error) {
    auto databases = ParseDatabases(tables[kDatabases]);
    auto pools = ParsePools(tables[kPools]);
    auto servers = ParseServers(tables[kServers]);
    auto stats = ParseStats(tables[kStats]);
    if (!databases.ok()) {
      error = databases.error();
    } else if (!pools.ok()) {
      error = pools.error();
    } else if (!servers.ok()) {
      error = servers.error();
    } else if (!stats.ok()) {
      error = stats.error();
    } else {
      // The admin console's own pseudo-database is not a pool to watch.
      const std::string& admin = pgbouncer_.dbname;
      obs->sampled_at = ctx.now;
      obs->version = ParseVersion(tables[kVersion]);
      std::erase_if(*databases, [&](auto& d) { return d.name == admin; });
      std::erase_if(*pools, [&](auto& p) { return p.database == admin; });
      std::erase_if(*servers, [&](auto& s) { return s.database == admin; });
      std::erase_if(*stats, [&](auto& s) { return s.database == admin; });
      obs->databases = std::move(*databases);
      obs->pools = std::move(*pools);
      obs->stats = std::move(*stats);
      std::shared_ptr<const PgObservation> pg;
      if (ctx.snapshot) {
        pg = ctx.snapshot->Get(kPgObservations, database_.name);
      }
      JoinServers(*servers, database_, pg.get(), writer_pools_, *obs);
    }
  }

  SampleOutput out;
  if (error) {
    // A protocol-level failure leaves the session in an unknown state.
    if (error->kind != ErrorKind::kRejected) session_.Close();
    if (logged_code_ != error->code) {
      spdlog::warn(
          "pgbouncer sample failed database={} pgbouncer={} code={} "
          "error=\"{}\"",
          database_.name, address_, error->code, error->message);
      logged_code_ = error->code;
    }
    out.families = BuildPgBouncerFamilies(
        PgBouncerObservation{});  // every family, no samples
    out.error = std::move(error);
    return out;
  }
  if (!logged_code_.empty()) {
    spdlog::info("pgbouncer sample recovered database={} pgbouncer={}",
                 database_.name, address_);
    logged_code_.clear();
  }
  out.families = BuildPgBouncerFamilies(*obs);
  out.observation = std::move(obs);
  return out;
}

std::shared_ptr<Collector> MakePgBouncerCollector(
    const PgDatabaseOptions& database, const PgBouncerConfig& pgbouncer) {
  return std::make_shared<PgBouncerCollector>(database, pgbouncer);
}

}  // namespace failwatch
