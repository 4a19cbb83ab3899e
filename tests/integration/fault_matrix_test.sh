#!/usr/bin/env bash
# A short fault matrix (bench/fault_matrix.sh) against the lab in a temp
# LAB_DIR on free ports: a bad reload, a crashed primary, a DNS server
# answering SERVFAIL and a hung PgBouncer. Each row: failwatch survives,
# /healthz never fails, the verdict is right within the check's hold + 2
# intervals (+ FAULT_MATRIX_SLACK, 3 s here: a loaded CI machine), every
# sample ends by its deadline, and the verdict returns after the restore.
# About 2.5 minutes. The full matrix and its figures: docs/lab.md.
#
# PostgreSQL stays on 127.0.0.2/127.0.0.3:55432: one lab at a time.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
trap 'echo "fault_matrix_test: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR

: "${FAILWATCH_TOOLS_DIR:?FAILWATCH_TOOLS_DIR must point at the tests/tools executables}"
ROOT=$FAILWATCH_SOURCE_DIR
LAB=$ROOT/scripts/lab.sh
for t in demo_app demo_producer kafka_mock_cluster; do
  [ -x "$FAILWATCH_TOOLS_DIR/$t" ] || fail "missing $FAILWATCH_TOOLS_DIR/$t (build target $t)"
done
for b in dnsmasq jq /usr/sbin/pgbouncer; do
  command -v "$b" >/dev/null || fail "missing $b (scripts/install-deps.sh)"
done
for ip in 127.0.0.2 127.0.0.3; do
  if ss -Htln "sport = :55432" | awk '{ print $4 }' | grep -qx "$ip:55432"; then
    fail "$ip:55432 is in use: another lab is running (scripts/lab.sh down)"
  fi
done

export LAB_DIR=$WORK/lab LAB_LOG_DIR=$WORK LAB_SKIP_BUILD=1 LAB_PROMETHEUS=0
export FAILWATCH_BIN LAB_TOOLS_DIR=$FAILWATCH_TOOLS_DIR
# The DLT exists (dlt mode): the verdict before each fault is settled at
# once instead of after dlt_missing's 60 s hold.
export LAB_APP_MODE=dlt FAULT_MATRIX_SLACK=${FAULT_MATRIX_SLACK:-3}
ports=()
while [ ${#ports[@]} -lt 4 ]; do
  p=$(free_port)
  [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
export LAB_DNS_PORT=${ports[0]} LAB_FAILWATCH_PORT=${ports[1]} LAB_APP_METRICS_PORT=${ports[2]}
export LAB_PGBOUNCER_PORT=${ports[3]}
for i in $(seq 0 40); do
  addr=127.0.0.$((53 + i))
  ss -Htuln "sport = :53" | awk '{ print $5 }' | grep -qx "$addr:53" || break
done
export LAB_DNS53_ADDR=$addr
on_exit "bash '$LAB' down > '$WORK/lab-down.log' 2>&1"

log "lab up (LAB_DIR=$LAB_DIR, failwatch :$LAB_FAILWATCH_PORT)"
bash "$LAB" up >"$WORK/lab-up.log" 2>&1 || fail "scripts/lab.sh up failed (see lab-up.log)"
log "fault matrix: bad_reload pg_primary_kill dns_servfail pgbouncer_stop"
if ! bash "$ROOT/bench/fault_matrix.sh" bad_reload pg_primary_kill dns_servfail pgbouncer_stop \
  >"$WORK/fault-matrix.log" 2>&1; then
  cat "$WORK/fault-matrix.log" >&2
  fail "a fault-matrix row failed"
fi
sed -n '/^| fault/,$p' "$WORK/fault-matrix.log"
rows=$(grep -c '"pass": true' "$LAB_DIR/fault-matrix.jsonl" || true)
[ "$rows" = 4 ] || fail "expected 4 passing rows, got $rows"
log "ok"
