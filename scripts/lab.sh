#!/usr/bin/env bash
# The demo lab on loopback: the seed incident, on one machine, and failwatch
# catching it. Everything runs from Debian packages plus this repo's binaries.
#
#   scripts/lab.sh up       install deps, build, start everything, print the URLs
#   scripts/lab.sh drill    fail over: promote the standby, move the DNS record
#                           after DRILL_DNS_DELAY s, rewind the old primary
#   scripts/lab.sh recover  restart the demo app ("restart the pods")
#   scripts/lab.sh status   what runs, and failwatch's verdict
#   scripts/lab.sh down     stop everything the lab started (by pid), drop its data
#
# Started on 127.0.0.0/8 only:
#   PostgreSQL primary node1 $PG_LAB_IP1:55432 + standby node2 $PG_LAB_IP2:55432
#   dnsmasq 127.0.0.1:$LAB_DNS_PORT (db.lab.test -> primary, ro.lab.test -> standby)
#   dnsmasq $LAB_DNS53_ADDR:53 + PgBouncer 127.0.0.1:$LAB_PGBOUNCER_PORT (if
#     scripts/lab/pgbouncer.sh exists; LAB_PGBOUNCER=0 skips it)
#   librdkafka mock Kafka cluster (3 brokers, random ports, see $LAB_DIR/kafka/bootstrap)
#   demo_producer -> topic orders; demo_app (group orders-consumer, sticky pool,
#     application_name=orders-api) -> PostgreSQL
#   failwatch (HTTPS + basic auth; Prometheus scrapes it that way; the lab's
#     own curls use `curl -K $LAB_DIR/tls/curlrc`), Prometheus (rules from
#     alerts/*.rules.yml), Alertmanager
#
# Environment (defaults): LAB_DIR (.lab), BUILD_DIR (build/lab), LAB_SKIP_BUILD
# (0; 1 = use FAILWATCH_BIN and LAB_TOOLS_DIR as they are), LAB_DNS_PORT (15353),
# LAB_FAILWATCH_PORT (19921), LAB_PROMETHEUS_PORT (19090), LAB_ALERTMANAGER_PORT
# (19093), LAB_APP_METRICS_PORT (19101), LAB_PGBOUNCER_PORT (16432),
# LAB_DNS53_ADDR (127.0.0.53), LAB_LOG_DIR ($LAB_DIR/logs), LAB_APP_MODE (no-dlt | dlt), LAB_APP_POOL (4),
# LAB_PRODUCE_RATE (20 messages/s), DRILL_DNS_DELAY (5 s: the TTL that kept
# the old answer), DRILL_REWIND (1: rewind the old primary into a standby),
# LAB_INTERVAL / LAB_TIMEOUT (1s / 800ms: failwatch's sampling interval and
# sample deadline), LAB_PROMETHEUS (1; 0 = no Prometheus and Alertmanager),
# LAB_TLS (1: failwatch serves HTTPS with basic auth, certificates and the
# password in $LAB_DIR/tls, see scripts/lab/tls.sh; 0 = plain HTTP, no auth),
# LAB_SCRAPE_USER (prometheus),
# PG_LAB_IP1 / PG_LAB_IP2 / PG_LAB_PORT (127.0.0.2 / 127.0.0.3 / 55432, see
# scripts/lab/pg.sh): with all addresses and ports moved, a second lab runs
# beside the default one (bench/soak.sh does).
#
# Sourced (`source scripts/lab.sh`), it defines its functions and variables
# and runs no command: bench/fault_matrix.sh drives the lab that way.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# PostgreSQL and PgBouncer run as the postgres user, so the lab's files
# must be reachable by it; a checkout under a 0700 directory (/root, a
# mktemp dir) is not, and then the lab lives in /var/tmp instead.
world_traversable() {
  local d=$1 mode
  while [ -n "$d" ] && [ "$d" != / ]; do
    mode=$(stat -c %a "$d") || return 1
    [ $((${mode: -1} % 2)) -eq 1 ] || return 1
    d=$(dirname "$d")
  done
}
if world_traversable "$ROOT"; then
  DEFAULT_LAB_DIR="$ROOT/.lab"
else
  DEFAULT_LAB_DIR=/var/tmp/failwatch-lab
fi
LAB_DIR="${LAB_DIR:-$DEFAULT_LAB_DIR}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/lab}"
LAB_SKIP_BUILD="${LAB_SKIP_BUILD:-0}"
FAILWATCH_BIN="${FAILWATCH_BIN:-$BUILD_DIR/failwatch}"
LAB_TOOLS_DIR="${LAB_TOOLS_DIR:-$BUILD_DIR/tests}"
DNS_ADDR=127.0.0.1
DNS_PORT="${LAB_DNS_PORT:-15353}"
DNS53_ADDR="${LAB_DNS53_ADDR:-127.0.0.53}"
FW_PORT="${LAB_FAILWATCH_PORT:-19921}"
FW_ADDR="127.0.0.1:$FW_PORT"
LAB_TLS="${LAB_TLS:-1}"
LAB_SCRAPE_USER="${LAB_SCRAPE_USER:-prometheus}"
PROM_PORT="${LAB_PROMETHEUS_PORT:-19090}"
AM_PORT="${LAB_ALERTMANAGER_PORT:-19093}"
APP_METRICS_PORT="${LAB_APP_METRICS_PORT:-19101}"
PGB_PORT="${LAB_PGBOUNCER_PORT:-16432}"
APP_MODE="${LAB_APP_MODE:-no-dlt}"
APP_POOL="${LAB_APP_POOL:-4}"
PRODUCE_RATE="${LAB_PRODUCE_RATE:-20}"
DRILL_DNS_DELAY="${DRILL_DNS_DELAY:-5}"
DRILL_REWIND="${DRILL_REWIND:-1}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
LAB_PROMETHEUS="${LAB_PROMETHEUS:-1}"
ALERTMANAGER_BIN="${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}"

source "$ROOT/scripts/lab/pg.sh"
source "$ROOT/scripts/lab/dns.sh"
source "$ROOT/scripts/lab/tls.sh"
PGB_AVAILABLE=0
if [ "${LAB_PGBOUNCER:-1}" = 1 ] && [ -f "$ROOT/scripts/lab/pgbouncer.sh" ]; then
  source "$ROOT/scripts/lab/pgbouncer.sh"
  declare -F pgb_lab_init >/dev/null && PGB_AVAILABLE=1
fi

# A second writer from Debian's packages (SQLAlchemy's QueuePool over
# psycopg2): a real pool nobody here wrote, which keeps its connections on
# 25006. Off with LAB_SQLA_APP=0 or when the modules are missing.
# Debian's interpreter, not whatever python3 is first on PATH (pyenv shims
# do not see Debian's modules).
LAB_PYTHON="${LAB_PYTHON:-/usr/bin/python3}"
SQLA_AVAILABLE=0
if [ "${LAB_SQLA_APP:-1}" = 1 ] && "$LAB_PYTHON" -c 'import sqlalchemy, psycopg2' 2>/dev/null; then
  SQLA_AVAILABLE=1
fi

PG_DIR="$LAB_DIR/pg"
TLS_DIR="$LAB_DIR/tls"
# How the lab's own tooling reaches failwatch: `fw_curl ARGS... "$FW_URL/PATH"`.
if [ "$LAB_TLS" = 1 ]; then
  FW_URL="https://$FW_ADDR"
  FW_CURLRC="$TLS_DIR/curlrc"
else
  FW_URL="http://$FW_ADDR"
  FW_CURLRC=/dev/null
fi
fw_curl() { curl -K "$FW_CURLRC" "$@"; }
RUN="$LAB_DIR/run"
LOGS="${LAB_LOG_DIR:-$LAB_DIR/logs}"
PG_PORT=$PG_LAB_PORT
APP_ENDPOINT="db.lab.test:$PG_PORT"

say() { echo "lab: $*"; }
die() {
  echo "lab: $*" >&2
  exit 1
}
now_s() { date +%s.%3N; }

# ---- processes: one pid file per process, checked against its binary ----

# proc_start NAME BIN ARGS...: start BIN in its own session, log to logs/NAME.log.
proc_start() {
  local name=$1
  shift
  if proc_alive "$name"; then return 0; fi
  mkdir -p "$RUN" "$LOGS"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$RUN/$name.pid"
  local exe _
  exe=$(readlink -f "$(command -v "$1")")
  echo "$exe" >"$RUN/$name.exe"
  # Until setsid has exec'd the program, /proc/PID/exe is bash or setsid and
  # proc_alive would call it dead (seen under load in the soak).
  for _ in $(seq 1 100); do
    [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.02
  done
}

proc_pid() {
  local name=$1 pid exe
  [ -s "$RUN/$name.pid" ] || return 1
  pid=$(cat "$RUN/$name.pid")
  kill -0 "$pid" 2>/dev/null || return 1
  # Not someone else's process that reused the pid. A binary rebuilt while
  # it runs reads "PATH (deleted)": still ours (without this, `down` after a
  # rebuild left the old daemon running, holding the port and the lock).
  exe=$(cat "$RUN/$name.exe" 2>/dev/null || true)
  local running
  running=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  running=${running% (deleted)}
  if [ -n "$exe" ] && [ "$(readlink -f "$running" 2>/dev/null || echo "$running")" != "$exe" ]; then
    return 1
  fi
  echo "$pid"
}

proc_alive() { proc_pid "$1" >/dev/null; }

# proc_stop NAME: SIGTERM, wait up to 10 s, then SIGKILL.
proc_stop() {
  local name=$1 pid _
  if pid=$(proc_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$RUN/$name.pid" "$RUN/$name.exe"
}

# proc_stop_all NAME...: SIGTERM to all at once, then wait (10 s), then SIGKILL.
proc_stop_all() {
  local name pid pids=() _
  for name in "$@"; do
    if pid=$(proc_pid "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for name in "$@"; do rm -f "$RUN/$name.pid" "$RUN/$name.exe"; done
}

# wait_http NAME URL [SECONDS [CURL_ARGS...]]
wait_http() {
  local name=$1 url=$2 secs=${3:-20} _
  shift $(($# < 3 ? $# : 3))
  for _ in $(seq 1 $((secs * 10))); do
    curl -sf -o /dev/null --max-time 1 "$@" "$url" && return 0
    proc_alive "$name" || die "$name exited; see $LOGS/$name.log"
    sleep 0.1
  done
  die "$name did not answer $url within ${secs}s; see $LOGS/$name.log"
}

pg_node_running() {
  local pidfile="$PG_DIR/$1/postmaster.pid"
  [ -f "$pidfile" ] && kill -0 "$(head -1 "$pidfile")" 2>/dev/null
}

# ---- pieces ----

build() {
  [ "$LAB_SKIP_BUILD" = 1 ] && return 0
  "$ROOT/scripts/install-deps.sh"
  say "building failwatch and the demo tools in $BUILD_DIR (log: $LOGS/build.log)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$LOGS/build.log" 2>&1 ||
    die "cmake failed; see $LOGS/build.log"
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target failwatch demo_app demo_producer \
    kafka_mock_cluster >>"$LOGS/build.log" 2>&1 || die "build failed; see $LOGS/build.log"
}

check_bins() {
  local b
  local bins=("$FAILWATCH_BIN" "$LAB_TOOLS_DIR/demo_app" "$LAB_TOOLS_DIR/demo_producer"
    "$LAB_TOOLS_DIR/kafka_mock_cluster")
  [ "$LAB_PROMETHEUS" = 0 ] || bins+=("$PROMETHEUS_BIN" "$ALERTMANAGER_BIN")
  for b in "${bins[@]}"; do
    [ -x "$b" ] || die "missing $b (build it, or set FAILWATCH_BIN / LAB_TOOLS_DIR)"
  done
  if [ "$LAB_TLS" = 1 ]; then
    for b in openssl htpasswd; do
      command -v "$b" >/dev/null || die "missing $b (scripts/install-deps.sh; or LAB_TLS=0)"
    done
  fi
}

# The CA, failwatch's certificate, the scrape password and the web config
# (scripts/lab/tls.sh); made once, kept across `down` like the logs.
write_web_config() {
  [ "$LAB_TLS" = 1 ] || return 0
  local changed pid
  changed=$(tls_lab_init "$TLS_DIR" "$LAB_SCRAPE_USER") || die "cannot make the lab's TLS files in $TLS_DIR"
  # A running failwatch re-reads its web config on SIGHUP.
  if [ -n "$changed" ] && pid=$(proc_pid failwatch); then kill -HUP "$pid"; fi
}

start_pg() {
  if [ ! -d "$PG_DIR/node1" ]; then
    say "PostgreSQL: initializing primary node1 $(pg_lab_addr node1) + standby node2 $(pg_lab_addr node2)"
    pg_lab_init "$PG_DIR" || die "pg_lab_init failed (see $PG_DIR/*.log)"
    rm -f "$LAB_DIR/dns/hosts" "$LAB_DIR/dns53/dns/hosts"  # fresh cluster, fresh records
  else
    local n
    for n in node1 node2; do
      pg_node_running "$n" || pg_lab_start_node "$PG_DIR" "$n" || die "cannot start $n"
    done
  fi
}

# Both dnsmasq instances serve the same records.
lab_dns_set() {
  dns_lab_set "$LAB_DIR" "$@"
  if [ -d "$LAB_DIR/dns53/dns" ]; then dns_lab_set "$LAB_DIR/dns53" "$@"; fi
}

dns_record() { awk -v n="$1" '$2 == n { print $1; exit }' "$LAB_DIR/dns/hosts" 2>/dev/null; }

start_dns() {
  if ! pid_file_alive "$LAB_DIR/dns/dnsmasq.pid"; then
    dns_lab_start "$LAB_DIR" "$DNS_ADDR" "$DNS_PORT" 1 || die "dnsmasq did not start"
  fi
  if [ -z "$(dns_record db.lab.test)" ]; then
    lab_dns_set db.lab.test "$PG_LAB_IP1"
    lab_dns_set ro.lab.test "$PG_LAB_IP2"
  fi
}

pid_file_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# PgBouncer resolves with c-ares and ignores ports in resolv.conf: it needs a
# DNS server on port 53, so a second dnsmasq serves the same names there.
start_pgbouncer() {
  [ "$PGB_AVAILABLE" = 1 ] || return 0
  local d53="$LAB_DIR/dns53" pgb="$LAB_DIR/pgbouncer"
  if ! pid_file_alive "$d53/dns/dnsmasq.pid"; then
    mkdir -p "$d53/dns"
    cp "$LAB_DIR/dns/hosts" "$d53/dns/hosts"
    dns_lab_start "$d53" "$DNS53_ADDR" 53 1 ||
      die "dnsmasq on $DNS53_ADDR:53 did not start (set LAB_DNS53_ADDR, or LAB_PGBOUNCER=0)"
    cp "$LAB_DIR/dns/hosts" "$d53/dns/hosts" && dns_lab_reload "$d53"
  fi
  if [ -n "$(pgb_lab_pid "$pgb")" ]; then return 0; fi
  mkdir -p "$pgb"
  echo "nameserver $DNS53_ADDR" >"$LAB_DIR/pgbouncer-resolv.conf"
  chmod 644 "$LAB_DIR/pgbouncer-resolv.conf"
  PGB_LAB_EXTRA="resolv_conf = $LAB_DIR/pgbouncer-resolv.conf
dns_max_ttl = 1
server_lifetime = 3600
ignore_startup_parameters = extra_float_digits,options" \
    pgb_lab_init "$pgb" 127.0.0.1 "$PGB_PORT" \
    "orders=host=db.lab.test port=$PG_PORT dbname=postgres" || die "pgb_lab_init failed"
  pgb_lab_start "$pgb" || die "PgBouncer did not start; see $pgb/pgbouncer.log"
}

start_kafka() {
  if proc_alive kafka; then return 0; fi
  mkdir -p "$LAB_DIR/kafka"
  rm -f "$LAB_DIR/kafka/bootstrap"
  # failwatch-canary: the end-to-end canary's topic (kafka[].canary), one
  # partition per broker; created here because failwatch never creates it
  # by default and the 2.0.2 mock cannot CreateTopics anyway.
  local topics=(orders:3 orders-audit.DLT:3 failwatch-canary:3)
  [ "$APP_MODE" = dlt ] && topics+=(orders.DLT:1)
  proc_start kafka "$LAB_TOOLS_DIR/kafka_mock_cluster" --brokers=3 \
    --bootstrap-file="$LAB_DIR/kafka/bootstrap" "${topics[@]}"
  local _
  for _ in $(seq 1 100); do
    [ -s "$LAB_DIR/kafka/bootstrap" ] && break
    proc_alive kafka || die "kafka mock exited; see $LOGS/kafka.log"
    sleep 0.1
  done
  [ -s "$LAB_DIR/kafka/bootstrap" ] || die "kafka mock wrote no bootstrap file"
  # New broker ports: clients started against the old mock must restart.
  proc_stop demo-producer
  proc_stop demo-app
  proc_stop demo-app-pgbouncer
}

brokers_yaml() {
  tr -d '\n' <"$LAB_DIR/kafka/bootstrap" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? ", " : ""), $i }'
}

write_failwatch_config() {
  local cfg="$LAB_DIR/failwatch.yml" tmp="$LAB_DIR/failwatch.yml.tmp"
  {
    cat <<YAML
# Generated by scripts/lab.sh: the lab's database, its endpoint names on the
# lab DNS, the app that must follow the primary, and the Kafka cluster.
interval: ${LAB_INTERVAL:-1s}
timeout: ${LAB_TIMEOUT:-800ms}
databases:
  - name: orders
    endpoint: $APP_ENDPOINT
    reader_endpoint: ro.lab.test:$PG_PORT
    dns_servers: ["$DNS_ADDR:$DNS_PORT"]
    members: ["$(pg_lab_addr node1)", "$(pg_lab_addr node2)"]
    user: failwatch
    password: failwatch-pw
    dbname: postgres
    sslmode: disable
    apps:
      - application_name: orders-api
        expects: primary
      - application_name: billing-sqla
        expects: primary
    write_probe:
      enabled: true
      table: failwatch_heartbeat
      # Like a pool's maxLifetime, shortened for the demo: the sticky path
      # keeps hitting the demoted node until then.
      sticky_max_lifetime: 3m
YAML
    if [ "$PGB_AVAILABLE" = 1 ]; then
      cat <<YAML
    pgbouncers:
      - address: 127.0.0.1:$PGB_PORT
        user: failwatch
        password: failwatch-pw
        dbname: pgbouncer
YAML
    fi
    cat <<YAML
kafka:
  - name: lab
    brokers: [$(brokers_yaml)]
    # Group discovery on: the mock cannot describe groups, and Debian's
    # librdkafka 2.0.2 then aborts (or wedges) in DescribeConsumerGroups'
    # error path (#4605), but that happens in the Kafka admin worker process,
    # which failwatch restarts (failwatch_kafka_admin_worker_restarts_total);
    # a worker lost after describing makes the next ones list only.
    group_discovery: true
    # The end-to-end canary, so the dashboards' canary panels have data
    # (e2e_test checks every panel query against the lab's Prometheus).
    canary:
      topic: failwatch-canary
      sla: 10s
    groups:
      - name: orders-consumer
        dead_letter_topics: ["orders.DLT"]
      - name: orders-audit
        dead_letter_topics: ["orders-audit.DLT"]
YAML
  } >"$tmp"
  if [ -f "$cfg" ] && cmp -s "$tmp" "$cfg"; then
    rm -f "$tmp"
    return 0
  fi
  mv "$tmp" "$cfg"
  "$FAILWATCH_BIN" --config "$cfg" --check-config >"$LOGS/failwatch-check.log" 2>&1 ||
    die "failwatch rejects $cfg: $(cat "$LOGS/failwatch-check.log")"
  # A running failwatch re-reads its config on SIGHUP.
  if pid=$(proc_pid failwatch); then kill -HUP "$pid"; fi
}

start_failwatch() {
  local web=()
  [ "$LAB_TLS" = 1 ] && web=(--web.config.file "$TLS_DIR/web-config.yml")
  proc_start failwatch "$FAILWATCH_BIN" --config "$LAB_DIR/failwatch.yml" \
    --web.listen-address "$FW_ADDR" "${web[@]}"
  wait_http failwatch "$FW_URL/healthz" 20 -K "$FW_CURLRC"
}

start_apps() {
  proc_start demo-producer "$LAB_TOOLS_DIR/demo_producer" \
    --bootstrap-file="$LAB_DIR/kafka/bootstrap" --topic=orders --rate="$PRODUCE_RATE"
  start_demo_app
  start_sqla_app
  # A second consumer (its own group) writes through PgBouncer, so PgBouncer
  # has clients and server connections to show. It keeps its failures in a
  # dead-letter topic: the contrast with orders-api, which drops them.
  if [ "$PGB_AVAILABLE" = 1 ]; then
    proc_start demo-app-pgbouncer "$LAB_TOOLS_DIR/demo_app" \
      --bootstrap-file="$LAB_DIR/kafka/bootstrap" --endpoint="127.0.0.1:$PGB_PORT" \
      --mode=dlt --pool-size=2 --topic=orders --group=orders-audit \
      --dlt-topic=orders-audit.DLT --application-name=orders-audit --user=app \
      --password=app-pw --dbname=orders
  fi
}

# The address is resolved once, here, like a service that caches the
# endpoint's IP for its lifetime.
start_sqla_app() {
  [ "$SQLA_AVAILABLE" = 1 ] || return 0
  local ip
  ip=$(dns_record db.lab.test)
  [ -n "$ip" ] || die "db.lab.test has no record"
  (umask 077 && printf 'app-pw\n' >"$LAB_DIR/sqla-app.pw")
  proc_start sqla-app "$LAB_PYTHON" "$ROOT/scripts/lab/sqla_app.py" --host="$ip" --port="$PG_PORT" \
    --password-file="$LAB_DIR/sqla-app.pw" --application-name=billing-sqla \
    --status-file="$LAB_DIR/sqla-app.status"
  echo "$ip" >"$LAB_DIR/sqla-app.addr"
}

start_demo_app() {
  proc_start demo-app "$LAB_TOOLS_DIR/demo_app" \
    --bootstrap-file="$LAB_DIR/kafka/bootstrap" --endpoint="$APP_ENDPOINT" \
    --dns-server="$DNS_ADDR:$DNS_PORT" --mode="$APP_MODE" --pool-size="$APP_POOL" \
    --topic=orders --group=orders-consumer --dlt-topic=orders.DLT \
    --application-name=orders-api --user=app --password=app-pw --dbname=postgres \
    --metrics-address="127.0.0.1:$APP_METRICS_PORT"
  wait_http demo-app "http://127.0.0.1:$APP_METRICS_PORT/metrics" 20
}

write_prometheus_config() {
  local d="$LAB_DIR/prometheus" tmp
  mkdir -p "$d/data" "$LAB_DIR/alertmanager/data"
  tmp="$d/prometheus.yml.tmp"
  # Lines marked #@tls are the failwatch job's TLS and basic auth.
  local tls_sed=(-e '/#@tls$/d' -e "s|@FAILWATCH_SCHEME@|http|g")
  [ "$LAB_TLS" = 1 ] && tls_sed=(-e 's| *#@tls$||' -e "s|@FAILWATCH_SCHEME@|https|g")
  sed "${tls_sed[@]}" -e "s|@TLS_DIR@|$TLS_DIR|g" -e "s|@SCRAPE_USER@|$LAB_SCRAPE_USER|g" \
    -e "s|@ROOT@|$ROOT|g" -e "s|@FAILWATCH@|$FW_ADDR|g" \
    -e "s|@DEMO_APP@|127.0.0.1:$APP_METRICS_PORT|g" \
    -e "s|@PROMETHEUS@|127.0.0.1:$PROM_PORT|g" \
    -e "s|@ALERTMANAGER@|127.0.0.1:$AM_PORT|g" \
    "$ROOT/scripts/lab/prometheus/prometheus.yml" >"$tmp"
  if [ -f "$d/prometheus.yml" ] && cmp -s "$tmp" "$d/prometheus.yml"; then
    rm -f "$tmp"
  else
    mv "$tmp" "$d/prometheus.yml"
  fi
  promtool check config "$d/prometheus.yml" >"$LOGS/promtool.log" 2>&1 ||
    die "promtool check config failed: $(cat "$LOGS/promtool.log")"
  cp "$ROOT/scripts/lab/prometheus/alertmanager.yml" "$LAB_DIR/alertmanager/alertmanager.yml"
}

start_prometheus() {
  if pid=$(proc_pid prometheus); then
    kill -HUP "$pid"  # re-read the config and the rule files
    return 0
  fi
  proc_start prometheus "$PROMETHEUS_BIN" \
    --config.file="$LAB_DIR/prometheus/prometheus.yml" \
    --storage.tsdb.path="$LAB_DIR/prometheus/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" \
    --rules.alert.resend-delay=1s --web.enable-lifecycle
  wait_http prometheus "http://127.0.0.1:$PROM_PORT/-/ready" 60
}

start_alertmanager() {
  proc_start alertmanager "$ALERTMANAGER_BIN" \
    --config.file="$LAB_DIR/alertmanager/alertmanager.yml" \
    --storage.path="$LAB_DIR/alertmanager/data" \
    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
  wait_http alertmanager "http://127.0.0.1:$AM_PORT/-/ready" 30
}

urls() {
  cat <<EOF

  failwatch status page   $FW_URL/
  failwatch verdict JSON  $FW_URL/status
  failwatch metrics       $FW_URL/metrics
$(fw_credentials)
  Prometheus              http://127.0.0.1:$PROM_PORT/alerts   (graph: /graph)
  Alertmanager            http://127.0.0.1:$AM_PORT/#/alerts
  demo app metrics        http://127.0.0.1:$APP_METRICS_PORT/metrics
  logs                    $LOGS/

  next: scripts/lab.sh drill     (fail over; then watch the URLs above)
EOF
}

fw_credentials() {
  [ "$LAB_TLS" = 1 ] || return 0
  echo "    (HTTPS, CA $TLS_DIR/ca.crt; basic auth $LAB_SCRAPE_USER, password in"
  echo "     $TLS_DIR/scrape.password; e.g. curl -K $FW_CURLRC $FW_URL/status)"
}

# ---- commands ----

up() {
  mkdir -p "$LAB_DIR" "$RUN" "$LOGS"
  chmod 755 "$LAB_DIR"
  build
  check_bins
  start_pg
  start_dns
  start_pgbouncer
  start_kafka
  write_failwatch_config
  write_web_config
  start_failwatch
  start_apps
  if [ "$LAB_PROMETHEUS" != 0 ]; then
    write_prometheus_config
    start_alertmanager
    start_prometheus
  fi
  status
  urls
}

# The node db.lab.test points at now, and the other one.
current_nodes() {
  local cur
  cur=$(dns_record db.lab.test)
  if [ "$cur" = "$PG_LAB_IP2" ]; then echo "node2 node1"; else echo "node1 node2"; fi
}

drill() {
  proc_alive failwatch || die "the lab is not up: scripts/lab.sh up"
  local old new old_ip new_ip t0
  read -r old new < <(current_nodes)
  old_ip=${PG_LAB_IP1}
  new_ip=${PG_LAB_IP2}
  [ "$old" = node2 ] && old_ip=$PG_LAB_IP2 && new_ip=$PG_LAB_IP1
  pg_node_running "$new" || die "$new is not running"
  say "drill: promoting $new ($(pg_lab_addr "$new")); $old keeps running as a primary until rewound"
  t0=$(now_s)
  pg_lab_promote "$PG_DIR" "$new" || die "promotion failed"
  {
    echo "promoted_at=$t0"
    echo "old=$old new=$new"
  } >"$LAB_DIR/drill.env"
  say "drill: promoted at $(date -u -d "@${t0%.*}" +%H:%M:%SZ); db.lab.test still -> $old_ip for ${DRILL_DNS_DELAY}s (the TTL)"
  sleep "$DRILL_DNS_DELAY"
  lab_dns_set db.lab.test "$new_ip"
  lab_dns_set ro.lab.test "$old_ip"
  echo "dns_moved_at=$(now_s)" >>"$LAB_DIR/drill.env"
  say "drill: DNS moved: db.lab.test -> $new_ip, ro.lab.test -> $old_ip"
  if [ "$DRILL_REWIND" = 1 ]; then
    pg_lab_rewind "$PG_DIR" "$old" "$new" || die "pg_rewind of $old failed"
    echo "rewound_at=$(now_s)" >>"$LAB_DIR/drill.env"
    say "drill: $old rewound and restarted as a standby of $new"
  fi
  cat <<EOF

What happens now (the seed incident):
  * orders-api's pool still points at $old_ip (resolved once at start): its
    reconnects land on the now read-only node; writes fail with SQLSTATE 25006
    and, without a DLT (LAB_APP_MODE=$APP_MODE), the messages are dropped:
      tail -f $LOGS/demo-app.log
  * failwatch: stale_app_connections (orders-api on a standby) and the sticky
    write probe (25006) go degraded within ~15 s:
      curl -sK $FW_CURLRC $FW_URL/status | jq '.verdict.headline, .verdict.failovers'
  * Prometheus alerts: http://127.0.0.1:$PROM_PORT/alerts
    Alertmanager:      http://127.0.0.1:$AM_PORT/#/alerts
  Then: scripts/lab.sh recover   (restart the app: it re-resolves the endpoint)
EOF
}

recover() {
  proc_alive failwatch || die "the lab is not up: scripts/lab.sh up"
  say "recover: restarting the demo app (it resolves $APP_ENDPOINT again)"
  proc_stop demo-app
  start_demo_app
  if [ "$SQLA_AVAILABLE" = 1 ]; then
    say "recover: restarting billing-sqla (it resolves db.lab.test again)"
    proc_stop sqla-app
    start_sqla_app
  fi
  echo "recovered_at=$(now_s)" >>"$LAB_DIR/drill.env"
  say "recover: demo app now pinned to $(curl -s "http://127.0.0.1:$APP_METRICS_PORT/metrics" |
    sed -n 's/.*pinned_node="\([^"]*\)".*/\1/p')"
  say "recover: stale-connection checks clear after their clear_after (15 s); alerts resolve after that"
}

line() { printf '  %-14s %s\n' "$1" "$2"; }

status() {
  echo "failwatch lab ($LAB_DIR)"
  local n
  for n in node1 node2; do
    if pg_node_running "$n"; then
      line "postgres $n" "up  $(pg_lab_addr "$n") ($(pg_lab_psql "$PG_DIR" "$n" \
        "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null || echo '?'))"
    else
      line "postgres $n" down
    fi
  done
  if pid_file_alive "$LAB_DIR/dns/dnsmasq.pid"; then
    line dnsmasq "up  $DNS_ADDR:$DNS_PORT (db.lab.test -> $(dns_record db.lab.test), ro.lab.test -> $(dns_record ro.lab.test))"
  else
    line dnsmasq down
  fi
  if [ "$PGB_AVAILABLE" = 1 ]; then
    line dnsmasq:53 "$(pid_file_alive "$LAB_DIR/dns53/dns/dnsmasq.pid" && echo "up  $DNS53_ADDR:53" || echo down)"
    line pgbouncer "$([ -n "$(pgb_lab_pid "$LAB_DIR/pgbouncer" 2>/dev/null)" ] && echo "up  127.0.0.1:$PGB_PORT" || echo down)"
  fi
  line kafka "$(proc_alive kafka && echo "up  $(cat "$LAB_DIR/kafka/bootstrap" 2>/dev/null)" || echo down)"
  line demo-producer "$(proc_alive demo-producer && echo "up  -> orders at ${PRODUCE_RATE}/s" || echo down)"
  line demo-app "$(proc_alive demo-app && echo "up  orders-api, mode $APP_MODE, $(tail -n 50 "$LOGS/demo-app.log" 2>/dev/null |
    grep -o 'consumed=.*dropped=[0-9]*' | tail -1)" || echo down)"
  [ "$PGB_AVAILABLE" = 1 ] && line demo-app-pgb "$(proc_alive demo-app-pgbouncer && echo "up  orders-audit via PgBouncer" || echo down)"
  line failwatch "$(proc_alive failwatch && echo "up  $FW_URL/" || echo down)"
  line prometheus "$(proc_alive prometheus && echo "up  http://127.0.0.1:$PROM_PORT/" || echo down)"
  line alertmanager "$(proc_alive alertmanager && echo "up  http://127.0.0.1:$AM_PORT/" || echo down)"
  if proc_alive failwatch; then
    local headline
    headline=$(fw_curl -sf --max-time 2 "$FW_URL/status" | jq -r '.verdict.headline // .verdict.status // empty' 2>/dev/null || true)
    [ -z "$headline" ] || line verdict "$headline"
  fi
  if proc_alive prometheus; then
    local firing
    firing=$(curl -sf --max-time 2 "http://127.0.0.1:$PROM_PORT/api/v1/alerts" |
      jq -r '[.data.alerts[] | select(.state == "firing") | .labels.alertname] | unique | join(", ")' 2>/dev/null || true)
    line alerts "${firing:-none firing}"
  fi
}

down() {
  proc_stop_all prometheus alertmanager demo-app demo-app-pgbouncer sqla-app demo-producer failwatch
  proc_stop kafka
  if [ "$PGB_AVAILABLE" = 1 ] && [ -d "$LAB_DIR/pgbouncer" ]; then
    pgb_lab_stop "$LAB_DIR/pgbouncer"
  fi
  [ -d "$LAB_DIR/dns53" ] && dns_lab_stop "$LAB_DIR/dns53"
  [ -d "$LAB_DIR/dns" ] && dns_lab_stop "$LAB_DIR"
  [ -d "$PG_DIR" ] && pg_lab_stop "$PG_DIR"
  # Data goes; logs stay for a look afterwards.
  rm -rf "$PG_DIR" "$LAB_DIR/dns" "$LAB_DIR/dns53" "$LAB_DIR/pgbouncer" "$LAB_DIR/kafka" \
    "$LAB_DIR/prometheus" "$LAB_DIR/alertmanager" "$RUN" "$LAB_DIR/drill.env"
  say "stopped; logs kept in $LOGS"
}

# Sourced: functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-up}" in
  up) up ;;
  drill) drill ;;
  recover) recover ;;
  status) status ;;
  down) down ;;
  urls) urls ;;
  *)
    echo "usage: $0 up|drill|recover|status|down" >&2
    exit 2
    ;;
esac
