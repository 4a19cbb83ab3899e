#include "dns/dns_metrics.h"

#include "core/metric_builder.h"

namespace failwatch {
namespace {

struct DnsFamilies {
  FamilyBuilder answer, addresses, ttl, duration, success, errors, lookups,
      changes, last_change;
};

DnsFamilies MakeDnsFamilies() {
  return {
      .answer = FamilyBuilder::Gauge(
          "failwatch_dns_answer",
          "1 per address in the endpoint's current DNS answer (A and AAAA); "
          "no series while the lookup fails."),
      .addresses = FamilyBuilder::Gauge(
          "failwatch_dns_answer_addresses",
          "Number of addresses in the current DNS answer; 0 when the lookup "
          "failed."),
      .ttl = FamilyBuilder::Gauge(
          "failwatch_dns_ttl_seconds",
          "Minimum TTL of the records in the current DNS answer; no series "
          "while the lookup fails."),
      .duration = FamilyBuilder::Gauge(
          "failwatch_dns_lookup_duration_seconds",
          "Duration of the last DNS lookup (A and AAAA in parallel)."),
      .success = FamilyBuilder::Gauge(
          "failwatch_dns_lookup_success",
          "1 if the last DNS lookup returned at least one address, else 0."),
      .errors = FamilyBuilder::Counter(
          "failwatch_dns_lookup_errors_total",
          "Failed DNS lookups by c-ares status name (ENOTFOUND = NXDOMAIN, "
          "ETIMEOUT, ESERVFAIL, ...)."),
      .lookups = FamilyBuilder::Counter("failwatch_dns_lookups_total",
                                        "DNS lookups attempted."),
      .changes = FamilyBuilder::Counter(
          "failwatch_dns_answer_changes_total",
          "Times a successful DNS answer differed from the previous "
          "successful answer; the first answer is not a change."),
      .last_change = FamilyBuilder::Gauge(
          "failwatch_dns_last_change_timestamp_seconds",
          "Unix time of the last DNS answer change; 0 = none since start."),
  };
}

void AddEndpoint(const std::string& database, const EndpointTracker& t,
                 DnsFamilies& f) {
  const EndpointDnsState& s = t.state();
  const Labels base = {
      {"database", database}, {"endpoint", s.endpoint}, {"role", s.role}};
  if (s.last_ok) {
    for (const std::string& a : s.addresses) {
      Labels l = base;
      l.emplace_back("address", a);
      f.answer.Add(l, 1);
    }
    f.ttl.Add(base, s.ttl_seconds);
  }
  f.addresses.Add(base,
                  s.last_ok ? static_cast<double>(s.addresses.size()) : 0.0);
  f.duration.Add(base, t.last_duration_seconds());
  f.success.Add(base, s.last_ok ? 1 : 0);
  for (const auto& [code, n] : t.errors_total()) {
    Labels l = base;
    l.emplace_back("code", code);
    f.errors.Add(l, static_cast<double>(n));
  }
  f.lookups.Add(base, static_cast<double>(t.lookups_total()));
  f.changes.Add(base, static_cast<double>(s.changes_total));
  f.last_change.Add(
      base, s.last_change == WallTime{} ? 0.0 : ToUnixSeconds(s.last_change));
}

void MoveFamiliesTo(DnsFamilies& f,
                    std::vector<prometheus::MetricFamily>& out) {
  f.answer.MoveTo(out);
  f.addresses.MoveTo(out);
  f.ttl.MoveTo(out);
  f.duration.MoveTo(out);
  f.success.MoveTo(out);
  f.errors.MoveTo(out);
  f.lookups.MoveTo(out);
  f.changes.MoveTo(out);
  f.last_change.MoveTo(out);
}

}  // namespace

std::vector<prometheus::MetricFamily> BuildDnsFamilies(
    const std::string& database,
    const std::vector<const EndpointTracker*>& endpoints) {
  DnsFamilies families = MakeDnsFamilies();
  for (const EndpointTracker* t : endpoints) {
    if (!t->has_run()) continue;  // no sample yet: nothing is known
    AddEndpoint(database, *t, families);
  }
  std::vector<prometheus::MetricFamily> out;
  MoveFamiliesTo(families, out);
  return out;
}

}  // namespace failwatch
