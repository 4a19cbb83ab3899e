// Group listing and description on a handle of their own. Brokers without
// ListGroups/DescribeGroups (the librdkafka mock among them) answer
// "unsupported", and on the mock DescribeConsumerGroups also wedges the
// handle: every later call on it hangs and rd_kafka_destroy never returns.
// So every call here has a deadline; a call that gets no answer at all while
// the data handle works marks the handle wedged, and it is replaced (the old
// one destroyed on a detached thread). Describe backs off after it fails.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/kafka_options.h"
#include "kafka/kafka_types.h"
#include "kafka/rdkafka_handle.h"

namespace failwatch {

// The latest knowledge, kept across samples.
struct DiscoveryView {
  // nullopt = no listing available (unsupported, or never succeeded).
  std::optional<std::set<std::string>> listed;
  std::map<std::string, GroupDescription> described;
  bool listing_supported = false;
  bool describe_supported = false;
};

class GroupDiscovery {
 public:
  GroupDiscovery(KafkaClusterConfig cluster, KafkaOptions options);
  ~GroupDiscovery();
  GroupDiscovery(const GroupDiscovery&) = delete;
  GroupDiscovery& operator=(const GroupDiscovery&) = delete;

  // Lists groups and describes `groups` if due. `data_ok`: the data handle
  // answered in this sample, so a silent discovery handle is wedged rather
  // than the cluster being down. Returns by `deadline`.
  void Run(const std::vector<std::string>& groups, bool data_ok, SteadyTime now,
           SteadyTime deadline);

  const DiscoveryView& view() const { return view_; }
  std::uint64_t handles_replaced() const { return handles_replaced_; }
  int abandoned_pending() const { return abandoned_->load(); }
  bool disabled() const {
    return !options_.group_discovery ||
           abandoned_->load() >= options_.max_abandoned_handles;
  }

 private:
  enum class CallResult { kAnswered, kNoAnswer };
  CallResult List(SteadyTime deadline);
  CallResult Describe(const std::vector<std::string>& groups,
                      SteadyTime deadline);
  void Abandon(const char* reason);
  void BackOffDescribe(SteadyTime now);

  KafkaClusterConfig cluster_;
  KafkaOptions options_;
  RdKafkaPtr handle_;
  RdKafkaQueuePtr queue_;
  DiscoveryView view_;
  std::optional<SteadyTime> next_run_;
  std::optional<SteadyTime> describe_not_before_;
  Millis describe_backoff_{0};
  std::uint64_t handles_replaced_ = 0;
  std::shared_ptr<std::atomic<int>> abandoned_ =
      std::make_shared<std::atomic<int>>(0);
};

}  // namespace failwatch
