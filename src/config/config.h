// The whole configuration shape. The loader (config_loader.h) fills these
// with defaults applied and validation done, so the rest of the code never
// sees a half-valid config. Each section is made of the option structs its
// modules declare (dns/dns_options.h, postgres/postgres_options.h, ...), so a
// value and its default are defined once, beside the code that uses it; the
// modules never include config/.
#pragma once

#include <string>
#include <vector>

#include "core/schedule.h"
#include "health/health_options.h"
#include "kafka/kafka_cluster_config.h"
#include "pgbouncer/pgbouncer_options.h"
#include "postgres/postgres_options.h"

namespace failwatch {

// One databases[] entry: what the DNS and PostgreSQL collectors read
// (PgDatabaseOptions) plus the PgBouncers in front of it.
struct DatabaseConfig : PgDatabaseOptions {
  std::vector<PgBouncerConfig> pgbouncers;
  bool operator==(const DatabaseConfig&) const = default;
};

struct Config {
  std::string source;  // file path, for messages
  // This replica's name among several (HA pair, shards); empty = the host
  // name (a Kubernetes pod's name).
  std::string instance_id;
  Schedule defaults;
  std::vector<DatabaseConfig> databases;
  std::vector<KafkaClusterConfig> kafka;
  HealthConfig health;
};

}  // namespace failwatch
