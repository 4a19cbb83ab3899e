#!/usr/bin/env bash
# Side-by-side HTTP load on failwatch servers, one run:
#   bench/http_load.sh NAME=BINARY [NAME=BINARY...]
# e.g. bench/http_load.sh civetweb=/work/wt-old-civetweb/build/ci/failwatch beast=build/ci/failwatch
#
# Every binary runs at once, on loopback, against the same librdkafka mock
# cluster (tests/tools/kafka_mock_cluster, KAFKA_MOCK) whose topics make each
# failwatch export BENCH_SERIES series (default 200 000: 3 series per
# partition — low/high watermark, leader — so 100 topics × BENCH_SERIES/300
# partitions, no groups), plus one DNS target that fails fast. The scenarios
# then alternate between the servers (server A, server B, next scenario), so
# both see the same machine load; bench/http_load.py measures:
#   /healthz p50/p99 (a fresh-connection prober every 50 ms), alone;
#   /metrics p50/p99 with 1, 10 and 200 keep-alive scrapers back to back,
#     plain and gzip, with /healthz probed meanwhile;
#   /healthz during 1000 idle connections + 50 slowloris (1 byte / 2 s) and
#     1 scraper;
#   the scrapes again from ApacheBench (`ab -k`, apache2-utils) when it is
#     installed: C, so the client saturates much later than Python's asyncio
#     with 17 MB bodies (the prober stays bench/http_load.py's, own process).
# Prints one table and `uptime` before/after (the machine is shared).
# A benchmark, never a test: no assertion on the figures.
#
# Env: BENCH_DURATION (12 s per scenario), BENCH_SERIES (200000), KAFKA_MOCK
# (build/ci/tests/kafka_mock_cluster), BENCH_SCRAPERS ("1 10 200"),
# BENCH_NICE (unset; e.g. -10 runs servers and clients alike at that
# priority, so other work on a shared machine takes less of their CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lab/ports.sh
PY=${LAB_PYTHON:-/usr/bin/python3}
DURATION=${BENCH_DURATION:-12}
SERIES=${BENCH_SERIES:-200000}
SCRAPERS=${BENCH_SCRAPERS:-"1 10 200"}
KAFKA_MOCK=${KAFKA_MOCK:-build/ci/tests/kafka_mock_cluster}
[ $# -gt 0 ] || {
  echo "usage: $0 NAME=BINARY [NAME=BINARY...]" >&2
  exit 2
}
[ -x "$KAFKA_MOCK" ] || {
  echo "missing $KAFKA_MOCK (cmake --build build/ci --target kafka_mock_cluster, or set KAFKA_MOCK)" >&2
  exit 2
}
WORK=$(mktemp -d /tmp/failwatch-http-bench.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
if [ -n "${BENCH_NICE:-}" ]; then renice -n "$BENCH_NICE" -p $$ >/dev/null; fi

TOPICS=100
PARTITIONS=$(((SERIES + 3 * TOPICS - 1) / (3 * TOPICS)))
"$KAFKA_MOCK" --bootstrap-file="$WORK/bootstrap" --topics="$TOPICS" --partitions="$PARTITIONS" \
  >"$WORK/kafka-mock.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 600); do [ -s "$WORK/bootstrap" ] && break; sleep 0.1; done
[ -s "$WORK/bootstrap" ] || {
  echo "the kafka mock wrote no bootstrap file: $(tail -3 "$WORK/kafka-mock.log")" >&2
  exit 1
}
brokers=$(tr -d '\n' <"$WORK/bootstrap" | sed 's/[^,]*/"&"/g')
# Sampling every 15 s (one 70k-partition sample costs ~1 s of one core):
# the scrapes copy what the last sample published, as in production.
cat >"$WORK/failwatch.yml" <<YAML
interval: 15s
timeout: 10s
databases:
  - name: orders
    endpoint: db.lab.test:1
    dns_servers: ["127.0.0.1:1"]
kafka:
  - name: bench
    brokers: [$brokers]
    group_discovery: false
    max_series: $((SERIES * 2))
YAML

names=()
declare -A PORT=() PID=()
for spec in "$@"; do
  name=${spec%%=*}
  bin=${spec#*=}
  port=$(free_port)
  "$bin" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$port" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  PID[$name]=$!
  names+=("$name")
  PORT[$name]=$port
done
series() { curl -sf --max-time 30 "http://127.0.0.1:$1/metrics" | grep -vc '^#' || true; }
for name in "${names[@]}"; do
  n=0
  for _ in $(seq 120); do
    n=$(series "${PORT[$name]}")
    [ "$n" -ge "$SERIES" ] && break
    sleep 1
  done
  [ "$n" -ge "$SERIES" ] || {
    echo "$name exports $n series, not $SERIES, after 120 s; see $WORK/$name.log" >&2
    exit 1
  }
  plain=$(curl -sf "http://127.0.0.1:${PORT[$name]}/metrics" | wc -c)
  gz=$(curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:${PORT[$name]}/metrics" | wc -c)
  echo "$name: $n series, /metrics $plain bytes plain, $gz gzip (${TOPICS} topics × ${PARTITIONS} partitions)"
done

# CPU seconds (user + system) the server has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

scenario() { # scenario LABEL ARGS...: one row per server
  local label=$1 name out c0 c1 t0 t1
  shift
  for name in "${names[@]}"; do
    c0=$(cpu_s "${PID[$name]}")
    t0=$(date +%s.%N)
    out=$("$PY" bench/http_load.py --port "${PORT[$name]}" --duration "$DURATION" "$@")
    t1=$(date +%s.%N)
    c1=$(cpu_s "${PID[$name]}")
    "$PY" -c "
import json, sys
r = json.loads(sys.argv[1]); h = r['healthz']; s = r['scrape']
f = lambda v: '-' if v is None else v
u = lambda d: f\"{d['errors']}\" + (f\" (+{d['unfinished']} unanswered)\" if d['unfinished'] else '')
cpu = 100 * float(sys.argv[4]) / float(sys.argv[5])
print(f\"| {sys.argv[3]} | {sys.argv[2]} | {f(h['p50_ms'])} | {f(h['p99_ms'])} | {f(h['max_ms'])} | {u(h)} | {f(s['p50_ms'])} | {f(s['p99_ms'])} | {f(s['max_ms'])} | {s['requests']} | {u(s)} | {cpu:.0f} |\")
" "$out" "$name" "$label" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
      "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
  done
}

# The same scrapes from ApacheBench (C, apache2-utils), with the /healthz
# prober of bench/http_load.py beside it: the Python client saturates
# before the server with large bodies, ab much later. ab counts only
# answered requests (a starved connection shows as few completed ones).
scenario_ab() { # scenario_ab LABEL SCRAPERS [AB_ARGS...]
  local label=$1 n=$2 name out ab c0 c1 t0 t1
  shift 2
  for name in "${names[@]}"; do
    c0=$(cpu_s "${PID[$name]}")
    t0=$(date +%s.%N)
    "$PY" bench/http_load.py --port "${PORT[$name]}" --duration "$DURATION" --probe-only \
      >"$WORK/probe.json" &
    ab=$(ab -q -k -l -c "$n" -t "$DURATION" -s 30 "$@" "http://127.0.0.1:${PORT[$name]}/metrics" 2>&1 || true)
    wait $!
    t1=$(date +%s.%N)
    c1=$(cpu_s "${PID[$name]}")
    out=$(cat "$WORK/probe.json")
    "$PY" -c "
import json, re, sys
h = json.loads(sys.argv[1])['healthz']; ab = sys.argv[2]
f = lambda v: '-' if v is None else v
u = lambda d: f\"{d['errors']}\" + (f\" (+{d['unfinished']} unanswered)\" if d['unfinished'] else '')
pct = dict(re.findall(r'^\s*(\d+)%\s+(\d+)', ab, re.M))
done = re.search(r'^Complete requests:\s+(\d+)', ab, re.M)
failed = re.search(r'^Failed requests:\s+(\d+)', ab, re.M)
cpu = 100 * float(sys.argv[5]) / float(sys.argv[6])
print(f\"| {sys.argv[4]} | {sys.argv[3]} | {f(h['p50_ms'])} | {f(h['p99_ms'])} | {f(h['max_ms'])} | {u(h)} | {pct.get('50', '-')} | {pct.get('99', '-')} | {pct.get('100', '-')} | {done.group(1) if done else 'ab failed'} | {failed.group(1) if failed else '-'} | {cpu:.0f} |\")
" "$out" "$ab" "$name" "$label" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
      "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
  done
}

echo
echo "load before: $(uptime); priority: nice $(nice)"
echo
# "+N unanswered": requests still waiting (for 1 s or more) when the
# scenario ended; counted in the percentiles with the time they had waited,
# a lower bound (bench/http_load.py, Stats.close). Server CPU %: the
# server's user + system time over the scenario's wall time (200 = both cores).
echo "| scenario | server | healthz p50 ms | healthz p99 ms | healthz max ms | healthz errors | scrape p50 ms | scrape p99 ms | scrape max ms | scrapes | scrape errors | server CPU % |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
scenario "healthz alone"
for n in $SCRAPERS; do
  scenario "$n scrapers plain" --scrapers "$n"
  scenario "$n scrapers gzip" --scrapers "$n" --gzip
done
scenario "1000 idle + 50 slowloris + 1 scraper" --idle 1000 --slowloris 50 --scrapers 1 --warmup 5
if command -v ab >/dev/null; then
  for n in $SCRAPERS; do
    scenario_ab "$n scrapers plain, ab" "$n"
    scenario_ab "$n scrapers gzip, ab" "$n" -H "Accept-Encoding: gzip"
  done
fi
echo
echo "load after: $(uptime)"
