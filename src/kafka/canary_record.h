// The canary record's value: a version tag, the producing run, a sequence,
// the wall-clock send time and the instance id (last, so it may hold
// spaces). Replicas sharing the topic skip each other's records by
// instance and run; a restarted failwatch skips its earlier run's.
//   "failwatch-canary/1 <run> <seq> <sent unix ms> <instance id>"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace failwatch {

struct CanaryRecord {
  std::string run;  // no spaces
  std::uint64_t seq = 0;
  std::int64_t sent_unix_ms = 0;
  std::string instance_id;
  bool operator==(const CanaryRecord&) const = default;
};

std::string EncodeCanaryRecord(const CanaryRecord& r);
// nullopt for anything else (another producer's record on the topic).
std::optional<CanaryRecord> DecodeCanaryRecord(std::string_view value);

}  // namespace failwatch
