#!/usr/bin/env bash
# Kafka collector scale benchmark: builds bench/kafka_scale_bench and runs it
# at several topologies against the librdkafka mock cluster, then prints one
# markdown table (details of every run go to $OUT/<row>.log).
#
#   bench/kafka_scale.sh              # the rows below
#   ROWS="10:100:10:5" bench/kafka_scale.sh   # groups:topics:partitions:cycles
#
# Env: BUILD_DIR (default build/bench), OUT (default /tmp/failwatch-kafka-scale),
#      ROWS, SCRAPES (default 50), MAX_SERIES (default 200000),
#      DEADLINE (sample deadline in seconds, default 1800: the first sample
#      of a big topology takes minutes, and a timed-out admin request can
#      abort librdkafka 2.0.2 — rd_kafka_enq_once_del_source_return).
# It measures; it asserts nothing. See docs/reference/kafka.md "Scale benchmark".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
OUT=${OUT:-/tmp/failwatch-kafka-scale}
SCRAPES=${SCRAPES:-50}
MAX_SERIES=${MAX_SERIES:-200000}
DEADLINE=${DEADLINE:-1800}
# groups:topics:partitions_per_topic:cycles. Every group consumes one topic.
# 100 groups / 1k partitions with 70 cycles (10 s apart in sample time) fills
# the histories; the others run fewer cycles because their first sample (the
# topic probe: every group asked about every partition) takes minutes.
ROWS=${ROWS:-"100:100:10:70 10000:100:10:12 1000:1000:10:8 10:10000:10:4"}

cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j2 --target kafka_scale_bench >/dev/null
bin="$BUILD_DIR/bench/kafka_scale_bench"
mkdir -p "$OUT"

echo "| groups | topics×partitions = partitions | group-partitions | cycles | first cycle (topic probe) s | steady cycle s median / max | requests first / steady median | RSS MB before → after cycles (peak, trimmed) | /metrics series (over the cap per sample) | cold ms p50 / p99 | warm ms p50 / p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for row in $ROWS; do
  IFS=: read -r g t p c <<<"$row"
  log="$OUT/g${g}-t${t}-p${p}.log"
  if "$bin" --groups="$g" --topics="$t" --partitions="$p" --cycles="$c" \
      --scrapes="$SCRAPES" --max-series="$MAX_SERIES" \
      --deadline-seconds="$DEADLINE" >"$log" 2>&1; then
    grep '^| ' "$log"
  else
    echo "| $g | ${t}×${p} | failed (exit $?): see $log | | | | | | | | |"
  fi
done
echo
echo "details: $OUT/*.log (per-cycle requests, phases, CPU of collector vs mock)"
