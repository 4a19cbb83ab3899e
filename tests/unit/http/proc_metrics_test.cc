#include "http/proc_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace failwatch::http {
namespace {

// Field 2 holds spaces and parentheses: fields must be counted from the
// last ')'.
constexpr const char* kStat =
    "12345 (my (weird) prog) S 1 12345 12345 0 -1 4194560 1000 0 0 0 250 150 "
    "0 0 20 0 4 0 123456 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 "
    "0 0 0 0 17 1 0 0 0 0 0\n";

constexpr const char* kLimits =
    "Limit                     Soft Limit           Hard Limit           Units"
    "     \n"
    "Max cpu time              unlimited            unlimited            "
    "seconds   \n"
    "Max open files            1024                 524288               "
    "files     \n"
    "Max locked memory         8388608              8388608              "
    "bytes     \n";

constexpr const char* kProcStat =
    "cpu  1 2 3 4 5 6 7 0 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 987654\n"
    "btime 1700000000\n"
    "processes 4242\n";

TEST(ProcStatTest, ParsesFieldsAfterTheCommandName) {
  auto s = ParseProcStat(kStat);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 150u);
  EXPECT_EQ(s->starttime_ticks, 123456u);
  EXPECT_EQ(s->vsize_bytes, 104857600u);
  EXPECT_EQ(s->rss_pages, 2560);
}

TEST(ProcStatTest, RejectsTruncatedAndGarbage) {
  EXPECT_FALSE(ParseProcStat("12345 (prog) S 1 2 3").ok());
  EXPECT_FALSE(ParseProcStat("no parenthesis at all").ok());
  std::string bad = kStat;
  bad.replace(bad.find(" 250 "), 5, " x50 ");
  EXPECT_FALSE(ParseProcStat(bad).ok());
}

TEST(ProcLimitsTest, ReadsTheSoftOpenFilesLimit) {
  auto max = ParseMaxOpenFiles(kLimits);
  ASSERT_TRUE(max.ok());
  ASSERT_TRUE(max->has_value());
  EXPECT_EQ(**max, 1024u);
}

TEST(ProcLimitsTest, UnlimitedAndMissingGiveNothing) {
  auto unlimited = ParseMaxOpenFiles(
      "Max open files            unlimited            unlimited files\n");
  ASSERT_TRUE(unlimited.ok());
  EXPECT_FALSE(unlimited->has_value());
  auto missing = ParseMaxOpenFiles("Max cpu time unlimited unlimited s\n");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE(ParseMaxOpenFiles("Max open files  lots  lots files\n").ok());
}

TEST(ProcBootTimeTest, FindsBtime) {
  auto b = ParseBootTime(kProcStat);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, 1700000000u);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").ok());
}

TEST(ProcessMetricsTest, ConvertsTicksAndPages) {
  auto s = ParseProcStat(kStat);
  ASSERT_TRUE(s.ok());
  ProcessMetrics m = ComputeProcessMetrics(*s, 1700000000, 100, 4096);
  EXPECT_DOUBLE_EQ(m.cpu_seconds_total, 4.0);
  EXPECT_DOUBLE_EQ(m.resident_memory_bytes, 2560.0 * 4096);
  EXPECT_DOUBLE_EQ(m.virtual_memory_bytes, 104857600.0);
  EXPECT_DOUBLE_EQ(m.start_time_seconds, 1700000000.0 + 1234.56);
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  auto families = ReadProcessFamilies();
  auto find = [&](const std::string& name) -> const prometheus::MetricFamily* {
    auto it = std::find_if(families.begin(), families.end(),
                           [&](const auto& f) { return f.name == name; });
    return it == families.end() ? nullptr : &*it;
  };
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds"}) {
    ASSERT_NE(find(name), nullptr) << name;
    ASSERT_EQ(find(name)->metric.size(), 1u) << name;
  }
  EXPECT_GE(find("process_open_fds")->metric[0].gauge.value, 3);
  EXPECT_GT(find("process_resident_memory_bytes")->metric[0].gauge.value, 0);
  // Started within the last day, not at the epoch or in the future.
  double start = find("process_start_time_seconds")->metric[0].gauge.value;
  double now = std::chrono::duration<double>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 86400);
  // The allocator's own figures, whichever allocator this binary runs on
  // (none under a sanitizer).
  if (ActiveAllocator() != Allocator::kOther) {
    const auto* heap = find("failwatch_heap_allocated_bytes");
    ASSERT_NE(heap, nullptr);
    ASSERT_EQ(heap->metric.size(), 1u);
    EXPECT_GT(heap->metric[0].gauge.value, 0);
    EXPECT_EQ(heap->metric[0].label[0].value, AllocatorName(ActiveAllocator()));
  }
}

TEST(AllocatorFamiliesTest, NamesTheAllocatorAndLeavesOutWhatItDoesNotSay) {
  const auto both = AllocatorFamilies({Allocator::kJemalloc, 1000, 4096});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].name, "failwatch_heap_allocated_bytes");
  EXPECT_EQ(both[0].metric[0].gauge.value, 1000);
  EXPECT_EQ(both[1].name, "failwatch_heap_resident_bytes");
  EXPECT_EQ(both[1].metric[0].gauge.value, 4096);
  ASSERT_EQ(both[1].metric[0].label.size(), 1u);
  EXPECT_EQ(both[1].metric[0].label[0].name, "allocator");
  EXPECT_EQ(both[1].metric[0].label[0].value, "jemalloc");

  const auto unknown = AllocatorFamilies({Allocator::kOther, -1, -1});
  EXPECT_TRUE(unknown.empty());
  const auto glibc = AllocatorFamilies({Allocator::kGlibc, 10, -1});
  ASSERT_EQ(glibc.size(), 1u);
  EXPECT_EQ(glibc[0].metric[0].label[0].value, "glibc");
}

}  // namespace
}  // namespace failwatch::http
