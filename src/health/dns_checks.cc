#include "health/dns_checks.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

#include "dns/dns_history.h"
#include "health/health_format.h"

namespace failwatch {
namespace {

std::vector<std::string> ToList(const AddressSet& s) {
  return std::vector<std::string>(s.begin(), s.end());
}

nlohmann::json EndpointEvidence(const EndpointDnsState& e) {
  return {{"endpoint", e.endpoint}, {"host", e.host}, {"role", e.role}};
}

// When the current run of failed lookups began: the first failure after the
// last successful answer in the history.
WallTime FailingSince(const EndpointDnsState& e) {
  WallTime since{};
  for (auto it = e.history.rbegin(); it != e.history.rend(); ++it) {
    if (it->addresses) break;
    since = it->at;
  }
  return since;
}

}  // namespace

void CheckDnsResolution(const HealthInputs& in, const HealthTuning&,
                        std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.dns) continue;
    for (const auto& e : db.dns->endpoints) {
      Condition c;
      c.check = "dns_resolution";
      c.target = db.name + "/" + e.role;
      c.evidence = EndpointEvidence(e);
      c.evidence["last_success"] = TimeJson(e.last_success);
      c.evidence["addresses"] = ToList(e.addresses);
      if (e.last_ok) {
        c.reason = fmt::format("{} endpoint {} resolves to {}", e.role, e.host,
                               Join(ToList(e.addresses)));
      } else if (!e.last_error && e.history.empty()) {
        c.unknown = true;
        c.reason =
            fmt::format("{} endpoint {} not looked up yet", e.role, e.host);
      } else {
        const bool writer = e.role == "writer";
        c.status = writer ? CheckStatus::kDown : CheckStatus::kDegraded;
        const std::string code = e.last_error ? e.last_error->code : "";
        c.evidence["error_code"] = code;
        c.evidence["error"] = e.last_error ? e.last_error->message : "";
        c.onset = FailingSince(e);
        c.evidence["failing_since"] = TimeJson(c.onset);
        c.reason = fmt::format(
            "{} endpoint {} cannot be resolved ({}); last answer {}", e.role,
            e.endpoint, code.empty() ? "error" : code,
            e.last_success == WallTime{}
                ? std::string("never")
                : fmt::format("{} at {}", Join(ToList(e.addresses)),
                              FormatClock(e.last_success)));
      }
      out.push_back(std::move(c));
    }
  }
}

void CheckDnsFlapping(const HealthInputs& in, const HealthTuning& tuning,
                      std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.dns) continue;
    for (const auto& e : db.dns->endpoints) {
      Condition c;
      c.check = "dns_flapping";
      c.target = db.name + "/" + e.role;
      c.evidence = EndpointEvidence(e);
      if (e.history.empty()) {
        c.unknown = true;
        c.reason =
            fmt::format("{} endpoint {} has no answers yet", e.role, e.host);
        out.push_back(std::move(c));
        continue;
      }
      const FlapSummary f =
          SummarizeFlaps(e.history, in.now, tuning.dns_flap_window);
      const auto window_s = std::chrono::duration_cast<std::chrono::seconds>(
                                tuning.dns_flap_window)
                                .count();
      const auto answers =
          ToList(e.AddressesSince(in.now - tuning.dns_flap_window));
      c.evidence["window_seconds"] = window_s;
      c.evidence["changes"] = f.changes;
      c.evidence["distinct_answers"] = f.distinct_answers;
      c.evidence["failed_lookups"] = f.failures;
      c.evidence["addresses_seen"] = answers;
      c.evidence["first_change"] = TimeJson(f.first_change);
      c.evidence["last_change"] = TimeJson(f.last_change);
      if (f.flapping()) {
        c.status = CheckStatus::kDegraded;
        c.onset = f.first_change;
        c.reason = fmt::format(
            "{} endpoint {} answers flap: {} changes between {} answers in "
            "{} s ({})",
            e.role, e.host, f.changes, f.distinct_answers, window_s,
            Join(answers));
      } else if (f.changes > 0) {
        c.reason = fmt::format("{} endpoint {} moved to {} at {} (no flap)",
                               e.role, e.host, Join(ToList(e.addresses)),
                               FormatClock(f.last_change));
      } else {
        c.reason = fmt::format("{} endpoint {} answer stable for {} s", e.role,
                               e.host, window_s);
      }
      out.push_back(std::move(c));
    }
  }
}

void CheckDnsTtl(const HealthInputs& in, const HealthTuning& tuning,
                 std::vector<Condition>& out) {
  for (const auto& db : in.databases) {
    if (!db.dns) continue;
    for (const auto& e : db.dns->endpoints) {
      if (e.role != "writer") continue;
      Condition c;
      c.check = "dns_ttl";
      c.target = db.name + "/writer";
      c.evidence = EndpointEvidence(e);
      std::uint32_t max_ttl = 0;
      bool answered = false;
      for (const auto& r : e.history) {
        if (!r.addresses) continue;
        answered = true;
        max_ttl = std::max(max_ttl, r.ttl_seconds);
      }
      if (!answered) {
        c.unknown = true;
        c.reason = fmt::format("writer endpoint {} has no answer yet", e.host);
        out.push_back(std::move(c));
        continue;
      }
      c.evidence["ttl_seconds"] = max_ttl;
      c.evidence["max_ttl_seconds"] = tuning.dns_max_ttl_seconds;
      if (max_ttl > tuning.dns_max_ttl_seconds) {
        c.status = CheckStatus::kDegraded;
        c.reason = fmt::format(
            "writer endpoint {} has a TTL of {} s (over {:.0f} s): clients "
            "cache the old address longer than a failover takes",
            e.host, max_ttl, tuning.dns_max_ttl_seconds);
      } else {
        c.reason = fmt::format("writer endpoint {} TTL {} s", e.host, max_ttl);
      }
      out.push_back(std::move(c));
    }
  }
}

}  // namespace failwatch
