// The canary's I/O: a producer that sends one record per partition of the
// canary topic every interval, a consumer in failwatch's own group
// ("failwatch-canary-<instance id>") that reads them back, and a thread
// that drives both so receipt times are measured when the record arrives,
// not at the next sample. The bookkeeping is CanaryTracker's.
//
// Producing starts once the consumer has its first assignment (the group
// join is not a lost record). The consumer starts at the group's committed
// offset (earliest for a new group), so no record of this run is skipped;
// other runs' and other replicas' records are read and ignored.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "kafka/canary_state.h"
#include "kafka/canary_tracker.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/rdkafka_handle.h"

namespace failwatch {

// The consumer group of one failwatch instance's canary.
std::string CanaryGroupId(const std::string& instance_id);

class CanaryRunner {
 public:
  // Starts the thread; records go out every `interval`.
  CanaryRunner(const KafkaClusterConfig& cluster, Millis interval,
               const Clock& clock);
  // Stops the thread (within ~2 s) and destroys the handles detached: a
  // consumer's close waits on a coordinator that may be gone.
  ~CanaryRunner();
  CanaryRunner(const CanaryRunner&) = delete;
  CanaryRunner& operator=(const CanaryRunner&) = delete;

  CanaryState State() const;

  // librdkafka's delivery report, on the delivery thread (rd_kafka_poll).
  void OnDelivery(const rd_kafka_message_t* m);

 private:
  void Run();
  Status Setup();
  // The clients Setup() creates once; a failed one is retried next setup.
  Status StartProducer();
  Status StartConsumer();
  Status ReadPartitions();
  Status CreateTopic(int brokers);
  bool Assigned();
  void ProduceRound();
  void PollConsumer();
  void SetError(std::optional<Error> e);

  KafkaClusterConfig cluster_;
  Millis interval_;
  const Clock& clock_;
  const std::string run_;  // tells this run's records from earlier ones
  RdKafkaPtr producer_;
  RdKafkaPtr consumer_;
  rd_kafka_topic_t* topic_ = nullptr;  // owned; destroyed before producer_
  int partitions_ = 0;
  bool running_ = false;
  std::uint64_t next_seq_ = 1;
  std::shared_ptr<std::atomic<int>> pending_destroys_ =
      std::make_shared<std::atomic<int>>(0);

  mutable std::mutex mu_;
  CanaryTracker tracker_;           // guarded by mu_
  std::optional<Error> error_;      // guarded by mu_
  bool published_running_ = false;  // guarded by mu_

  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::thread delivery_thread_;  // serves the producer's delivery reports
};

}  // namespace failwatch
