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

// Call first thing in main, before any thread starts. glibc serves blocks
// above M_MMAP_THRESHOLD with their own mmap, returned on free; but the
// threshold rises (up to 32 MB) whenever such a block is freed, so after the
// first big sample the multi-MB vectors of the next ones (families before
// rendering, readings) land in the arenas and leave them fragmented. A
// fixed threshold of 128 KiB (glibc's own start value) keeps them out:
// measured with bench/kafka_scale.sh (docs/reference/kafka.md, "Memory").
void ConfigureAllocator();

}  // namespace failwatch
