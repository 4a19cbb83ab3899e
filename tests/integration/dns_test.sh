#!/usr/bin/env bash
# The DNS collector end to end: real dnsmasq, the real daemon, /metrics.
# - the endpoint's address shows; a record flip shows within two intervals
#   with changes_total + 1;
# - dnsmasq killed: lookups fail and are counted, /healthz stays 200;
# - promtool check metrics is clean on the live output;
# - SIGHUP with a broken config keeps running and reports the failed reload.
source "$(dirname "$0")/lib.sh"

DNS_PORT=$(free_port)
HTTP_PORT=$(free_port)
dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 1
on_exit dns_lab_stop "$WORK"
dns_lab_set "$WORK" db.lab.test 127.0.0.2
dns_lab_set "$WORK" ro.lab.test 127.0.0.3

INTERVAL_MS=500
cat > "$WORK/failwatch.yml" <<YAML
interval: ${INTERVAL_MS}ms
timeout: 400ms
databases:
  - name: orders
    endpoint: db.lab.test:5432
    reader_endpoint: ro.lab.test:5432
    dns_servers: ["127.0.0.1:${DNS_PORT}"]
YAML

start_failwatch "$WORK/failwatch.yml" "$HTTP_PORT"
wait_for 10 "readyz" curl -sf "http://127.0.0.1:$HTTP_PORT/readyz"

W='database="orders",endpoint="db.lab.test:5432",role="writer"'
wait_for 5 "writer answer 127.0.0.2" has_series "^failwatch_dns_answer\{.*address=\"127.0.0.2\".*role=\"writer\"|^failwatch_dns_answer\{${W},address=\"127.0.0.2\"\}"
expect_metric "failwatch_dns_lookup_success{$W}" 1
expect_metric "failwatch_dns_answer_changes_total{$W}" 0
expect_metric "failwatch_dns_ttl_seconds{$W}" 1
log "steady state ok"
promtool_check

# The failover's DNS step: the record moves to the new primary.
t0=$(now_ms)
dns_lab_set "$WORK" db.lab.test 127.0.0.3
wait_for 5 "new address exported" has_series "^failwatch_dns_answer\{${W},address=\"127.0.0.3\"\} 1"
t1=$(now_ms)
expect_metric "failwatch_dns_answer_changes_total{$W}" 1
has_series "^failwatch_dns_answer\{${W},address=\"127.0.0.2\"\}" && fail "old address still exported"
elapsed=$((t1 - t0))
log "record flip visible in /metrics after ${elapsed} ms (interval ${INTERVAL_MS} ms)"
[ "$elapsed" -le $((2 * INTERVAL_MS + 300)) ] || fail "flip took ${elapsed} ms, more than two intervals (+300 ms polling slack)"
last_change=$(metric_value "failwatch_dns_last_change_timestamp_seconds{$W}")
awk -v v="$last_change" 'BEGIN { exit !(v > 1.6e9) }' || fail "last change timestamp not set: $last_change"

# The DNS server dies: failures are counted, liveness is unaffected.
dns_lab_stop "$WORK"
wait_for 5 "lookup_success 0" metric_is "failwatch_dns_lookup_success{$W}" 0
wait_for 5 "errors counted" has_series "^failwatch_dns_lookup_errors_total\{${W},code=\"[A-Z_]+\"\} [1-9]"
expect_metric 'failwatch_collector_success{collector="dns",target="orders"}' 0
curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null || fail "/healthz failed while dnsmasq is down"
has_series "^failwatch_dns_answer\{${W}" && fail "stale answer exported while lookups fail"
log "dnsmasq down: success 0, errors counted, /healthz 200"
promtool_check

# A broken reload keeps the running config and says so.
cp "$WORK/failwatch.yml" "$WORK/good.yml"
echo "bogus_key: 1" >> "$WORK/failwatch.yml"
kill -HUP "$FW_PID"
wait_for 5 "reload failure reported" metric_is failwatch_config_last_reload_successful 0
curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null || fail "/healthz after bad reload"
grep -q "bogus_key" "$WORK/failwatch.log" || fail "reload error not logged"
cp "$WORK/good.yml" "$WORK/failwatch.yml"
kill -HUP "$FW_PID"
wait_for 5 "reload success reported" metric_is failwatch_config_last_reload_successful 1
log "SIGHUP reload: bad config kept the running one; good config applied"

# --check-config on a broken file: file:line:column and exit 2.
printf 'interval: 1s\ntimeout: 2s\ndatabases:\n  - name: x\n    endpoint: db.lab.test:5432\n' > "$WORK/bad.yml"
set +e
out=$("$FAILWATCH_BIN" --config "$WORK/bad.yml" --check-config 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] || fail "--check-config exit code $rc, want 2"
echo "$out" | grep -Eq "bad.yml:[0-9]+:[0-9]+: " || fail "--check-config output lacks file:line:column: $out"
log "--check-config: exit 2 with '$out'"
"$FAILWATCH_BIN" --config "$WORK/good.yml" --check-config > /dev/null || fail "--check-config rejected a valid file"
log "PASS"
