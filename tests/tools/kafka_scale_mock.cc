// A librdkafka mock cluster with many topics, for bench/kafka_scale_bench.
//
//   kafka_scale_mock --bootstrap-file=PATH [--brokers=3] --topics=T
//       --partitions=P [--prefix=t]
//
// Creates topics <prefix>00000 .. <prefix>(T-1), P partitions each, then
// writes the bootstrap list to PATH (temp file + rename) and runs until
// SIGTERM/SIGINT. Unlike kafka_mock_cluster it takes the topology as two
// numbers (10k topic arguments would be unwieldy) and creates topics from
// many threads at once: in librdkafka 2.0.2 each rd_kafka_mock_topic_create
// waits ~250 ms for the mock thread to pick the request up, but concurrent
// requests are picked up together (measured: 20 topics one at a time 5.0 s;
// 1000 topics from 1000 threads 1.0 s).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Usage() {
  std::fprintf(stderr,
               "usage: kafka_scale_mock --bootstrap-file=PATH [--brokers=N] "
               "--topics=T --partitions=P [--prefix=t]\n");
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
  int brokers = 3, topics = 0, partitions = 0;
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
      topics = std::atoi(v.c_str());
    } else if (value("--partitions=", v)) {
      partitions = std::atoi(v.c_str());
    } else if (value("--prefix=", v)) {
      prefix = v;
    } else {
      return Usage();
    }
  }
  if (bootstrap_file.empty() || brokers <= 0 || topics <= 0 || partitions <= 0)
    return Usage();

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
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
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  const int n_threads = std::min(topics, 1000);
  for (int k = 0; k < n_threads; ++k) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < topics;) {
        char name[64];
        std::snprintf(name, sizeof(name), "%s%05d", prefix.c_str(), i);
        if (rd_kafka_mock_topic_create(mc, name, partitions, 1) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed > 0) {
    std::fprintf(stderr, "kafka_scale_mock: %d topics failed\n", failed.load());
    return 1;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::string bootstraps = rd_kafka_mock_cluster_bootstraps(mc);
  if (!WriteAtomically(bootstrap_file, bootstraps + "\n")) {
    std::fprintf(stderr, "cannot write %s\n", bootstrap_file.c_str());
    return 1;
  }
  while (!g_stop) usleep(50 * 1000);
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
