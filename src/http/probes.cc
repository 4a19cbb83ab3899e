#include "http/probes.h"

#include <cstdio>

namespace failwatch::http {

ProbeResult CheckLiveness(SteadyTime heartbeat, SteadyTime now,
                          Millis max_heartbeat_age) {
  auto age = now - heartbeat;
  if (age <= max_heartbeat_age) return {true, "ok"};
  char buf[160];
  std::snprintf(
      buf, sizeof(buf), "scheduler heartbeat is %.1fs old (limit %.1fs)",
      ToSeconds(age), std::chrono::duration<double>(max_heartbeat_age).count());
  return {false, buf};
}

ProbeResult CheckReadiness(const Snapshot& snapshot,
                           const ReadinessCheck& extra) {
  std::string unsampled;
  for (const auto& [key, state] : snapshot.targets) {
    if (state.sampled) continue;
    unsampled += unsampled.empty() ? "" : ", ";
    unsampled += key.kind + "/" + key.target;
  }
  if (!unsampled.empty()) {
    return {false, "not sampled yet: " + unsampled};
  }
  if (extra) {
    if (auto reason = extra()) return {false, *reason};
  }
  return {true, "ok"};
}

}  // namespace failwatch::http
