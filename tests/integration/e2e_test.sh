#!/usr/bin/env bash
# End to end: the README's lab (scripts/lab.sh) in a temp LAB_DIR on free
# ports, the seed incident (failover drill), the alerts it must raise in the
# real Prometheus and Alertmanager, and their resolution after the "restart
# the pods" fix. Records how long each step took from the promotion, prints
# a table and writes it to $FAILWATCH_BUILD_DIR/e2e-timings.txt.
#
# failwatch serves HTTPS with basic auth (the lab's default, LAB_TLS=1):
# Prometheus's target must be up over https, and a scrape without TLS or
# without the password must be refused. LAB_TLS=0 runs the lab on plain HTTP.
#
# PostgreSQL stays on 127.0.0.2/127.0.0.3:55432: one lab at a time.
# Needs: FAILWATCH_TOOLS_DIR with demo_app, demo_producer, kafka_mock_cluster.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
# Under set -e a failing command ends the test silently: name its line.
trap 'echo "e2e_test: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR

: "${FAILWATCH_TOOLS_DIR:?FAILWATCH_TOOLS_DIR must point at the tests/tools executables}"
ROOT=$FAILWATCH_SOURCE_DIR
LAB=$ROOT/scripts/lab.sh
RULES=$ROOT/alerts/failwatch.rules.yml
QUERIES=$ROOT/dashboards/queries.sh
FIRE_TIMEOUT=${E2E_FIRE_TIMEOUT:-180}
RESOLVE_TIMEOUT=${E2E_RESOLVE_TIMEOUT:-120}
TIMINGS_OUT=${FAILWATCH_BUILD_DIR:-$WORK}/e2e-timings.txt

for t in demo_app demo_producer kafka_mock_cluster; do
  [ -x "$FAILWATCH_TOOLS_DIR/$t" ] || fail "missing $FAILWATCH_TOOLS_DIR/$t (build target $t)"
done
for b in prometheus promtool amtool /usr/bin/prometheus-alertmanager dnsmasq jq openssl htpasswd; do
  command -v "$b" >/dev/null || fail "missing $b (scripts/install-deps.sh)"
done
# The second writer is a real pool nobody here wrote (SQLAlchemy QueuePool).
/usr/bin/python3 -c 'import sqlalchemy, psycopg2' ||
  fail "missing python3-sqlalchemy / python3-psycopg2 (scripts/install-deps.sh)"
# Goals, from the first 25006 an application saw (issue 13).
DETECT_GOAL=${E2E_DETECT_GOAL:-10}     # billing-sqla named by stale_app_connections
AM_GOAL=${E2E_AM_GOAL:-30}             # the alert active in Alertmanager (goal 20 s)
LAG_GOAL=${E2E_LAG_GOAL:-90}           # consumer_lag degraded
RECOVER_GOAL=${E2E_RECOVER_GOAL:-60}   # verdict ok or at_risk after `recover`
for ip in 127.0.0.2 127.0.0.3; do
  if ss -Htln "sport = :55432" | awk '{ print $4 }' | grep -qx "$ip:55432"; then
    fail "$ip:55432 is in use: another lab is running (scripts/lab.sh down)"
  fi
done

export LAB_DIR=$WORK/lab LAB_LOG_DIR=$WORK LAB_SKIP_BUILD=1
export FAILWATCH_BIN LAB_TOOLS_DIR=$FAILWATCH_TOOLS_DIR
# Six distinct free ports.
ports=()
while [ ${#ports[@]} -lt 6 ]; do
  p=$(free_port)
  [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
done
export LAB_DNS_PORT=${ports[0]} LAB_FAILWATCH_PORT=${ports[1]} LAB_PROMETHEUS_PORT=${ports[2]}
export LAB_ALERTMANAGER_PORT=${ports[3]} LAB_APP_METRICS_PORT=${ports[4]} LAB_PGBOUNCER_PORT=${ports[5]}
# PgBouncer's DNS must be on port 53: pick a loopback address nobody uses.
for i in $(seq 0 40); do
  addr=127.0.0.$((53 + i))
  ss -Htuln "sport = :53" | awk '{ print $5 }' | grep -qx "$addr:53" || break
done
export LAB_DNS53_ADDR=$addr
export DRILL_DNS_DELAY=${DRILL_DNS_DELAY:-5} LAB_APP_MODE=no-dlt
export LAB_TLS=${LAB_TLS:-1}
if [ "$LAB_TLS" = 1 ]; then
  FW=https://127.0.0.1:$LAB_FAILWATCH_PORT
  FW_CURLRC=$LAB_DIR/tls/curlrc  # written by lab.sh up: CA + user:password
else
  FW=http://127.0.0.1:$LAB_FAILWATCH_PORT
  FW_CURLRC=/dev/null
fi
fwc() { curl -K "$FW_CURLRC" "$@"; }
PROM=http://127.0.0.1:$LAB_PROMETHEUS_PORT
AM=http://127.0.0.1:$LAB_ALERTMANAGER_PORT
APP=http://127.0.0.1:$LAB_APP_METRICS_PORT
export FW_PORT=$LAB_FAILWATCH_PORT
scrape() { fwc -sf --max-time 5 "$FW${1:-/metrics}"; }  # lib.sh's, over TLS + auth

lab_pids() { cat "$LAB_DIR"/run/*.pid "$LAB_DIR"/dns/dnsmasq.pid "$LAB_DIR"/dns53/dns/dnsmasq.pid \
  "$LAB_DIR"/pgbouncer/pgbouncer.pid 2>/dev/null | sort -u; head -qn1 "$LAB_DIR"/pg/node*/postmaster.pid 2>/dev/null; }
on_exit "bash '$LAB' down > '$WORK/lab-down.log' 2>&1"

T_START=$(now_ms)
log "lab up (LAB_DIR=$LAB_DIR, failwatch :$LAB_FAILWATCH_PORT, prometheus :$LAB_PROMETHEUS_PORT, alertmanager :$LAB_ALERTMANAGER_PORT)"
bash "$LAB" up > "$WORK/lab-up.log" 2>&1 || { cat "$WORK/lab-up.log" >&2; fail "scripts/lab.sh up failed"; }
T_UP=$(now_ms)
log "lab up in $(((T_UP - T_START) / 1000)) s"

# Idempotent: a second `up` starts nothing new.
before=$(lab_pids | tr '\n' ' ')
bash "$LAB" up > "$WORK/lab-up2.log" 2>&1 || fail "second scripts/lab.sh up failed"
after=$(lab_pids | tr '\n' ' ')
[ "$before" = "$after" ] || fail "second up changed the processes: [$before] -> [$after]"
log "second up: same processes ($(wc -w <<< "$before") pids)"

verdict_status() { fwc -sf --max-time 2 "$FW/status" | jq -r '.verdict.status'; }
verdict_ok() { [ "$(verdict_status)" = ok ]; }
wait_for 60 "failwatch verdict ok before the drill" verdict_ok
prom_target_up() {
  curl -sf --max-time 2 "$PROM/api/v1/query?query=up%7Bjob%3D%22$1%22%7D" |
    jq -e '.data.result[0].value[1] == "1"'
}
wait_for 60 "Prometheus scrapes failwatch" prom_target_up failwatch
if [ "$LAB_TLS" = 1 ]; then
  # Issue 15: the lab's Prometheus scrapes over TLS with basic auth, and
  # failwatch refuses what lacks either.
  target=$(curl -sf --max-time 2 "$PROM/api/v1/targets?state=active" |
    jq -c '[.data.activeTargets[] | select(.labels.job == "failwatch")][0] | {scrapeUrl, health, lastError}')
  jq -e '(.scrapeUrl | startswith("https://")) and .health == "up"' <<< "$target" > /dev/null ||
    fail "Prometheus's failwatch target is not up over https: $target"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$LAB_DIR/tls/ca.crt" "$FW/metrics" || true)
  [ "$code" = 401 ] || fail "a scrape without credentials got HTTP $code, not 401"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$LAB_DIR/tls/ca.crt" \
    -u "${LAB_SCRAPE_USER:-prometheus}:wrong-password" "$FW/metrics" || true)
  [ "$code" = 401 ] || fail "a scrape with a wrong password got HTTP $code, not 401"
  plain=$(curl -s --max-time 2 -w '\n%{http_code}' "http://127.0.0.1:$LAB_FAILWATCH_PORT/metrics" || true)
  if [[ "$plain" == *failwatch_* ]] || [ "$(tail -n1 <<< "$plain")" = 200 ]; then
    fail "a plain-http scrape was answered: $(head -c 200 <<< "$plain")"
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -u x:y "$FW/metrics" || true)
  [ "$code" = 000 ] || fail "a client without the lab CA accepted failwatch's certificate (HTTP $code)"
  log "Prometheus scrapes $(jq -r .scrapeUrl <<< "$target") (up); without credentials 401, wrong password 401, plain http refused"
fi
wait_for 60 "Prometheus scrapes the demo app" prom_target_up demo-app
app_written() {
  curl -sf --max-time 2 "$APP/metrics" | awk '/outcome="written"/ { exit !($2 > 0) }'
}
wait_for 60 "the demo app writes orders" app_written
# failwatch runs long before an incident: its consumption/production rates
# cover their window (60 s) by then. Wait for that, so the drill measures
# detection, not failwatch's own start-up.
rates_known() {
  fwc -sf --max-time 2 "$FW/metrics" |
    grep -q '^failwatch_kafka_group_consumed_messages_per_second{cluster="lab",group="orders-consumer"}'
}
wait_for 120 "failwatch knows orders-consumer's rates" rates_known

# Alerts this incident must raise (when the project's rules exist), and
# those that must resolve once the app is restarted.
EXPECT_FIRING=()
EXPECT_RESOLVED=()
if [ -f "$RULES" ]; then
  rules_loaded() { curl -sf "$PROM/api/v1/rules" | jq -e '[.data.groups[].rules[]] | length > 0'; }
  wait_for 30 "Prometheus loaded $RULES" rules_loaded
  for a in FailwatchStaleAppConnections FailwatchStickyWritesReadOnly FailwatchDegraded; do
    grep -q "alert: $a\$" "$RULES" && EXPECT_FIRING+=("$a")
  done
  grep -q "alert: FailwatchStaleAppConnections\$" "$RULES" &&
    EXPECT_RESOLVED+=(FailwatchStaleAppConnections)
  log "expecting firing: ${EXPECT_FIRING[*]}; resolved after recovery: ${EXPECT_RESOLVED[*]}"
else
  log "no $RULES: asserting on failwatch metrics only"
fi
firing_now() {
  curl -sf --max-time 2 "$PROM/api/v1/alerts" |
    jq -r '.data.alerts[] | select(.state == "firing") | .labels.alertname' | sort -u
}
baseline=$(firing_now | tr '\n' ' ')
for a in "${EXPECT_FIRING[@]}"; do
  grep -qw "$a" <<< "$baseline" && fail "$a already fires before the drill"
done

# ---- events: name -> check, recorded once with the time since promotion ----
declare -A SEEN=()
EVENTS=()
T0_MS=0
record() {  # record NAME [UNIX_SECONDS]: first time only (default: now)
  [ -n "${SEEN[$1]:-}" ] && return 0
  local at
  at=$(now_ms)
  [ -n "${2:-}" ] && at=$(awk -v t="$2" 'BEGIN { printf "%.0f", t * 1000 }')
  SEEN[$1]=$((at - T0_MS))
  EVENTS+=("$1")
  log "$(printf '+%6.1f s  %s' "$(ms_to_s "${SEEN[$1]}")" "$1")"
}
ms_to_s() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
gt0() { awk -v v="${1:-0}" 'BEGIN { exit !(v + 0 > 0) }'; }
prom_firing() { grep -qx "$1" <<< "$PROM_FIRING"; }
prom_active() { grep -qx "$1" <<< "$PROM_ACTIVE"; }
am_active() { grep -qx "$1" <<< "$AM_ACTIVE"; }
poll() {
  METRICS=$(scrape 2>/dev/null || true)
  PROM_ALERTS=$(curl -sf --max-time 2 "$PROM/api/v1/alerts" || echo '{}')
  PROM_FIRING=$(jq -r '.data.alerts[]? | select(.state == "firing") | .labels.alertname' <<< "$PROM_ALERTS" | sort -u)
  PROM_ACTIVE=$(jq -r '.data.alerts[]? | .labels.alertname' <<< "$PROM_ALERTS" | sort -u)
  AM_ACTIVE=$(curl -sf --max-time 2 "$AM/api/v2/alerts?active=true&silenced=false&inhibited=false" |
    jq -r '.[]? | select(.status.state == "active") | .labels.alertname' | sort -u || true)
  APP_METRICS=$(curl -sf --max-time 2 "$APP/metrics" || true)
  STATUS=$(fwc -sf --max-time 2 "$FW/status" || echo '{}')
}
sqla() { sed -n "s/^$1=//p" "$LAB_DIR/sqla-app.status" 2>/dev/null; }
check_reason() {  # check_reason CHECK TARGET
  jq -r --arg c "$1" --arg t "$2" \
    '.verdict.checks[]? | select(.check == $c and .target == $t) | .reason' <<< "$STATUS"
}
verdict_state() { jq -r '.verdict.status // empty' <<< "$STATUS"; }
# "keeps up" said while the lag piles up is the lie issue 13 is about.
KEEPS_UP_LIES=()
PREV_LAG=0
app_counter_gt0() {
  awk -v s="$1" 'BEGIN { r = 1 } index($0, s" ") == 1 && $2 > 0 { r = 0 } END { exit r }' <<< "$APP_METRICS"
}
m() { awk -v s="$1" 'index($0, s" ") == 1 { print $2; exit }' <<< "$METRICS"; }

DRILL_EXPECT=("failwatch: orders-api stale connections > 0" "failwatch: sticky write probe gets 25006"
  "failwatch: check stale_app_connections degraded" "demo app: messages dropped (no DLT)"
  "billing-sqla (SQLAlchemy QueuePool): first 25006"
  "failwatch: check stale_app_connections degraded (billing-sqla)"
  "failwatch: check consumer_lag degraded")
# Seconds from event $2 to event $1 ("" when either is missing).
between() {
  [ -n "${SEEN[$1]:-}" ] && [ -n "${SEEN[$2]:-}" ] || return 0
  awk -v a="${SEEN[$1]}" -v b="${SEEN[$2]}" 'BEGIN { printf "%.1f", (a - b) / 1000 }'
}
within() {  # within SECONDS GOAL: both numbers, the first no larger
  [ -n "$1" ] && awk -v v="$1" -v g="$2" 'BEGIN { exit !(v <= g) }'
}

# ---- the drill ----
log "drill: promote node2, DNS moves after ${DRILL_DNS_DELAY}s, rewind node1"
bash "$LAB" drill > "$WORK/lab-drill.log" 2>&1 &
DRILL_PID=$!
PIDS+=("$DRILL_PID")
wait_for 30 "the promotion" grep -q promoted_at "$LAB_DIR/drill.env"
PROMOTED_AT=$(sed -n 's/^promoted_at=//p' "$LAB_DIR/drill.env")
T0_MS=$(awk -v t="$PROMOTED_AT" 'BEGIN { printf "%.0f", t * 1000 }')
record "promoted (pg_ctl promote)" "$PROMOTED_AT"
deadline=$(($(now_ms) + FIRE_TIMEOUT * 1000))
drill_done=0
while [ "$(now_ms)" -lt "$deadline" ]; do
  if [ $drill_done = 0 ] && ! kill -0 "$DRILL_PID" 2>/dev/null; then
    wait "$DRILL_PID" || { cat "$WORK/lab-drill.log" >&2; fail "scripts/lab.sh drill failed"; }
    drill_done=1
  fi
  t=$(sed -n 's/^dns_moved_at=//p' "$LAB_DIR/drill.env")
  [ -n "$t" ] && record "DNS record moved (db.lab.test)" "$t"
  t=$(sed -n 's/^rewound_at=//p' "$LAB_DIR/drill.env")
  [ -n "$t" ] && record "old primary rewound into a standby" "$t"
  poll
  [ "$(m 'failwatch_pg_primaries{database="orders"}')" = 2 ] && record "failwatch: 2 primaries (split brain)"
  grep -q 'failwatch_failover_step_timestamp_seconds{database="orders",step="dns_switched"}' <<< "$METRICS" &&
    record "failwatch: failover step dns_switched"
  gt0 "$(m 'failwatch_pg_app_stale_connections{database="orders",app="orders-api"}')" &&
    record "failwatch: orders-api stale connections > 0"
  gt0 "$(m 'failwatch_pg_write_probe_failures_total{database="orders",path="sticky",sqlstate="25006"}')" &&
    record "failwatch: sticky write probe gets 25006"
  [ "$(m 'failwatch_check_status{check="stale_app_connections",target="orders/orders-api",status="degraded"}')" = 1 ] &&
    record "failwatch: check stale_app_connections degraded"
  [ "$(m 'failwatch_degraded')" = 1 ] && record "failwatch: verdict degraded"
  app_counter_gt0 'demo_app_write_failures_total{sqlstate="25006"}' &&
    record "demo app: INSERT fails with 25006"
  app_counter_gt0 'demo_app_messages_total{outcome="dropped"}' &&
    record "demo app: messages dropped (no DLT)"
  lag=$(m 'failwatch_kafka_group_lag{cluster="lab",group="orders-consumer"}')
  awk -v v="${lag:-0}" 'BEGIN { exit !(v > 100) }' && record "failwatch: orders-consumer lag > 100"
  reason=$(check_reason consumer_lag lab/orders-consumer)
  if [[ "$reason" == *"keeps up"* ]] &&
    awk -v v="${lag:-0}" -v p="$PREV_LAG" 'BEGIN { exit !(v > 200 && v > p) }'; then
    KEEPS_UP_LIES+=("lag ${lag} (was ${PREV_LAG}): $reason")
  fi
  PREV_LAG=${lag:-0}
  [ "$(m 'failwatch_check_status{check="consumer_lag",target="lab/orders-consumer",status="degraded"}')" = 1 ] &&
    record "failwatch: check consumer_lag degraded" && log "  consumer_lag: $reason"
  t=$(sqla first_25006_at)
  [ -n "$t" ] && record "billing-sqla (SQLAlchemy QueuePool): first 25006" "$t"
  [ "$(m 'failwatch_check_status{check="stale_app_connections",target="orders/billing-sqla",status="degraded"}')" = 1 ] &&
    record "failwatch: check stale_app_connections degraded (billing-sqla)"
  for a in "${EXPECT_FIRING[@]}"; do
    prom_firing "$a" && record "Prometheus: $a firing"
    am_active "$a" && record "Alertmanager: $a active"
  done
  done_all=1
  for e in "${DRILL_EXPECT[@]}"; do
    [ -n "${SEEN[$e]:-}" ] || done_all=0
  done
  for a in "${EXPECT_FIRING[@]}"; do
    [ -n "${SEEN["Alertmanager: $a active"]:-}" ] || done_all=0
  done
  [ $done_all = 1 ] && [ $drill_done = 1 ] && break
  sleep 1
done
[ $drill_done = 1 ] || fail "scripts/lab.sh drill did not finish in ${FIRE_TIMEOUT}s"
missing=()
for e in "${DRILL_EXPECT[@]}"; do
  [ -n "${SEEN[$e]:-}" ] || missing+=("$e")
done
for a in "${EXPECT_FIRING[@]}"; do
  for w in "Prometheus: $a firing" "Alertmanager: $a active"; do
    [ -n "${SEEN[$w]:-}" ] || missing+=("$w")
  done
done
fwc -sf "$FW/status" | jq '.verdict | {status, headline, failovers}' > "$WORK/status-after-drill.json" || true
[ ${#missing[@]} -eq 0 ] || fail "not seen within ${FIRE_TIMEOUT}s of the promotion: $(printf '[%s] ' "${missing[@]}")"
log "failwatch after the drill: $(jq -r .headline "$WORK/status-after-drill.json")"
[ ${#KEEPS_UP_LIES[@]} -eq 0 ] ||
  fail "consumer_lag said \"keeps up\" while the lag grew: $(printf '[%s] ' "${KEEPS_UP_LIES[@]}")"
FIRST_25006="demo app: INSERT fails with 25006"
SQLA_25006="billing-sqla (SQLAlchemy QueuePool): first 25006"
D_SQLA=$(between "failwatch: check stale_app_connections degraded (billing-sqla)" "$SQLA_25006")
D_DEGRADED=$(between "failwatch: verdict degraded" "$FIRST_25006")
D_AM=$(between "Alertmanager: FailwatchStaleAppConnections active" "$FIRST_25006")
D_LAG=$(between "failwatch: check consumer_lag degraded" "$FIRST_25006")
log "from the first 25006: billing-sqla named after ${D_SQLA:-?} s (its own first 25006), verdict degraded ${D_DEGRADED:-?} s, Alertmanager ${D_AM:-?} s, consumer_lag degraded ${D_LAG:-?} s"
within "$D_SQLA" "$DETECT_GOAL" ||
  fail "billing-sqla named ${D_SQLA:-never} s after its first 25006 (goal ${DETECT_GOAL} s)"
if grep -q "alert: FailwatchStaleAppConnections\$" "$RULES" 2>/dev/null; then
  within "$D_AM" "$AM_GOAL" ||
    fail "FailwatchStaleAppConnections reached Alertmanager ${D_AM:-never} s after the first 25006 (limit ${AM_GOAL} s)"
fi
within "$D_LAG" "$LAG_GOAL" ||
  fail "consumer_lag degraded ${D_LAG:-never} s after the first 25006 (goal ${LAG_GOAL} s)"
# Every collector with live data (PgBouncer servers, DLTs, stale
# connections) in one exposition: lint it.
fwc -sf "$FW/metrics" > "$WORK/metrics-after-drill.txt" || fail "scrape after the drill"
promtool check metrics < "$WORK/metrics-after-drill.txt" || fail "promtool check metrics failed after the drill"
log "promtool check metrics: clean after the drill ($(grep -vc '^#' "$WORK/metrics-after-drill.txt") series)"
amtool --alertmanager.url="$AM" alert query > "$WORK/amtool-after-drill.txt" 2>&1 || true

# ---- recovery: restart the app (it re-resolves the endpoint) ----
bash "$LAB" recover > "$WORK/lab-recover.log" 2>&1 || { cat "$WORK/lab-recover.log" >&2; fail "recover failed"; }
record "demo app restarted (recover)"
grep -q "pinned to ${PG_LAB_IP2:-127.0.0.3}:" "$WORK/lab-recover.log" ||
  fail "the restarted app is not on the new primary: $(cat "$WORK/lab-recover.log")"
deadline=$(($(now_ms) + RESOLVE_TIMEOUT * 1000))
while [ "$(now_ms)" -lt "$deadline" ]; do
  poll
  [ "$(m 'failwatch_pg_app_stale_connections{database="orders",app="orders-api"}')" = 0 ] &&
    record "failwatch: orders-api stale connections = 0"
  [ "$(m 'failwatch_check_status{check="stale_app_connections",target="orders/orders-api",status="ok"}')" = 1 ] &&
    record "failwatch: check stale_app_connections ok"
  if [ -z "${RECOVERED_VERDICT:-}" ]; then
    case "$(verdict_state)" in
      ok | at_risk)
        RECOVERED_VERDICT="failwatch: verdict $(verdict_state) after recover (impact gone)"
        record "$RECOVERED_VERDICT" ;;
    esac
  fi
  done_all=1
  [ -n "${SEEN["failwatch: check stale_app_connections ok"]:-}" ] || done_all=0
  [ -n "${RECOVERED_VERDICT:-}" ] || done_all=0
  for a in "${EXPECT_FIRING[@]}"; do
    prom_active "$a" || record "Prometheus: $a resolved"
    am_active "$a" || record "Alertmanager: $a resolved"
  done
  for a in "${EXPECT_RESOLVED[@]}"; do
    [ -n "${SEEN["Alertmanager: $a resolved"]:-}" ] || done_all=0
    [ -n "${SEEN["Prometheus: $a resolved"]:-}" ] || done_all=0
  done
  [ $done_all = 1 ] && break
  sleep 1
done
missing=()
[ -n "${SEEN["failwatch: check stale_app_connections ok"]:-}" ] || missing+=("stale_app_connections ok")
for a in "${EXPECT_RESOLVED[@]}"; do
  for w in "Prometheus: $a resolved" "Alertmanager: $a resolved"; do
    [ -n "${SEEN[$w]:-}" ] || missing+=("$w")
  done
done
[ -n "${RECOVERED_VERDICT:-}" ] || missing+=("verdict ok or at_risk")
[ ${#missing[@]} -eq 0 ] || fail "not resolved within ${RESOLVE_TIMEOUT}s of the recovery: $(printf '[%s] ' "${missing[@]}")"
D_RECOVER=$(between "$RECOVERED_VERDICT" "demo app restarted (recover)")
log "verdict back to ok/at_risk ${D_RECOVER} s after recover: $(jq -r '.verdict.headline' <<< "$STATUS")"
within "$D_RECOVER" "$RECOVER_GOAL" ||
  fail "verdict ok or at_risk only ${D_RECOVER} s after recover (goal ${RECOVER_GOAL} s)"
still=$(firing_now | tr '\n' ' ')
fwc -sf "$FW/status" | jq '.verdict | {status, headline, failovers}' > "$WORK/status-after-recover.json" || true

# ---- dashboards: every panel query has data after the drill and recovery ----
# (after recovery, so the failover has converged and its duration exists)
# Panels that cannot have data in this lab, whatever failwatch does:
#   group state/members: the librdkafka mock cannot DescribeGroups;
#   DNS lookup errors: the drill moves a record, no lookup fails.
EMPTY_OK=${E2E_EMPTY_OK:-'failwatch_kafka_group_state|failwatch_kafka_group_members|failwatch_dns_lookup_errors_total'}
DASHBOARD_NOTES=()
if [ -f "$QUERIES" ]; then
  empty=()
  n=0
  exported=$(scrape | grep -v '^#' | sed 's/[{ ].*//' | sort -u)
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    q=${line##*$'\t'}  # "file<TAB>panel<TAB>query"
    n=$((n + 1))
    # Over the drill, as a Grafana panel shows it: a series that existed
    # while the failover was under way (stale connections) counts.
    res=$(curl -sf --max-time 10 --get "$PROM/api/v1/query_range" --data-urlencode "query=$q" \
      --data-urlencode "start=$((T0_MS / 1000 - 30))" --data-urlencode "end=$(date +%s)" \
      --data-urlencode "step=2" || echo '{}')
    jq -e '.status == "success"' <<< "$res" > /dev/null || fail "dashboard query rejected by Prometheus: $line"
    jq -e '(.data.result | length) > 0' <<< "$res" > /dev/null && continue
    if grep -Eq "$EMPTY_OK" <<< "$q"; then
      DASHBOARD_NOTES+=("empty, expected in the lab: $(cut -f1,2 <<< "$line" | tr '\t' ' ')")
      continue
    fi
    # A family this failwatch build does not export at all is a missing
    # feature (another module), reported but not failed here.
    fams=$( (grep -oE 'failwatch_[a-z0-9_]+' <<< "$q" || true) | sed -E 's/_(bucket|sum|count)$//' | sort -u)
    known=0
    for f in $fams; do
      grep -qE "^${f}(_bucket|_sum|_count|_total)?\$" <<< "$exported" && known=1
    done
    if [ $known = 0 ]; then
      DASHBOARD_NOTES+=("not exported by this build: $(tr '\t' ' ' <<< "$line" | cut -c1-160)")
      continue
    fi
    empty+=("$(tr '\t' ' ' <<< "$line")")
  done < <(bash "$QUERIES" --with-titles --job failwatch)
  [ $n -gt 0 ] || fail "dashboards/queries.sh printed no queries"
  [ ${#DASHBOARD_NOTES[@]} -eq 0 ] || printf '  note: %s\n' "${DASHBOARD_NOTES[@]}"
  if [ ${#empty[@]} -gt 0 ]; then
    printf '  empty: %s\n' "${empty[@]}" >&2
    fail "${#empty[@]} of $n dashboard queries returned no data"
  fi
  record "dashboards: $((n - ${#DASHBOARD_NOTES[@]})) of $n panel queries have data"
fi

# ---- down: nothing left behind ----
pids=$(lab_pids)
bash "$LAB" down > "$WORK/lab-down.log" 2>&1 || fail "scripts/lab.sh down failed"
for p in $pids; do
  # A zombie has exited; only its parent has not reaped it yet.
  state=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null || true)
  [ -z "$state" ] || [ "$state" = Z ] && continue
  fail "pid $p ($(tr '\0' ' ' < "/proc/$p/cmdline")) survived scripts/lab.sh down"
done
record "lab down, $(wc -w <<< "$pids") processes gone"

{
  echo "# failwatch e2e ($(date -u +%FT%TZ)): seed incident in the lab; times from the promotion"
  echo "# DRILL_DNS_DELAY=${DRILL_DNS_DELAY}s; lab up took $(((T_UP - T_START) / 1000))s"
  printf '%-62s %10s\n' "event" "t+ (s)"
  for e in "${EVENTS[@]}"; do
    printf '%-62s %10.1f\n' "$e" "$(ms_to_s "${SEEN[$e]}")"
  done
  echo "# from the first 25006 (demo app; billing-sqla from its own): billing-sqla named ${D_SQLA:-?} s," \
    "verdict degraded ${D_DEGRADED:-?} s, FailwatchStaleAppConnections in Alertmanager ${D_AM:-?} s," \
    "consumer_lag degraded ${D_LAG:-?} s; verdict ok/at_risk ${D_RECOVER:-?} s after recover"
  echo "# still firing after recovery: ${still:-none}"
  [ ${#DASHBOARD_NOTES[@]} -eq 0 ] || printf '# dashboard %s\n' "${DASHBOARD_NOTES[@]}"
} > "$WORK/timings.txt"
cp "$WORK/timings.txt" "$TIMINGS_OUT" 2>/dev/null || true
cat "$WORK/timings.txt"
log "PASS (total $((($(now_ms) - T_START) / 1000)) s; table in $TIMINGS_OUT)"
