// A non-blocking libpq session and a poll() loop that drives many of them
// at once under one deadline. Nothing here blocks: connecting uses
// PQconnectStartParams/PQconnectPoll, queries PQsendQuery/PQconsumeInput,
// and a session still busy at the deadline is cancelled from a detached
// thread (PQcancel blocks on a hung server) and closed.
#pragma once

#include <libpq-fe.h>

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

class PgSession {
 public:
  enum class Phase { kClosed, kConnecting, kReady, kBusy };

  PgSession() = default;
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  Phase phase() const { return phase_; }
  bool connected() const {
    return phase_ == Phase::kReady || phase_ == Phase::kBusy;
  }

  // kClosed -> kConnecting (or an error, staying kClosed).
  Status StartConnect(const ConnTarget& target);
  // kReady -> kBusy. `sql` may hold several statements.
  Status Send(const std::string& sql);

  // For poll(): the socket and events to wait for; fd -1 = nothing to wait.
  int fd() const;
  short events() const;
  // Makes progress after poll() reported the socket (or on a timer).
  void Advance();
  // True when the current step (connect or query) ended.
  bool StepDone() const { return step_done_; }
  // Of the last step; nullopt on success. A failed connect leaves kClosed.
  const std::optional<Error>& step_error() const { return step_error_; }
  std::vector<QueryResult> TakeResults() { return std::move(results_); }

  // Sends a cancel (asynchronously) if busy, then closes.
  void Abort();
  void Close();

 private:
  void FailConnect(const std::string& message);
  void ReadResults();

  PGconn* conn_ = nullptr;
  Phase phase_ = Phase::kClosed;
  PostgresPollingStatusType poll_ = PGRES_POLLING_WRITING;
  bool flush_pending_ = false;
  bool step_done_ = true;
  std::optional<Error> step_error_;
  std::vector<QueryResult> results_;
  std::string target_label_;  // "ip:port" for messages
};

// Maps a connection failure message from libpq to a code: an SQLSTATE
// where the server's reason is recognisable (28P01 bad password, 28000 no
// pg_hba entry / unknown role, 3D000 unknown database, 57P03 starting or
// shutting down, 53300 too many connections), else "08001".
std::string ConnectFailureCode(const std::string& message);

// One unit of work for RunSessions: connect if needed, then run `sql`.
struct SessionJob {
  PgSession* session = nullptr;
  ConnTarget target;  // used when the session is closed
  std::string sql;
  // Outputs.
  bool done = false;
  bool timed_out = false;
  std::optional<Error> error;  // connect failure, timeout, lost connection
  std::vector<QueryResult> results;
  SteadyTime started{};
  SteadyTime finished{};
  // Internal: the job reused an idle session; if that session turns out to
  // be dead (server restarted since), it reconnects once instead of failing.
  bool reused = false;
};

// Runs all jobs concurrently until each is done or `deadline` (of the
// real steady clock) passes; jobs still running then are aborted with a
// timeout error.
void RunSessions(std::vector<SessionJob*>& jobs, SteadyTime deadline);

}  // namespace failwatch
