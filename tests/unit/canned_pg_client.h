// A PgClient with canned answers (what sqlmock is to postgres_exporter's
// tests): drives the PostgreSQL and PgBouncer collectors' fold without a
// server, on a FakeClock that each answer advances.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "postgres/pg_client.h"
#include "postgres/pg_rows.h"

namespace failwatch::testing {

struct CannedAnswer {
  std::optional<Error> error;  // connect failure or lost connection
  std::vector<QueryResult> results;
  bool hang = false;  // no answer: the job times out at the deadline
  Millis takes{0};    // how far the fake clock moves while it runs
};

inline QueryResult Rows(std::vector<PgRow> rows,
                        std::vector<std::string> columns = {}) {
  QueryResult r;
  r.ok = true;
  r.rows = std::move(rows);
  r.columns = std::move(columns);
  return r;
}

inline QueryResult Failed(std::string sqlstate, std::string message) {
  QueryResult r;
  r.sqlstate = std::move(sqlstate);
  r.message = std::move(message);
  return r;
}

class CannedConnection final : public PgConnection {
 public:
  bool connected() const override { return open; }
  void Close() override {
    if (open) ++closes;
    open = false;
  }
  bool open = false;
  int connects = 0;
  int closes = 0;  // of an open connection
};

class CannedPgClient final : public PgClient {
 public:
  explicit CannedPgClient(FakeClock& clock) : clock_(clock) {}

  std::unique_ptr<PgConnection> NewConnection() override {
    auto c = std::make_unique<CannedConnection>();
    connections.push_back(c.get());
    return c;
  }

  // Like RunSessions: the jobs run at once, so the clock moves by the
  // longest answer (to the deadline when one hangs).
  void Run(std::vector<SessionJob*>& jobs, SteadyTime deadline,
           const Clock& clock) override {
    deadlines.push_back(deadline);
    clocks_seen.push_back(&clock);
    const SteadyTime start = clock_.Steady();
    SteadyTime end = start;
    for (SessionJob* job : jobs) {
      ran.push_back(*job);
      CannedAnswer a = answer(*job);
      auto& conn = static_cast<CannedConnection&>(*job->session);
      if (!conn.open) ++conn.connects;
      conn.open = true;
      job->started = start;
      job->finished = std::min(start + a.takes, deadline);
      if (a.hang || start + a.takes > deadline) {
        job->timed_out = true;
        job->error = MakeError(ErrorKind::kTimeout, "timeout",
                               "no answer before the deadline");
        conn.Close();  // PgSession::Abort closes
        job->finished = deadline;
      } else {
        job->error = a.error;
        job->results = std::move(a.results);
        if (a.error) conn.Close();
      }
      job->done = true;
      end = std::max(end, job->finished);
    }
    clock_.Advance(std::chrono::duration_cast<Millis>(end - start));
  }

  std::function<CannedAnswer(const SessionJob&)> answer;
  std::vector<CannedConnection*> connections;
  std::vector<SteadyTime> deadlines;  // given to each Run
  std::vector<const Clock*> clocks_seen;
  std::vector<SessionJob> ran;  // every job, as asked

 private:
  FakeClock& clock_;
};

// "ip:port" a job connects to.
inline std::string JobAddress(const SessionJob& job) {
  return (job.target.hostaddr.empty() ? job.target.host : job.target.hostaddr) +
         ":" + std::to_string(job.target.port);
}

}  // namespace failwatch::testing
