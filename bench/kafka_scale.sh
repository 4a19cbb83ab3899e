#!/usr/bin/env bash
# Kafka collector scale benchmark: builds bench/kafka_scale_bench and runs it
# at several topologies against the librdkafka mock cluster, then prints one
# markdown table (details of every run go to $OUT/<row>.log).
#
#   bench/kafka_scale.sh              # the rows below
#   ROWS="10:100:10:5" bench/kafka_scale.sh   # groups:topics:partitions:cycles[:known]
#   (":known" = every group configured with its topic, groups[].topics: no
#   topic probe, as on brokers that answer NULL-list OffsetFetch)
#
# Env: BUILD_DIR (default build/bench), OUT (default /tmp/failwatch-kafka-scale),
#      ROWS, SCRAPES (default 50), MAX_SERIES (default 200000),
#      ALLOCATORS (default "daemon": the daemon's allocator, jemalloc;
#      "daemon glibc" runs every row on both, side by side),
#      BENCH_ARGS (more kafka_scale_bench flags, e.g. --default-allocator:
#      on glibc, its own mmap threshold instead of failwatch's ConfigureAllocator),
#      DEADLINE (sample deadline in seconds, default 1800: the first sample
#      of a big topology takes minutes; a timed-out coordinator admin request
#      can abort librdkafka 2.0.2 — rd_kafka_enq_once_del_source_return —
#      which since the admin worker costs a worker restart, not the run).
# It measures; it asserts nothing. See docs/reference/kafka.md "Scale benchmark".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
OUT=${OUT:-/tmp/failwatch-kafka-scale}
SCRAPES=${SCRAPES:-50}
MAX_SERIES=${MAX_SERIES:-200000}
DEADLINE=${DEADLINE:-1800}
ALLOCATORS=${ALLOCATORS:-daemon}
# groups:topics:partitions_per_topic:cycles[:known]. Every group consumes one
# topic. 100 groups / 1k partitions with 70 cycles (10 s apart in sample
# time) fills the histories; 10k groups × 1k partitions runs until the
# spread-out explicit probe (10^7 entries, 250k per sample) is done; the 100k
# partition row runs 70 cycles, so every status and end-offset history is
# full (producing one record to each of its partitions between cycles takes
# ~10 s through 16 producers: ~15 min for the row).
ROWS=${ROWS:-"100:100:10:70 10000:100:10:45 10000:10000:10:70:known"}

cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
for alloc in $ALLOCATORS; do
  case $alloc in
    daemon) targets+=(kafka_scale_bench) ;;
    glibc) targets+=(kafka_scale_bench_glibc) ;;
    *) echo "kafka_scale.sh: unknown allocator '$alloc' (daemon, glibc)" >&2; exit 2 ;;
  esac
done
cmake --build "$BUILD_DIR" -j2 --target "${targets[@]}" >/dev/null
mkdir -p "$OUT"

echo "| groups | topics×partitions = partitions | group-partitions | topics | cycles | every group's topics known after cycle | first cycle s | steady cycle s median / max | requests first / steady median | RSS MB before → after cycles (peak, trimmed; allocator, live heap MB) | /metrics series (over the cap per sample) | publish render+gzip ms | cold scrape ms p50 / p99 | warm scrape ms p50 / p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for row in $ROWS; do
  IFS=: read -r g t p c m <<<"$row"
  extra=()
  [[ "${m:-}" == known ]] && extra+=(--known-topics)
  # shellcheck disable=SC2206  # word-split on purpose: a flag list
  [[ -n "${BENCH_ARGS:-}" ]] && extra+=(${BENCH_ARGS})
  for target in "${targets[@]}"; do
    bin="$BUILD_DIR/bench/$target"
    suffix=""
    [[ "$target" == *_glibc ]] && suffix=-glibc
    log="$OUT/g${g}-t${t}-p${p}${m:+-$m}${suffix}.log"
    if "$bin" --groups="$g" --topics="$t" --partitions="$p" --cycles="$c" "${extra[@]}" \
        --scrapes="$SCRAPES" --max-series="$MAX_SERIES" \
        --deadline-seconds="$DEADLINE" >"$log" 2>&1; then
      grep '^| ' "$log"
    else
      echo "| $g | ${t}×${p} | failed (exit $?): see $log | | | | | | | | |"
    fi
  done
done
echo
echo "details: $OUT/*.log (per-cycle requests, phases, CPU of collector vs mock)"
