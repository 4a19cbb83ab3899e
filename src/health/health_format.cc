#include "health/health_format.h"

#include <spdlog/fmt/fmt.h>

#include <ctime>

namespace failwatch {
namespace {

bool Split(WallTime t, std::tm& tm, long long& millis) {
  if (t == WallTime{}) return false;
  const auto ms = std::chrono::duration_cast<Millis>(t.time_since_epoch());
  long long total = ms.count();
  long long secs = total / 1000;
  millis = total % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  return gmtime_r(&tt, &tm) != nullptr;
}

}  // namespace

std::string FormatUtc(WallTime t) {
  std::tm tm{};
  long long millis = 0;
  if (!Split(t, tm, millis)) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, millis);
}

std::string FormatClock(WallTime t) {
  std::tm tm{};
  long long millis = 0;
  if (!Split(t, tm, millis)) return "?";
  return fmt::format("{:02}:{:02}:{:02}Z", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

nlohmann::json TimeJson(WallTime t) {
  if (t == WallTime{}) return nullptr;
  return FormatUtc(t);
}

std::string FormatAgo(WallTime then, WallTime now) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - then);
  return fmt::format("{} s", secs.count() < 0 ? 0 : secs.count());
}

std::string CountOf(long long n, const std::string& noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string Join(const std::vector<std::string>& items,
                 const std::string& sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string HostOfAddress(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    auto end = address.find(']');
    return end == std::string::npos ? address : address.substr(1, end - 1);
  }
  auto colon = address.rfind(':');
  // More than one colon without brackets: a bare IPv6 literal.
  if (colon == std::string::npos || address.find(':') != colon) {
    return address;
  }
  return address.substr(0, colon);
}

}  // namespace failwatch
