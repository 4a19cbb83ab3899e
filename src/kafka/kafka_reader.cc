#include "kafka/kafka_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>

#include "kafka/rdkafka_handle.h"

namespace failwatch {
namespace {

struct PartitionListDestroy {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDestroy>;

struct EventDestroy {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDestroy>;

PartitionListPtr MakeList(const std::vector<TopicPartition>& partitions,
                          std::int64_t offset) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(
      static_cast<int>(std::max<std::size_t>(partitions.size(), 1))));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(),
                                      tp.partition)
        ->offset = offset;
  }
  return list;
}

bool Expired(SteadyTime deadline) {
  return std::chrono::steady_clock::now() >= deadline;
}

Error Timeout(const std::string& what) {
  return MakeError(ErrorKind::kTimeout, "timeout", what + ": deadline passed");
}

}  // namespace

Result<ClusterMetadata> ReadMetadata(rd_kafka_t* rk, SteadyTime deadline) {
  if (Expired(deadline)) return Timeout("metadata");
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, /*all_topics=*/1, nullptr,
                                              &md, RemainingMs(deadline));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorFromKafka(err, "metadata");
  }
  ClusterMetadata out;
  for (int i = 0; i < md->broker_cnt; ++i) {
    out.brokers.push_back(md->brokers[i].id);
  }
  for (int t = 0; t < md->topic_cnt; ++t) {
    const auto& topic = md->topics[t];
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      out.partitions.push_back(
          {{topic.topic, topic.partitions[p].id}, topic.partitions[p].leader});
    }
  }
  rd_kafka_metadata_destroy(md);
  std::sort(out.partitions.begin(), out.partitions.end(),
            [](const auto& a, const auto& b) { return a.tp < b.tp; });
  std::sort(out.brokers.begin(), out.brokers.end());
  return out;
}

Result<WatermarkMap> ReadWatermarksBatched(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    SteadyTime deadline) {
  WatermarkMap out;
  if (partitions.empty()) return out;
  // Two calls: a list may not hold the same partition twice.
  for (std::int64_t which : {RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END}) {
    if (Expired(deadline)) return Timeout("watermarks");
    PartitionListPtr list = MakeList(partitions, which);
    rd_kafka_resp_err_t err =
        rd_kafka_offsets_for_times(rk, list.get(), RemainingMs(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorFromKafka(err, "watermarks");
    }
    for (int i = 0; i < list->cnt; ++i) {
      const auto& e = list->elems[i];
      Watermark& w = out[{e.topic, e.partition}];
      if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR || e.offset < 0) {
        w.error = e.err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2name(e.err)
                                                      : "no_offset";
        continue;
      }
      (which == RD_KAFKA_OFFSET_BEGINNING ? w.low : w.high) = e.offset;
    }
  }
  return out;
}

Result<WatermarkMap> ReadWatermarksPerPartition(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    SteadyTime deadline) {
  WatermarkMap out;
  for (const auto& tp : partitions) {
    if (Expired(deadline)) return Timeout("watermarks");
    std::int64_t low = -1, high = -1;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        rk, tp.topic.c_str(), tp.partition, &low, &high, RemainingMs(deadline));
    Watermark& w = out[tp];
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      return ErrorFromKafka(err, "watermarks");
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      w.error = rd_kafka_err2name(err);
      continue;
    }
    w.low = low;
    w.high = high;
  }
  return out;
}

std::map<std::string, Result<CommittedOffsets>> ReadCommittedOffsets(
    rd_kafka_t* rk, const std::vector<CommittedRequest>& requests,
    int max_in_flight, SteadyTime deadline) {
  std::map<std::string, Result<CommittedOffsets>> out;
  RdKafkaQueuePtr queue(rd_kafka_queue_new(rk));
  std::size_t next = 0;
  int in_flight = 0;
  char errstr[256];

  auto submit = [&](std::size_t index) -> bool {
    const CommittedRequest& req = requests[index];
    if (req.partitions.empty()) {
      out.emplace(req.group, CommittedOffsets{});
      return false;
    }
    PartitionListPtr list = MakeList(req.partitions, RD_KAFKA_OFFSET_INVALID);
    rd_kafka_ListConsumerGroupOffsets_t* one =
        rd_kafka_ListConsumerGroupOffsets_new(req.group.c_str(), list.get());
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(
        rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_AdminOptions_set_request_timeout(options, RemainingMs(deadline),
                                              errstr, sizeof(errstr));
    // The index travels as the opaque, to map a failed request (which
    // carries no group name) back to its group.
    rd_kafka_AdminOptions_set_opaque(
        options, reinterpret_cast<void*>(static_cast<std::uintptr_t>(index)));
    rd_kafka_ListConsumerGroupOffsets(rk, &one, 1, options, queue.get());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_ListConsumerGroupOffsets_destroy(one);
    return true;
  };

  auto handle_result = [&](rd_kafka_event_t* ev) {
    const auto index = static_cast<std::size_t>(
        reinterpret_cast<std::uintptr_t>(rd_kafka_event_opaque(ev)));
    const std::string& group =
        index < requests.size() ? requests[index].group : std::string();
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.emplace(
          group, ErrorFromKafka(rd_kafka_event_error(ev), "committed offsets"));
      return;
    }
    const auto* res = rd_kafka_event_ListConsumerGroupOffsets_result(ev);
    std::size_t cnt = 0;
    const rd_kafka_group_result_t** groups =
        rd_kafka_ListConsumerGroupOffsets_result_groups(res, &cnt);
    for (std::size_t g = 0; g < cnt; ++g) {
      const std::string name = rd_kafka_group_result_name(groups[g]);
      if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[g])) {
        out.emplace(
            name, ErrorFromKafka(rd_kafka_error_code(e), "committed offsets"));
        continue;
      }
      CommittedOffsets offsets;
      const rd_kafka_topic_partition_list_t* parts =
          rd_kafka_group_result_partitions(groups[g]);
      for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
        const auto& e = parts->elems[i];
        CommittedOffset& c = offsets[{e.topic, e.partition}];
        if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          c.error = rd_kafka_err2name(e.err);
        } else if (e.offset >= 0) {
          c.offset = e.offset;
        }
      }
      out.emplace(name, std::move(offsets));
    }
  };

  while (next < requests.size() || in_flight > 0) {
    while (in_flight < std::max(max_in_flight, 1) && next < requests.size()) {
      if (Expired(deadline)) break;
      if (submit(next++)) ++in_flight;
    }
    if (in_flight == 0 || Expired(deadline)) break;
    EventPtr ev(rd_kafka_queue_poll(queue.get(), RemainingMs(deadline)));
    if (!ev) continue;
    if (rd_kafka_event_type(ev.get()) !=
        RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT) {
      continue;
    }
    --in_flight;
    handle_result(ev.get());
  }
  for (const auto& req : requests) {
    if (!out.contains(req.group)) {
      out.emplace(req.group, Timeout("committed offsets"));
    }
  }
  return out;
}

}  // namespace failwatch
