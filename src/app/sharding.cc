#include "app/sharding.h"

#include <algorithm>
#include <charconv>

#include "core/shard_hash.h"

namespace failwatch {

Result<int> PodOrdinal(std::string_view pod) {
  auto dash = pod.rfind('-');
  std::string_view digits =
      dash == std::string_view::npos ? std::string_view{} : pod.substr(dash + 1);
  int ordinal = -1;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
      ordinal < 0) {
    return MakeError(ErrorKind::kInvalid, "bad_flag",
                     "--pod: \"" + std::string(pod) +
                         "\" does not end in -ORDINAL (a StatefulSet pod name)");
  }
  return ordinal;
}

Result<ShardSpec> ResolveShard(int shard, int total, std::string_view pod) {
  if (total < 1) {
    return MakeError(ErrorKind::kInvalid, "bad_flag",
                     "--total-shards: must be at least 1, got " +
                         std::to_string(total));
  }
  ShardSpec spec{0, total};
  if (shard >= 0) {
    spec.shard = shard;
  } else if (!pod.empty()) {
    Result<int> ordinal = PodOrdinal(pod);
    if (!ordinal.ok()) return ordinal.error();
    spec.shard = *ordinal;
  }
  if (spec.shard >= total) {
    return MakeError(ErrorKind::kInvalid, "bad_flag",
                     "--shard: " + std::to_string(spec.shard) +
                         " is not below --total-shards=" + std::to_string(total));
  }
  return spec;
}

void KeepOwnShard(Config& config, const ShardSpec& spec) {
  if (spec.total <= 1) return;
  auto mine = [&](const std::string& key) {
    return ShardOf(key, spec.total) == spec.shard;
  };
  std::erase_if(config.databases,
                [&](const DatabaseConfig& db) { return !mine(db.name); });
  for (KafkaClusterConfig& c : config.kafka) {
    std::erase_if(c.groups, [&](const KafkaGroupConfig& g) {
      return !mine(c.name + "/" + g.name);
    });
    if (!mine(c.name + "/")) c.discover_groups.reset();
  }
  std::erase_if(config.kafka, [](const KafkaClusterConfig& c) {
    return c.groups.empty() && !c.discover_groups;
  });
}

}  // namespace failwatch
