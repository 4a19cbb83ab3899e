// Test helpers: a librdkafka mock cluster (the kafka_mock_cluster helper
// process when it can be found, so tests can SIGKILL it; otherwise an
// in-process mock), and a client that produces and commits like an
// application would.
#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/host_port.h"
#include "kafka/kafka_cluster_config.h"
#include "kafka/kafka_observation.h"

namespace failwatch::testing {

inline std::string FindMockHelper() {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (const char* d = std::getenv("FAILWATCH_TOOLS_DIR")) dirs.emplace_back(d);
  std::error_code ec;
  // Test binaries and tools are built into the same directory.
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(self.parent_path());
  for (const auto& d : dirs) {
    fs::path p = d / "kafka_mock_cluster";
    if (fs::exists(p, ec)) return p.string();
  }
  return "";
}

class MockCluster {
 public:
  // topics: "name:partitions", or "--missing=name" (Metadata answers
  // UNKNOWN_TOPIC_OR_PART for it instead of auto-creating it).
  explicit MockCluster(const std::vector<std::string>& topics) {
    const std::string helper = FindMockHelper();
    if (!helper.empty()) {
      StartProcess(helper, topics);
    } else {
      StartInProcess(topics);
    }
  }
  ~MockCluster() { Kill(SIGTERM); }

  const std::string& bootstraps() const { return bootstraps_; }
  bool out_of_process() const { return pid_ > 0; }

  // Stops the cluster abruptly (SIGKILL for the helper process).
  void Kill(int sig = SIGKILL) {
    if (pid_ > 0) {
      ::kill(pid_, sig);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (mc_ != nullptr) {
      rd_kafka_mock_cluster_destroy(mc_);
      mc_ = nullptr;
    }
    if (rk_ != nullptr) {
      rd_kafka_destroy(rk_);
      rk_ = nullptr;
    }
  }

  KafkaClusterConfig Config(const std::string& name = "lab") const {
    KafkaClusterConfig c;
    c.name = name;
    std::string rest = bootstraps_;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto hp = ParseHostPort(rest.substr(0, comma));
      if (hp.ok()) c.brokers.push_back(*hp);
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    return c;
  }

 private:
  void StartProcess(const std::string& helper,
                    const std::vector<std::string>& topics) {
    file_ = (std::filesystem::temp_directory_path() /
             ("failwatch-kafka-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter()++)))
                .string();
    std::filesystem::remove(file_);
    std::vector<std::string> args = {helper, "--bootstrap-file=" + file_};
    args.insert(args.end(), topics.begin(), topics.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      std::ifstream in(file_);
      if (in && std::getline(in, bootstraps_) && !bootstraps_.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::filesystem::remove(file_);
    if (bootstraps_.empty()) ADD_FAILURE() << "mock cluster did not start";
  }

  void StartInProcess(const std::vector<std::string>& topics) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    mc_ = rd_kafka_mock_cluster_new(rk_, 3);
    for (const auto& t : topics) {
      if (t.rfind("--missing=", 0) == 0) {
        rd_kafka_mock_topic_set_error(mc_, t.substr(10).c_str(),
                                      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        continue;
      }
      auto colon = t.rfind(':');
      rd_kafka_mock_topic_create(mc_, t.substr(0, colon).c_str(),
                                 std::stoi(t.substr(colon + 1)), 1);
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
  }

  static int& counter() {
    static int n = 0;
    return n;
  }

  pid_t pid_ = -1;
  std::string file_;
  std::string bootstraps_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
};

// An application: produces to exact partitions and commits exact offsets
// for a group without joining it (a group with no members).
class App {
 public:
  explicit App(const std::string& bootstraps) : bootstraps_(bootstraps) {
    producer_ = New(RD_KAFKA_PRODUCER, "");
  }
  ~App() {
    for (auto& [g, rk] : consumers_) rd_kafka_destroy(rk);
    for (auto& [t, rkt] : topics_) rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(producer_);
  }

  void Produce(const std::string& topic, int partition, int count) {
    rd_kafka_topic_t*& rkt = topics_[topic];
    if (rkt == nullptr)
      rkt = rd_kafka_topic_new(producer_, topic.c_str(), nullptr);
    char payload[] = "x";
    for (int i = 0; i < count; ++i) {
      ASSERT_EQ(rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, payload,
                                 1, nullptr, 0, nullptr),
                0)
          << rd_kafka_err2str(rd_kafka_last_error());
    }
    ASSERT_EQ(rd_kafka_flush(producer_, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  // One record with an explicit timestamp (ms since the epoch) and
  // headers, like Spring's DeadLetterPublishingRecoverer writes them.
  void ProduceRecord(
      const std::string& topic, int partition, std::int64_t timestamp_ms,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [k, v] : headers) {
      rd_kafka_header_add(hdrs, k.c_str(), -1, v.data(),
                          static_cast<ssize_t>(v.size()));
    }
    char payload[] = "x";
    // librdkafka's RD_KAFKA_V_* macros are C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(payload, 1),
        RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_END);
#pragma GCC diagnostic pop
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(hdrs);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    ASSERT_EQ(rd_kafka_flush(producer_, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  void Commit(const std::string& group, const std::string& topic, int partition,
              std::int64_t offset) {
    rd_kafka_t*& rk = consumers_[group];
    if (rk == nullptr) rk = New(RD_KAFKA_CONSUMER, group);
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic.c_str(), partition)->offset =
        offset;
    rd_kafka_resp_err_t err = rd_kafka_commit(rk, l, /*async=*/0);
    rd_kafka_topic_partition_list_destroy(l);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  }

 private:
  rd_kafka_t* New(rd_kafka_type_t type, const std::string& group) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), err,
                      sizeof(err));
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
    if (!group.empty()) {
      rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof(err));
      rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
    }
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
    EXPECT_NE(rk, nullptr) << err;
    return rk;
  }

  std::string bootstraps_;
  rd_kafka_t* producer_ = nullptr;
  std::map<std::string, rd_kafka_t*> consumers_;
  std::map<std::string, rd_kafka_topic_t*> topics_;
};

// One sample of a collector, timed, with lookups into its families.
struct Sampled {
  SampleOutput out;
  double seconds = 0;
  std::shared_ptr<const KafkaObservation> obs() const {
    return std::dynamic_pointer_cast<const KafkaObservation>(out.observation);
  }
  // Value of the series of `family` whose labels include all of `want`.
  std::optional<double> Value(
      const std::string& family,
      const std::vector<std::pair<std::string, std::string>>& want) const {
    for (const auto& f : out.families) {
      if (f.name != family) continue;
      for (const auto& m : f.metric) {
        bool all = true;
        for (const auto& [k, v] : want) {
          bool found = false;
          for (const auto& l : m.label) found |= l.name == k && l.value == v;
          all &= found;
        }
        if (all) {
          return f.type == prometheus::MetricType::Counter ? m.counter.value
                                                           : m.gauge.value;
        }
      }
    }
    return std::nullopt;
  }
};

inline Sampled SampleOnce(Collector& c,
                          Millis timeout = std::chrono::milliseconds(2000)) {
  const Clock& clock = SystemClock::Get();
  SampleContext ctx;
  ctx.clock = &clock;
  ctx.now = clock.Wall();
  ctx.deadline = clock.Steady() + timeout;
  const auto t0 = clock.Steady();
  Sampled s;
  s.out = c.Sample(ctx);
  s.seconds = ToSeconds(clock.Steady() - t0);
  return s;
}

// Wall-clock milliseconds, as records are stamped.
inline std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SystemClock::Get().Wall().time_since_epoch())
      .count();
}

// The age of a record stamped `stamped_ms`, judged by a sample that ran
// between `before_ms` and `after_ms`: bounded by real time, not by a fixed
// tolerance (a loaded CI machine took 2.1 s between producing and sampling).
inline void ExpectAgeOfRecordAt(double age_seconds, std::int64_t stamped_ms,
                                std::int64_t before_ms, std::int64_t after_ms) {
  EXPECT_GE(age_seconds, (before_ms - stamped_ms) / 1000.0 - 0.001);
  EXPECT_LE(age_seconds, (after_ms - stamped_ms) / 1000.0 + 0.001);
}

}  // namespace failwatch::testing
