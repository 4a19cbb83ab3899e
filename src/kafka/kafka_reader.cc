#include "kafka/kafka_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>

#include "core/io_clock.h"
#include "kafka/fetch_chunks.h"
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

bool Expired(SteadyTime deadline) { return IoClock().Steady() >= deadline; }

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

namespace {

// Both watermarks of one slice: two offsets_for_times calls, because a list
// may not hold the same partition twice.
Status ReadSlice(rd_kafka_t* rk, const std::vector<TopicPartition>& slice,
                 SteadyTime deadline, WatermarkMap& out) {
  for (std::int64_t which : {RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END}) {
    if (Expired(deadline)) return Timeout("watermarks");
    PartitionListPtr list = MakeList(slice, which);
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
  return Status();
}

}  // namespace

Result<WatermarkMap> ReadWatermarksBatched(
    rd_kafka_t* rk, const std::vector<TopicPartition>& partitions,
    const WatermarkLimits& limits, SteadyTime deadline) {
  WatermarkMap out;
  if (partitions.empty()) return out;
  const auto slices =
      SlicePartitions(partitions, limits.max_partitions_per_request);
  // offsets_for_times blocks for a round trip per call and the calls are
  // latency-bound, so slices are read from a few threads at once.
  const std::size_t threads = std::clamp<std::size_t>(
      slices.size(), 1, std::max(limits.parallel_requests, 1));
  std::vector<WatermarkMap> parts(threads);
  std::vector<Status> status(threads);
  auto work = [&](std::size_t t) {
    for (std::size_t i = t; i < slices.size(); i += threads) {
      status[t] = ReadSlice(rk, slices[i], deadline, parts[t]);
      if (!status[t].ok()) return;
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  for (std::size_t t = 0; t < threads; ++t) {
    if (!status[t].ok()) return status[t].error();
    out.merge(parts[t]);
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

namespace {

// One ReadCommittedOffsets call: the chunks planned from the requests,
// their submission (at most max_in_flight at a time), the fold of each
// answer into its request and, at the end, one result per group.
class CommittedOffsetsFetch {
 public:
  CommittedOffsetsFetch(rd_kafka_t* rk,
                        const std::vector<CommittedRequest>& requests,
                        const FetchLimits& limits, SteadyTime deadline)
      : rk_(rk),
        requests_(requests),
        chunks_(PlanFetchChunks(requests, limits.max_partitions_per_request)),
        max_in_flight_(std::max(limits.max_in_flight, 1)),
        deadline_(deadline),
        pending_(requests.size()),
        queue_(rd_kafka_queue_new(rk)) {
    for (const auto& c : chunks_) ++pending_[c.request].chunks_left;
  }

  void Run() {
    while (next_ < chunks_.size() || in_flight_ > 0) {
      while (in_flight_ < max_in_flight_ && next_ < chunks_.size()) {
        if (Expired(deadline_)) break;
        Submit(next_++);
        ++in_flight_;
      }
      if (in_flight_ == 0 || Expired(deadline_)) break;
      EventPtr ev(rd_kafka_queue_poll(queue_.get(), RemainingMs(deadline_)));
      if (!ev) continue;
      if (rd_kafka_event_type(ev.get()) !=
          RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT) {
        continue;
      }
      --in_flight_;
      Fold(ev.get());
    }
  }

  std::map<std::string, Result<CommittedOffsets>> Results() {
    std::map<std::string, Result<CommittedOffsets>> out;
    for (std::size_t r = 0; r < requests_.size(); ++r) {
      Pending& p = pending_[r];
      if (p.error) {
        out.emplace(requests_[r].group, *p.error);
      } else if (p.chunks_left > 0) {
        out.emplace(requests_[r].group, Timeout("committed offsets"));
      } else {
        out.emplace(requests_[r].group, std::move(p.offsets));
      }
    }
    return out;
  }

 private:
  // Per request: merged answers, the first error, chunks still unanswered.
  struct Pending {
    CommittedOffsets offsets;
    std::optional<Error> error;
    std::size_t chunks_left = 0;
    void NoteError(rd_kafka_resp_err_t err) {
      if (!error) error = ErrorFromKafka(err, "committed offsets");
    }
  };

  PartitionListPtr ChunkList(const FetchChunk& chunk) const {
    const CommittedRequest& req = requests_[chunk.request];
    PartitionListPtr list;
    if (req.kind == FetchKind::kAll) return list;  // NULL: every partition
    list.reset(rd_kafka_topic_partition_list_new(
        static_cast<int>(chunk.end - chunk.begin)));
    for (std::size_t i = chunk.begin; i < chunk.end; ++i) {
      rd_kafka_topic_partition_list_add(list.get(),
                                        req.partitions[i].topic.c_str(),
                                        req.partitions[i].partition)
          ->offset = RD_KAFKA_OFFSET_INVALID;
    }
    return list;
  }

  void Submit(std::size_t index) {
    const FetchChunk& chunk = chunks_[index];
    PartitionListPtr list = ChunkList(chunk);
    rd_kafka_ListConsumerGroupOffsets_t* one =
        rd_kafka_ListConsumerGroupOffsets_new(
            requests_[chunk.request].group.c_str(), list.get());
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(
        rk_, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(options, RemainingMs(deadline_),
                                              errstr, sizeof(errstr));
    // The chunk index travels as the opaque: a failed request carries no
    // group name, and one group may span several requests.
    rd_kafka_AdminOptions_set_opaque(
        options, reinterpret_cast<void*>(static_cast<std::uintptr_t>(index)));
    rd_kafka_ListConsumerGroupOffsets(rk_, &one, 1, options, queue_.get());
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_ListConsumerGroupOffsets_destroy(one);
  }

  void Fold(rd_kafka_event_t* ev) {
    const auto index = static_cast<std::size_t>(
        reinterpret_cast<std::uintptr_t>(rd_kafka_event_opaque(ev)));
    if (index >= chunks_.size()) return;
    const CommittedRequest& req = requests_[chunks_[index].request];
    Pending& p = pending_[chunks_[index].request];
    --p.chunks_left;
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      p.NoteError(rd_kafka_event_error(ev));
      return;
    }
    const auto* res = rd_kafka_event_ListConsumerGroupOffsets_result(ev);
    std::size_t cnt = 0;
    const rd_kafka_group_result_t** groups =
        rd_kafka_ListConsumerGroupOffsets_result_groups(res, &cnt);
    for (std::size_t g = 0; g < cnt; ++g) {
      if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[g])) {
        p.NoteError(rd_kafka_error_code(e));
        continue;
      }
      CommittedOffsets offsets =
          ToCommittedOffsets(rd_kafka_group_result_partitions(groups[g]));
      if (req.kind == FetchKind::kProbe) KeepCommittedTopics(offsets);
      p.offsets.merge(offsets);
    }
  }

  static CommittedOffsets ToCommittedOffsets(
      const rd_kafka_topic_partition_list_t* parts) {
    CommittedOffsets offsets;
    for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
      const auto& e = parts->elems[i];
      CommittedOffset& c = offsets[{e.topic, e.partition}];
      if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        c.error = rd_kafka_err2name(e.err);
      } else if (e.offset >= 0) {
        c.offset = e.offset;
      }
    }
    return offsets;
  }

  rd_kafka_t* rk_;
  const std::vector<CommittedRequest>& requests_;
  const std::vector<FetchChunk> chunks_;
  const int max_in_flight_;
  const SteadyTime deadline_;
  std::vector<Pending> pending_;
  RdKafkaQueuePtr queue_;
  std::size_t next_ = 0;
  int in_flight_ = 0;
};

}  // namespace

std::map<std::string, Result<CommittedOffsets>> ReadCommittedOffsets(
    rd_kafka_t* rk, const std::vector<CommittedRequest>& requests,
    const FetchLimits& limits, SteadyTime deadline) {
  CommittedOffsetsFetch fetch(rk, requests, limits, deadline);
  fetch.Run();
  return fetch.Results();
}

}  // namespace failwatch
