#include "kafka/record_reader.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/io_clock.h"
#include "kafka/rdkafka_handle.h"

namespace failwatch {
namespace {

struct TopicDestroy {
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDestroy>;

struct MessageDestroy {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDestroy>;

std::optional<std::string> LastHeader(const rd_kafka_headers_t* hdrs,
                                      const char* const* names,
                                      std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const void* value = nullptr;
    std::size_t size = 0;
    if (rd_kafka_header_get_last(hdrs, names[i], &value, &size) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        value != nullptr) {
      return SanitizeHeaderValue(value, size);
    }
  }
  return std::nullopt;
}

RecordInfo ToRecord(const rd_kafka_message_t* m, bool want_headers) {
  RecordInfo r;
  r.offset = m->offset;
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const std::int64_t ms = rd_kafka_message_timestamp(m, &type);
  if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ms >= 0) {
    r.timestamp = WallTime(std::chrono::milliseconds(ms));
  }
  rd_kafka_headers_t* hdrs = nullptr;
  if (want_headers &&
      rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    r.original_topic = LastHeader(hdrs, kOriginalTopicHeaders,
                                  std::size(kOriginalTopicHeaders));
    r.exception =
        LastHeader(hdrs, kExceptionHeaders, std::size(kExceptionHeaders));
  }
  return r;
}

struct Active {
  std::size_t index = 0;  // into reads
  rd_kafka_topic_t* rkt = nullptr;
  bool done = false;
  std::optional<Error> error;
  std::vector<RecordInfo> records;
};

rd_kafka_topic_t* TopicFor(rd_kafka_t* rk, const std::string& topic,
                           std::map<std::string, TopicPtr>& topics) {
  TopicPtr& rkt = topics[topic];
  if (!rkt) {
    rd_kafka_topic_conf_t* tc = rd_kafka_topic_conf_new();
    char err[256];
    // A record deleted by retention meanwhile must fail the read, not
    // silently jump to the end (the default) and wait for new records.
    rd_kafka_topic_conf_set(tc, "auto.offset.reset", "error", err, sizeof(err));
    rkt.reset(rd_kafka_topic_new(rk, topic.c_str(), tc));
  }
  return rkt.get();
}

// Starts the round's reads on `queue`; a read that cannot start gets its
// error in `out` at once.
std::vector<Active> StartReads(
    rd_kafka_t* rk, const std::vector<RecordRead>& reads,
    const std::vector<std::size_t>& round,
    std::map<std::string, TopicPtr>& topics, rd_kafka_queue_t* queue,
    std::vector<Result<std::vector<RecordInfo>>>& out) {
  std::vector<Active> active;
  for (std::size_t i : round) {
    const RecordRead& r = reads[i];
    rd_kafka_topic_t* rkt = TopicFor(rk, r.tp.topic, topics);
    if (rkt == nullptr || rd_kafka_consume_start_queue(rkt, r.tp.partition,
                                                       r.offset, queue) != 0) {
      out[i] = ErrorFromKafka(rd_kafka_last_error(), "dlt record read");
      continue;
    }
    Active a;
    a.index = i;
    a.rkt = rkt;
    active.push_back(std::move(a));
  }
  return active;
}

// One fetched message into the read it answers.
void FoldMessage(const rd_kafka_message_t* m,
                 const std::vector<RecordRead>& reads, bool want_headers,
                 std::vector<Active>& active) {
  const char* name = rd_kafka_topic_name(m->rkt);
  auto a = std::find_if(active.begin(), active.end(), [&](const Active& x) {
    const RecordRead& r = reads[x.index];
    return r.tp.partition == m->partition && r.tp.topic == name;
  });
  if (a == active.end() || a->done) return;
  const RecordRead& r = reads[a->index];
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    a->done = true;
  } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    a->error = ErrorFromKafka(m->err, "dlt record read");
    a->done = true;
  } else if (m->offset >= r.offset) {
    a->records.push_back(ToRecord(m, want_headers));
    a->done = static_cast<int>(a->records.size()) >= r.max_records;
  }
}

// One round: at most one read per partition (a partition cannot be started
// twice at once). A fresh queue per round, so nothing fetched for an
// earlier round can be mistaken for this one's.
void RunRound(rd_kafka_t* rk, const std::vector<RecordRead>& reads,
              const std::vector<std::size_t>& round, bool want_headers,
              std::map<std::string, TopicPtr>& topics, SteadyTime deadline,
              std::vector<Result<std::vector<RecordInfo>>>& out) {
  RdKafkaQueuePtr queue(rd_kafka_queue_new(rk));
  std::vector<Active> active =
      StartReads(rk, reads, round, topics, queue.get(), out);
  auto pending = [&] {
    return std::any_of(active.begin(), active.end(),
                       [](const Active& a) { return !a.done; });
  };
  // One message at a time: the batch call waits for a full batch.
  while (pending() && IoClock().Steady() < deadline) {
    MessagePtr m(rd_kafka_consume_queue(queue.get(), RemainingMs(deadline)));
    if (m) FoldMessage(m.get(), reads, want_headers, active);
  }
  for (Active& a : active) {
    rd_kafka_consume_stop(a.rkt, reads[a.index].tp.partition);
    if (!a.records.empty() || (a.done && !a.error)) {
      out[a.index] = std::move(a.records);
    } else if (a.error) {
      out[a.index] = *a.error;
    } else {
      out[a.index] = MakeError(ErrorKind::kTimeout, "timeout",
                               "dlt record read: deadline passed");
    }
  }
}

}  // namespace

std::string SanitizeHeaderValue(const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  std::string out;
  for (std::size_t i = 0; i < size && out.size() < 200; ++i) {
    const char c = p[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

std::vector<Result<std::vector<RecordInfo>>> ReadRecords(
    rd_kafka_t* rk, const std::vector<RecordRead>& reads, bool want_headers,
    SteadyTime deadline) {
  std::vector<Result<std::vector<RecordInfo>>> out(
      reads.size(), MakeError(ErrorKind::kTimeout, "timeout",
                              "dlt record read: deadline passed"));
  std::map<std::string, TopicPtr> topics;
  std::vector<bool> scheduled(reads.size(), false);
  for (;;) {
    std::vector<std::size_t> round;
    std::vector<TopicPartition> busy;
    for (std::size_t i = 0; i < reads.size(); ++i) {
      if (scheduled[i]) continue;
      if (std::find(busy.begin(), busy.end(), reads[i].tp) != busy.end()) {
        continue;
      }
      busy.push_back(reads[i].tp);
      round.push_back(i);
      scheduled[i] = true;
    }
    if (round.empty() || IoClock().Steady() >= deadline) break;
    RunRound(rk, reads, round, want_headers, topics, deadline, out);
  }
  return out;
}

}  // namespace failwatch
