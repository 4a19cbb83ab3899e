// The daemon's side of the Kafka admin worker (admin_worker.h): starts the
// worker process for one cluster, sends it requests with a deadline, and
// replaces a worker that died (librdkafka's abort), did not answer in time
// (librdkafka's wedge) or answered garbage. A lost worker fails that
// request as an error value; the next request starts a new one, after a
// backoff when it keeps failing. Not thread-safe: one caller (the
// collector's Sample) at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/admin_wire.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/kafka_options.h"

namespace failwatch {

class AdminWorkerClient {
 public:
  // `exe`: the binary to start (it must call MaybeRunKafkaAdminWorker
  // first thing in main); the daemon's own by default.
  AdminWorkerClient(KafkaClusterConfig cluster, KafkaOptions options,
                    std::string exe = "/proc/self/exe");
  ~AdminWorkerClient();
  AdminWorkerClient(const AdminWorkerClient&) = delete;
  AdminWorkerClient& operator=(const AdminWorkerClient&) = delete;

  // As ReadCommittedOffsets; every group gets the error when the worker
  // could not answer.
  CommittedAnswer ReadCommitted(const std::vector<CommittedRequest>& requests,
                                const FetchLimits& limits, SteadyTime deadline);
  Result<DiscoveryAnswer> Discover(const std::vector<std::string>& groups,
                                   bool data_ok, SteadyTime deadline);

  // Workers lost, by reason: "crashed" (exited or killed by a signal on its
  // own), "timeout" (no answer by the deadline: killed), "protocol" (a bad
  // or mismatched answer: killed), "wedged" (its discovery handle stopped
  // answering: killed instead of abandoning the handle), "spawn_failed".
  const std::map<std::string, std::uint64_t>& restarts() const {
    return restarts_;
  }
  std::optional<pid_t> pid() const {
    return pid_ > 0 ? std::optional<pid_t>(pid_) : std::nullopt;
  }

 private:
  Result<AdminResponse> Call(AdminRequest request, SteadyTime deadline);
  Status Start(SteadyTime deadline);
  // Kills (SIGKILL) and reaps the worker; counts the loss under `reason`.
  void Lose(const std::string& reason, const Error& why);
  void Stop();

  KafkaClusterConfig cluster_;
  KafkaOptions options_;
  std::string exe_;
  pid_t pid_ = -1;
  int fd_ = -1;
  FrameDecoder decoder_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, std::uint64_t> restarts_;
  int consecutive_losses_ = 0;
  std::optional<SteadyTime> not_before_;
  // librdkafka 2.0.2 aborts after a DescribeConsumerGroups the brokers
  // cannot serve (the abort comes on its own thread, after the answer): a
  // worker lost after describing makes the next ones list only, for
  // describe_backoff_initial, doubling up to describe_backoff_max.
  bool described_ = false;
  // Discovery handles replaced by lost workers, and by the current one.
  std::uint64_t handles_replaced_before_ = 0;
  std::uint64_t handles_replaced_seen_ = 0;
  Millis describe_backoff_{0};
  std::optional<SteadyTime> describe_not_before_;
};

}  // namespace failwatch
