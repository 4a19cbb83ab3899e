#include "kafka/canary_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "kafka/canary_record.h"

namespace failwatch {
namespace {

// A metadata or admin call on the runner thread; short so a stop (reload,
// shutdown) never waits long on a silent cluster.
constexpr int kCallTimeoutMs = 2000;
constexpr int kPollMs = 100;
// Re-read the partition count every this many rounds (new partitions).
constexpr std::uint64_t kMetadataEveryRounds = 20;

std::string NewRunId() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(dist(rd)));
  return buf;
}

void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  static_cast<CanaryRunner*>(opaque)->OnDelivery(m);
}

std::uint64_t SeqOf(const rd_kafka_message_t* m) {
  return static_cast<std::uint64_t>(
      reinterpret_cast<std::uintptr_t>(m->_private));
}

}  // namespace

std::string CanaryGroupId(const std::string& instance_id) {
  return "failwatch-canary-" + instance_id;
}

CanaryRunner::CanaryRunner(const KafkaClusterConfig& cluster, Millis interval,
                           const Clock& clock)
    : cluster_(cluster),
      interval_(interval),
      clock_(clock),
      run_(NewRunId()),
      tracker_(cluster.canary.sla) {
  thread_ = std::thread([this] { Run(); });
}

CanaryRunner::~CanaryRunner() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  if (producer_) {
    // Nothing may call back into this object after it is gone: fail what
    // is still queued and serve those reports here.
    rd_kafka_purge(producer_.get(),
                   RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_.get(), 0);
  }
  if (topic_ != nullptr) rd_kafka_topic_destroy(topic_);
  DestroyDetached(std::move(producer_), pending_destroys_);
  DestroyDetached(std::move(consumer_), pending_destroys_);
}

CanaryState CanaryRunner::State() const {
  std::lock_guard<std::mutex> lock(mu_);
  CanaryState s = tracker_.State();
  s.topic = cluster_.canary.topic;
  s.running = published_running_;
  s.error = error_;
  return s;
}

void CanaryRunner::SetError(std::optional<Error> e) {
  std::lock_guard<std::mutex> lock(mu_);
  if (e && (!error_ || error_->message != e->message)) {
    spdlog::warn("kafka canary not running cluster={} topic={} error=\"{}\"",
                 cluster_.name, cluster_.canary.topic, e->ToString());
  }
  error_ = std::move(e);
}

void CanaryRunner::Run() {
  SteadyTime next_setup{};
  SteadyTime next_round{};
  std::uint64_t rounds = 0;
  while (!stop_) {
    const SteadyTime now = clock_.Steady();
    if (!running_ && now >= next_setup) {
      next_setup = now + interval_;
      Status s = Setup();
      SetError(s.ok() ? std::nullopt : std::optional<Error>(s.error()));
    }
    if (running_ && now >= next_round) {
      next_round = now + interval_;
      if (++rounds % kMetadataEveryRounds == 0) (void)ReadPartitions();
      ProduceRound();
    }
    if (consumer_) {
      PollConsumer();
    } else {
      std::this_thread::sleep_for(Millis(kPollMs));
    }
    std::lock_guard<std::mutex> lock(mu_);
    tracker_.Expire(clock_.Steady());
    published_running_ = running_;
  }
}

Status CanaryRunner::StartProducer() {
  auto p = CreateClient(
      cluster_, "failwatch-canary-producer-" + cluster_.name, RD_KAFKA_PRODUCER,
      {// The canary topic exists or is created on purpose, never by a
       // metadata request.
       {"allow.auto.create.topics", "false"},
       {"acks", "all"},
       {"linger.ms", "0"},
       // Past the SLA the record is lost anyway; fail its delivery then.
       {"message.timeout.ms",
        std::to_string(std::max<long long>(cluster_.canary.sla.count(), 1))}},
      [this](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_conf_set_dr_msg_cb(conf, DeliveryCallback);
      });
  if (!p.ok()) return p.error();
  producer_ = std::move(p).value();
  // rd_kafka_message_latency is read in the delivery report, so reports
  // are served as they arrive (a blocking poll), not at this loop's pace.
  delivery_thread_ = std::thread([this] {
    while (!stop_) rd_kafka_poll(producer_.get(), kPollMs);
  });
  return Status::Ok();
}

Status CanaryRunner::StartConsumer() {
  auto c = CreateClient(
      cluster_, "failwatch-canary-consumer-" + cluster_.name, RD_KAFKA_CONSUMER,
      {{"group.id", CanaryGroupId(cluster_.canary.instance_id)},
       {"allow.auto.create.topics", "false"},
       {"enable.auto.commit", "true"},
       {"auto.offset.reset", "earliest"},
       {"enable.partition.eof", "false"}});
  if (!c.ok()) return c.error();
  consumer_ = std::move(c).value();
  rd_kafka_poll_set_consumer(consumer_.get());
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, cluster_.canary.topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), l);
  rd_kafka_topic_partition_list_destroy(l);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorFromKafka(err, "canary subscribe");
  }
  return Status::Ok();
}

Status CanaryRunner::Setup() {
  if (!producer_) {
    if (Status s = StartProducer(); !s.ok()) return s;
  }
  if (!consumer_) {
    if (Status s = StartConsumer(); !s.ok()) return s;
  }
  if (topic_ == nullptr) {
    topic_ = rd_kafka_topic_new(producer_.get(), cluster_.canary.topic.c_str(),
                                nullptr);
  }
  if (partitions_ == 0) {
    if (Status s = ReadPartitions(); !s.ok()) return s;
  }
  if (!Assigned()) {
    return MakeError(ErrorKind::kUnavailable, "canary_not_assigned",
                     "canary consumer has no assignment yet (group " +
                         CanaryGroupId(cluster_.canary.instance_id) + ")");
  }
  running_ = true;
  spdlog::info(
      "kafka canary running cluster={} topic={} partitions={} group={}",
      cluster_.name, cluster_.canary.topic, partitions_,
      CanaryGroupId(cluster_.canary.instance_id));
  return Status::Ok();
}

Status CanaryRunner::ReadPartitions() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(producer_.get(), 0, topic_, &md, kCallTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorFromKafka(err, "canary topic metadata");
  }
  const int brokers = md->broker_cnt;
  rd_kafka_resp_err_t topic_err = md->topic_cnt == 1
                                      ? md->topics[0].err
                                      : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  const int partitions = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
      (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR && partitions == 0)) {
    if (!cluster_.canary.create) {
      return MakeError(ErrorKind::kNotFound, "canary_topic_missing",
                       "canary topic \"" + cluster_.canary.topic +
                           "\" does not exist (create: false)");
    }
    return CreateTopic(brokers);
  }
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorFromKafka(topic_err, "canary topic metadata");
  }
  partitions_ = partitions;
  return Status::Ok();
}

// One partition per broker, replicated up to 3 times; the partition count
// is read back by the next setup attempt.
Status CanaryRunner::CreateTopic(int brokers) {
  char errstr[256];
  const int replication = std::clamp(brokers, 1, 3);
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(cluster_.canary.topic.c_str(), std::max(brokers, 1),
                            replication, errstr, sizeof(errstr));
  if (nt == nullptr) {
    return MakeError(ErrorKind::kInvalid, "canary_create_failed", errstr);
  }
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(
      producer_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(opts, kCallTimeoutMs, errstr,
                                            sizeof(errstr));
  rd_kafka_queue_t* q = rd_kafka_queue_new(producer_.get());
  rd_kafka_CreateTopics(producer_.get(), &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, kCallTimeoutMs + 500);
  Status out = MakeError(ErrorKind::kTimeout, "canary_create_timeout",
                         "canary topic creation did not answer");
  if (ev != nullptr) {
    const rd_kafka_CreateTopics_result_t* res =
        rd_kafka_event_CreateTopics_result(ev);
    std::size_t n = 0;
    const rd_kafka_topic_result_t** topics =
        res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    // The request-level reason says more than the code ("Failed while
    // waiting for controller" on brokers without CreateTopics).
    std::string why = err != RD_KAFKA_RESP_ERR_NO_ERROR
                          ? rd_kafka_event_error_string(ev)
                          : "";
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && n == 1) {
      err = rd_kafka_topic_result_error(topics[0]);
      if (const char* s = rd_kafka_topic_result_error_string(topics[0])) {
        why = s;
      }
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
        err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      spdlog::info(
          "kafka canary topic created cluster={} topic={} "
          "partitions={} replication={}",
          cluster_.name, cluster_.canary.topic, std::max(brokers, 1),
          replication);
      out = MakeError(ErrorKind::kUnavailable, "canary_topic_created",
                      "canary topic created; waiting for its metadata");
    } else {
      Error e = ErrorFromKafka(err, "canary topic creation");
      if (!why.empty()) e.message = "canary topic creation: " + why;
      out = e;
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  return out;
}

bool CanaryRunner::Assigned() {
  rd_kafka_topic_partition_list_t* l = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &l) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  const bool any = l->cnt > 0;
  rd_kafka_topic_partition_list_destroy(l);
  return any;
}

void CanaryRunner::ProduceRound() {
  const auto wall_ms =
      std::chrono::duration_cast<Millis>(clock_.Wall().time_since_epoch())
          .count();
  for (int p = 0; p < partitions_; ++p) {
    const std::uint64_t seq = next_seq_++;
    const std::string value =
        EncodeCanaryRecord({run_, seq, wall_ms, cluster_.canary.instance_id});
    const std::string& key = cluster_.canary.instance_id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tracker_.Sent(seq, p, clock_.Steady());
    }
    // librdkafka's RD_KAFKA_V_* macros are C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_RKT(topic_), RD_KAFKA_V_PARTITION(p),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_OPAQUE(
            reinterpret_cast<void*>(static_cast<std::uintptr_t>(seq))),
        RD_KAFKA_V_END);
#pragma GCC diagnostic pop
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::lock_guard<std::mutex> lock(mu_);
      tracker_.Acked(seq, std::nullopt);
    }
  }
}

void CanaryRunner::OnDelivery(const rd_kafka_message_t* m) {
  std::optional<double> latency;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::int64_t us = rd_kafka_message_latency(m);
    latency = us >= 0 ? static_cast<double>(us) / 1e6 : 0.0;
  }
  std::lock_guard<std::mutex> lock(mu_);
  tracker_.Acked(SeqOf(m), latency);
}

// One blocking poll, then whatever else is already there (bounded).
void CanaryRunner::PollConsumer() {
  int timeout = kPollMs;
  for (int i = 0; i < 1000; ++i, timeout = 0) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), timeout);
    if (m == nullptr) return;
    const SteadyTime at = clock_.Steady();
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->payload != nullptr) {
      auto r = DecodeCanaryRecord(
          std::string_view(static_cast<const char*>(m->payload), m->len));
      if (r && r->run == run_ &&
          r->instance_id == cluster_.canary.instance_id) {
        std::lock_guard<std::mutex> lock(mu_);
        tracker_.Received(r->seq, at);
      }
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace failwatch
