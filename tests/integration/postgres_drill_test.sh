#!/usr/bin/env bash
# The seed incident, reproduced against real PostgreSQL 15 and dnsmasq, and
# watched through the daemon's own /metrics and /status:
# - steady state: endpoint -> primary, roles, standby lag, held app
#   connections counted, both write probe paths ok, verdict ok;
# - failover: promote the standby (split brain until rewound), flip DNS,
#   rewind the old primary: promotion counted, endpoint -> new primary,
#   old node in recovery, app connections on the old node stale with the
#   right cause, sticky write path fails with 25006 while fresh succeeds,
#   the verdict turns degraded with the reason;
# - an unconfigured client's failed INSERT on the demoted node: its own
#   target, degraded at once (conclusive), ok after it leaves, no text leaks;
# - a SIGSTOP'd node costs one deadline: the other node and DNS keep being
#   sampled and /healthz stays 200; SIGCONT recovers.
source "$(dirname "$0")/lib.sh"
source "$FAILWATCH_SOURCE_DIR/scripts/lab/pg.sh"

PGDIR="$WORK/pg"
on_exit pg_lab_stop "$PGDIR"
log "starting PostgreSQL primary 127.0.0.2 + standby 127.0.0.3 (:55432)"
pg_lab_init "$PGDIR" > "$WORK/pg_init.log" 2>&1 || { cat "$WORK/pg_init.log"; fail "pg_lab_init"; }
N1=127.0.0.2:55432
N2=127.0.0.3:55432

DNS_PORT=$(free_port)
HTTP_PORT=$(free_port)
dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 1
on_exit dns_lab_stop "$WORK"
dns_lab_set "$WORK" db.lab.test 127.0.0.2

echo "failwatch-pw" > "$WORK/pg_password"
cat > "$WORK/failwatch.yml" <<YAML
interval: 500ms
timeout: 400ms
databases:
  - name: orders
    endpoint: db.lab.test:55432
    dns_servers: ["127.0.0.1:${DNS_PORT}"]
    members: ["$N1", "$N2"]
    user: failwatch
    password_file: $WORK/pg_password
    sslmode: disable
    apps: [{application_name: orders-api, expects: primary}]
    write_probe: {enabled: true, table: failwatch_heartbeat}
YAML

# The app: connections held open with application_name=orders-api, like a
# pool that connected at start.
hold_app_connections() {
  local ip=$1 n=$2 i
  for ((i = 0; i < n; i++)); do
    PGPASSWORD=app-pw PGAPPNAME=orders-api PGCONNECT_TIMEOUT=3 \
      /usr/lib/postgresql/15/bin/psql -X -q -h "$ip" -p 55432 -U app -d postgres \
      -c "SELECT pg_sleep(3600)" > /dev/null 2>&1 &
    PIDS+=($!)
  done
}
hold_app_connections 127.0.0.2 3

start_failwatch "$WORK/failwatch.yml" "$HTTP_PORT"
wait_for 15 "readyz" curl -sf "http://127.0.0.1:$HTTP_PORT/readyz"

# --- steady state
wait_for 10 "endpoint -> primary" series_is 1 failwatch_pg_endpoint_target 'address="127.0.0.2:55432"' 'node_role="primary"'
wait_for 10 "node2 standby" series_is 1 failwatch_pg_node_role "node=\"$N2\"" 'role="standby"'
series_is 1 failwatch_pg_node_role "node=\"$N1\"" 'role="primary"' || fail "node1 not primary"
wait_for 10 "standby lag reported" series_ge 0 failwatch_pg_standby_replay_lag_bytes "node=\"$N2\""
wait_for 10 "3 app connections counted" series_is 3 failwatch_pg_app_connections "node=\"$N1\"" 'application_name="orders-api"'
series_is 0 failwatch_pg_app_stale_connections 'app="orders-api"' || fail "stale connections in steady state"
wait_for 10 "fresh probe ok" series_is 1 failwatch_pg_write_probe_success 'path="fresh"'
wait_for 10 "sticky probe ok" series_is 1 failwatch_pg_write_probe_success 'path="sticky"'
wait_for 10 "verdict ok" curl -sf "http://127.0.0.1:$HTTP_PORT/verdict"
series_is 1 failwatch_pg_primaries || fail "primaries != 1"
log "steady state ok"
promtool_check

# --- failover
t_promote=$(now_ms)
pg_lab_promote "$PGDIR" node2
wait_for 10 "promotion counted" series_is 1 failwatch_pg_promotions_total
t_seen=$(now_ms)
log "promotion visible in /metrics $((t_seen - t_promote)) ms after pg_ctl promote returned"
# Split brain until the old primary is rewound: both answer as primary.
wait_for 10 "two primaries" series_is 2 failwatch_pg_primaries
wait_for 10 "kept connections stale" series_is 3 failwatch_pg_stale_app_connections 'app="orders-api"' "node=\"$N1\"" 'cause="kept_from_before_promotion"'
wait_for 20 "multiple_primaries down" check_is multiple_primaries orders down
log "split brain: multiple_primaries=down, 3 kept connections stale"

dns_lab_set "$WORK" db.lab.test 127.0.0.3
wait_for 10 "endpoint -> new primary" series_is 1 failwatch_pg_endpoint_target 'address="127.0.0.3:55432"' 'node_role="primary"'
log "DNS moved: endpoint -> $N2 primary"

pg_lab_rewind "$PGDIR" node1 node2 > "$WORK/rewind.log" 2>&1 || { cat "$WORK/rewind.log"; fail "pg_rewind"; }
wait_for 15 "old primary in recovery" series_is 1 failwatch_pg_node_in_recovery "node=\"$N1\""
wait_for 10 "one primary again" series_is 1 failwatch_pg_primaries
# An app that still resolves the old address connects to the demoted node.
hold_app_connections 127.0.0.2 2
wait_for 10 "new stale connections" series_is 2 failwatch_pg_stale_app_connections 'app="orders-api"' "node=\"$N1\"" 'cause="connected_after_promotion"'
# The seed incident: the sticky path (a naive pool) gets 25006 on the
# demoted node while a fresh connection via DNS succeeds.
wait_for 15 "sticky 25006" series_ge 1 failwatch_pg_write_probe_failures_total 'path="sticky"' 'sqlstate="25006"'
wait_for 10 "fresh ok" series_is 1 failwatch_pg_write_probe_success 'path="fresh"'
series_is 0 failwatch_pg_write_probe_success 'path="sticky"' || fail "sticky path should be failing"
wait_for 30 "stale_app_connections degraded" check_is stale_app_connections orders/orders-api degraded
code=$(curl -s -o "$WORK/verdict.json" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/verdict")
[ "$code" = 503 ] || fail "/verdict = $code while degraded"
log "verdict: $(jq -r .headline "$WORK/verdict.json")"
promtool_check

# --- an unconfigured client writes to the demoted node and stays connected.
# Its failed INSERT stays the backend's last statement: conclusive evidence,
# degraded without the 15 s hold (a 5 s wait could not see a held one).
mkfifo "$WORK/billing.in"
PGPASSWORD=app-pw PGAPPNAME=billing PGCONNECT_TIMEOUT=3 \
  /usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.2 -p 55432 -U app -d postgres \
  < "$WORK/billing.in" > "$WORK/billing.out" 2>&1 &
PIDS+=($!)
exec 7> "$WORK/billing.in"
echo "INSERT INTO orders(note) VALUES ('billing-secret-note');" >&7
t_write=$(now_ms)
wait_for 5 "unconfigured writer degraded at once" check_is stale_app_connections orders/billing degraded
log "orders/billing degraded $(($(now_ms) - t_write)) ms after its INSERT on $N1"
grep -q 'read-only transaction' "$WORK/billing.out" || fail "billing's INSERT did not fail read-only"
series_is 1 failwatch_pg_app_connections_writes "node=\"$N1\"" 'application_name="billing"' || fail "billing write not counted"
reason=$(scrape /status | jq -r '.verdict.checks[] | select(.target == "orders/billing") | .reason')
case "$reason" in *"(not configured)"*"last wrote (INSERT) and failed with 25006"*) ;; *) fail "reason: $reason" ;; esac
grep -q 'target=orders/billing .*to=degraded conclusive=true' "$WORK/failwatch.log" || fail "transition not logged as conclusive"
# Only the verb leaves the collector: never the statement text.
if grep -q 'billing-secret-note' "$WORK/failwatch.log" || scrape /metrics | grep -q 'billing-secret-note' ||
  scrape /status | grep -q 'billing-secret-note'; then
  fail "statement text leaked"
fi
# The client leaves: ok after clear_after (15 s), while the collector still
# lists it with no connections.
exec 7>&-
wait_for 30 "unconfigured writer cleared" check_is stale_app_connections orders/billing ok
log "orders/billing: $(scrape /status | jq -r '.verdict.checks[] | select(.target == "orders/billing") | .reason')"
promtool_check

# --- a hung node costs one deadline
pg_lab_freeze "$PGDIR" node2
on_exit pg_lab_thaw "$PGDIR" node2
wait_for 10 "frozen node unreachable" series_is 0 failwatch_pg_node_up "node=\"$N2\""
series_is 1 failwatch_pg_node_up "node=\"$N1\"" || fail "the other node stopped being sampled"
series_is 1 failwatch_dns_lookup_success 'role="writer"' || fail "DNS stopped being sampled"
d=$(series_value failwatch_collector_duration_seconds 'collector="postgres"')
awk -v d="$d" 'BEGIN { exit !(d < 0.4 + 0.25) }' || fail "postgres sample took ${d}s with a node frozen (deadline 0.4s)"
curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" > /dev/null || fail "/healthz failed with a frozen node"
log "node2 frozen: sample ${d}s (deadline 0.4s), node1 and DNS sampled, /healthz 200"
pg_lab_thaw "$PGDIR" node2
wait_for 40 "thawed node back" series_is 1 failwatch_pg_node_up "node=\"$N2\""
log "node2 thawed: up again"
promtool_check
log "PASS"
