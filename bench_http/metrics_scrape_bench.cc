// /metrics at scale: a synthetic snapshot of Kafka-like targets (200 000
// series by default), published once, then scraped through the Router as
// Prometheus does, plain and with Accept-Encoding: gzip. "cold" = the first
// scrape after a new snapshot version (another target published), "warm" =
// the same version again. Prints p50/p99 per case, what a publish costs
// (prometheus-cpp's TextSerializer vs core/text_format, deflate) and the
// memory the published state holds.
//
//   metrics_scrape_bench [--series=200000] [--scrapes=30]
#include <malloc.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "http/site_source.h"
#include "core/gzip_segments.h"
#include "core/metric_builder.h"
#include "core/rendered_families.h"
#include "core/snapshot.h"
#include "core/text_format.h"
#include "http/router.h"

namespace failwatch {
namespace {

using BenchClock = std::chrono::steady_clock;

double MsSince(BenchClock::time_point t) {
  return std::chrono::duration<double, std::milli>(BenchClock::now() - t)
      .count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i =
      static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Live heap (brk and mmap), independent of what the allocator keeps.
double HeapMb() {
  const struct mallinfo2 mi = ::mallinfo2();
  return static_cast<double>(mi.uordblks + mi.hblkhd) / 1048576.0;
}

double RssMb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / 1048576.0;
}

class BenchAppState : public http::SiteSource {
 public:
  explicit BenchAppState(SnapshotStore& store) : store_(store) {}
  std::shared_ptr<const Snapshot> CurrentSnapshot() const override {
    return store_.Current();
  }
  SteadyTime SchedulerHeartbeat() const override {
    return std::chrono::steady_clock::now();
  }
  nlohmann::json ConfigSummary() const override { return {}; }
  http::ReloadStatus Reload() const override { return {}; }
  WallTime StartTime() const override { return WallTime{}; }

 private:
  SnapshotStore& store_;
};

// One Kafka cluster's per-partition families, shaped like the collector's:
// watermarks and leader per topic partition, six families per consumed
// group partition (offsets are large integers, lag seconds fractional).
std::vector<prometheus::MetricFamily> KafkaFamilies(const std::string& cluster,
                                                    long series) {
  const int partitions = 32;
  const int groups_per_topic = 2;
  // 3 + 6 * groups_per_topic series per topic partition.
  const long per_tp = 3 + 6 * groups_per_topic;
  const long topics = std::max<long>(1, series / (per_tp * partitions));
  auto high = FamilyBuilder::Gauge("failwatch_kafka_partition_high_watermark",
                                   "High watermark of the partition.");
  auto low = FamilyBuilder::Gauge("failwatch_kafka_partition_low_watermark",
                                  "Low watermark of the partition.");
  auto leader = FamilyBuilder::Gauge("failwatch_kafka_partition_leader",
                                     "Broker id leading the partition.");
  auto committed =
      FamilyBuilder::Gauge("failwatch_kafka_group_partition_committed_offset",
                           "Committed offset of the group on the partition.");
  auto has_commit = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_has_commit",
      "1 if the group has a committed offset on the partition.");
  auto lag = FamilyBuilder::Gauge("failwatch_kafka_group_partition_lag",
                                  "Lag of the group on the partition.");
  auto lag_s =
      FamilyBuilder::Gauge("failwatch_kafka_group_partition_lag_seconds",
                           "Lag of the group on the partition, in seconds.");
  auto lower = FamilyBuilder::Gauge(
      "failwatch_kafka_group_partition_lag_seconds_is_lower_bound",
      "1 if the lag in seconds is a lower bound.");
  auto status =
      FamilyBuilder::Gauge("failwatch_kafka_group_partition_status_code",
                           "Partition status of the group: 0 OK ... 5 ERR.");
  for (long t = 0; t < topics; ++t) {
    const std::string topic = "orders.events.v" + std::to_string(t);
    for (int p = 0; p < partitions; ++p) {
      const std::string part = std::to_string(p);
      const double hw = 1'000'000'000.0 + t * 7919 + p * 104729;
      const Labels tp{
          {"cluster", cluster}, {"topic", topic}, {"partition", part}};
      high.Add(tp, hw);
      low.Add(tp, hw - 5'000'000);
      leader.Add(tp, p % 5);
      for (int g = 0; g < groups_per_topic; ++g) {
        const Labels gp{
            {"cluster", cluster},
            {"group", "consumer-" + std::to_string(g) + "-of-" + topic},
            {"topic", topic},
            {"partition", part}};
        const double l = (t * 31 + p * 17 + g) % 5000;
        committed.Add(gp, hw - l);
        has_commit.Add(gp, 1);
        lag.Add(gp, l);
        lag_s.Add(gp, l * 0.0137);
        lower.Add(gp, 0);
        status.Add(gp, l > 4000 ? 2 : 0);
      }
    }
  }
  std::vector<prometheus::MetricFamily> out;
  for (auto* b : {&high, &low, &leader, &committed, &has_commit, &lag, &lag_s,
                  &lower, &status}) {
    std::move(*b).MoveTo(out);
  }
  return out;
}

// What a publish stores in the target's state: the scheduler's step.
void Publish(SnapshotStore& store, const TargetKey& key,
             std::vector<prometheus::MetricFamily> families) {
  auto rendered = RenderFamilies(families);
  families = {};
  store.Update([&](Snapshot& s) {
    TargetState& st = s.targets[key];
    st.key = key;
    st.schedule.interval = Millis(15000);
    st.schedule.timeout = Millis(10000);
    st.rendered = rendered;
    st.sampled = true;
    st.samples_total++;
  });
}

struct Args {
  long series = 200'000;
  int scrapes = 30;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--series=", 9) == 0) {
      a.series = std::atol(argv[i] + 9);
    } else if (std::strncmp(argv[i], "--scrapes=", 10) == 0) {
      a.scrapes = std::atoi(argv[i] + 10);
    } else {
      std::fprintf(stderr, "usage: %s [--series=N] [--scrapes=N]\n", argv[0]);
      std::exit(2);
    }
  }
  return a;
}

int Main(int argc, char** argv) {
  const Args a = ParseArgs(argc, argv);
  SnapshotStore store;
  BenchAppState app(store);
  const std::vector<std::string> clusters = {"main", "analytics"};

  ::malloc_trim(0);
  const double rss_start = RssMb();
  const double heap_start = HeapMb();
  std::vector<double> publish_ms;
  for (const auto& c : clusters) {
    auto families =
        KafkaFamilies(c, a.series / static_cast<long>(clusters.size()));
    const auto t = BenchClock::now();
    Publish(store, {"kafka", c}, std::move(families));
    publish_ms.push_back(MsSince(t));
  }
  // Small, frequent targets: each of their publishes is a new version.
  for (const char* db : {"orders", "billing"}) {
    std::vector<prometheus::MetricFamily> f;
    f.push_back(SingleSample(FamilyBuilder::Gauge("failwatch_dns_up", "Up."),
                             {{"target", db}}, 1));
    Publish(store, {"dns", db}, std::move(f));
  }
  ::malloc_trim(0);
  const double rss_published = RssMb();
  const double heap_published = HeapMb();

  // Where a publish's time goes, on one Kafka target's families.
  double serializer_ms = 0, writer_ms = 0, deflate_ms = 0, text_mb = 0;
  bool same_text = false;
  {
    const auto sample = KafkaFamilies("main", a.series / 2);
    auto t = BenchClock::now();
    std::ostringstream serialized;
    prometheus::TextSerializer().Serialize(serialized, sample);
    serializer_ms = MsSince(t);
    t = BenchClock::now();
    const std::string text = FamiliesText(sample);
    writer_ms = MsSince(t);
    t = BenchClock::now();
    SegmentCompressor compressor;
    const auto deflated = compressor.Deflate(text);
    deflate_ms = MsSince(t);
    text_mb = text.size() / 1048576.0;
    same_text = deflated.ok() && serialized.str() == text;
  }

  http::Router router({}, app, SystemClock::Get());
  http::Request plain{"GET", "/metrics", "", ""};
  http::Request gzip{"GET", "/metrics", "gzip", ""};
  std::size_t plain_bytes = 0, gzip_bytes = 0;
  long series = 0;

  auto scrape = [&](const http::Request& r, bool cold) {
    if (cold) Publish(store, {"dns", "orders"}, {});
    const auto t = BenchClock::now();
    http::Response resp = router.Handle(r);
    const double ms = MsSince(t);
    if (r.accept_encoding.empty()) {
      plain_bytes = resp.body.size();
      series = std::count(resp.body.begin(), resp.body.end(), '\n');
    } else {
      gzip_bytes = resp.body.size();
    }
    return ms;
  };
  struct Case {
    const char* name;
    const http::Request* req;
    bool cold;
    std::vector<double> ms;
  };
  std::vector<Case> cases = {{"plain cold", &plain, true, {}},
                             {"plain warm", &plain, false, {}},
                             {"gzip  cold", &gzip, true, {}},
                             {"gzip  warm", &gzip, false, {}}};
  for (auto& c : cases) {
    scrape(*c.req, c.cold);  // not counted: first use of the buffers
    for (int i = 0; i < a.scrapes; ++i) c.ms.push_back(scrape(*c.req, c.cold));
  }
  ::malloc_trim(0);
  const double rss_after = RssMb();

  std::printf(
      "# series≈%ld (lines incl. HELP/TYPE) plain=%.1fMB gzip=%.2fMB "
      "ratio=%.1fx\n",
      series, plain_bytes / 1048576.0, gzip_bytes / 1048576.0,
      gzip_bytes ? static_cast<double>(plain_bytes) / gzip_bytes : 0.0);
  std::printf("# publish (per Kafka target, %zu targets): max=%.1fms\n",
              publish_ms.size(),
              *std::max_element(publish_ms.begin(), publish_ms.end()));
  std::printf(
      "# one Kafka target (%.1fMB text): TextSerializer=%.1fms "
      "text_format=%.1fms (%.1fx) deflate=%.1fms (%s)\n",
      text_mb, serializer_ms, writer_ms, serializer_ms / writer_ms, deflate_ms,
      same_text ? "same text" : "DIFFERENT TEXT");
  std::printf(
      "# published state: heap=%.1fMB rss=%.1fMB (rss after "
      "malloc_trim: start=%.1fMB published=%.1fMB "
      "after_scrapes=%.1fMB)\n",
      heap_published - heap_start, rss_published - rss_start, rss_start,
      rss_published, rss_after);
  std::printf("%-12s %9s %9s %9s (%d scrapes each)\n", "case", "p50_ms",
              "p99_ms", "max_ms", a.scrapes);
  for (const auto& c : cases) {
    std::printf("%-12s %9.1f %9.1f %9.1f\n", c.name, Percentile(c.ms, 0.5),
                Percentile(c.ms, 0.99), Percentile(c.ms, 1.0));
  }
  return 0;
}

}  // namespace
}  // namespace failwatch

int main(int argc, char** argv) { return failwatch::Main(argc, argv); }
