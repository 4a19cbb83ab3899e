// Horizontal sharding (--shard=N --total-shards=M, kube-state-metrics'
// convention): each replica keeps only the targets it owns, by
// ShardOf(key, M) (core/shard_hash.h):
//   a database (its DNS names, members and PgBouncers)   key = its name
//   a configured Kafka consumer group                    key = "cluster/group"
//   a Kafka cluster's group discovery (discover_groups)  key = "cluster/"
// A Kafka cluster runs on a shard when it owns one of its groups or its
// discovery; its cluster-wide series then come from each such shard.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "core/result.h"

namespace failwatch {

struct ShardSpec {
  int shard = 0;
  int total = 1;  // 1 = not sharded
};

// From the flags: `shard` < 0 means unset; then `pod` (a StatefulSet pod
// name, "failwatch-3") gives the ordinal when set, else shard 0. Errors
// name the flag (exit 2).
Result<ShardSpec> ResolveShard(int shard, int total, std::string_view pod);

// The ordinal of a StatefulSet pod name: the digits after the last '-'.
Result<int> PodOrdinal(std::string_view pod);

// Drops what another shard owns. Identity when spec.total <= 1.
void KeepOwnShard(Config& config, const ShardSpec& spec);

}  // namespace failwatch
