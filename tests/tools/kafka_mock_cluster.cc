// A librdkafka mock cluster in its own process, so tests can start it, find
// it through a file, and kill it (SIGKILL included) to simulate an outage.
//
//   kafka_mock_cluster --bootstrap-file=PATH [--brokers=3] topic:partitions...
//   kafka_mock_cluster --bootstrap-file=PATH --topics=T --partitions=P
//       [--prefix=t]     # T generated topics <prefix>00000... (benchmarks)
//   --missing=NAME       # Metadata answers UNKNOWN_TOPIC_OR_PART for NAME:
//                        # the 2.0.2 mock auto-creates any topic a Metadata
//                        # request names (it speaks Metadata < v4, so
//                        # allow.auto.create.topics=false cannot be sent)
//
// Topics are created from up to 1 000 threads: the scale benchmark's 10 000
// topics were up in 5.8-6.6 s that way ("mock cluster up" in its logs).
//
// The mock picks random ports (no way to fix them in librdkafka 2.0.2), so
// the bootstrap list is written to PATH once every topic exists; the write
// is atomic (temp file + rename) and readers may poll for the file.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

int Usage() {
  std::fprintf(
      stderr,
      "usage: kafka_mock_cluster --bootstrap-file=PATH [--brokers=N] "
      "[--topics=T --partitions=P [--prefix=t]] [topic:partitions...]\n");
  return 2;
}

bool WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  bool ok = std::fputs(text.c_str(), f) >= 0;
  ok = std::fclose(f) == 0 && ok;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bootstrap_file, prefix = "t";
  int brokers = 3, generated = 0, generated_partitions = 0;
  std::vector<TopicSpec> topics;
  std::vector<std::string> missing;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag, std::string& out) {
      if (arg.rfind(flag, 0) != 0) return false;
      out = std::string(arg.substr(flag.size()));
      return true;
    };
    std::string v;
    if (value("--bootstrap-file=", v)) {
      bootstrap_file = v;
    } else if (value("--brokers=", v)) {
      brokers = std::atoi(v.c_str());
    } else if (value("--topics=", v)) {
      generated = std::atoi(v.c_str());
    } else if (value("--partitions=", v)) {
      generated_partitions = std::atoi(v.c_str());
    } else if (value("--prefix=", v)) {
      prefix = v;
    } else if (value("--missing=", v)) {
      missing.push_back(v);
    } else if (arg.rfind("--", 0) == 0) {
      return Usage();
    } else {
      auto colon = arg.rfind(':');
      TopicSpec t;
      t.name = std::string(arg.substr(0, colon));
      if (colon != std::string_view::npos) {
        t.partitions = std::atoi(std::string(arg.substr(colon + 1)).c_str());
      }
      if (t.name.empty() || t.partitions <= 0) return Usage();
      topics.push_back(t);
    }
  }
  if (bootstrap_file.empty() || brokers <= 0) return Usage();
  if (generated < 0 || (generated > 0 && generated_partitions <= 0)) {
    return Usage();
  }
  for (int i = 0; i < generated; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "%s%05d", prefix.c_str(), i);
    topics.push_back({name, generated_partitions});
  }

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The mock cluster lives inside this (otherwise unused) producer handle.
  if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err)) !=
      RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "conf: %s\n", err);
    return 1;
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (mc == nullptr) {
    std::fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  const std::size_t n_threads = std::min<std::size_t>(topics.size(), 1000);
  for (std::size_t k = 0; k < n_threads; ++k) {
    threads.emplace_back([&] {
      for (std::size_t i; (i = next++) < topics.size();) {
        const TopicSpec& t = topics[i];
        rd_kafka_resp_err_t e =
            rd_kafka_mock_topic_create(mc, t.name.c_str(), t.partitions, 1);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
          std::fprintf(stderr, "topic %s: %s\n", t.name.c_str(),
                       rd_kafka_err2str(e));
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed > 0) return 1;
  for (const auto& name : missing) {
    rd_kafka_mock_topic_set_error(mc, name.c_str(),
                                  RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::string bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
  if (!WriteAtomically(bootstrap_file, bootstraps + "\n")) {
    std::fprintf(stderr, "cannot write %s\n", bootstrap_file.c_str());
    return 1;
  }
  std::fprintf(stderr, "kafka_mock_cluster: bootstraps=%s\n",
               bootstraps.c_str());
  while (!g_stop) usleep(50 * 1000);
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
