// Kafka collector at scale, against the librdkafka mock cluster. One
// topology per run; bench/kafka_scale.sh steps the scale and prints the table.
//
//   kafka_scale_bench --groups=G --topics=T --partitions=P [--cycles=N]
//       [--step-seconds=S] [--scrapes=K] [--max-series=M] [--brokers=B]
//       [--deadline-seconds=D] [--topic-probe-minutes=M]
//       [--default-allocator]   # glibc build: glibc's dynamic mmap threshold
//                               # (as before ConfigureAllocator)
//       [--exit-after-cycles]   # for heaptrack: live memory shows as leaks
//
// kafka_scale_bench runs on the daemon's allocator (jemalloc unless built
// with -DFAILWATCH_JEMALLOC=OFF), kafka_scale_bench_glibc on glibc malloc;
// each row names the allocator it ran on.
//
// Topology: T topics of P partitions; group g consumes topic g % T and has
// committed offsets on every partition of it (half of them one message
// behind). Every cycle one more message goes to every partition, so each
// partition's end-offset history and each group/partition's status history
// fill up as in production; the sample's wall time advances S seconds per
// cycle (real time does not), so N cycles cover N*S seconds of history.
//
// Measured in one run, in this process only (the mock cluster runs in the
// kafka_mock_cluster tool, the producer/committer in a forked child):
// - cycle time: KafkaCollector::Sample, deadline 60 s (--deadline-seconds); the first cycle (every
//   group asks for its offsets on every topic: the topic probe) apart from
//   the rest, and the collector's own phase times;
// - requests per cycle: counted on the wire by a librdkafka on_request_sent
//   interceptor on every handle the collector creates (rd_kafka_new is
//   wrapped at link time; the collector code is unchanged);
// - RSS (VmRSS) before the collector exists, after the first cycle and after
//   N cycles, and the peak (VmHWM, reset before the collector is built);
// - /metrics: the samples are published into a SnapshotStore and rendered
//   by http::MetricsRenderer, cold (a new snapshot version: serialize) and
//   warm (cached), with the series count and body size.
// It prints numbers; it asserts nothing.
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/site_source.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/host_port.h"
#include "core/memory_release.h"
#include "core/snapshot.h"
#include "http/metrics_renderer.h"
#include "kafka/admin_worker.h"
#include "kafka/kafka_collector.h"
#include "kafka/kafka_observation.h"

// ---- request counting: rd_kafka_new is wrapped (-Wl,--wrap=rd_kafka_new) --
namespace {

std::atomic<bool> g_count_new_handles{false};
std::array<std::atomic<long>, 128> g_requests{};
std::atomic<long> g_request_bytes{0};

rd_kafka_resp_err_t OnRequestSent(rd_kafka_t*, int, const char*, int32_t,
                                  int16_t api_key, int16_t, int32_t,
                                  size_t size, void*) {
  if (api_key >= 0 && api_key < 128) g_requests[api_key].fetch_add(1);
  g_request_bytes.fetch_add(static_cast<long>(size));
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t OnNew(rd_kafka_t* rk, const rd_kafka_conf_t*, void*,
                          char*, size_t) {
  return rd_kafka_interceptor_add_on_request_sent(rk, "kafka_scale_bench",
                                                  OnRequestSent, nullptr);
}

}  // namespace

extern "C" {
rd_kafka_t* __real_rd_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t* conf,
                                char* errstr, size_t errstr_size);
rd_kafka_t* __wrap_rd_kafka_new(rd_kafka_type_t type, rd_kafka_conf_t* conf,
                                char* errstr, size_t errstr_size) {
  if (g_count_new_handles.load()) {
    if (conf == nullptr) conf = rd_kafka_conf_new();
    rd_kafka_conf_interceptor_add_on_new(conf, "kafka_scale_bench", OnNew,
                                         nullptr);
  }
  return __real_rd_kafka_new(type, conf, errstr, errstr_size);
}
}

namespace {

using Clock = std::chrono::steady_clock;
using namespace failwatch;

double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

long ProcStatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') {
      return std::atol(line.c_str() + n + 1);
    }
  }
  return -1;
}
double RssMb() { return ProcStatusKb("VmRSS") / 1024.0; }
double PeakMb() { return ProcStatusKb("VmHWM") / 1024.0; }
// Bytes malloc has handed out and not had back (arenas + mmapped blocks):
// RSS minus this is what the allocator holds free or loses to chunk
// headers and fragmentation.
double HeapMb() {
  return static_cast<double>(failwatch::ReadAllocatorStats().allocated_bytes) /
         (1024.0 * 1024.0);
}
void ResetPeak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

struct Args {
  int groups = 100;
  int topics = 100;
  int partitions = 10;
  int cycles = 70;
  int step_seconds = 10;
  int scrapes = 50;
  long max_series = 200'000;
  int brokers = 3;
  int lag = 1;  // messages behind on odd partitions
  int deadline_seconds = 60;
  int topic_probe_minutes = 5;  // the product default
  // Groups configured with the topic they consume (groups[].topics): no
  // topic probe, as on brokers that answer NULL OffsetFetch lists.
  bool known_topics = false;
  // Coordinator admin calls in the worker process (the default) or
  // in-process, for bench/kafka_admin_worker.sh's side-by-side.
  bool admin_worker = true;
  // Exit right after the cycles without destroying anything: under
  // heaptrack every live allocation then shows as leaked, with its stack
  // (heaptrack --print-leaks), i.e. what the collector holds between samples.
  bool exit_after_cycles = false;
  long probe_budget = 250'000;  // topic_probe_max_partitions
  int fetch_concurrency = 16;   // max_concurrent_group_fetches
  std::map<std::string, std::string> properties;  // --property=k=v
  long watermark_slice = 0;  // 0 = the product default
  int producers = 16;        // the loader's librdkafka producers
};

std::string TopicName(int t) {
  char b[32];
  std::snprintf(b, sizeof(b), "t%05d", t);
  return b;
}
std::string GroupName(int g) {
  char b[32];
  std::snprintf(b, sizeof(b), "g%05d", g);
  return b;
}

// ---- the load: a forked child that produces and commits ----------------
// Forked before this process creates any librdkafka handle, so its memory
// and threads are not in the collector's RSS. Commands over a pipe.
class Loader {
 public:
  Loader(const std::string& bootstraps, const Args& a) {
    int down[2], up[2];
    if (::pipe(down) != 0 || ::pipe(up) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::close(down[1]);
      ::close(up[0]);
      Child child(bootstraps, a);
      char cmd = 0;
      while (::read(down[0], &cmd, 1) == 1) {
        std::string reply = child.Run(cmd);
        reply += '\n';
        if (::write(up[1], reply.data(), reply.size()) < 0) break;
      }
      ::_exit(0);
    }
    ::close(down[0]);
    ::close(up[1]);
    to_ = down[1];
    from_ = ::fdopen(up[0], "r");
  }
  ~Loader() {
    ::close(to_);
    std::fclose(from_);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  // 's' = produce the initial records and commit; 'p' = one more record
  // per partition.
  std::string Do(char cmd) {
    if (::write(to_, &cmd, 1) != 1) return "write failed";
    char buf[512];
    if (std::fgets(buf, sizeof(buf), from_) == nullptr) return "no reply";
    std::string s = buf;
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }

 private:
  class Child {
   public:
    Child(const std::string& bootstraps, const Args& a)
        : bootstraps_(bootstraps), a_(a) {}
    ~Child() {
      for (auto* t : topics_) rd_kafka_topic_destroy(t);
      for (auto* p : producers_) rd_kafka_destroy(p);
    }
    std::string Run(char cmd) {
      if (cmd == 's') return Setup();
      if (cmd == 'p') return ProduceAll(1);
      return "unknown command";
    }

   private:
    rd_kafka_t* New(rd_kafka_type_t type,
                    const std::vector<std::pair<const char*, std::string>>&
                        props) {
      char err[512];
      rd_kafka_conf_t* conf = rd_kafka_conf_new();
      rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), err,
                        sizeof(err));
      rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
      for (const auto& [k, v] : props) {
        if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof(err)) !=
            RD_KAFKA_CONF_OK) {
          std::fprintf(stderr, "loader conf %s: %s\n", k, err);
        }
      }
      rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
      if (rk == nullptr) std::fprintf(stderr, "loader rd_kafka_new: %s\n", err);
      return rk;
    }

    // Several producers, each owning a slice of the topics: one librdkafka
    // producer's broker thread scans all of its partitions on every wakeup,
    // so one record to each of 100 000 partitions through one producer is
    // quadratic (~60 s of both cores a cycle); 16 slices (--producers, the
    // default) cut that ~256x.
    void NewProducers() {
      for (int i = 0; i < a_.producers; ++i) {
        producers_.push_back(
            New(RD_KAFKA_PRODUCER,
                {{"linger.ms", "20"},
                 {"queue.buffering.max.messages", "2000000"},
                 {"queue.buffering.max.kbytes", "2097151"},
                 {"batch.num.messages", "10000"}}));
      }
      for (int t = 0; t < a_.topics; ++t) {
        topics_.push_back(rd_kafka_topic_new(producers_[t % a_.producers],
                                             TopicName(t).c_str(), nullptr));
      }
    }

    std::string ProduceAll(int per_partition) {
      const auto t0 = Clock::now();
      if (producers_.empty()) NewProducers();
      char payload[] = "x";
      long failed = 0;
      for (int i = 0; i < per_partition; ++i) {
        for (int t = 0; t < a_.topics; ++t) {
          for (int p = 0; p < a_.partitions; ++p) {
            while (rd_kafka_produce(topics_[t], p, RD_KAFKA_MSG_F_COPY,
                                    payload, 1, nullptr, 0, nullptr) != 0) {
              if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                ++failed;
                break;
              }
              rd_kafka_poll(producers_[t % a_.producers], 10);
            }
          }
        }
      }
      for (auto* p : producers_) rd_kafka_flush(p, 120'000);
      char b[128];
      std::snprintf(b, sizeof(b), "produce=%.2fs failed=%ld", Since(t0),
                    failed);
      return b;
    }

    // Committed offsets for every group on every partition of its topic,
    // with AlterConsumerGroupOffsets (one admin handle, many requests in
    // flight); if the brokers refuse it, one consumer handle per group.id
    // and rd_kafka_commit.
    std::string Setup() {
      constexpr int kInitial = 5;
      std::string produced = ProduceAll(kInitial);
      const auto t0 = Clock::now();
      rd_kafka_t* admin = New(RD_KAFKA_PRODUCER, {});
      rd_kafka_queue_t* q = rd_kafka_queue_new(admin);
      auto make_list = [&](int g) {
        const std::string topic = TopicName(g % a_.topics);
        auto* l = rd_kafka_topic_partition_list_new(a_.partitions);
        for (int p = 0; p < a_.partitions; ++p) {
          rd_kafka_topic_partition_list_add(l, topic.c_str(), p)->offset =
              p % 2 == 1 ? kInitial - a_.lag : kInitial;
        }
        return l;
      };
      int next = 0, in_flight = 0, ok = 0, failed = 0;
      std::string first_error;
      constexpr int kMaxInFlight = 64;
      while (next < a_.groups || in_flight > 0) {
        while (in_flight < kMaxInFlight && next < a_.groups) {
          auto* l = make_list(next);
          auto* one = rd_kafka_AlterConsumerGroupOffsets_new(
              GroupName(next).c_str(), l);
          auto* opts = rd_kafka_AdminOptions_new(
              admin, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
          char err[256];
          rd_kafka_AdminOptions_set_request_timeout(opts, 60'000, err,
                                                    sizeof(err));
          rd_kafka_AlterConsumerGroupOffsets(admin, &one, 1, opts, q);
          rd_kafka_AdminOptions_destroy(opts);
          rd_kafka_AlterConsumerGroupOffsets_destroy(one);
          rd_kafka_topic_partition_list_destroy(l);
          ++next;
          ++in_flight;
        }
        rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60'000);
        if (ev == nullptr) break;
        if (rd_kafka_event_type(ev) !=
            RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT) {
          rd_kafka_event_destroy(ev);
          continue;
        }
        --in_flight;
        bool good = rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR;
        std::string why = good ? "" : rd_kafka_event_error_string(ev);
        if (good) {
          const auto* res = rd_kafka_event_AlterConsumerGroupOffsets_result(ev);
          std::size_t cnt = 0;
          const rd_kafka_group_result_t** gr =
              rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &cnt);
          for (std::size_t i = 0; i < cnt && good; ++i) {
            if (const rd_kafka_error_t* e = rd_kafka_group_result_error(gr[i])) {
              good = false;
              why = rd_kafka_error_string(e);
            }
            const auto* parts = rd_kafka_group_result_partitions(gr[i]);
            for (int k = 0; parts != nullptr && k < parts->cnt && good; ++k) {
              if (parts->elems[k].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                good = false;
                why = rd_kafka_err2str(parts->elems[k].err);
              }
            }
          }
        }
        rd_kafka_event_destroy(ev);
        if (good) {
          ++ok;
        } else {
          ++failed;
          if (first_error.empty()) first_error = why;
        }
      }
      rd_kafka_queue_destroy(q);
      rd_kafka_destroy(admin);
      std::string method = "AlterConsumerGroupOffsets";
      if (failed > 0) {
        // Fallback: a consumer handle per group.
        method = "rd_kafka_commit per group (Alter failed: " + first_error + ")";
        ok = 0;
        failed = 0;
        for (int g = 0; g < a_.groups; ++g) {
          rd_kafka_t* c = New(RD_KAFKA_CONSUMER, {{"group.id", GroupName(g)},
                                                  {"enable.auto.commit",
                                                   "false"}});
          auto* l = make_list(g);
          (rd_kafka_commit(c, l, 0) == RD_KAFKA_RESP_ERR_NO_ERROR ? ok
                                                                  : failed)++;
          rd_kafka_topic_partition_list_destroy(l);
          rd_kafka_consumer_close(c);
          rd_kafka_destroy(c);
        }
      }
      char b[512];
      std::snprintf(b, sizeof(b),
                    "%s commit=%.2fs method=%s groups_ok=%d groups_failed=%d",
                    produced.c_str(), Since(t0), method.c_str(), ok, failed);
      return b;
    }

    std::string bootstraps_;
    Args a_;
    std::vector<rd_kafka_t*> producers_;
    std::vector<rd_kafka_topic_t*> topics_;
  };

  pid_t pid_ = -1;
  int to_ = -1;
  std::FILE* from_ = nullptr;
};

// ---- the mock cluster: the kafka_mock_cluster tool in its own process -----
class Mock {
 public:
  Mock(const Args& a) {
    file_ = (std::filesystem::temp_directory_path() /
             ("failwatch-scale-" + std::to_string(::getpid())))
                .string();
    std::filesystem::remove(file_);
    std::vector<std::string> args = {
        FAILWATCH_MOCK_HELPER, "--bootstrap-file=" + file_,
        "--brokers=" + std::to_string(a.brokers),
        "--topics=" + std::to_string(a.topics),
        "--partitions=" + std::to_string(a.partitions), "--prefix=t"};
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark
      std::vector<char*> argv;
      for (auto& s : args) argv.push_back(s.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto until = Clock::now() + std::chrono::seconds(300);
    while (Clock::now() < until) {
      std::ifstream in(file_);
      if (in && std::getline(in, bootstraps_) && !bootstraps_.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::filesystem::remove(file_);
  }
  ~Mock() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  const std::string& bootstraps() const { return bootstraps_; }
  // CPU seconds the mock cluster used so far (utime + stime).
  double CpuSeconds() const {
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (f == nullptr) return 0;
    char buf[1024] = {};
    const std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    std::fclose(f);
    const char* close = std::strrchr(buf, ')');
    if (n == 0 || close == nullptr) return 0;
    // Fields after the command: state is field 3, utime 14, stime 15.
    long ut = 0, st = 0;
    if (std::sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
                    &ut, &st) != 2) {
      return 0;
    }
    return static_cast<double>(ut + st) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  long RssKb() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  std::string file_;
  std::string bootstraps_;
};

class BenchApp final : public http::SiteSource {
 public:
  explicit BenchApp(const SnapshotStore& store) : store_(store) {}
  std::shared_ptr<const Snapshot> CurrentSnapshot() const override {
    return store_.Current();
  }
  SteadyTime SchedulerHeartbeat() const override {
    return std::chrono::steady_clock::now();
  }
  nlohmann::json ConfigSummary() const override { return nlohmann::json::object(); }
  http::ReloadStatus Reload() const override { return {}; }
  WallTime StartTime() const override { return start_; }

 private:
  const SnapshotStore& store_;
  WallTime start_ = std::chrono::system_clock::now();
};

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct Requests {
  std::array<long, 128> by_key{};
  long bytes = 0;
  long total() const {
    long n = 0;
    for (long c : by_key) n += c;
    return n;
  }
  std::string Describe() const {
    static const std::map<int, const char*> kNames = {
        {0, "Produce"},         {1, "Fetch"},          {2, "ListOffsets"},
        {3, "Metadata"},        {8, "OffsetCommit"},   {9, "OffsetFetch"},
        {10, "FindCoordinator"}, {15, "DescribeGroups"}, {16, "ListGroups"},
        {18, "ApiVersions"}};
    std::string s;
    for (int k = 0; k < 128; ++k) {
      if (by_key[k] == 0) continue;
      auto it = kNames.find(k);
      if (!s.empty()) s += " ";
      s += (it != kNames.end() ? std::string(it->second)
                               : "api" + std::to_string(k)) +
           "=" + std::to_string(by_key[k]);
    }
    return s;
  }
};

Requests TakeRequests() {
  Requests r;
  for (int k = 0; k < 128; ++k) r.by_key[k] = g_requests[k].exchange(0);
  r.bytes = g_request_bytes.exchange(0);
  return r;
}

// failwatch_kafka_read_seconds{phase} from the sample's families.
std::map<std::string, double> Phases(
    const std::vector<prometheus::MetricFamily>& families) {
  std::map<std::string, double> out;
  for (const auto& f : families) {
    if (f.name != "failwatch_kafka_read_seconds") continue;
    for (const auto& m : f.metric) {
      for (const auto& l : m.label) {
        if (l.name == "phase") out[l.value] = m.gauge.value;
      }
    }
  }
  return out;
}

std::string PhaseText(const std::map<std::string, double>& p) {
  std::string s;
  for (const auto& [k, v] : p) {
    char b[64];
    std::snprintf(b, sizeof(b), "%s%s=%.3f", s.empty() ? "" : " ", k.c_str(), v);
    s += b;
  }
  return s;
}

long CountSeries(const std::string& body) {
  long n = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    if (end > pos && body[pos] != '#') ++n;
    pos = end + 1;
  }
  return n;
}

long FamilySeries(const std::vector<prometheus::MetricFamily>& fams,
                  std::string_view name) {
  for (const auto& f : fams) {
    if (f.name == name && !f.metric.empty()) {
      return static_cast<long>(f.metric[0].counter.value);
    }
  }
  return 0;
}

int Run(const Args& a) {
  const double rss_start = RssMb();
  std::printf("# topology: %d groups, %d topics x %d partitions = %ld partitions, "
              "%ld group-partitions, %d brokers\n",
              a.groups, a.topics, a.partitions,
              static_cast<long>(a.topics) * a.partitions,
              static_cast<long>(a.groups) * a.partitions, a.brokers);
  auto t0 = Clock::now();
  Mock mock(a);
  if (mock.bootstraps().empty()) {
    std::fprintf(stderr, "mock cluster did not start\n");
    return 1;
  }
  std::printf("# mock cluster up in %.2fs (%s)\n", Since(t0),
              mock.bootstraps().c_str());
  Loader loader(mock.bootstraps(), a);
  t0 = Clock::now();
  std::printf("# setup: %s (%.2fs)\n", loader.Do('s').c_str(), Since(t0));
  std::fflush(stdout);

  KafkaClusterConfig cluster;
  cluster.name = "scale";
  {
    std::string rest = mock.bootstraps();
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto hp = ParseHostPort(rest.substr(0, comma));
      if (hp.ok()) cluster.brokers.push_back(*hp);
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
  }
  for (int g = 0; g < a.groups; ++g) {
    KafkaGroupConfig gc;
    gc.name = GroupName(g);
    if (a.known_topics) gc.topics = {TopicName(g % a.topics)};
    cluster.groups.push_back(gc);
  }
  // The mock cannot list or describe groups (and describing wedges the
  // handle): the configured groups are the whole set.
  cluster.tuning.group_discovery = false;
  cluster.tuning.max_series =
      static_cast<std::size_t>(std::max(a.max_series, 1L));
  cluster.schedule.timeout = std::chrono::seconds(a.deadline_seconds);
  cluster.tuning.topic_probe_interval =
      std::chrono::minutes(a.topic_probe_minutes);
  cluster.tuning.topic_probe_max_partitions =
      static_cast<std::size_t>(std::max(a.probe_budget, 1L));
  cluster.tuning.max_concurrent_group_fetches = a.fetch_concurrency;
  for (const auto& [k, v] : a.properties) cluster.properties[k] = Secret(v);

  SnapshotStore store;
  BenchApp app(store);
  const TargetKey key{"kafka", cluster.name};

  const double rss_before = RssMb();
  ResetPeak();
  g_count_new_handles = true;
  KafkaOptions options = KafkaOptionsFromConfig(cluster);
  if (a.watermark_slice > 0) {
    options.watermark_max_partitions =
        static_cast<std::size_t>(a.watermark_slice);
  }
  options.admin_worker = a.admin_worker;
  auto collector = MakeKafkaCollector(cluster, options);
  TakeRequests();

  WallTime now = std::chrono::system_clock::now();
  std::vector<double> steady;
  double first_cycle = 0, rss_after_first = 0;
  Requests first_requests;
  std::vector<long> steady_requests;
  Requests last_requests;
  std::map<std::string, double> first_phases, last_phases;
  std::vector<std::map<std::string, double>> steady_phases;
  long errors = 0;
  std::string last_error;
  long dropped = 0, dropped_before = 0;
  double produce_s = 0;
  std::pair<double, double> first_cpu, steady_cpu;  // {collector, mock}
  // Cycle after which every group's topics were known (the probe done).
  int all_known_cycle = 0;
  std::vector<double> render_ms;  // publish: text + gzip per sample
  for (int i = 0; i < a.cycles; ++i) {
    if (i > 0) {
      const auto tp = Clock::now();
      loader.Do('p');
      produce_s += Since(tp);
      now += std::chrono::seconds(a.step_seconds);
    }
    SampleContext ctx;
    ctx.clock = &SystemClock::Get();
    ctx.now = now;
    ctx.deadline = std::chrono::steady_clock::now() +
                   std::chrono::seconds(a.deadline_seconds);
    ctx.snapshot = store.Current();
    TakeRequests();
    const double mock_cpu0 = mock.CpuSeconds(), self_cpu0 = SelfCpuSeconds();
    const auto ts = Clock::now();
    SampleOutput out = collector->Sample(ctx);
    ctx.snapshot.reset();  // as the scheduler does: the old one can go
    const double d = Since(ts);
    const double mock_cpu = mock.CpuSeconds() - mock_cpu0;
    const double self_cpu = SelfCpuSeconds() - self_cpu0;
    Requests req = TakeRequests();
    if (out.error) {
      ++errors;
      last_error = out.error->ToString();
    }
    auto phases = Phases(out.families);
    long unknown = 0;
    if (auto obs = std::dynamic_pointer_cast<const KafkaObservation>(
            out.observation)) {
      for (const auto& [name, g] : obs->groups) {
        if (g.topics.empty()) ++unknown;
      }
    } else {
      unknown = a.groups;
    }
    if (unknown == 0 && all_known_cycle == 0) all_known_cycle = i + 1;
    // The counter accumulates; the topology is constant, so the last
    // cycle's increase is what one sample drops.
    const long dropped_total =
        FamilySeries(out.families, "failwatch_kafka_series_dropped_total");
    dropped = dropped_total - dropped_before;
    dropped_before = dropped_total;
    if (i == 0) {
      first_cycle = d;
      first_requests = req;
      first_phases = phases;
      first_cpu = {self_cpu, mock_cpu};
      rss_after_first = RssMb();
    } else {
      steady.push_back(d);
      steady_requests.push_back(req.total());
      steady_phases.push_back(phases);
      last_requests = req;
      last_phases = phases;
      steady_cpu.first += self_cpu;
      steady_cpu.second += mock_cpu;
    }
    // Published as the scheduler does: rendered to text and compressed on
    // the collector's thread, so a scrape only copies bytes.
    const auto tr = Clock::now();
    auto rendered = RenderFamilies(out.families);
    render_ms.push_back(Since(tr) * 1000);
    out.families = std::vector<prometheus::MetricFamily>();
    store.Update([&](Snapshot& s) {
      TargetState& st = s.targets[key];
      st.key = key;
      st.schedule = cluster.schedule;
      st.rendered = rendered;
      st.observation = out.observation;
      st.error = out.error;
      st.sampled = true;
      st.last_sample_time = now;
      if (!out.error) st.last_success_time = now;
      st.last_duration_seconds = d;
      ++st.samples_total;
      if (out.error) ++st.failures_total;
    });
    // As the scheduler does after a publish. Its 5 s rate limit is in real
    // time; here samples are step_seconds apart in sample time but under a
    // second apart in real time, so the limit would skip most trims a
    // daemon sampling every 10 s does.
    ReleaseFreedMemory(a.step_seconds >= 5 ? 0.0 : 5.0);
    if (i < 3 || (i + 1) % 10 == 0 || i + 1 == a.cycles) {
      std::printf("# cycle %d: %.3fs cpu: collector=%.2fs mock=%.2fs "
                  "requests=%ld (%s) rss=%.1fMB heap=%.1fMB "
                  "groups_without_topics=%ld phases: %s%s\n",
                  i + 1, d, self_cpu, mock_cpu, req.total(),
                  req.Describe().c_str(), RssMb(), HeapMb(), unknown,
                  PhaseText(phases).c_str(),
                  out.error ? (" error=" + out.error->ToString()).c_str() : "");
      std::fflush(stdout);
    }
  }
  g_count_new_handles = false;
  if (a.exit_after_cycles) {
    std::printf("# rss after %d cycles: %.1fMB (exiting: --exit-after-cycles)\n",
                a.cycles, RssMb());
    std::fflush(stdout);
    // heaptrack streams its events from a timer thread: give it time to
    // write the frees of the last cycle, or they show as leaks.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::_Exit(0);
  }
  const double rss_after = RssMb();
  const double heap_after = HeapMb();
  const double peak = PeakMb();

  // /metrics: cold = the first scrape of a new snapshot version (the
  // targets' pre-rendered pieces are merged again), warm = the same
  // version; gzip as Prometheus asks for it.
  http::MetricsRenderer renderer(app, SystemClock::Get());
  std::vector<double> cold, warm, cold_gz, warm_gz;
  std::string body;
  std::size_t gz_bytes = 0;
  for (int k = 0; k < a.scrapes; ++k) {
    store.Update([](Snapshot&) {});
    auto ts = Clock::now();
    body = renderer.Render().value();
    cold.push_back(Since(ts) * 1000);
    store.Update([](Snapshot&) {});
    ts = Clock::now();
    auto gz = renderer.RenderGzip();
    cold_gz.push_back(Since(ts) * 1000);
    if (gz.ok()) gz_bytes = gz->size();
  }
  for (int k = 0; k < a.scrapes; ++k) {
    auto ts = Clock::now();
    std::string b = renderer.Render().value();
    warm.push_back(Since(ts) * 1000);
    ts = Clock::now();
    auto gz = renderer.RenderGzip();
    warm_gz.push_back(Since(ts) * 1000);
  }
  const long series = CountSeries(body);
  const double rss_after_scrapes = RssMb();
  // What is live, as opposed to freed but kept by the allocator.
  failwatch::ReleaseFreedMemory(0.0);
  const double rss_trimmed = RssMb();

  std::vector<double> committed, watermarks;
  for (const auto& p : steady_phases) {
    if (p.contains("committed")) committed.push_back(p.at("committed"));
    if (p.contains("watermarks")) watermarks.push_back(p.at("watermarks"));
  }
  std::vector<double> steady_req_d(steady_requests.begin(), steady_requests.end());

  std::printf("# first cycle: %.3fs requests=%ld (%s) phases: %s\n",
              first_cycle, first_requests.total(),
              first_requests.Describe().c_str(), PhaseText(first_phases).c_str());
  std::printf("# steady cycles: n=%zu median=%.3fs p90=%.3fs max=%.3fs; "
              "phases median: watermarks=%.3fs committed=%.3fs; requests median=%.0f "
              "max=%.0f; last: %s (%ld bytes)\n",
              steady.size(), Percentile(steady, 0.5), Percentile(steady, 0.9),
              Percentile(steady, 1.0), Percentile(watermarks, 0.5),
              Percentile(committed, 0.5), Percentile(steady_req_d, 0.5),
              Percentile(steady_req_d, 1.0), last_requests.Describe().c_str(),
              last_requests.bytes);
  std::printf("# rss: start=%.1fMB before_collector=%.1fMB after_first=%.1fMB "
              "after_%d_cycles=%.1fMB peak=%.1fMB after_scrapes=%.1fMB "
              "after_release=%.1fMB heap_after_cycles=%.1fMB (%s) "
              "mock_rss=%.1fMB\n",
              rss_start, rss_before, rss_after_first, a.cycles, rss_after, peak,
              rss_after_scrapes, rss_trimmed, heap_after,
              failwatch::AllocatorName(failwatch::ActiveAllocator()),
              mock.RssKb() / 1024.0);
  std::printf("# cpu: first cycle collector=%.2fs mock=%.2fs; steady cycles "
              "(sum of %zu) collector=%.2fs mock=%.2fs\n",
              first_cpu.first, first_cpu.second, steady.size(),
              steady_cpu.first, steady_cpu.second);
  std::printf("# /metrics: series=%ld dropped_by_cap_per_sample=%ld body=%.1fMB "
              "gzip=%.1fMB cold p50=%.1fms p99=%.1fms warm p50=%.1fms "
              "p99=%.1fms; gzip cold p50=%.1fms p99=%.1fms warm p50=%.1fms "
              "p99=%.1fms (%d each); publish render+deflate per sample "
              "median=%.0fms max=%.0fms\n",
              series, dropped, body.size() / 1048576.0, gz_bytes / 1048576.0,
              Percentile(cold, 0.5), Percentile(cold, 0.99),
              Percentile(warm, 0.5), Percentile(warm, 0.99),
              Percentile(cold_gz, 0.5), Percentile(cold_gz, 0.99),
              Percentile(warm_gz, 0.5), Percentile(warm_gz, 0.99), a.scrapes,
              Percentile(render_ms, 0.5), Percentile(render_ms, 1.0));
  std::printf("# every group's topics known after cycle %d (0 = never)\n",
              all_known_cycle);
  std::printf("# produce between cycles: %.2fs total; sample errors: %ld%s\n",
              produce_s, errors,
              errors ? (" (last: " + last_error + ")").c_str() : "");
  // One markdown row for the table (see bench/kafka_scale.sh).
  std::printf(
      "| %d | %d×%d = %ld | %ld | %s | %d | %s | %.2f | %.2f / %.2f | %ld / %.0f | %.0f → "
      "%.0f (peak %.0f, trimmed %.0f; %s, live heap %.0f) | %ld (+%ld over the cap) | %.0f | %.1f / %.1f "
      "(gzip %.1f / %.1f) | %.1f / %.1f (gzip %.1f / %.1f) |\n",
      a.groups, a.topics, a.partitions,
      static_cast<long>(a.topics) * a.partitions,
      static_cast<long>(a.groups) * a.partitions,
      a.known_topics ? "configured" : "probed", a.cycles,
      all_known_cycle ? std::to_string(all_known_cycle).c_str() : "not yet",
      first_cycle,
      Percentile(steady, 0.5), Percentile(steady, 1.0), first_requests.total(),
      Percentile(steady_req_d, 0.5), rss_before, rss_after, peak, rss_trimmed,
      failwatch::AllocatorName(failwatch::ActiveAllocator()), heap_after, series,
      dropped, Percentile(render_ms, 0.5), Percentile(cold, 0.5),
      Percentile(cold, 0.99), Percentile(cold_gz, 0.5), Percentile(cold_gz, 0.99),
      Percentile(warm, 0.5), Percentile(warm, 0.99), Percentile(warm_gz, 0.5),
      Percentile(warm_gz, 0.99));
  return errors > 0 ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The collector starts this binary as its Kafka admin worker.
  // As the daemon's main does (--default-allocator: glibc's defaults).
  bool default_allocator = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--default-allocator") {
      default_allocator = true;
    }
  }
  if (!default_allocator) failwatch::ConfigureAllocator();
  if (auto rc = failwatch::MaybeRunKafkaAdminWorker(argc, argv)) return *rc;
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto eq = arg.find('=');
    const std::string_view flag = arg.substr(0, eq);
    const char* v = eq == std::string_view::npos ? "" : argv[i] + eq + 1;
    if (flag == "--groups") a.groups = std::atoi(v);
    else if (flag == "--topics") a.topics = std::atoi(v);
    else if (flag == "--partitions") a.partitions = std::atoi(v);
    else if (flag == "--cycles") a.cycles = std::atoi(v);
    else if (flag == "--step-seconds") a.step_seconds = std::atoi(v);
    else if (flag == "--scrapes") a.scrapes = std::atoi(v);
    else if (flag == "--max-series") a.max_series = std::atol(v);
    else if (flag == "--brokers") a.brokers = std::atoi(v);
    else if (flag == "--deadline-seconds") a.deadline_seconds = std::atoi(v);
    else if (flag == "--topic-probe-minutes") a.topic_probe_minutes = std::atoi(v);
    else if (flag == "--known-topics") a.known_topics = true;
    else if (flag == "--exit-after-cycles") a.exit_after_cycles = true;
    else if (flag == "--default-allocator") {}  // handled first thing
    else if (flag == "--admin-worker") a.admin_worker = std::atoi(v) != 0;
    else if (flag == "--probe-budget") a.probe_budget = std::atol(v);
    else if (flag == "--fetch-concurrency") a.fetch_concurrency = std::atoi(v);
    else if (flag == "--watermark-slice") a.watermark_slice = std::atol(v);
    else if (flag == "--producers") a.producers = std::max(1, std::atoi(v));
    else if (flag == "--property") {
      const std::string kv = v;
      const auto e = kv.find('=');
      if (e != std::string::npos) a.properties[kv.substr(0, e)] = kv.substr(e + 1);
    }
    else {
      std::fprintf(stderr,
                   "usage: kafka_scale_bench --groups=G --topics=T "
                   "--partitions=P [--cycles=N] [--step-seconds=S] "
                   "[--scrapes=K] [--max-series=M] [--brokers=B] "
                   "[--producers=N] (more flags: see the parser)\n");
      return 2;
    }
  }
  if (a.groups <= 0 || a.topics <= 0 || a.partitions <= 0 || a.cycles < 2) {
    std::fprintf(stderr, "groups, topics, partitions > 0 and cycles >= 2\n");
    return 2;
  }
  return Run(a);
}
