// The DNS collector of one database: resolves the writer `endpoint` and the
// `reader_endpoint` hosts each sample, tracks answer changes and publishes
// failwatch_dns_* families plus a DnsObservation with the answer history.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/collector.h"
#include "dns/ares_resolver.h"
#include "dns/dns_observation.h"
#include "dns/dns_options.h"
#include "dns/endpoint_tracker.h"

namespace failwatch {

class DnsCollector final : public Collector {
 public:
  explicit DnsCollector(const DnsTargetOptions& config);

  const std::string& kind() const override { return kind_; }
  const std::string& target() const override { return database_; }
  SampleOutput Sample(const SampleContext& ctx) override;

 private:
  // The channel is made once and reused; made again when the servers (or,
  // with resolv.conf, that file) changed, or after a failed creation.
  Result<AresResolver*> EnsureResolver();
  // Run: one result per endpoint, in order. Fold: Sample.
  std::vector<LookupResult> Lookup(const SampleContext& ctx,
                                   const Clock& clock);
  void LogOutcome(const EndpointTracker::Outcome& o, const EndpointDnsState& s,
                  const Result<DnsAnswer>& answer) const;

  const std::string kind_ = kDnsKind;
  std::string database_;
  ResolverOptions resolver_options_;
  std::unique_ptr<AresResolver> resolver_;
  std::vector<EndpointTracker> endpoints_;
};

std::shared_ptr<Collector> MakeDnsCollector(const DnsTargetOptions& config);

}  // namespace failwatch
