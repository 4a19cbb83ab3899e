// Process metrics with the names and meanings of the Go client's process
// collector, read from /proc/self. Parsing is split from reading so the
// parsers can be tested with literal file contents.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/memory_release.h"
#include "core/result.h"

namespace failwatch::http {

// The fields of /proc/self/stat that the process metrics need, in the units
// of the file (clock ticks, bytes, pages).
struct ProcStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t starttime_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};

// Parses /proc/<pid>/stat. The command name (field 2) may contain spaces and
// parentheses, so fields are counted from the last ')'.
Result<ProcStat> ParseProcStat(std::string_view text);

// The soft "Max open files" limit from /proc/<pid>/limits; nullopt when the
// line is missing or "unlimited".
Result<std::optional<std::uint64_t>> ParseMaxOpenFiles(std::string_view text);

// "btime" (boot time, Unix seconds) from /proc/stat.
Result<std::uint64_t> ParseBootTime(std::string_view text);

struct ProcessMetrics {
  double cpu_seconds_total = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double start_time_seconds = 0;
  std::optional<double> open_fds;
  std::optional<double> max_fds;
};

ProcessMetrics ComputeProcessMetrics(const ProcStat& stat,
                                     std::uint64_t boot_time,
                                     long ticks_per_second, long page_size);

// Reads /proc/self. Parts that cannot be read are left out (logged at
// debug): a scrape never fails because of them.
std::vector<prometheus::MetricFamily> ReadProcessFamilies();

std::vector<prometheus::MetricFamily> ProcessFamilies(const ProcessMetrics& m);

// failwatch_heap_*: what the allocator says it holds for the application
// and keeps resident, labelled with its name, so RSS growth can be told
// apart as live data (a leak or a bigger topology) or the allocator's
// retention. Figures the allocator does not give (-1) are left out.
std::vector<prometheus::MetricFamily> AllocatorFamilies(
    const AllocatorStats& s);

}  // namespace failwatch::http
