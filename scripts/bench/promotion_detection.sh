#!/usr/bin/env bash
# How fast does failwatch see a promotion? Runs the failover N times against
# a real primary+standby (alternating which node is promoted, the other is
# rewound back into a standby) with failwatch sampling every INTERVAL, and
# reports the time from starting `pg_ctl promote` to the promotion being
# visible in /metrics (failwatch_pg_promotions_total), median and p95.
#   scripts/bench/promotion_detection.sh [N=20] [INTERVAL_MS=250]
# Needs a built binary: FAILWATCH_BIN (default build/release/failwatch or
# build/ci/failwatch).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-20}
INTERVAL_MS=${2:-250}
TIMEOUT_MS=$((INTERVAL_MS * 4 / 5))
BIN=${FAILWATCH_BIN:-}
for candidate in "$ROOT/build/release/failwatch" "$ROOT/build/ci/failwatch" "$ROOT/build/main/failwatch"; do
  [ -n "$BIN" ] && break
  [ -x "$candidate" ] && BIN=$candidate
done
[ -x "$BIN" ] || { echo "build failwatch first (or set FAILWATCH_BIN)" >&2; exit 2; }
source "$ROOT/scripts/lab/pg.sh"
source "$ROOT/scripts/lab/dns.sh"
source "$ROOT/scripts/lab/ports.sh"

WORK=$(mktemp -d /tmp/failwatch-bench.XXXXXX)
chmod 755 "$WORK"
FW_PID=""
cleanup() {
  [ -n "$FW_PID" ] && kill "$FW_PID" 2>/dev/null || true
  pg_lab_stop "$WORK/pg"
  dns_lab_stop "$WORK"
  rm -rf "$WORK"
}
trap cleanup EXIT

pg_lab_init "$WORK/pg" > "$WORK/init.log" 2>&1
DNS_PORT=$(free_port)
HTTP_PORT=$(free_port)
dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 1
dns_lab_set "$WORK" db.lab.test 127.0.0.2
echo failwatch-pw > "$WORK/pw"
cat > "$WORK/failwatch.yml" <<YAML
interval: ${INTERVAL_MS}ms
timeout: ${TIMEOUT_MS}ms
databases:
  - name: orders
    endpoint: db.lab.test:55432
    dns_servers: ["127.0.0.1:${DNS_PORT}"]
    members: ["127.0.0.2:55432", "127.0.0.3:55432"]
    user: failwatch
    password_file: $WORK/pw
    sslmode: disable
YAML
"$BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$HTTP_PORT" \
  --log.level warn 2> "$WORK/failwatch.log" &
FW_PID=$!

promotions() {
  curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" |
    awk '/^failwatch_pg_promotions_total\{/ { print $2 }'
}
until [ -n "$(promotions 2>/dev/null)" ]; do sleep 0.1; done

primary=node1
standby=node2
results=()
for ((i = 1; i <= N; i++)); do
  before=$(promotions)
  # Replication must be streaming before each drill.
  pg_lab_wait_streaming "$WORK/pg" "$standby" > /dev/null
  sleep 1
  t0=$(date +%s%N)
  pg_lab_promote "$WORK/pg" "$standby"
  while [ "$(promotions)" = "$before" ]; do sleep 0.01; done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  results+=("$ms")
  printf 'run %2d: promote %s -> visible in /metrics after %4d ms\n' "$i" "$standby" "$ms"
  pg_lab_rewind "$WORK/pg" "$primary" "$standby" > /dev/null 2>&1
  tmp=$primary; primary=$standby; standby=$tmp
done

printf '%s\n' "${results[@]}" | sort -n > "$WORK/sorted"
count=$(wc -l < "$WORK/sorted")
median=$(awk -v n="$count" 'NR == int((n + 1) / 2) { print }' "$WORK/sorted")
p95=$(awk -v n="$count" 'BEGIN { k = int(n * 0.95 + 0.999) } NR == k { print }' "$WORK/sorted")
max=$(tail -1 "$WORK/sorted")
echo
echo "promotion -> /metrics at interval ${INTERVAL_MS} ms, ${count} runs: median ${median} ms, p95 ${p95} ms, max ${max} ms"
