// Joins PgBouncer's view (SHOW DATABASES, SHOW SERVERS) with the node roles
// the PostgreSQL collector publishes: which pools serve the writer, which
// node every server connection is on, and which of a writer pool's server
// connections are stale (on a node that is not the writable primary). Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pgbouncer/pgbouncer_observation.h"
#include "pgbouncer/pgbouncer_options.h"
#include "postgres/pg_observation.h"
#include "postgres/postgres_options.h"

namespace failwatch {

// PgBouncer database name -> the "host:port" it pointed at when it was last
// judged a writer pool. After a failover the pool still points at the old
// primary, which no longer looks like the writer by itself: remembering
// that it was the writer pool is what makes its servers count as stale.
// An entry is dropped when the pool's target changes to a non-writer one.
using WriterPoolMemory = std::map<std::string, std::string>;

// Writer when the pool's host:port is the writer endpoint, an address the
// writer endpoint resolves to now, the current writable primary, or the
// remembered target of a writer pool; reader when it is the reader
// endpoint; else other. `pg` may be null.
PoolTarget ClassifyPool(const PgBouncerDatabase& db,
                        const PgDatabaseOptions& config,
                        const PgObservation* pg,
                        const WriterPoolMemory& memory);

// The role of the node at `address` ("ip:port"); unknown without `pg` or
// when the address is not in its node set.
ServerRole RoleOfAddress(const std::string& address, const PgObservation* pg);

// Fills obs.pool_targets, obs.servers, obs.stale_servers and
// obs.roles_known from obs.databases and `servers`; updates `memory`.
void JoinServers(const std::vector<PgBouncerServer>& servers,
                 const PgDatabaseOptions& config, const PgObservation* pg,
                 WriterPoolMemory& memory, PgBouncerObservation& obs);

}  // namespace failwatch
