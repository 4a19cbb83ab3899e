#include "kafka/admin_worker_client.h"

#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "core/io_clock.h"
#include "kafka/admin_socket.h"
#include "kafka/admin_worker.h"
#include "kafka/rdkafka_handle.h"

extern char** environ;

namespace failwatch {
namespace {

// The worker gets the request's budget minus this much, so its answer
// (decoded and sent back) arrives before the daemon stops waiting.
Millis Slack(SteadyTime deadline) {
  const auto left =
      std::chrono::duration_cast<Millis>(deadline - IoClock().Steady());
  return std::clamp(left / 10, Millis(5), Millis(250));
}

std::string Describe(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("signal=SIG") + (name != nullptr ? name : "?");
  }
  if (WIFEXITED(status)) return "exit=" + std::to_string(WEXITSTATUS(status));
  return "status=" + std::to_string(status);
}

Error WorkerError(const Error& why) {
  return MakeError(ErrorKind::kUnavailable, "admin_worker",
                   "kafka admin worker: " + why.message);
}

}  // namespace

AdminWorkerClient::AdminWorkerClient(KafkaClusterConfig cluster,
                                     KafkaOptions options, std::string exe)
    : cluster_(std::move(cluster)),
      options_(std::move(options)),
      exe_(std::move(exe)) {}

AdminWorkerClient::~AdminWorkerClient() { Stop(); }

void AdminWorkerClient::Stop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  decoder_ = FrameDecoder();
}

Status AdminWorkerClient::Start(SteadyTime deadline) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return MakeError(ErrorKind::kInternal, "socketpair", strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 0);
  // Nothing else of the daemon's (sockets, files) leaks into the worker.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::string flag = kAdminWorkerFlag;
  char* argv[] = {exe_.data(), flag.data(), nullptr};
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, exe_.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    return MakeError(
        ErrorKind::kInternal, "spawn_failed",
        "kafka admin worker: posix_spawn: " + std::string(strerror(rc)));
  }
  pid_ = pid;
  fd_ = sv[0];
  AdminHello hello{cluster_, options_,
                   spdlog::level::to_string_view(spdlog::get_level()).data()};
  if (Status s = WriteFrame(fd_, EncodeHello(hello), deadline); !s.ok()) {
    return s;
  }
  spdlog::info("kafka admin worker started cluster={} pid={}", cluster_.name,
               pid_);
  return Status::Ok();
}

void AdminWorkerClient::Lose(const std::string& reason, const Error& why) {
  int status = 0;
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  spdlog::warn(
      "kafka admin worker lost, restarting it cluster={} pid={} "
      "reason={} {} error=\"{}\"",
      cluster_.name, pid_, reason, Describe(status), why.ToString());
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  pid_ = -1;
  decoder_ = FrameDecoder();
  ++restarts_[reason];
  handles_replaced_before_ += handles_replaced_seen_;
  handles_replaced_seen_ = 0;
  if (described_) {
    described_ = false;
    describe_backoff_ =
        describe_backoff_.count() == 0
            ? options_.describe_backoff_initial
            : std::min(describe_backoff_ * 2, options_.describe_backoff_max);
    describe_not_before_ = IoClock().Steady() + describe_backoff_;
    spdlog::warn(
        "kafka admin worker lost after describing groups: listing "
        "only cluster={} backoff_s={}",
        cluster_.name, describe_backoff_.count() / 1000);
  }
  // The first restart is immediate; a worker that keeps dying is
  // restarted less and less often (1 s doubling to 30 s).
  if (++consecutive_losses_ >= 2) {
    const int shift = std::min(consecutive_losses_ - 2, 5);
    not_before_ = IoClock().Steady() +
                  std::min<Millis>(Millis(1000) * (1 << shift), Millis(30000));
  }
}

Result<AdminResponse> AdminWorkerClient::Call(AdminRequest request,
                                              SteadyTime deadline) {
  const auto now = IoClock().Steady();
  if (not_before_ && now < *not_before_) {
    return MakeError(ErrorKind::kUnavailable, "admin_worker",
                     "kafka admin worker: restart backoff after " +
                         std::to_string(consecutive_losses_) + " losses");
  }
  if (pid_ < 0) {
    if (Status s = Start(deadline); !s.ok()) {
      Lose("spawn_failed", s.error());
      return WorkerError(s.error());
    }
  }
  request.id = next_id_++;
  request.timeout_ms = std::max(
      1, RemainingMs(deadline) - static_cast<int>(Slack(deadline).count()));
  auto reason_of = [](const Error& e) {
    if (e.kind == ErrorKind::kTimeout) return "timeout";
    if (e.kind == ErrorKind::kInvalid) return "protocol";
    return "crashed";
  };
  if (Status s = WriteFrame(fd_, EncodeRequest(request), deadline); !s.ok()) {
    Lose(reason_of(s.error()), s.error());
    return WorkerError(s.error());
  }
  auto frame = ReadFrame(fd_, decoder_, deadline);
  if (!frame.ok()) {
    Lose(reason_of(frame.error()), frame.error());
    return WorkerError(frame.error());
  }
  auto resp = DecodeResponse(frame.value());
  if (resp.ok() && resp.value().id != request.id) {
    resp = MakeError(ErrorKind::kInvalid, "bad_admin_message",
                     "kafka admin worker: answer to another request");
  }
  if (!resp.ok()) {
    Lose("protocol", resp.error());
    return WorkerError(resp.error());
  }
  consecutive_losses_ = 0;
  not_before_.reset();
  return resp;
}

CommittedAnswer AdminWorkerClient::ReadCommitted(
    const std::vector<CommittedRequest>& requests, const FetchLimits& limits,
    SteadyTime deadline) {
  CommittedAnswer out;
  if (requests.empty()) return out;
  AdminRequest req;
  req.op = AdminRequest::Op::kCommitted;
  req.requests = requests;
  req.limits = limits;
  auto resp = Call(std::move(req), deadline);
  std::optional<Error> error;
  if (!resp.ok()) {
    error = resp.error();
  } else if (resp.value().error) {
    error = resp.value().error;
  } else if (resp.value().committed) {
    out = std::move(*resp.value().committed);
  }
  // Every group asked about gets an answer, as ReadCommittedOffsets does.
  for (const auto& r : requests) {
    if (!out.contains(r.group)) {
      out.emplace(r.group,
                  error ? *error
                        : MakeError(ErrorKind::kInvalid, "bad_admin_message",
                                    "kafka admin worker: group missing"));
    }
  }
  return out;
}

Result<DiscoveryAnswer> AdminWorkerClient::Discover(
    const std::vector<std::string>& groups, bool data_ok, SteadyTime deadline) {
  AdminRequest req;
  req.op = AdminRequest::Op::kDiscover;
  if (!describe_not_before_ || IoClock().Steady() >= *describe_not_before_) {
    req.groups = groups;
    described_ = described_ || !groups.empty();
  }
  req.data_ok = data_ok;
  auto resp = Call(std::move(req), deadline);
  if (!resp.ok()) return resp.error();
  if (resp.value().error) return *resp.value().error;
  if (!resp.value().discovery) {
    return MakeError(ErrorKind::kInvalid, "bad_admin_message",
                     "kafka admin worker: no discovery answer");
  }
  DiscoveryAnswer answer = std::move(*resp.value().discovery);
  // A counter across workers: each new one counts from 0.
  handles_replaced_seen_ = answer.handles_replaced;
  answer.handles_replaced += handles_replaced_before_;
  // The worker gave up on a wedged discovery handle: its librdkafka threads
  // (and the destroy thread) never end. A new process is clean; this one
  // goes, instead of piling up abandoned handles.
  if (answer.abandoned_pending > 0) {
    Lose("wedged", MakeError(ErrorKind::kTimeout, "wedged",
                             "discovery handle wedged in the worker"));
    answer.abandoned_pending = 0;
  }
  return answer;
}

}  // namespace failwatch
