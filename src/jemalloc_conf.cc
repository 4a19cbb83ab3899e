// Why failwatch runs on jemalloc rather than glibc's malloc: a Kafka sample
// at 10 000 groups × 100 000 partitions allocates and frees ~100 MB of
// short-lived readings, maps and metric families every cycle, while the
// histories it keeps grow slowly in between. glibc places both in the same
// arenas, and the long-lived blocks left between freed ones pin pages that
// malloc_trim cannot return: RSS settled 35–45 MB above the live heap
// (docs/reference/kafka.md, "Memory"). jemalloc's size-class slabs keep
// small blocks of one size together and its purge returns whole unused
// extents, so the same run stays close to its live heap.
//
// jemalloc reads this at its first allocation (jemalloc(3), TUNING); a
// MALLOC_CONF in the environment is read after it and wins.
// The symbol is jemalloc's; it must be defined in the executable.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "";
}
