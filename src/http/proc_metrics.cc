#include "http/proc_metrics.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "core/metric_builder.h"

namespace failwatch::http {
namespace {

Error Invalid(const std::string& what) {
  return MakeError(ErrorKind::kInvalid, "bad_proc_file", what);
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view text) {
  auto close = text.rfind(')');
  if (close == std::string_view::npos) return Invalid("stat: no ')'");
  // After ")": field 3 (state) is index 0, so field N is index N-3.
  auto fields = SplitSpaces(text.substr(close + 1));
  constexpr std::size_t kUtime = 14 - 3, kStime = 15 - 3, kStart = 22 - 3,
                        kVsize = 23 - 3, kRss = 24 - 3;
  if (fields.size() <= kRss) return Invalid("stat: too few fields");
  ProcStat s;
  if (!ParseNumber(fields[kUtime], s.utime_ticks) ||
      !ParseNumber(fields[kStime], s.stime_ticks) ||
      !ParseNumber(fields[kStart], s.starttime_ticks) ||
      !ParseNumber(fields[kVsize], s.vsize_bytes) ||
      !ParseNumber(fields[kRss], s.rss_pages)) {
    return Invalid("stat: non-numeric field");
  }
  return s;
}

Result<std::optional<std::uint64_t>> ParseMaxOpenFiles(std::string_view text) {
  constexpr std::string_view kName = "Max open files";
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.substr(0, kName.size()) != kName) continue;
    auto fields = SplitSpaces(line.substr(kName.size()));
    if (fields.empty()) return Invalid("limits: no soft limit");
    if (fields[0] == "unlimited") return std::optional<std::uint64_t>();
    std::uint64_t v = 0;
    if (!ParseNumber(fields[0], v)) return Invalid("limits: bad soft limit");
    return std::optional<std::uint64_t>(v);
  }
  return std::optional<std::uint64_t>();
}

Result<std::uint64_t> ParseBootTime(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto fields = SplitSpaces(text.substr(pos, end - pos));
    pos = end + 1;
    if (fields.size() == 2 && fields[0] == "btime") {
      std::uint64_t v = 0;
      if (!ParseNumber(fields[1], v)) return Invalid("stat: bad btime");
      return v;
    }
  }
  return Invalid("stat: no btime line");
}

ProcessMetrics ComputeProcessMetrics(const ProcStat& stat,
                                     std::uint64_t boot_time,
                                     long ticks_per_second, long page_size) {
  const double ticks = static_cast<double>(ticks_per_second);
  ProcessMetrics m;
  m.cpu_seconds_total =
      static_cast<double>(stat.utime_ticks + stat.stime_ticks) / ticks;
  m.resident_memory_bytes =
      static_cast<double>(stat.rss_pages) * static_cast<double>(page_size);
  m.virtual_memory_bytes = static_cast<double>(stat.vsize_bytes);
  m.start_time_seconds = static_cast<double>(boot_time) +
                         static_cast<double>(stat.starttime_ticks) / ticks;
  return m;
}

std::vector<prometheus::MetricFamily> ProcessFamilies(const ProcessMetrics& m) {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(
      SingleSample(FamilyBuilder::Counter(
                       "process_cpu_seconds_total",
                       "Total user and system CPU time spent in seconds."),
                   {}, m.cpu_seconds_total));
  out.push_back(
      SingleSample(FamilyBuilder::Gauge("process_resident_memory_bytes",
                                        "Resident memory size in bytes."),
                   {}, m.resident_memory_bytes));
  out.push_back(
      SingleSample(FamilyBuilder::Gauge("process_virtual_memory_bytes",
                                        "Virtual memory size in bytes."),
                   {}, m.virtual_memory_bytes));
  out.push_back(SingleSample(
      FamilyBuilder::Gauge(
          "process_start_time_seconds",
          "Start time of the process since unix epoch in seconds."),
      {}, m.start_time_seconds));
  if (m.open_fds) {
    out.push_back(
        SingleSample(FamilyBuilder::Gauge("process_open_fds",
                                          "Number of open file descriptors."),
                     {}, *m.open_fds));
  }
  if (m.max_fds) {
    out.push_back(SingleSample(
        FamilyBuilder::Gauge("process_max_fds",
                             "Maximum number of open file descriptors."),
        {}, *m.max_fds));
  }
  return out;
}

std::vector<prometheus::MetricFamily> AllocatorFamilies(
    const AllocatorStats& s) {
  std::vector<prometheus::MetricFamily> out;
  const Labels labels{{"allocator", AllocatorName(s.allocator)}};
  if (s.allocated_bytes >= 0) {
    out.push_back(SingleSample(
        FamilyBuilder::Gauge("failwatch_heap_allocated_bytes",
                             "Bytes allocated by failwatch and not freed, as "
                             "its allocator counts them."),
        labels, static_cast<double>(s.allocated_bytes)));
  }
  if (s.resident_bytes >= 0) {
    out.push_back(SingleSample(
        FamilyBuilder::Gauge("failwatch_heap_resident_bytes",
                             "Bytes the allocator holds mapped for the heap: "
                             "allocated, free but not returned, and its own "
                             "metadata."),
        labels, static_cast<double>(s.resident_bytes)));
  }
  return out;
}

std::vector<prometheus::MetricFamily> ReadProcessFamilies() {
  ProcessMetrics m;
  auto stat_text = ReadFile("/proc/self/stat");
  auto boot_text = ReadFile("/proc/stat");
  Result<ProcStat> stat = stat_text ? ParseProcStat(*stat_text)
                                    : Result<ProcStat>(Invalid("unreadable"));
  Result<std::uint64_t> boot =
      boot_text ? ParseBootTime(*boot_text)
                : Result<std::uint64_t>(Invalid("unreadable"));
  if (!stat.ok() || !boot.ok()) {
    spdlog::debug("process metrics unavailable error=\"{}\"",
                  (!stat.ok() ? stat.error() : boot.error()).ToString());
    return {};
  }
  m = ComputeProcessMetrics(*stat, *boot, sysconf(_SC_CLK_TCK),
                            sysconf(_SC_PAGESIZE));

  std::error_code ec;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++fds;
  }
  // The directory iterator's own descriptor is counted too, as in the Go
  // client (it reads the directory the same way).
  if (!ec) m.open_fds = static_cast<double>(fds);

  if (auto limits = ReadFile("/proc/self/limits")) {
    auto max = ParseMaxOpenFiles(*limits);
    if (max.ok() && max->has_value()) {
      m.max_fds = static_cast<double>(**max);
    }
  }
  std::vector<prometheus::MetricFamily> out = ProcessFamilies(m);
  for (auto& f : AllocatorFamilies(ReadAllocatorStats())) {
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace failwatch::http
