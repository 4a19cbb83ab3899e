// Produces to a Kafka topic at a steady rate, forever (the lab's order feed).
//
//   demo_producer (--bootstrap-file=PATH|--brokers=LIST) [--topic=orders]
//                 [--rate=20] [--count=0 (forever)] [--stats-interval-ms=5000]
//
// Messages: key "order-N", value {"order":N,"produced_at_ms":T}.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

long g_delivered = 0;
long g_failed = 0;

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err) {
    g_failed++;
  } else {
    g_delivered++;
  }
}

int Usage() {
  std::fprintf(stderr,
               "usage: demo_producer (--bootstrap-file=PATH|--brokers=LIST) "
               "[--topic=orders] [--rate=N per second] [--count=N] "
               "[--stats-interval-ms=MS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string brokers, bootstrap_file, topic = "orders";
  double rate = 20;
  long count = 0;
  int stats_ms = 5000;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto val = [&](std::string_view k) -> const char* {
      return a.rfind(k, 0) == 0 ? argv[i] + k.size() : nullptr;
    };
    if (const char* v = val("--brokers=")) brokers = v;
    else if (const char* v1 = val("--bootstrap-file=")) bootstrap_file = v1;
    else if (const char* v2 = val("--topic=")) topic = v2;
    else if (const char* v3 = val("--rate=")) rate = std::atof(v3);
    else if (const char* v4 = val("--count=")) count = std::atol(v4);
    else if (const char* v5 = val("--stats-interval-ms=")) stats_ms = std::atoi(v5);
    else return Usage();
  }
  if (rate <= 0) return Usage();
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  for (int i = 0; i < 100 && brokers.empty() && !bootstrap_file.empty(); ++i) {
    std::ifstream f(bootstrap_file);
    std::getline(f, brokers);
    if (brokers.empty()) usleep(100 * 1000);
  }
  if (brokers.empty()) return Usage();

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const char* kv[][2] = {{"bootstrap.servers", brokers.c_str()},
                         {"client.id", "demo-producer"},
                         {"linger.ms", "5"},
                         {"log_level", "3"}};
  for (auto& p : kv) {
    if (rd_kafka_conf_set(conf, p[0], p[1], err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "demo_producer: %s: %s\n", p[0], err);
      return 1;
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) {
    std::fprintf(stderr, "demo_producer: %s\n", err);
    return 1;
  }
  std::fprintf(stderr, "demo_producer: producing to %s at %.1f/s via %s\n",
               topic.c_str(), rate, brokers.c_str());
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / rate));
  auto next = std::chrono::steady_clock::now();
  auto last_stats = next;
  long n = 0;
  while (!g_stop && (count == 0 || n < count)) {
    n++;
    std::string key = "order-" + std::to_string(n);
    long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    std::string value = "{\"order\":" + std::to_string(n) +
                        ",\"produced_at_ms\":" + std::to_string(ms) + "}";
    rd_kafka_vu_t vus[4];
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = topic.c_str();
    vus[1].vtype = RD_KAFKA_VTYPE_KEY;
    vus[1].u.mem = {key.data(), key.size()};
    vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[2].u.mem = {value.data(), value.size()};
    vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[3].u.i = RD_KAFKA_MSG_F_COPY;
    rd_kafka_error_t* error = rd_kafka_produceva(rk, vus, 4);
    bool e = error != nullptr;
    if (error) rd_kafka_error_destroy(error);
    if (e) g_failed++;
    next += period;
    while (!g_stop && std::chrono::steady_clock::now() < next) {
      rd_kafka_poll(rk, 5);
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_stats >= std::chrono::milliseconds(stats_ms)) {
      last_stats = now;
      std::fprintf(stderr, "demo_producer: produced=%ld delivered=%ld failed=%ld\n",
                   n, g_delivered, g_failed);
      std::fflush(stderr);
    }
  }
  rd_kafka_flush(rk, 3000);
  std::fprintf(stderr, "demo_producer: done produced=%ld delivered=%ld failed=%ld\n",
               n, g_delivered, g_failed);
  rd_kafka_destroy(rk);
  return 0;
}
