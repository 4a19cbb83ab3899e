// What the PostgreSQL and PgBouncer collectors need of their database
// connections: persistent connections, and one call that runs a statement
// batch on many of them at once under one deadline, each job ending with its
// results or an error value. The libpq implementation is LibpqClient()
// (pg_session.h); tests drive the collectors' fold with canned results
// through this interface (as postgres_exporter's tests use sqlmock).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/secret.h"
#include "postgres/pg_rows.h"

namespace failwatch {

struct ConnTarget {
  // Numeric IP to connect to; empty = resolve `host` (blocking in libpq).
  std::string hostaddr;
  // Kept for TLS verification and messages (the endpoint's name).
  std::string host;
  std::uint16_t port = 0;
  std::string user;
  Secret password;
  std::string dbname;
  std::string sslmode;
  std::string application_name;
  int connect_timeout_seconds = 5;
};

// One statement's outcome.
struct QueryResult {
  bool ok = false;
  std::string sqlstate;  // "" when ok or when the client detected the error
  std::string message;   // first line of the error
  std::vector<PgRow> rows;
  // Column names of `rows`, for parsers that match by name (PgBouncer's
  // SHOW output changes columns between versions).
  std::vector<std::string> columns;
};

// One persistent connection, opened by PgClient::Run when a job needs it.
class PgConnection {
 public:
  virtual ~PgConnection() = default;
  virtual bool connected() const = 0;
  virtual void Close() = 0;
};

// One unit of work for PgClient::Run: connect if needed, then run `sql`.
struct SessionJob {
  PgConnection* session = nullptr;
  ConnTarget target;  // used when the session is closed
  std::string sql;
  // Outputs.
  bool done = false;
  bool timed_out = false;
  std::optional<Error> error;  // connect failure, timeout, lost connection
  std::vector<QueryResult> results;
  SteadyTime started{};  // on the clock given to Run
  SteadyTime finished{};
  // Internal: the job reused an idle session; if that session turns out to
  // be dead (server restarted since), it reconnects once instead of failing.
  bool reused = false;
};

class PgClient {
 public:
  virtual ~PgClient() = default;
  // A closed connection of this client's kind (Run accepts no other).
  virtual std::unique_ptr<PgConnection> NewConnection() = 0;
  // Runs all jobs concurrently until each is done or `deadline` on `clock`
  // passes; jobs still running then end with a "timeout" error.
  virtual void Run(std::vector<SessionJob*>& jobs, SteadyTime deadline,
                   const Clock& clock) = 0;
};

}  // namespace failwatch
