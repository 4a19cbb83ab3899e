// What the DNS collector publishes for other collectors and evaluators: per
// endpoint, the current answer and a bounded history of answers.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/collector.h"
#include "core/result.h"

namespace failwatch {

// Sorted, de-duplicated textual IPs ("127.0.0.2", "::1").
using AddressSet = std::set<std::string>;

struct DnsAnswerRecord {
  WallTime at{};
  // nullopt when the lookup failed at that time.
  std::optional<AddressSet> addresses;
  std::string error_code;         // c-ares status name when failed
  std::uint32_t ttl_seconds = 0;  // min TTL of the answer; 0 when failed
};

struct EndpointDnsState {
  std::string endpoint;  // "db.lab.test:5432" as configured
  std::string host;      // "db.lab.test"
  std::uint16_t port = 0;
  std::string role;  // "writer" or "reader"
  bool last_ok = false;
  std::optional<Error> last_error;
  AddressSet addresses;           // last successful answer
  std::uint32_t ttl_seconds = 0;  // min TTL of the last answer
  WallTime last_success{};
  WallTime last_change{};  // epoch = never changed since start
  std::uint64_t changes_total = 0;
  // Oldest first, bounded; one entry per sample.
  std::vector<DnsAnswerRecord> history;

  // Every address this endpoint resolved to at or after `since`.
  AddressSet AddressesSince(WallTime since) const;
};

class DnsObservation;
inline constexpr char kDnsKind[] = "dns";
inline constexpr ObservationKey<DnsObservation> kDnsObservations{kDnsKind};

class DnsObservation final : public Observation {
 public:
  std::string database;
  std::vector<EndpointDnsState> endpoints;

  const EndpointDnsState* Find(const std::string& role) const {
    for (const auto& e : endpoints) {
      if (e.role == role) return &e;
    }
    return nullptr;
  }
};

}  // namespace failwatch
