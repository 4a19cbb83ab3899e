// Which failwatch this is, among replicas that watch the same databases (an
// HA pair, shards): `instance_id` from the config, else the host name (in
// Kubernetes the pod's name, so two replicas differ without any setting).
// It keys the write probe's heartbeat row, so two replicas' probes never
// upsert the same row: each proves its own write, and neither's row hides
// the other's failure.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

namespace failwatch {

// config.instance_id, else `host_name`, else "failwatch".
std::string ResolveInstanceId(const Config& config, std::string_view host_name);

// gethostname(), "" when it fails.
std::string HostName();

// Sets every database's write_probe.row_id to
// "failwatch/<instance_id>/<database name>"; each Kafka canary records
// the instance id (records and its consumer group carry it).
void AssignWriteProbeRows(Config& config, std::string_view instance_id);

}  // namespace failwatch
