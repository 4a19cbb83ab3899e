// Samples one PgBouncer's admin console (kind "pgbouncer", target
// "<database>/<address>") over one persistent non-blocking session: SHOW
// VERSION, DATABASES, POOLS, SERVERS, STATS, one statement per round trip
// (the console rejects several statements in one query and the extended
// protocol), all under the sample's deadline. Joins the server connections
// with the node roles of the database's PgObservation from the snapshot and
// publishes a PgBouncerObservation and the failwatch_pgbouncer_* families.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "core/collector.h"
#include "pgbouncer/pgbouncer_observation.h"
#include "pgbouncer/pgbouncer_options.h"
#include "pgbouncer/pgbouncer_rows.h"
#include "pgbouncer/server_join.h"
#include "postgres/pg_client.h"
#include "postgres/postgres_options.h"

namespace failwatch {

class PgBouncerCollector final : public Collector {
 public:
  // `client` null = libpq (LibpqClient()).
  PgBouncerCollector(PgDatabaseOptions database, PgBouncerConfig pgbouncer,
                     std::shared_ptr<PgClient> client = nullptr);

  const std::string& kind() const override { return kind_; }
  // The database's node roles, to classify its server connections.
  std::vector<std::string> reads() const override { return {kPostgresKind}; }
  const std::string& target() const override { return target_; }
  SampleOutput Sample(const SampleContext& ctx) override;

 private:
  ConnTarget AdminTarget() const;
  // SHOW VERSION, DATABASES, POOLS, SERVERS, STATS in that order.
  using AdminTables = std::array<AdminTable, 5>;
  // Plan -> run -> fold: the commands one round trip each, then the tables
  // parsed and joined into obs; the first failure as a value.
  std::optional<Error> RunCommands(SteadyTime deadline, const Clock& clock,
                                   AdminTables& tables);
  std::optional<Error> FoldTables(const AdminTables& tables,
                                  const SampleContext& ctx,
                                  PgBouncerObservation& obs);
  SampleOutput Failed(Error error);

  const std::string kind_ = kPgBouncerKind;
  PgDatabaseOptions database_;
  PgBouncerConfig pgbouncer_;
  std::string address_;
  std::string target_;
  std::shared_ptr<PgClient> client_;
  std::unique_ptr<PgConnection> session_;
  WriterPoolMemory writer_pools_;
  std::string logged_code_;  // to log state changes once, not every sample
};

std::shared_ptr<Collector> MakePgBouncerCollector(
    const PgDatabaseOptions& database, const PgBouncerConfig& pgbouncer);

}  // namespace failwatch
