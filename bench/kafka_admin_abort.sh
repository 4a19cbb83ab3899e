#!/usr/bin/env bash
# How often librdkafka 2.0.2's coordinator-admin abort (#3663/#4605,
# rd_kafka_enq_once_del_source_return) takes a process down, before and
# after the admin worker (docs/reference/kafka.md "Admin worker"):
#  1. librdkafka alone: tests/tools/kafka_admin_abort_repro (DescribeConsumer-
#     Groups against the mock), N runs with glibc's default malloc and N with
#     its tcache off: abort / wedge (no answer) / clean.
#  2. the daemon with group discovery on against the mock, N runs of
#     RUN_SECONDS each per binary and malloc setting: daemon alive at the
#     end, how it died otherwise, and (after) the worker restarts it counted.
#
#   BEFORE_BIN=/work/main/build/ci/failwatch bench/kafka_admin_abort.sh
# Env: BUILD_DIR (default build/ci, must hold failwatch and tests/*), N
# (default 10), RUN_SECONDS (default 8), BEFORE_BIN (a failwatch without the
# worker; rows skipped when unset). Starts processes on random loopback
# ports; run it under the lab lock. It measures; it asserts nothing.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$here/build/ci}
N=${N:-10}
RUN_SECONDS=${RUN_SECONDS:-8}
BEFORE_BIN=${BEFORE_BIN:-}
AFTER_BIN=$BUILD_DIR/failwatch
TOOLS=$BUILD_DIR/tests
source "$here/scripts/lab/ports.sh"
WORK=$(mktemp -d /tmp/failwatch-kafka-abort.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
NOTCACHE=glibc.malloc.tcache_count=0

echo "| process | malloc | runs | aborted (SIGABRT) | wedged / other death | alive, clean | worker restarts (crashed) |"
echo "|---|---|---|---|---|---|---|"
for tun in "" "$NOTCACHE"; do
  a=0 w=0 ok=0
  for _ in $(seq "$N"); do
    (env ${tun:+GLIBC_TUNABLES=$tun} timeout 60 "$TOOLS/kafka_admin_abort_repro" --calls=5 >/dev/null 2>&1)
    case $? in 134) a=$((a + 1)) ;; 0) ok=$((ok + 1)) ;; *) w=$((w + 1)) ;; esac
  done
  echo "| kafka_admin_abort_repro (librdkafka alone) | ${tun:-default} | $N | $a | $w | $ok | – |"
done

"$TOOLS/kafka_mock_cluster" --brokers=3 --bootstrap-file="$WORK/bootstrap" orders:3 \
  >"$WORK/mock.log" 2>&1 &
for _ in $(seq 100); do [ -s "$WORK/bootstrap" ] && break; sleep 0.1; done
brokers=$(tr -d '\n' <"$WORK/bootstrap" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? ", " : ""), $i }')
cat >"$WORK/fw.yml" <<YAML
interval: 500ms
timeout: 400ms
kafka:
  - name: main
    brokers: [$brokers]
    group_discovery: true
    groups: [{name: g1, topics: [orders]}]
YAML

for which in before after; do
  bin=$([ $which = before ] && echo "$BEFORE_BIN" || echo "$AFTER_BIN")
  [ -n "$bin" ] && [ -x "$bin" ] || continue
  for tun in "" "$NOTCACHE"; do
    a=0 other=0 alive=0 restarts=0
    for _ in $(seq "$N"); do
      port=$(free_port)
      env ${tun:+GLIBC_TUNABLES=$tun} "$bin" --config "$WORK/fw.yml" \
        --web.listen-address "127.0.0.1:$port" >"$WORK/fw.log" 2>&1 &
      pid=$!
      sleep "$RUN_SECONDS"
      if kill -0 "$pid" 2>/dev/null; then
        alive=$((alive + 1))
        r=$(curl -s --max-time 2 "http://127.0.0.1:$port/metrics" |
          awk '/^failwatch_kafka_admin_worker_restarts_total\{.*reason="crashed"/ { print $2 }')
        restarts=$((restarts + ${r:-0}))
        kill "$pid"
        wait "$pid" 2>/dev/null
      else
        wait "$pid"
        rc=$?
        if [ $rc = 134 ]; then a=$((a + 1)); else other=$((other + 1)); fi
      fi
    done
    echo "| failwatch $which ($bin) | ${tun:-default} | $N | $a | $other | $alive | $([ $which = after ] && echo "$restarts" || echo –) |"
  done
done
