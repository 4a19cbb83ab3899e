#include "dns/dns_collector.h"

#include <spdlog/spdlog.h>

#include "dns/dns_metrics.h"
#include "dns/dns_observation.h"

namespace failwatch {
namespace {

std::string Join(const AddressSet& s) {
  std::string out;
  for (const auto& a : s) {
    if (!out.empty()) out += ',';
    out += a;
  }
  return out;
}

}  // namespace

DnsCollector::DnsCollector(const DnsTargetOptions& config)
    : database_(config.name) {
  resolver_options_.servers = config.dns_servers;
  resolver_options_.budget = config.schedule.timeout;
  endpoints_.emplace_back(config.endpoint, "writer");
  if (config.reader_endpoint) {
    endpoints_.emplace_back(*config.reader_endpoint, "reader");
  }
}

Result<AresResolver*> DnsCollector::EnsureResolver() {
  if (resolver_ && resolver_->options() == resolver_options_ &&
      !resolver_->SystemConfigChanged()) {
    return resolver_.get();
  }
  if (resolver_) {
    spdlog::info("dns resolver reloading database={} reason=config_changed",
                 database_);
  }
  resolver_.reset();
  auto made = AresResolver::Create(resolver_options_);
  if (!made.ok()) return made.error();
  resolver_ = std::move(made).value();
  return resolver_.get();
}

std::vector<LookupResult> DnsCollector::Lookup(const SampleContext& ctx,
                                               const Clock& clock) {
  const SteadyTime start = clock.Steady();
  std::vector<std::string> hosts;
  hosts.reserve(endpoints_.size());
  for (const auto& e : endpoints_) hosts.push_back(e.state().host);
  auto resolver = EnsureResolver();
  if (resolver.ok()) return (*resolver)->Resolve(hosts, ctx.deadline, clock);
  // Without a channel every endpoint fails with the creation error, so the
  // failure shows per endpoint like any other lookup failure.
  spdlog::warn("dns resolver unavailable database={} error=\"{}\"", database_,
               resolver.error().ToString());
  std::vector<LookupResult> results;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    results.push_back(LookupResult{resolver.error(), clock.Steady() - start});
  }
  return results;
}

void DnsCollector::LogOutcome(const EndpointTracker::Outcome& o,
                              const EndpointDnsState& s,
                              const Result<DnsAnswer>& answer) const {
  if (o.changed) {
    spdlog::info(
        "dns answer changed database={} endpoint={} role={} added=\"{}\" "
        "removed=\"{}\" answer=\"{}\"",
        database_, s.endpoint, s.role, Join(o.diff.added), Join(o.diff.removed),
        Join(s.addresses));
  }
  if (o.became_ok) {
    spdlog::info("dns lookup ok database={} endpoint={} role={} answer=\"{}\"",
                 database_, s.endpoint, s.role, Join(s.addresses));
  }
  if (o.became_failed) {
    spdlog::warn(
        "dns lookup failed database={} endpoint={} role={} code={} "
        "error=\"{}\"",
        database_, s.endpoint, s.role, answer.error().code,
        answer.error().message);
  }
}

SampleOutput DnsCollector::Sample(const SampleContext& ctx) {
  const Clock& clock = ctx.clock ? *ctx.clock : SystemClock::Get();
  const std::vector<LookupResult> results = Lookup(ctx, clock);
  SampleOutput out;
  auto obs = std::make_shared<DnsObservation>();
  obs->database = database_;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    EndpointTracker& t = endpoints_[i];
    const LookupResult& r = results[i];
    auto o = t.Record(r.answer, ctx.now, r.duration);
    const EndpointDnsState& s = t.state();
    LogOutcome(o, s, r.answer);
    if (!r.answer.ok() && !out.error) {
      Error e = r.answer.error();
      e.message = s.role + " " + s.endpoint + ": " + e.message;
      out.error = std::move(e);
    }
    obs->endpoints.push_back(t.Snapshot());
  }
  std::vector<const EndpointTracker*> trackers;
  for (const auto& t : endpoints_) trackers.push_back(&t);
  out.families = BuildDnsFamilies(database_, trackers);
  out.observation = std::move(obs);
  return out;
}

std::shared_ptr<Collector> MakeDnsCollector(const DnsTargetOptions& config) {
  return std::make_shared<DnsCollector>(config);
}

}  // namespace failwatch
