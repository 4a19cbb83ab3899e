// Builds the failwatch_dns_* families from endpoint trackers. Pure: the
// families are plain data, so the exposition is tested without a registry.
// docs/reference/dns.md lists every family; keep the two in step.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "dns/endpoint_tracker.h"

namespace failwatch {

// Every family is returned, empty or not, so HELP/TYPE always document it.
std::vector<prometheus::MetricFamily> BuildDnsFamilies(
    const std::string& database,
    const std::vector<const EndpointTracker*>& endpoints);

}  // namespace failwatch
