#!/usr/bin/env bash
# The Kafka admin worker (docs/reference/kafka.md "Admin worker"): the
# coordinator admin calls run in a child process, so a worker that dies
# mid-request (SIGKILL, SIGABRT as librdkafka 2.0.2's assertion does) costs
# one failed round of committed offsets, not the daemon. Against the real
# mock cluster: the daemon stays up, /healthz answers 200, the restart is
# counted by reason, and the group's lag is exported again once the new
# worker answers. Then group discovery on the mock, whose DescribeGroups
# path aborts librdkafka deterministically when glibc's tcache is off
# (tests/tools/kafka_admin_abort_repro.cc): the daemon outlives every abort.
source "$(dirname "$0")/lib.sh"
TOOLS=${FAILWATCH_TOOLS_DIR:?}

start_mock() {
  "$TOOLS/kafka_mock_cluster" --brokers=3 --bootstrap-file="$WORK/bootstrap" \
    orders:3 >> "$WORK/mock.log" 2>&1 &
  PIDS+=("$!")
  wait_for 10 "mock bootstrap file" test -s "$WORK/bootstrap"
  BOOTSTRAP=$(tr -d '\n' < "$WORK/bootstrap")
}

# Produces 30 records and has group g1 consume (and commit) 20 of them:
# a lag of 10.
make_lag() {
  "$TOOLS/demo_producer" --bootstrap-file="$WORK/bootstrap" --topic=orders \
    --rate=1000 --count=30 >> "$WORK/producer.log" 2>&1
  timeout 30 kcat -b "$BOOTSTRAP" -G g1 -X session.timeout.ms=6000 \
    -X auto.offset.reset=earliest -X enable.auto.commit=true \
    -X auto.commit.interval.ms=100 -c 20 -q orders > /dev/null 2>> "$WORK/kcat.log" ||
    fail "kcat could not consume"
}

write_config() {  # $1 = group_discovery
  cat > "$WORK/failwatch.yml" <<YAML
interval: 500ms
timeout: 400ms
kafka:
  - name: main
    brokers: [$(awk -F, '{ for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? ", " : ""), $i }' "$WORK/bootstrap")]
    group_discovery: $1
    groups: [{name: g1, topics: [orders]}]
YAML
}

worker_pid() {  # the daemon's admin worker child, if running
  local p
  for p in $(pgrep -P "$FW_PID" 2>/dev/null); do
    if tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- '--kafka-admin-worker'; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

lag_is() { metric_is 'failwatch_kafka_group_lag{cluster="main",group="g1"}' "$1"; }
restarts() { metric_value "failwatch_kafka_admin_worker_restarts_total{cluster=\"main\",reason=\"$1\"}"; }
restarts_at_least() { local v; v=$(restarts "$1"); [ -n "$v" ] && [ "${v%.*}" -ge "$2" ]; }
healthz_200() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FW_PORT/healthz")" = 200 ]; }

start_mock
make_lag
write_config false
start_failwatch "$WORK/failwatch.yml" "$(free_port)"
wait_for 20 "lag 10 exported" lag_is 10
wait_for 5 "an admin worker child" worker_pid
pid=$(worker_pid)
grep -q "sasl\|password" "/proc/$pid/cmdline" && fail "worker argv carries properties"
log "worker pid $pid; lag 10; restarts crashed=$(restarts crashed)"

for sig in KILL ABRT; do
  before=$(restarts crashed)
  pid=$(worker_pid)
  kill -"$sig" "$pid"
  log "sent SIG$sig to worker $pid"
  wait_for 10 "restart counted after SIG$sig" restarts_at_least crashed $((${before%.*} + 1))
  kill -0 "$FW_PID" || fail "daemon died with its worker (SIG$sig)"
  healthz_200 || fail "/healthz not 200 after SIG$sig"
  wait_for 10 "new worker" worker_pid
  [ "$(worker_pid)" != "$pid" ] || fail "worker pid unchanged"
  wait_for 10 "lag exported again after SIG$sig" lag_is 10
done

# A worker that stops answering (SIGSTOP: what librdkafka's wedge looks
# like from outside) is killed at the request's deadline and replaced.
pid=$(worker_pid)
kill -STOP "$pid"
wait_for 10 "timeout restart counted" restarts_at_least timeout 1
kill -0 "$FW_PID" || fail "daemon died"
wait_for 10 "lag exported after the wedge" lag_is 10
log "SIGSTOP'd worker replaced: timeout=$(restarts timeout)"
promtool_check
last=$(worker_pid)
kill "$FW_PID"; wait "$FW_PID" 2>/dev/null || true
gone() { ! grep -qv '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
wait_for 5 "worker $last gone with the daemon" gone "$last"

# The real abort: DescribeConsumerGroups on the mock with tcache off makes
# librdkafka 2.0.2 assert in every worker that describes. On glibc its
# freed memory must not sit in a thread cache; on jemalloc (the daemon's
# allocator) it must be overwritten when freed (junk:true), else the
# use-after-free reads the old values and nothing fails.
write_config true
log_before=$(wc -l < "$WORK/failwatch.log" 2>/dev/null || echo 0)
GLIBC_TUNABLES=glibc.malloc.tcache_count=0 MALLOC_CONF=junk:true \
  start_failwatch "$WORK/failwatch.yml" "$(free_port)"
wait_for 20 "lag with discovery on" lag_is 10
wait_for 20 "a worker aborted by librdkafka" restarts_at_least crashed 1
# The same use-after-free ends as the assertion (SIGABRT), as SIGSEGV when
# the freed memory was reused first (seen in a CI run), or as glibc's own
# heap check aborting ("malloc(): unaligned fastbin chunk detected", seen
# once the process defaults fixed the arenas and the mmap threshold):
# either way the worker, not the daemon, dies. Only this run's lines count
# (the log also holds the SIGABRT sent by hand above).
tail -n +"$((log_before + 1))" "$WORK/failwatch.log" > "$WORK/abort-run.log"
glibc_heap_abort() {
  grep -qE "^(malloc|free|realloc|malloc_consolidate)\(\): |double free or corruption|corrupted (size|double-linked)" \
    "$WORK/abort-run.log" && grep -q "reason=crashed signal=SIGABRT" "$WORK/abort-run.log"
}
if ! grep -q "rd_kafka_enq_once_del_source_return" "$WORK/abort-run.log" &&
   ! grep -q "reason=crashed signal=SIGSEGV" "$WORK/abort-run.log" &&
   ! glibc_heap_abort; then
  fail "no worker died of librdkafka's use-after-free (assertion, SIGSEGV or glibc heap check)"
fi
sleep 3
kill -0 "$FW_PID" || fail "daemon died of the librdkafka abort"
healthz_200 || fail "/healthz not 200 with aborting workers"
wait_for 10 "lag still exported" lag_is 10
log "daemon up through $(restarts crashed) librdkafka aborts in its worker"
log "ok"
