// Memory of the Kafka collector's per-partition histories when full: what
// 100 000 group-partitions' status histories and 100 000 partitions'
// end-offset histories (and N / 10 groups' rate rings, 10 partitions a
// group) hold once every partition has been produced to for
// longer than the status window, in 4 s: it fills the same classes with
// the same calls the tracker makes, at the default settings, with steadier
// traffic than the mock's (50 messages a sample, not 1), and reads glibc's
// heap counters. bench/kafka_scale.sh measures the whole collector with
// full histories (70 cycles, ~15 min).
// It measures; it asserts nothing. Public API only, so the same file builds
// against an older checkout to compare (docs/reference/kafka.md).
//
//   history_memory_bench [N]   (default 100000)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/memory_release.h"
#include "kafka/group_rates.h"
#include "kafka/kafka_options.h"
#include "kafka/offset_history.h"
#include "kafka/partition_status.h"

namespace {

using failwatch::GroupRatePoint;
using failwatch::GroupRateRing;
using failwatch::KafkaOptions;
using failwatch::OffsetHistory;
using failwatch::StatusHistory;
using failwatch::WallTime;
using std::chrono::seconds;

using Steady = std::chrono::steady_clock;

double NsPer(Steady::time_point t0, double calls) {
  return std::chrono::duration<double, std::nano>(Steady::now() - t0).count() /
         calls;
}

double HeapMb() {
  return static_cast<double>(failwatch::ReadAllocatorStats().allocated_bytes) /
         1e6;
}

struct RingFigures {
  long rings = 0;
  double points = 0;  // per ring
  double mb = 0;
  double record_ns = 0;
  double read_ns = 0;
};

// Rate rings as KafkaTracker::RecordRates builds and fills them, one per
// group: 10 partitions each, committed growing by ~50 messages a second,
// lag ~40 (sum ~400) and wobbling.
RingFigures MeasureRings(long groups, WallTime t0, seconds every, int samples) {
  const KafkaOptions o;
  const auto n = static_cast<std::size_t>(groups);
  RingFigures f;
  f.rings = groups;
  const double h0 = HeapMb();
  std::vector<GroupRateRing> rings;
  rings.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    rings.emplace_back(
        o.rate_window,
        std::max({o.rate_history, o.rate_window, o.stopped_after}),
        o.rate_points);
  }
  std::vector<std::int64_t> committed(n, 1'000'000'000);
  std::uint64_t rng = 42;
  auto next = [&rng](int mod) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((rng >> 33) % static_cast<unsigned>(mod));
  };
  auto t = Steady::now();
  for (int s = 0; s < samples; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      committed[i] += 400 + next(200);  // ~50/s over 10 s
      const std::int64_t lag = 300 + next(200);
      rings[i].Record(
          {t0 + every * s, committed[i], committed[i] + lag, lag, false});
    }
  }
  f.record_ns = NsPer(t, static_cast<double>(groups) * samples);
  f.mb = HeapMb() - h0;
  t = Steady::now();
  std::size_t points = 0;
  for (const auto& r : rings) points += r.points().size();
  f.read_ns = NsPer(t, static_cast<double>(groups));
  f.points = static_cast<double>(points) / static_cast<double>(groups);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  if (n <= 0) {
    std::fprintf(stderr, "usage: history_memory_bench [N > 0]\n");
    return 2;
  }
  const WallTime t0 = WallTime(seconds(1'700'000'000));
  const auto every = seconds(10);  // a 10 s sample interval
  const int samples = 200;         // 33 min: past the 10 min window and 64

  const double h0 = HeapMb();
  std::vector<StatusHistory> status;
  status.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i)
    status.emplace_back(std::chrono::minutes(10), 20);
  const double calls = static_cast<double>(n) * samples;
  auto t = Steady::now();
  for (int s = 0; s < samples; ++s) {
    for (long i = 0; i < n; ++i) {
      const std::int64_t high = 1'000'000 + 50LL * s + i;
      status[static_cast<std::size_t>(i)].Record(
          {t0 + every * s, high - 40, high, 40});
    }
  }
  const double status_record_ns = NsPer(t, calls);
  const double h1 = HeapMb();
  std::vector<OffsetHistory> offsets;
  offsets.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) offsets.emplace_back(64);
  t = Steady::now();
  for (int s = 0; s < samples; ++s) {
    for (long i = 0; i < n; ++i) {
      offsets[static_cast<std::size_t>(i)].Record(t0 + every * s,
                                                  1'000'000 + 50LL * s + i);
    }
  }
  const double offset_record_ns = NsPer(t, calls);
  const double h2 = HeapMb();
  // Reads as the tracker does every sample: each group-partition's window,
  // each partition's points.
  t = Steady::now();
  std::size_t status_points = 0;
  for (const auto& h : status) {
    status_points += h.WindowPoints(t0 + every * (samples - 1)).size();
  }
  const double status_read_ns = NsPer(t, static_cast<double>(n));
  t = Steady::now();
  std::size_t offset_points = 0;
  for (const auto& h : offsets) offset_points += h.points().size();
  const double offset_read_ns = NsPer(t, static_cast<double>(n));

  std::printf(
      "| histories | status points (window) | status heap MB | bytes per "
      "status history | end-offset points | end-offset heap MB | bytes per "
      "end-offset history | both MB |\n|---|---|---|---|---|---|---|---|\n");
  std::printf(
      "| %ld + %ld | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f | %.1f |\n", n, n,
      static_cast<double>(status_points) / n, h1 - h0, (h1 - h0) * 1e6 / n,
      static_cast<double>(offset_points) / n, h2 - h1, (h2 - h1) * 1e6 / n,
      h2 - h0);
  std::printf(
      "\nns per call (full histories): status Record %.0f, WindowPoints "
      "%.0f; end-offset Record %.0f, points %.0f\n",
      status_record_ns, status_read_ns, offset_record_ns, offset_read_ns);
  RingFigures rings = MeasureRings(n / 10 > 0 ? n / 10 : 1, t0, every, samples);
  std::printf(
      "\n| rate rings | points | heap MB | bytes per ring | ns per Record | "
      "ns per points() |\n|---|---|---|---|---|---|\n| %ld | %.1f | %.1f | "
      "%.0f | %.0f | %.0f |\n",
      rings.rings, rings.points, rings.mb, rings.mb * 1e6 / rings.rings,
      rings.record_ns, rings.read_ns);
  return 0;
}
