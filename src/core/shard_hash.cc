#include "core/shard_hash.h"

namespace failwatch {

std::uint64_t Fnv1a64(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

int ShardOf(std::string_view key, int total) {
  if (total <= 1) return 0;
  return static_cast<int>(Fnv1a64(key) % static_cast<std::uint64_t>(total));
}

}  // namespace failwatch
