#!/usr/bin/env bash
# Soak: failwatch at a 100 ms interval against its own lab for SOAK_SECONDS,
# with the fault matrix's faults cycled (scripts/lab/faults.sh), while its
# RSS, open FDs and threads are sampled. Exits 1 when failwatch dies,
# /healthz fails, or RSS / FDs / threads drift past the thresholds.
#
#   bench/soak.sh                     1 h (SOAK_SECONDS=3600)
#   SOAK_SECONDS=600 bench/soak.sh    10 min
#
# Its lab uses its own addresses and ports (PostgreSQL on 127.0.0.12/13,
# DNS :25353 and 127.0.0.63:53, failwatch :29921, no Prometheus), so it runs
# beside the default lab and needs no lab lock.
#
# Drift is measured on "quiet" samples: the one taken right before each
# fault, SOAK_FAULT_EVERY - SOAK_FAULT_SECONDS after the previous restore,
# so every quiet sample sees the same state. Samples in the first
# SOAK_WARMUP seconds are excluded. drift = median of the last third of the
# quiet samples - median of the first third.
#
# Environment (defaults): SOAK_SECONDS (3600), SOAK_WARMUP (300),
# SOAK_SAMPLE_EVERY (10 s), SOAK_FAULT_EVERY (60 s), SOAK_FAULT_SECONDS (15),
# SOAK_FAULTS (every fault but the PgBouncer pair's duplicates: see below),
# SOAK_MAX_RSS_DRIFT_KB (1024), SOAK_MAX_FD_DRIFT (0), SOAK_MAX_THREAD_DRIFT
# (0), SOAK_OUT (/var/tmp/failwatch-soak-out), LAB_INTERVAL (100ms),
# LAB_TIMEOUT (80ms), and the lab's own (LAB_DIR, FAILWATCH_BIN, ...).
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
SOAK_OUT=${SOAK_OUT:-/var/tmp/failwatch-soak-out}
# Run from a copy of the scripts: editing the checkout during the hour must
# not change (or half-write) the code the soak is running.
if [ -z "${SOAK_SNAPSHOT:-}" ]; then
  mkdir -p "$SOAK_OUT/snapshot"
  cp -r "$BENCH/../scripts" "$BENCH/../bench" "$SOAK_OUT/snapshot/"
  SOAK_SNAPSHOT=1 exec bash "$SOAK_OUT/snapshot/bench/soak.sh" "$@"
fi
SOAK_SECONDS=${SOAK_SECONDS:-3600}
SOAK_WARMUP=${SOAK_WARMUP:-300}
SOAK_SAMPLE_EVERY=${SOAK_SAMPLE_EVERY:-10}
SOAK_FAULT_EVERY=${SOAK_FAULT_EVERY:-60}
SOAK_FAULT_SECONDS=${SOAK_FAULT_SECONDS:-15}
SOAK_MAX_RSS_DRIFT_KB=${SOAK_MAX_RSS_DRIFT_KB:-1024}
SOAK_MAX_FD_DRIFT=${SOAK_MAX_FD_DRIFT:-0}
SOAK_MAX_THREAD_DRIFT=${SOAK_MAX_THREAD_DRIFT:-0}
export LAB_DIR=${LAB_DIR:-/var/tmp/failwatch-soak} LAB_LOG_DIR=${LAB_LOG_DIR:-$SOAK_OUT/logs}
export PG_LAB_IP1=${PG_LAB_IP1:-127.0.0.12} PG_LAB_IP2=${PG_LAB_IP2:-127.0.0.13}
export LAB_DNS_PORT=${LAB_DNS_PORT:-25353} LAB_DNS53_ADDR=${LAB_DNS53_ADDR:-127.0.0.63}
export LAB_FAILWATCH_PORT=${LAB_FAILWATCH_PORT:-29921} LAB_APP_METRICS_PORT=${LAB_APP_METRICS_PORT:-29101}
export LAB_PGBOUNCER_PORT=${LAB_PGBOUNCER_PORT:-26432} LAB_PROMETHEUS=${LAB_PROMETHEUS:-0}
export LAB_INTERVAL=${LAB_INTERVAL:-100ms} LAB_TIMEOUT=${LAB_TIMEOUT:-80ms}
# shellcheck source=scripts/lab.sh
source "$BENCH/../scripts/lab.sh"
# shellcheck source=scripts/lab/faults.sh
source "$ROOT/scripts/lab/faults.sh"
read -r -a FAULTS <<<"${SOAK_FAULTS:-$(fault_names)}"

mkdir -p "$SOAK_OUT/bin"
# Copies: a rebuild during the hour must not replace the running binary
# (the lab checks a pid against its executable's path).
for b in "$FAILWATCH_BIN" "$LAB_TOOLS_DIR/demo_app" "$LAB_TOOLS_DIR/demo_producer" \
  "$LAB_TOOLS_DIR/kafka_mock_cluster"; do
  cp "$b" "$SOAK_OUT/bin/" || die "missing $b (set FAILWATCH_BIN and LAB_TOOLS_DIR)"
done
# The snapshot has no source tree to build: the lab runs these copies.
export FAILWATCH_BIN=$SOAK_OUT/bin/failwatch LAB_TOOLS_DIR=$SOAK_OUT/bin LAB_SKIP_BUILD=1
CSV=$SOAK_OUT/soak.csv
ACTIVE=""
finish() {
  local rc=$?
  [ -z "$ACTIVE" ] || bash "$BENCH/fault_matrix.sh" restore "$ACTIVE" || true
  cp "$LAB_DIR"/pg/*.log "$LOGS/" 2>/dev/null || true  # `down` drops them
  bash "$ROOT/scripts/lab.sh" down >"$SOAK_OUT/lab-down.log" 2>&1 || true
  exit $rc
}
trap finish EXIT

say "soak: lab up in $LAB_DIR (failwatch $FW_ADDR, interval $LAB_INTERVAL)"
bash "$ROOT/scripts/lab.sh" up >"$SOAK_OUT/lab-up.log" 2>&1 ||
  die "lab up failed: $(tail -5 "$SOAK_OUT/lab-up.log")"
PID=$(proc_pid failwatch)

# t, rss_kb, fds, threads, healthz_failures so far, quiet (1 = right before a fault), fault
HEALTHZ_FAILS=0
sample() {
  local rss fds thr
  rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$PID/status")
  thr=$(awk '$1 == "Threads:" { print $2 }' "/proc/$PID/status")
  fds=$(find "/proc/$PID/fd" -mindepth 1 -maxdepth 1 | wc -l)
  echo "$1,$rss,$fds,$thr,$HEALTHZ_FAILS,$2,${ACTIVE:--}" >>"$CSV"
}

echo "t,rss_kb,fds,threads,healthz_failures,quiet,fault" >"$CSV"
T0=$(date +%s)
next_sample=0 next_fault=$SOAK_FAULT_EVERY restore_at=-1 i=0
while true; do
  now=$(($(date +%s) - T0))
  [ "$now" -lt "$SOAK_SECONDS" ] || break
  kill -0 "$PID" 2>/dev/null || die "failwatch died at t=${now}s; see $LOGS/failwatch.log"
  fw_curl -sf -o /dev/null --max-time 1 "$FW_URL/healthz" || HEALTHZ_FAILS=$((HEALTHZ_FAILS + 1))
  if [ "$now" -ge "$next_sample" ]; then
    sample "$now" 0
    next_sample=$((now + SOAK_SAMPLE_EVERY))
  fi
  if [ -n "$ACTIVE" ] && [ "$now" -ge "$restore_at" ]; then
    bash "$BENCH/fault_matrix.sh" restore "$ACTIVE" >>"$SOAK_OUT/faults.log" 2>&1 ||
      die "restore $ACTIVE failed; see $SOAK_OUT/faults.log"
    ACTIVE=""
  fi
  if [ -z "$ACTIVE" ] && [ "$now" -ge "$next_fault" ]; then
    sample "$now" 1
    ACTIVE=${FAULTS[$((i % ${#FAULTS[@]}))]}
    i=$((i + 1))
    echo "t=$now inject $ACTIVE" >>"$SOAK_OUT/faults.log"
    bash "$BENCH/fault_matrix.sh" inject "$ACTIVE" >>"$SOAK_OUT/faults.log" 2>&1 ||
      die "inject $ACTIVE failed; see $SOAK_OUT/faults.log"
    restore_at=$((now + SOAK_FAULT_SECONDS))
    next_fault=$((now + SOAK_FAULT_EVERY))
  fi
  sleep 0.2
done
if [ -n "$ACTIVE" ]; then
  bash "$BENCH/fault_matrix.sh" restore "$ACTIVE" >>"$SOAK_OUT/faults.log" 2>&1 || true
  ACTIVE=""
fi
sample "$(($(date +%s) - T0))" 1
deadline_exceeded=$(fw_curl -sf --max-time 2 "$FW_URL/metrics" |
  awk '$1 ~ /^failwatch_collector_deadline_exceeded_total/ { s += $2 } END { print s + 0 }')
samples=$(fw_curl -sf --max-time 2 "$FW_URL/metrics" |
  awk '$1 ~ /^failwatch_collector_samples_total/ { s += $2 } END { print s + 0 }')

"$LAB_PYTHON" - "$CSV" "$SOAK_WARMUP" "$SOAK_MAX_RSS_DRIFT_KB" "$SOAK_MAX_FD_DRIFT" \
  "$SOAK_MAX_THREAD_DRIFT" "$i" "$samples" "$deadline_exceeded" <<'PY'
import csv, statistics, sys
path, warm, max_rss, max_fd, max_thr = sys.argv[1], *map(float, sys.argv[2:6])
faults, samples, abandoned = sys.argv[6:9]
rows = [r for r in csv.DictReader(open(path))]
after = [r for r in rows if float(r["t"]) >= warm]
quiet = [r for r in after if r["quiet"] == "1"]
if len(quiet) < 3:
    print("soak: too short: %d quiet samples after the warm-up (need 3)" % len(quiet))
    sys.exit(1)
third = max(1, len(quiet) // 3)
def drift(col):
    first = statistics.median(float(r[col]) for r in quiet[:third])
    last = statistics.median(float(r[col]) for r in quiet[-third:])
    return last - first
def span(col, rs):
    v = [int(r[col]) for r in rs]
    return min(v), max(v)
d = {c: drift(c) for c in ("rss_kb", "fds", "threads")}
dur = float(rows[-1]["t"])
print("| figure | value |")
print("|---|---|")
print("| duration | %.0f s (warm-up %.0f s excluded), %s faults injected |" % (dur, warm, faults))
print("| samples (all collectors) | %s, %s abandoned at their deadline |" % (samples, abandoned))
print("| RSS after warm-up min/max | %d / %d KiB |" % span("rss_kb", after))
print("| RSS drift (quiet samples, last third - first third) | %+.0f KiB (limit %d) |" % (d["rss_kb"], max_rss))
print("| FDs after warm-up min/max (quiet) | %d / %d (%d / %d) |" % (span("fds", after) + span("fds", quiet)))
print("| FD drift | %+.0f (limit %d) |" % (d["fds"], max_fd))
print("| threads after warm-up min/max (quiet) | %d / %d (%d / %d) |" % (span("threads", after) + span("threads", quiet)))
print("| thread drift | %+.0f (limit %d) |" % (d["threads"], max_thr))
print("| /healthz failures (polled every ~0.3 s) | %s |" % rows[-1]["healthz_failures"])
bad = d["rss_kb"] > max_rss or d["fds"] > max_fd or d["threads"] > max_thr \
    or int(rows[-1]["healthz_failures"]) > 0
print("soak: %s" % ("FAIL" if bad else "pass"))
sys.exit(1 if bad else 0)
PY
