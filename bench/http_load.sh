#!/usr/bin/env bash
# Side-by-side HTTP load on failwatch servers, one run:
#   bench/http_load.sh NAME=BINARY [NAME=BINARY...]
# e.g. bench/http_load.sh civetweb=/tmp/hf-old/build/failwatch beast=build/ci/failwatch
# For each binary: start it on loopback with a config whose targets fail
# fast (no backend needed), then measure with bench/http_load.py:
# /healthz p50/p99 (a fresh-connection prober every 50 ms) and /metrics
# p50/p99 with 1, 10 and 200 keep-alive scrapers (plain and gzip), and
# /healthz during 1000 idle connections + 50 slowloris (1 byte / 2 s).
# Prints one table; reports `uptime` load (the machine is shared).
# A benchmark, never a test: no assertion on the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${LAB_PYTHON:-/usr/bin/python3}
DURATION=${BENCH_DURATION:-6}
WORK=$(mktemp -d /tmp/failwatch-http-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat > "$WORK/failwatch.yml" <<YAML
interval: 1s
timeout: 800ms
databases:
  - name: orders
    endpoint: db.lab.test:1
    dns_servers: ["127.0.0.1:1"]
YAML
ulimit -n "$(ulimit -Hn)"

scenario() {  # scenario PORT LABEL ARGS...
  local port=$1 label=$2
  shift 2
  local out
  out=$("$PY" bench/http_load.py --port "$port" --duration "$DURATION" "$@")
  "$PY" -c "
import json, sys
r = json.loads(sys.argv[1]); h = r['healthz']; s = r['scrape']
f = lambda v: '-' if v is None else v
print(f\"| {sys.argv[2]} | {sys.argv[3]} | {f(h['p50_ms'])} | {f(h['p99_ms'])} | {h['errors']} | {f(s['p50_ms'])} | {f(s['p99_ms'])} | {s['requests']} | {s['errors']} |\")
" "$out" "$NAME" "$label"
}

echo "load before: $(uptime)"
echo
echo "| server | scenario | healthz p50 ms | healthz p99 ms | healthz errors | scrape p50 ms | scrape p99 ms | scrapes | scrape errors |"
echo "|---|---|---|---|---|---|---|---|---|"
for spec in "$@"; do
  NAME=${spec%%=*}
  BIN=${spec#*=}
  PORT=$((30000 + RANDOM % 20000))
  "$BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$PORT" \
    > "$WORK/$NAME.log" 2>&1 &
  PID=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.1; done
  scenario "$PORT" "healthz alone"
  for n in 1 10 200; do
    scenario "$PORT" "$n scrapers plain" --scrapers "$n"
    scenario "$PORT" "$n scrapers gzip" --scrapers "$n" --gzip
  done
  scenario "$PORT" "1000 idle + 50 slowloris + 1 scraper" --idle 1000 --slowloris 50 --scrapers 1 --warmup 5
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
echo
echo "load after: $(uptime)"
