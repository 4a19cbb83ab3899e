// kafka[].canary: an end-to-end probe that produces a small record to a
// canary topic every interval and consumes it with failwatch's own group
// (see canary_runner.h). Off unless configured.
#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"

namespace failwatch {

struct KafkaCanaryConfig {
  bool enabled = false;
  std::string topic = "failwatch-canary";
  // A record not consumed this long after it was produced is lost.
  Millis sla = std::chrono::seconds(10);
  // Create the topic (one partition per broker) when it does not exist;
  // otherwise failwatch never creates it.
  bool create = false;
  // Set by the app (not a config key): records carry it, so replicas
  // sharing the topic each count their own; the group is derived from it.
  std::string instance_id;
  bool operator==(const KafkaCanaryConfig&) const = default;
};

}  // namespace failwatch
