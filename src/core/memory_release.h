// Hands memory freed by a big sample back to the kernel. A Kafka sample of
// 100k group-partitions allocates and frees hundreds of MB (readings, maps,
// families before rendering); glibc keeps those pages in its arenas, so RSS
// stays at the peak of the largest sample ever taken and a pod's memory
// limit is hit by a transient. malloc_trim(0) returns free pages (also from
// the middle of arenas) and costs a few ms, so it is rate-limited.
#pragma once

namespace failwatch {

// Thread-safe; at most once per `min_interval_seconds` across all callers.
// Returns true when it trimmed.
bool ReleaseFreedMemory(double min_interval_seconds = 5.0);

}  // namespace failwatch
