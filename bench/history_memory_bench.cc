// Memory of the Kafka collector's per-partition histories when full: what
// 100 000 group-partitions' status histories and 100 000 partitions'
// end-offset histories hold once every partition has been produced to for
// longer than the status window. The scale benchmark cannot get there (it
// takes ~2 min to produce to 100 000 mock partitions, and the windows need
// 64 samples), so this fills the same classes with the same calls the
// tracker makes, at the default settings, and reads glibc's heap counters.
// It measures; it asserts nothing. Public API only, so the same file builds
// against an older checkout to compare (docs/reference/kafka.md).
//
//   history_memory_bench [N]   (default 100000)
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kafka/offset_history.h"
#include "kafka/partition_status.h"

namespace {

using failwatch::OffsetHistory;
using failwatch::StatusHistory;
using failwatch::WallTime;
using std::chrono::seconds;

double HeapMb() {
  const struct mallinfo2 mi = ::mallinfo2();
  return static_cast<double>(mi.uordblks + mi.hblkhd) / 1e6;
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
  for (int s = 0; s < samples; ++s) {
    for (long i = 0; i < n; ++i) {
      const std::int64_t high = 1'000'000 + 50LL * s + i;
      status[static_cast<std::size_t>(i)].Record(
          {t0 + every * s, high - 40, high, 40});
    }
  }
  const double h1 = HeapMb();
  std::vector<OffsetHistory> offsets;
  offsets.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) offsets.emplace_back(64);
  for (int s = 0; s < samples; ++s) {
    for (long i = 0; i < n; ++i) {
      offsets[static_cast<std::size_t>(i)].Record(t0 + every * s,
                                                  1'000'000 + 50LL * s + i);
    }
  }
  const double h2 = HeapMb();
  std::size_t status_points = 0;
  for (const auto& h : status) {
    status_points += h.WindowPoints(t0 + every * (samples - 1)).size();
  }
  std::size_t offset_points = 0;
  for (const auto& h : offsets) offset_points += h.points().size();

  std::printf(
      "| histories | status points (window) | status heap MB | bytes per "
      "status history | end-offset points | end-offset heap MB | bytes per "
      "end-offset history | both MB |\n|---|---|---|---|---|---|---|---|\n");
  std::printf(
      "| %ld + %ld | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f | %.1f |\n", n, n,
      static_cast<double>(status_points) / n, h1 - h0, (h1 - h0) * 1e6 / n,
      static_cast<double>(offset_points) / n, h2 - h1, (h2 - h1) * 1e6 / n,
      h2 - h0);
  return 0;
}
