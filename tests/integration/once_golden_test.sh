#!/usr/bin/env bash
# node_exporter-style end-to-end test of `--once`: the real binary against a
# real dnsmasq, its exposition with non-deterministic series removed, diffed
# against a golden file; then linted with promtool.
# Regenerate after an intended change: UPDATE_GOLDEN=1 ctest -R once_golden
source "$(dirname "$0")/lib.sh"

GOLDEN="$FAILWATCH_SOURCE_DIR/tests/testdata/golden/once.prom"
DNS_PORT=$(free_port)
dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 7
on_exit dns_lab_stop "$WORK"
dns_lab_set "$WORK" db.lab.test 127.0.0.2
dns_lab_set "$WORK" ro.lab.test 127.0.0.3 127.0.0.4

# Port 1 on loopback refuses at once: the PostgreSQL collector's failure is
# deterministic.
cat > "$WORK/failwatch.yml" <<YAML
interval: 1s
timeout: 800ms
databases:
  - name: orders
    endpoint: db.lab.test:1
    reader_endpoint: ro.lab.test:1
    dns_servers: ["127.0.0.1:${DNS_PORT}"]
    apps: [{application_name: orders-api, expects: primary}]
YAML

"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --once > "$WORK/once.prom" 2> "$WORK/once.log"
promtool check metrics < "$WORK/once.prom" || fail "promtool check metrics failed"

# Values that change run to run: durations, timestamps, process and build
# details. The series themselves stay (their names and labels are checked);
# only the value is masked. failwatch_heap_* is left out whole: whether it is
# there, and its allocator label, depend on the build (jemalloc, glibc, a
# sanitizer); tests/unit/http/proc_metrics_test.cc checks it.
normalize() {
  sed -E \
    -e '/failwatch_heap_/d' \
    -e '/^#/b' \
    -e 's/^((process_|failwatch_start_time|failwatch_scheduler_heartbeat_age|failwatch_config_last_reload_success_timestamp)[^ ]*) .*/\1 <masked>/' \
    -e 's/^([^ ]*(_duration_seconds|_timestamp_seconds|_time_seconds|_latency_seconds)[^ ]*) .*/\1 <masked>/' \
    -e 's/^(failwatch_build_info)\{.*\} 1$/\1{<masked>} 1/' \
    "$1"
}
normalize "$WORK/once.prom" > "$WORK/once.normalized"

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
  cp "$WORK/once.normalized" "$GOLDEN"
  log "golden file updated: $GOLDEN"
  exit 0
fi
[ -f "$GOLDEN" ] || fail "missing $GOLDEN (run with UPDATE_GOLDEN=1)"
if ! diff -u "$GOLDEN" "$WORK/once.normalized" > "$WORK/golden.diff"; then
  cat "$WORK/golden.diff" >&2
  fail "--once output differs from $GOLDEN (UPDATE_GOLDEN=1 to accept an intended change)"
fi
log "PASS: --once output matches the golden file ($(grep -vc '^#' "$WORK/once.normalized") series)"
