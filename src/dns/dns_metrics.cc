#include "dns/dns_metrics.h"

#include "core/metric_builder.h"

namespace failwatch {

std::vector<prometheus::MetricFamily> BuildDnsFamilies(
    const std::string& database,
    const std::vector<const EndpointTracker*>& endpoints) {
  auto answer = FamilyBuilder::Gauge(
      "failwatch_dns_answer",
      "1 per address in the endpoint's current DNS answer (A and AAAA); no "
      "series while the lookup fails.");
  auto addresses = FamilyBuilder::Gauge(
      "failwatch_dns_answer_addresses",
      "Number of addresses in the current DNS answer; 0 when the lookup "
      "failed.");
  auto ttl = FamilyBuilder::Gauge(
      "failwatch_dns_ttl_seconds",
      "Minimum TTL of the records in the current DNS answer; no series while "
      "the lookup fails.");
  auto duration = FamilyBuilder::Gauge(
      "failwatch_dns_lookup_duration_seconds",
      "Duration of the last DNS lookup (A and AAAA in parallel).");
  auto success = FamilyBuilder::Gauge(
      "failwatch_dns_lookup_success",
      "1 if the last DNS lookup returned at least one address, else 0.");
  auto errors = FamilyBuilder::Counter(
      "failwatch_dns_lookup_errors_total",
      "Failed DNS lookups by c-ares status name (ENOTFOUND = NXDOMAIN, "
      "ETIMEOUT, ESERVFAIL, ...).");
  auto lookups = FamilyBuilder::Counter("failwatch_dns_lookups_total",
                                        "DNS lookups attempted.");
  auto changes = FamilyBuilder::Counter(
      "failwatch_dns_answer_changes_total",
      "Times a successful DNS answer differed from the previous successful "
      "answer; the first answer is not a change.");
  auto last_change = FamilyBuilder::Gauge(
      "failwatch_dns_last_change_timestamp_seconds",
      "Unix time of the last DNS answer change; 0 = none since start.");

  for (const EndpointTracker* t : endpoints) {
    if (!t->has_run()) continue;  // no sample yet: nothing is known
    const EndpointDnsState& s = t->state();
    const Labels base = {
        {"database", database}, {"endpoint", s.endpoint}, {"role", s.role}};
    if (s.last_ok) {
      for (const std::string& a : s.addresses) {
        Labels l = base;
        l.emplace_back("address", a);
        answer.Add(l, 1);
      }
      ttl.Add(base, s.ttl_seconds);
    }
    addresses.Add(base,
                  s.last_ok ? static_cast<double>(s.addresses.size()) : 0.0);
    duration.Add(base, t->last_duration_seconds());
    success.Add(base, s.last_ok ? 1 : 0);
    for (const auto& [code, n] : t->errors_total()) {
      Labels l = base;
      l.emplace_back("code", code);
      errors.Add(l, static_cast<double>(n));
    }
    lookups.Add(base, static_cast<double>(t->lookups_total()));
    changes.Add(base, static_cast<double>(s.changes_total));
    last_change.Add(
        base, s.last_change == WallTime{} ? 0.0 : ToUnixSeconds(s.last_change));
  }

  std::vector<prometheus::MetricFamily> out;
  std::move(answer).MoveTo(out);
  std::move(addresses).MoveTo(out);
  std::move(ttl).MoveTo(out);
  std::move(duration).MoveTo(out);
  std::move(success).MoveTo(out);
  std::move(errors).MoveTo(out);
  std::move(lookups).MoveTo(out);
  std::move(changes).MoveTo(out);
  std::move(last_change).MoveTo(out);
  return out;
}

}  // namespace failwatch
