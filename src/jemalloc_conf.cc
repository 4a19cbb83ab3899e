// Why failwatch runs on jemalloc rather than glibc's malloc: a Kafka sample
// at 10 000 groups × 100 000 partitions allocates and frees ~100 MB of
// short-lived readings, maps and metric families every cycle, while the
// histories it keeps grow slowly in between. glibc places both in the same
// arenas, and the long-lived blocks left between freed ones pin pages that
// malloc_trim cannot return: after 70 cycles RSS was 168 MB on glibc and
// 144 MB on jemalloc, live heap ~125 MB either way (docs/reference/kafka.md,
// "jemalloc as the daemon's allocator"). jemalloc keeps blocks of one size
// class together in slabs and its purge returns whole unused extents.
//
// The settings keep the small daemon small: jemalloc's defaults (4 arenas
// per core, a cache per thread) cost 4.2 MiB of RSS over glibc at
// bench/footprint.sh's config (21.2 against 17.0 MiB); one arena and no
// thread caches ~0.7 (17.7 MiB; glibc 17.0 in the run before), at the same
// RSS at scale. failwatch's threads mostly wait on the network, so one
// arena's lock is rarely contended.
//
// jemalloc reads this at its first allocation (jemalloc(3), TUNING); a
// MALLOC_CONF in the environment is read after it and wins.
extern "C" {
// The symbol is jemalloc's; it must be defined in the executable.
extern const char* malloc_conf;
const char* malloc_conf = "narenas:1,tcache:false";
}
