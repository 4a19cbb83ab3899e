// Per-endpoint state that persists across samples: the current answer,
// counters and the bounded answer history. Pure: it is fed lookup results
// and times, so change counting is tested without a network.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/clock.h"
#include "core/host_port.h"
#include "core/result.h"
#include "core/ring.h"
#include "dns/dns_answer.h"
#include "dns/dns_history.h"
#include "dns/dns_observation.h"

namespace failwatch {

class EndpointTracker {
 public:
  EndpointTracker(const HostPort& endpoint, std::string role,
                  std::size_t history_capacity = kDnsHistoryCapacity);

  // What one Record() call found, for logging.
  struct Outcome {
    bool changed = false;  // the answer set differs from the previous one
    AnswerDiff diff;
    bool became_ok = false;      // failed (or never ran) before, ok now
    bool became_failed = false;  // ok (or never ran) before, failed now, or
                                 // failed with another code than before
  };

  // Records one lookup. `duration` is how long the lookup took.
  Outcome Record(const Result<DnsAnswer>& result, WallTime at,
                 std::chrono::steady_clock::duration duration);

  const EndpointDnsState& state() const { return state_; }
  // state() with the history copied out of the ring.
  EndpointDnsState Snapshot() const;

  std::uint64_t lookups_total() const { return lookups_total_; }
  // Failed lookups by c-ares status name; only codes seen.
  const std::map<std::string, std::uint64_t>& errors_total() const {
    return errors_total_;
  }
  double last_duration_seconds() const { return last_duration_seconds_; }
  bool has_run() const { return lookups_total_ > 0; }

 private:
  EndpointDnsState state_;
  Ring<DnsAnswerRecord> history_;
  bool ever_answered_ = false;
  std::uint64_t lookups_total_ = 0;
  std::map<std::string, std::uint64_t> errors_total_;
  double last_duration_seconds_ = 0;
};

}  // namespace failwatch
