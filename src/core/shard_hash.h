// Which shard of a horizontally sharded deployment owns a target, the way
// kube-state-metrics shards objects (--shard / --total-shards): the 64-bit
// FNV-1a hash of the target's key, modulo the number of shards. Stable
// across hosts, builds and versions (std::hash is none of these), so every
// replica agrees on the split without talking to the others.
#pragma once

#include <cstdint>
#include <string_view>

namespace failwatch {

// FNV-1a, 64 bit (offset basis 14695981039346656037, prime 1099511628211).
// Eight lines: no Debian library is worth depending on for it.
std::uint64_t Fnv1a64(std::string_view bytes);

// The shard in [0, total) that owns `key`; total <= 1 means shard 0.
int ShardOf(std::string_view key, int total);

}  // namespace failwatch
