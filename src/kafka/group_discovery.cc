#include "kafka/group_discovery.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/io_clock.h"

namespace failwatch {
namespace {

struct EventDestroy {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDestroy>;

// librdkafka answers a request that timed out itself, shortly after its
// request timeout; no answer at all by the deadline means the handle is
// stuck. Leave that much slack between the two.
int RequestTimeoutMs(SteadyTime deadline) {
  int left = RemainingMs(deadline);
  return std::max(1, left - std::min(100, left / 4));
}

// Waits for the result event of `type`, ignoring anything else.
EventPtr WaitFor(rd_kafka_queue_t* queue, rd_kafka_event_type_t type,
                 SteadyTime deadline) {
  while (IoClock().Steady() < deadline) {
    EventPtr ev(rd_kafka_queue_poll(queue, RemainingMs(deadline)));
    if (ev && rd_kafka_event_type(ev.get()) == type) return ev;
  }
  return nullptr;
}

}  // namespace

GroupDiscovery::GroupDiscovery(KafkaClusterConfig cluster, KafkaOptions options)
    : cluster_(std::move(cluster)), options_(std::move(options)) {}

GroupDiscovery::~GroupDiscovery() {
  // Even a healthy-looking handle may be wedged; never block shutdown.
  DestroyDetached(std::move(handle_), abandoned_, std::move(queue_));
}

void GroupDiscovery::Run(const std::vector<std::string>& groups, bool data_ok,
                         SteadyTime now, SteadyTime deadline) {
  if (disabled()) return;
  if (next_run_ && now < *next_run_) return;
  next_run_ = now + options_.discovery_interval;
  if (!handle_) {
    auto h = CreateHandle(cluster_, HandleRole::kDiscovery);
    if (!h.ok()) {
      spdlog::warn("kafka discovery handle cluster={} error=\"{}\"",
                   cluster_.name, h.error().ToString());
      return;
    }
    handle_ = std::move(h).value();
    queue_.reset(rd_kafka_queue_new(handle_.get()));
  }
  // Listing doubles as the health probe of the handle.
  if (List(deadline) == CallResult::kNoAnswer) {
    if (data_ok) Abandon("ListConsumerGroups");
    return;
  }
  if (groups.empty()) return;
  if (describe_not_before_ && now < *describe_not_before_) return;
  if (Describe(groups, deadline) == CallResult::kNoAnswer) {
    if (data_ok) Abandon("DescribeConsumerGroups");
    BackOffDescribe(now);
  } else if (!view_.describe_supported) {
    BackOffDescribe(now);
  }
}

GroupDiscovery::CallResult GroupDiscovery::List(SteadyTime deadline) {
  char errstr[256];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(
      handle_.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  rd_kafka_AdminOptions_set_request_timeout(options, RequestTimeoutMs(deadline),
                                            errstr, sizeof(errstr));
  rd_kafka_ListConsumerGroups(handle_.get(), options, queue_.get());
  rd_kafka_AdminOptions_destroy(options);
  EventPtr ev =
      WaitFor(queue_.get(), RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT, deadline);
  if (!ev) return CallResult::kNoAnswer;
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Answered (e.g. timed out on the broker side): keep what we knew.
    return CallResult::kAnswered;
  }
  const auto* res = rd_kafka_event_ListConsumerGroups_result(ev.get());
  std::size_t valid_cnt = 0, error_cnt = 0;
  const rd_kafka_ConsumerGroupListing_t** valid =
      rd_kafka_ListConsumerGroups_result_valid(res, &valid_cnt);
  const rd_kafka_error_t** errors =
      rd_kafka_ListConsumerGroups_result_errors(res, &error_cnt);
  std::size_t unsupported = 0;
  for (std::size_t i = 0; i < error_cnt; ++i) {
    if (rd_kafka_error_code(errors[i]) ==
        RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
      ++unsupported;
    }
  }
  if (valid_cnt == 0 && error_cnt > 0 && unsupported == error_cnt) {
    view_.listing_supported = false;
    view_.listed.reset();
    return CallResult::kAnswered;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < valid_cnt; ++i) {
    names.insert(rd_kafka_ConsumerGroupListing_group_id(valid[i]));
  }
  // A broker that failed to answer may hold groups we knew: a partial
  // listing adds, it does not remove.
  if (error_cnt > 0 && view_.listed)
    names.insert(view_.listed->begin(), view_.listed->end());
  view_.listing_supported = true;
  view_.listed = std::move(names);
  return CallResult::kAnswered;
}

GroupDiscovery::CallResult GroupDiscovery::Describe(
    const std::vector<std::string>& groups, SteadyTime deadline) {
  char errstr[256];
  std::vector<const char*> names;
  names.reserve(groups.size());
  for (const auto& g : groups) names.push_back(g.c_str());
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(
      handle_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  rd_kafka_AdminOptions_set_request_timeout(options, RequestTimeoutMs(deadline),
                                            errstr, sizeof(errstr));
  rd_kafka_DescribeConsumerGroups(handle_.get(), names.data(), names.size(),
                                  options, queue_.get());
  rd_kafka_AdminOptions_destroy(options);
  EventPtr ev = WaitFor(queue_.get(),
                        RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, deadline);
  if (!ev) return CallResult::kNoAnswer;
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return CallResult::kAnswered;
  }
  const auto* res = rd_kafka_event_DescribeConsumerGroups_result(ev.get());
  std::size_t cnt = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs =
      rd_kafka_DescribeConsumerGroups_result_groups(res, &cnt);
  bool any_ok = false, any_unsupported = false;
  for (std::size_t i = 0; i < cnt; ++i) {
    const std::string id = rd_kafka_ConsumerGroupDescription_group_id(descs[i]);
    if (const rd_kafka_error_t* e =
            rd_kafka_ConsumerGroupDescription_error(descs[i])) {
      if (rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
        any_unsupported = true;
      }
      view_.described.erase(id);
      continue;
    }
    any_ok = true;
    GroupDescription d;
    d.state = rd_kafka_consumer_group_state_name(
        rd_kafka_ConsumerGroupDescription_state(descs[i]));
    d.members = static_cast<int>(
        rd_kafka_ConsumerGroupDescription_member_count(descs[i]));
    for (int m = 0; m < d.members; ++m) {
      const rd_kafka_MemberDescription_t* member =
          rd_kafka_ConsumerGroupDescription_member(descs[i], m);
      const rd_kafka_topic_partition_list_t* parts =
          rd_kafka_MemberAssignment_partitions(
              rd_kafka_MemberDescription_assignment(member));
      for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
        d.assigned.push_back(
            {parts->elems[p].topic, parts->elems[p].partition});
      }
    }
    view_.described[id] = std::move(d);
  }
  view_.describe_supported = any_ok || !any_unsupported;
  if (any_ok) {
    describe_backoff_ = Millis(0);
    describe_not_before_.reset();
  }
  return CallResult::kAnswered;
}

void GroupDiscovery::Abandon(const char* reason) {
  ++handles_replaced_;
  spdlog::warn(
      "kafka discovery handle wedged, replacing it cluster={} "
      "call={} abandoned_pending={}",
      cluster_.name, reason, abandoned_->load() + 1);
  DestroyDetached(std::move(handle_), abandoned_, std::move(queue_));
  handle_.reset();
  queue_.reset();
  view_.described.clear();
}

void GroupDiscovery::BackOffDescribe(SteadyTime now) {
  describe_backoff_ =
      describe_backoff_.count() == 0
          ? options_.describe_backoff_initial
          : std::min(describe_backoff_ * 2, options_.describe_backoff_max);
  describe_not_before_ = now + describe_backoff_;
}

}  // namespace failwatch
