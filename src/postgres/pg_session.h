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
#include "postgres/pg_client.h"

namespace failwatch {

class PgSession final : public PgConnection {
 public:
  enum class Phase { kClosed, kConnecting, kReady, kBusy };

  PgSession() = default;
  ~PgSession() override;
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  Phase phase() const { return phase_; }
  bool connected() const override {
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
  void Close() override;

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

// Runs all jobs (whose sessions are PgSessions) concurrently until each is
// done or `deadline` on `clock` passes; jobs still running then are aborted
// with a timeout error. poll() waits in real time: `clock` must be the
// system clock here (a fake clock drives canned PgClients, not sockets).
void RunSessions(std::vector<SessionJob*>& jobs, SteadyTime deadline,
                 const Clock& clock);

// PgClient over libpq: PgSession connections, RunSessions.
std::shared_ptr<PgClient> LibpqClient();

}  // namespace failwatch
