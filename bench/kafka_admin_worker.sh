#!/usr/bin/env bash
# The Kafka admin worker's cost (docs/reference/kafka.md "Admin worker"):
# runs bench/kafka_scale_bench at each topology twice in one go, with the
# coordinator admin calls in-process (--admin-worker=0, as before) and in the
# worker process (--admin-worker=1, the default), and prints both rows and
# the ratio of steady cycle medians. The "requests" columns count the
# daemon's own librdkafka requests only (the worker's are in the child), and
# so does the CPU in the logs.
#
#   bench/kafka_admin_worker.sh                   # ROWS below
#   ROWS="10:100:10:10" bench/kafka_admin_worker.sh
#
# Env: BUILD_DIR (default build/bench), OUT (default
# /tmp/failwatch-kafka-admin-worker), ROWS, SCRAPES (default 5).
# It measures; it asserts nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here/build/bench}
OUT=${OUT:-/tmp/failwatch-kafka-admin-worker}
SCRAPES=${SCRAPES:-5}
ROWS=${ROWS:-"100:100:10:20 1000:100:10:10"}

cmake -S "$here" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j2 --target kafka_scale_bench >/dev/null
bin="$BUILD_DIR/bench/kafka_scale_bench"
mkdir -p "$OUT"

# Column 8 of the bench's row: "steady cycle s median / max".
median_of() { awk -F'|' '/^\| /{ split($9, a, "/"); gsub(/ /, "", a[1]); print a[1]; exit }' "$1"; }

echo "| admin calls | groups | topics×partitions = partitions | group-partitions | topics | cycles | every group's topics known after cycle | first cycle s | steady cycle s median / max | requests first / steady median | RSS MB before → after cycles (peak, trimmed) | /metrics series (over the cap per sample) | publish render+gzip ms | cold scrape ms p50 / p99 | warm scrape ms p50 / p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for row in $ROWS; do
  IFS=: read -r g t p c <<<"$row"
  declare -A med=()
  for mode in 0 1; do
    log="$OUT/g${g}-t${t}-p${p}-worker${mode}.log"
    name=$([ "$mode" = 1 ] && echo "worker process" || echo "in-process")
    if "$bin" --groups="$g" --topics="$t" --partitions="$p" --cycles="$c" \
        --scrapes="$SCRAPES" --admin-worker="$mode" >"$log" 2>&1; then
      grep '^| ' "$log" | sed "s/^| /| $name | /"
      med[$mode]=$(median_of "$log")
    else
      echo "| $name | $g | ${t}×${p} | failed (exit $?): see $log |"
    fi
  done
  if [ -n "${med[0]:-}" ] && [ -n "${med[1]:-}" ]; then
    awk -v a="${med[0]}" -v b="${med[1]}" -v r="$row" \
      'BEGIN { printf "\nrow %s: steady cycle median worker / in-process = %.3f / %.3f s = %.2fx (%+.1f ms)\n\n", r, b, a, (a > 0 ? b / a : 0), (b - a) * 1000 }'
  fi
done
echo "details: $OUT/*.log"
