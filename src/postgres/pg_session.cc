#include "postgres/pg_session.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <thread>

#include "core/io_clock.h"

namespace failwatch {
namespace {

// Cancels run on detached threads because PQcancel waits for the server to
// close the cancel connection, forever on a stopped server. Capped so hung
// nodes cannot pile up threads.
std::atomic<int> g_cancels_in_flight{0};
constexpr int kMaxCancelsInFlight = 8;

std::string FirstLine(const char* text) {
  if (text == nullptr) return {};
  std::string s(text);
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

// libpq's default gssencmode=prefer asks Kerberos for a credential cache
// before every connection (krb5 reads its config and looks for a ticket):
// CPU on each of the write probe's fresh connections and ~0.5 MiB of
// Kerberos pages, for GSS *encryption*, which failwatch's config never asks
// for. GSSAPI authentication (pg_hba `gss`) works without it. Who wants GSS
// encryption sets libpq's own PGGSSENCMODE, which then applies unchanged.
const char* GssEncMode() {
  static const bool from_env = std::getenv("PGGSSENCMODE") != nullptr;
  return from_env ? nullptr : "disable";
}

bool Contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

std::string ConnectFailureCode(const std::string& message) {
  if (Contains(message, "password authentication failed") ||
      Contains(message, "no password supplied") ||
      Contains(message, "SCRAM authentication")) {
    return "28P01";
  }
  if (Contains(message, "no pg_hba.conf entry") ||
      (Contains(message, "role \"") && Contains(message, "does not exist"))) {
    return "28000";
  }
  if (Contains(message, "database \"") && Contains(message, "does not exist")) {
    return "3D000";
  }
  if (Contains(message, "the database system is starting up") ||
      Contains(message, "the database system is shutting down") ||
      Contains(message, "the database system is in recovery mode") ||
      Contains(message, "not yet accepting connections")) {
    return "57P03";
  }
  if (Contains(message, "too many clients") ||
      Contains(message, "remaining connection slots")) {
    return "53300";
  }
  return "08001";
}

PgSession::~PgSession() { Close(); }

void PgSession::Close() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  phase_ = Phase::kClosed;
  flush_pending_ = false;
}

void PgSession::Abort() {
  if (conn_ != nullptr && phase_ == Phase::kBusy &&
      g_cancels_in_flight.fetch_add(1) < kMaxCancelsInFlight) {
    PGcancel* cancel = PQgetCancel(conn_);
    if (cancel != nullptr) {
      std::thread([cancel] {
        char buf[256];
        PQcancel(cancel, buf, sizeof buf);
        PQfreeCancel(cancel);
        g_cancels_in_flight.fetch_sub(1);
      }).detach();
    } else {
      g_cancels_in_flight.fetch_sub(1);
    }
  } else if (conn_ != nullptr && phase_ == Phase::kBusy) {
    g_cancels_in_flight.fetch_sub(1);
  }
  Close();
}

void PgSession::FailConnect(const std::string& message) {
  step_error_ = MakeError(ErrorKind::kUnavailable, ConnectFailureCode(message),
                          target_label_ + ": " + message);
  if (step_error_->code.starts_with("28") || step_error_->code == "3D000") {
    step_error_->kind = ErrorKind::kRejected;
  }
  step_done_ = true;
  Close();
}

Status PgSession::StartConnect(const ConnTarget& t) {
  Close();
  step_done_ = false;
  step_error_.reset();
  results_.clear();
  target_label_ =
      (t.hostaddr.empty() ? t.host : t.hostaddr) + ":" + std::to_string(t.port);
  const std::string port = std::to_string(t.port);
  const std::string timeout = std::to_string(t.connect_timeout_seconds);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    keys.push_back(k);
    values.push_back(v.c_str());
  };
  add("hostaddr", t.hostaddr);
  add("host", t.host);
  add("port", port);
  add("user", t.user);
  add("password", t.password.Reveal());
  add("dbname", t.dbname);
  add("sslmode", t.sslmode);
  add("application_name", t.application_name);
  add("connect_timeout", timeout);
  if (const char* gss = GssEncMode()) {
    keys.push_back("gssencmode");
    values.push_back(gss);
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectStartParams(keys.data(), values.data(), 0);
  if (conn_ == nullptr) {
    step_done_ = true;
    step_error_ = MakeError(ErrorKind::kInternal, "out_of_memory",
                            "libpq could not allocate a connection");
    return *step_error_;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    FailConnect(FirstLine(PQerrorMessage(conn_)));
    return *step_error_;
  }
  phase_ = Phase::kConnecting;
  poll_ = PGRES_POLLING_WRITING;
  return Status::Ok();
}

Status PgSession::Send(const std::string& sql) {
  step_done_ = false;
  step_error_.reset();
  results_.clear();
  if (phase_ != Phase::kReady) {
    step_done_ = true;
    step_error_ = MakeError(ErrorKind::kInternal, "not_ready",
                            "query sent on a session that is not ready");
    return *step_error_;
  }
  if (PQsendQuery(conn_, sql.c_str()) != 1) {
    step_done_ = true;
    step_error_ =
        MakeError(ErrorKind::kUnavailable, "08006",
                  target_label_ + ": " + FirstLine(PQerrorMessage(conn_)));
    Close();
    return *step_error_;
  }
  phase_ = Phase::kBusy;
  flush_pending_ = PQflush(conn_) == 1;
  return Status::Ok();
}

int PgSession::fd() const {
  if (conn_ == nullptr || step_done_) return -1;
  return PQsocket(conn_);
}

short PgSession::events() const {
  if (phase_ == Phase::kConnecting) {
    return poll_ == PGRES_POLLING_READING ? POLLIN : POLLOUT;
  }
  if (phase_ == Phase::kBusy) {
    return static_cast<short>(POLLIN | (flush_pending_ ? POLLOUT : 0));
  }
  return 0;
}

void PgSession::Advance() {
  if (step_done_ || conn_ == nullptr) return;
  if (phase_ == Phase::kConnecting) {
    poll_ = PQconnectPoll(conn_);
    if (poll_ == PGRES_POLLING_OK) {
      // Nonblocking mode so PQsendQuery/PQfinish never wait on a full
      // socket buffer.
      PQsetnonblocking(conn_, 1);
      phase_ = Phase::kReady;
      step_done_ = true;
    } else if (poll_ == PGRES_POLLING_FAILED) {
      FailConnect(FirstLine(PQerrorMessage(conn_)));
    }
    return;
  }
  if (phase_ == Phase::kBusy) {
    if (flush_pending_) {
      int f = PQflush(conn_);
      if (f < 0) {
        step_error_ =
            MakeError(ErrorKind::kUnavailable, "08006",
                      target_label_ + ": " + FirstLine(PQerrorMessage(conn_)));
        step_done_ = true;
        Close();
        return;
      }
      flush_pending_ = f == 1;
    }
    if (PQconsumeInput(conn_) != 1) {
      step_error_ =
          MakeError(ErrorKind::kUnavailable, "08006",
                    target_label_ + ": " + FirstLine(PQerrorMessage(conn_)));
      step_done_ = true;
      Close();
      return;
    }
    ReadResults();
  }
}

void PgSession::ReadResults() {
  while (!PQisBusy(conn_)) {
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      step_done_ = true;
      phase_ = Phase::kReady;
      if (PQstatus(conn_) == CONNECTION_BAD) {
        if (!step_error_) {
          step_error_ = MakeError(ErrorKind::kUnavailable, "08006",
                                  target_label_ + ": connection lost");
        }
        Close();
      }
      return;
    }
    QueryResult q;
    ExecStatusType st = PQresultStatus(res);
    q.ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    if (q.ok) {
      int nrows = PQntuples(res);
      int ncols = PQnfields(res);
      q.columns.reserve(static_cast<std::size_t>(ncols));
      for (int c = 0; c < ncols; ++c) q.columns.emplace_back(PQfname(res, c));
      q.rows.reserve(static_cast<std::size_t>(nrows));
      for (int r = 0; r < nrows; ++r) {
        PgRow row;
        row.reserve(static_cast<std::size_t>(ncols));
        for (int c = 0; c < ncols; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(
                std::string(PQgetvalue(res, r, c),
                            static_cast<std::size_t>(PQgetlength(res, r, c))));
          }
        }
        q.rows.push_back(std::move(row));
      }
    } else {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      q.sqlstate = state != nullptr ? state : "";
      q.message = FirstLine(PQresultErrorMessage(res));
    }
    PQclear(res);
    results_.push_back(std::move(q));
  }
}

namespace {

// One RunSessions call: kick every job off, then poll the sockets and
// advance the sessions until all jobs are done or the deadline passes, then
// abort the rest.
class SessionRun {
 public:
  SessionRun(std::vector<SessionJob*>& jobs, SteadyTime deadline,
             const Clock& clock)
      : jobs_(jobs), deadline_(deadline), clock_(clock) {}

  void Start() {
    for (SessionJob* job : jobs_) {
      job->started = clock_.Steady();
      PgSession& s = Session(*job);
      if (s.phase() == PgSession::Phase::kReady) {
        job->reused = true;
        StartQuery(*job);
      } else {
        s.Close();
        if (!s.StartConnect(job->target).ok()) {
          job->error = s.step_error();
          Finish(*job);
        }
      }
    }
  }

  // False when nothing is left to wait for or the deadline passed.
  bool PollOnce() {
    fds_.clear();
    owners_.clear();
    for (SessionJob* job : jobs_) {
      if (job->done) continue;
      int fd = Session(*job).fd();
      if (fd < 0) continue;
      fds_.push_back(pollfd{fd, Session(*job).events(), 0});
      owners_.push_back(job);
    }
    if (owners_.empty()) return false;
    const int left = RemainingMs(clock_, deadline_);
    if (left <= 0) return false;
    int n = poll(fds_.data(), fds_.size(), left + 1);
    if (n < 0 && errno != EINTR) return false;
    for (std::size_t i = 0; i < fds_.size(); ++i) {
      if (fds_[i].revents != 0) Progress(*owners_[i]);
    }
    return true;
  }

  void AbortUnfinished() {
    for (SessionJob* job : jobs_) {
      if (job->done) continue;
      job->timed_out = true;
      job->error = MakeError(ErrorKind::kTimeout, "timeout",
                             Session(*job).phase() == PgSession::Phase::kBusy
                                 ? "no answer before the deadline"
                                 : "not connected before the deadline");
      Session(*job).Abort();
      Finish(*job);
    }
  }

 private:
  // LibpqClient hands out PgSessions only.
  static PgSession& Session(SessionJob& job) {
    return static_cast<PgSession&>(*job.session);
  }

  void Finish(SessionJob& job) {
    job.done = true;
    job.finished = clock_.Steady();
  }

  void StartQuery(SessionJob& job) {
    PgSession& s = Session(job);
    if (!s.Send(job.sql).ok() && job.reused) {
      // The idle session died since the last sample (server restarted).
      job.reused = false;
      if (s.StartConnect(job.target).ok()) return;
    }
    if (s.step_error()) {
      job.error = s.step_error();
      Finish(job);
    }
  }

  // After poll() reported the job's socket.
  void Progress(SessionJob& job) {
    PgSession& s = Session(job);
    bool was_connecting = s.phase() == PgSession::Phase::kConnecting;
    s.Advance();
    if (!s.StepDone()) return;
    // A step error on a busy session means the connection was lost (query
    // errors are results): retry once with a new session.
    if (s.step_error() && job.reused && !s.connected()) {
      // An idle session the server closed meanwhile: not a node failure.
      job.reused = false;
      s.TakeResults();
      s.Close();
      if (s.StartConnect(job.target).ok()) return;
    }
    if (s.step_error()) {
      job.error = s.step_error();
      job.results = s.TakeResults();
      Finish(job);
    } else if (was_connecting) {
      StartQuery(job);
    } else {
      job.results = s.TakeResults();
      Finish(job);
    }
  }

  std::vector<SessionJob*>& jobs_;
  const SteadyTime deadline_;
  const Clock& clock_;
  std::vector<pollfd> fds_;
  std::vector<SessionJob*> owners_;
};

class LibpqPgClient final : public PgClient {
 public:
  std::unique_ptr<PgConnection> NewConnection() override {
    return std::make_unique<PgSession>();
  }
  void Run(std::vector<SessionJob*>& jobs, SteadyTime deadline,
           const Clock& clock) override {
    RunSessions(jobs, deadline, clock);
  }
};

}  // namespace

void RunSessions(std::vector<SessionJob*>& jobs, SteadyTime deadline,
                 const Clock& clock) {
  SessionRun run(jobs, deadline, clock);
  run.Start();
  while (run.PollOnce()) {
  }
  run.AbortUnfinished();
}

std::shared_ptr<PgClient> LibpqClient() {
  return std::make_shared<LibpqPgClient>();
}

}  // namespace failwatch
