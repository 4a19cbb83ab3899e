#!/usr/bin/env bash
# Footprint, side by side (issue 17 item 5): failwatch watching DNS + both
# PostgreSQL nodes + a PgBouncer at a 1 s interval, against Debian's
# exporters doing less of it, all scraped every second by one Prometheus in
# one run against the same lab:
#   prometheus-postgres-exporter  one per node (0.11 fails every scrape with
#                                 two DSNs in one process: duplicate series)
#   prometheus-blackbox-exporter  DNS module, the endpoint name
#   prometheus-pgbouncer-exporter the PgBouncer (1.7 dies on PgBouncer 1.18's
#                                 SHOW STATS: reported, not counted)
# For each: CPU % of one core (utime+stime from /proc/PID/stat over the run)
# and RSS (VmRSS, mean and max of one sample a second), then the ratios.
#
#   bench/footprint.sh [SECONDS (120)]      FAILWATCH_BIN (build/ci/failwatch)
#
# Uses the lab's fixed PostgreSQL addresses (127.0.0.2/3:55432): it takes
# LAB_LOCK (/work/lab.lock when it exists) itself. Installs the peers with
# apt-get when missing. Everything it starts is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_LOCK=${LAB_LOCK:-$([ -e /work/lab.lock ] && echo /work/lab.lock || true)}
if [ -n "$LAB_LOCK" ] && [ -z "${FOOTPRINT_LOCKED:-}" ]; then
  FOOTPRINT_LOCKED=1 exec flock "$LAB_LOCK" "$0" "$@"
fi
DURATION=${1:-120}
WARMUP=${FOOTPRINT_WARMUP:-15}
FAILWATCH_BIN=${FAILWATCH_BIN:-$ROOT/build/ci/failwatch}
[ -x "$FAILWATCH_BIN" ] || { echo "no failwatch binary at $FAILWATCH_BIN" >&2; exit 1; }

PEERS=(prometheus-postgres-exporter prometheus-blackbox-exporter prometheus-pgbouncer-exporter)
missing=()
for p in "${PEERS[@]}" prometheus postgresql-15 pgbouncer dnsmasq-base; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null ||
    { apt-get update > /dev/null && apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null; }
fi

WORK=$(mktemp -d /tmp/failwatch-footprint.XXXXXX)
chmod 755 "$WORK"
PIDS=()
source "$ROOT/scripts/lab/pg.sh"
source "$ROOT/scripts/lab/dns.sh"
source "$ROOT/scripts/lab/pgbouncer.sh"
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  pgb_lab_stop "$WORK/pgbouncer" 2>/dev/null || true
  dns_lab_stop "$WORK" 2>/dev/null || true
  pg_lab_stop "$WORK/pg" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() {
  local port
  while port=$((20000 + RANDOM % 12000)); ss -Htuan "sport = :$port" | grep -q .; do :; done
  echo "$port"
}
start() {  # NAME CMD...: background, output to $WORK/NAME.log, pid in PID_OF[NAME]
  local name=$1
  shift
  "$@" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  PID_OF[$name]=$!
}
declare -A PID_OF PORT_OF

# ---- the lab: primary + standby, dnsmasq, PgBouncer ----
pg_lab_init "$WORK/pg" > "$WORK/pg_init.log" 2>&1 || { cat "$WORK/pg_init.log" >&2; exit 1; }
N1=$(pg_lab_addr node1)
N2=$(pg_lab_addr node2)
for attempt in 1 2 3; do  # a port can be taken between the check and the bind
  DNS_PORT=$(free_port)
  dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 1 2> /dev/null && break
  [ "$attempt" = 3 ] && { echo "dnsmasq did not start" >&2; exit 1; }
done
dns_lab_set "$WORK" db.lab.test "$PG_LAB_IP1"
dns_lab_set "$WORK" ro.lab.test "$PG_LAB_IP2"
PGB_PORT=$(free_port)
pgb_lab_init "$WORK/pgbouncer" 127.0.0.1 "$PGB_PORT" \
  "orders=host=$PG_LAB_IP1 port=$PG_LAB_PORT dbname=postgres" > /dev/null
pgb_lab_start "$WORK/pgbouncer"

# ---- failwatch: DNS + both nodes + PgBouncer + write probe, 1 s ----
echo failwatch-pw > "$WORK/pw"
cat > "$WORK/failwatch.yml" <<YAML
interval: 1s
timeout: 800ms
databases:
  - name: orders
    endpoint: db.lab.test:$PG_LAB_PORT
    reader_endpoint: ro.lab.test:$PG_LAB_PORT
    dns_servers: ["127.0.0.1:$DNS_PORT"]
    members: ["$N1", "$N2"]
    password_file: $WORK/pw
    sslmode: disable
    apps: [{application_name: orders-api, expects: primary}]
    write_probe: {enabled: true}
    pgbouncers:
      - {address: "127.0.0.1:$PGB_PORT", user: failwatch, password_file: $WORK/pw}
YAML
PORT_OF[failwatch]=$(free_port)
# FOOTPRINT_FAILWATCH_ENV: extra environment for failwatch only, e.g.
# "MALLOC_ARENA_MAX=1" to see what glibc's per-thread arenas cost.
start failwatch env ${FOOTPRINT_FAILWATCH_ENV:-} "$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:${PORT_OF[failwatch]}"

# ---- the peers ----
for n in 1 2; do
  ip_var=PG_LAB_IP$n
  PORT_OF[postgres_exporter_node$n]=$(free_port)
  DATA_SOURCE_NAME="postgresql://failwatch:failwatch-pw@${!ip_var}:$PG_LAB_PORT/postgres?sslmode=disable" \
    start postgres_exporter_node$n /usr/bin/prometheus-postgres-exporter \
    --web.listen-address "127.0.0.1:${PORT_OF[postgres_exporter_node$n]}"
done
cat > "$WORK/blackbox.yml" <<YAML
modules:
  dns_lab:
    prober: dns
    timeout: 800ms
    dns:
      query_name: db.lab.test
      query_type: A
      transport_protocol: udp
      valid_rcodes: [NOERROR]
YAML
PORT_OF[blackbox_exporter]=$(free_port)
start blackbox_exporter /usr/bin/prometheus-blackbox-exporter --config.file "$WORK/blackbox.yml" \
  --web.listen-address "127.0.0.1:${PORT_OF[blackbox_exporter]}"
PORT_OF[pgbouncer_exporter]=$(free_port)
PGPASSWORD=failwatch-pw start pgbouncer_exporter /usr/bin/prometheus-pgbouncer-exporter \
  --host 127.0.0.1 --port "${PORT_OF[pgbouncer_exporter]}" \
  --pgbouncer-host 127.0.0.1 --pgbouncer-port "$PGB_PORT" --pgbouncer-user failwatch

# ---- one Prometheus scrapes everything every second ----
{
  echo "global: {scrape_interval: 1s, scrape_timeout: 900ms}"
  echo "scrape_configs:"
  for name in failwatch postgres_exporter_node1 postgres_exporter_node2 pgbouncer_exporter; do
    echo "  - {job_name: $name, static_configs: [{targets: ['127.0.0.1:${PORT_OF[$name]}']}]}"
  done
  cat <<YAML
  - job_name: blackbox_exporter
    metrics_path: /probe
    params: {module: [dns_lab], target: ['127.0.0.1:$DNS_PORT']}
    static_configs: [{targets: ['127.0.0.1:${PORT_OF[blackbox_exporter]}']}]
YAML
} > "$WORK/prometheus.yml"
PROM_PORT=$(free_port)
start prometheus /usr/bin/prometheus --config.file "$WORK/prometheus.yml" --storage.tsdb.path "$WORK/tsdb" \
  --web.listen-address "127.0.0.1:$PROM_PORT"

echo "warm-up ${WARMUP} s, then measuring ${DURATION} s (scrape and sample interval 1 s)"
sleep "$WARMUP"
TICK=$(getconf CLK_TCK)
NAMES=(failwatch postgres_exporter_node1 postgres_exporter_node2 blackbox_exporter pgbouncer_exporter)
cpu_ticks() { [ -r "/proc/$1/stat" ] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" || echo ""; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
# At the end: PSS (shared library pages divided among the processes that map
# them) and anonymous memory (heap, arenas, stacks: what is the process's own).
rollup_mib() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/smaps_rollup" 2>/dev/null || true; }
declare -A T0 T1 RSS_SUM RSS_MAX RSS_N
for n in "${NAMES[@]}"; do T0[$n]=$(cpu_ticks "${PID_OF[$n]}"); RSS_SUM[$n]=0; RSS_MAX[$n]=0; RSS_N[$n]=0; done
for ((i = 0; i < DURATION; i++)); do
  sleep 1
  for n in "${NAMES[@]}"; do
    r=$(rss_kib "${PID_OF[$n]}")
    [ -n "$r" ] || continue
    RSS_SUM[$n]=$((RSS_SUM[$n] + r)); RSS_N[$n]=$((RSS_N[$n] + 1))
    [ "$r" -gt "${RSS_MAX[$n]}" ] && RSS_MAX[$n]=$r
  done
done
declare -A PSS ANON
for n in "${NAMES[@]}"; do
  T1[$n]=$(cpu_ticks "${PID_OF[$n]}")
  PSS[$n]=$(rollup_mib "${PID_OF[$n]}" Pss)
  ANON[$n]=$(rollup_mib "${PID_OF[$n]}" Anonymous)
done
# Where failwatch's RSS is (FOOTPRINT_SMAPS=1): resident KiB per mapping,
# anonymous ones ([heap], thread arenas and stacks) by their size class.
if [ "${FOOTPRINT_SMAPS:-0}" = 1 ]; then
  echo "failwatch threads: $(ls "/proc/${PID_OF[failwatch]}/task" | wc -l)"
  # (mawk has no strtonum: the size comes from bash arithmetic on the range.)
  while read -r range f2 _ _ _ path; do
    if [[ "$range" =~ ^([0-9a-f]+)-([0-9a-f]+)$ ]]; then
      echo "M $(( (0x${BASH_REMATCH[2]} - 0x${BASH_REMATCH[1]}) / 1024 )) ${path:-}"
    elif [ "$range" = "Rss:" ]; then
      echo "R $f2"
    fi
  done < "/proc/${PID_OF[failwatch]}/smaps" > "$WORK/smaps.txt" || true
  awk '$1 == "M" { name = ($3 == "" ? "[anon " $2 " KiB]" : $3) }
       $1 == "R" { rss[name] += $2 }
       END { for (n in rss) if (rss[n] >= 100) printf "%8d KiB  %s\n", rss[n], n }' \
    "$WORK/smaps.txt" | sort -rn | head -25
fi

# Scrape health over the run, from Prometheus.
q() { curl -sf --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
  jq -r '.data.result[] | "\(.metric.job) \(.value[1])"'; }
q "avg_over_time(up[${DURATION}s])" > "$WORK/up.txt" || true
q "count_over_time(up[${DURATION}s])" > "$WORK/scrapes.txt" || true

printf '\n%-26s %8s %10s %10s %8s %9s %6s %s\n' "process" "CPU %" "RSS MiB" "max MiB" "PSS MiB" "anon MiB" "up" "scrapes"
declare -A CPU RSS
for n in "${NAMES[@]}"; do
  up=$(awk -v j="$n" '$1 == j { printf "%.2f", $2 }' "$WORK/up.txt")
  scrapes=$(awk -v j="$n" '$1 == j { print $2 }' "$WORK/scrapes.txt")
  if [ -z "${T1[$n]}" ] || [ -z "${T0[$n]}" ] || [ "${RSS_N[$n]}" -lt "$DURATION" ]; then
    printf '%-26s %8s %10s %10s %8s %9s %6s %s\n' "$n" "-" "-" "-" "-" "-" "${up:--}" "exited during the run"
    continue
  fi
  CPU[$n]=$(awk -v a="${T0[$n]}" -v b="${T1[$n]}" -v t="$TICK" -v d="$DURATION" 'BEGIN { printf "%.2f", (b - a) / t / d * 100 }')
  RSS[$n]=$(awk -v s="${RSS_SUM[$n]}" -v c="${RSS_N[$n]}" 'BEGIN { printf "%.1f", s / c / 1024 }')
  printf '%-26s %8s %10s %10s %8s %9s %6s %s\n' "$n" "${CPU[$n]}" "${RSS[$n]}" \
    "$(awk -v m="${RSS_MAX[$n]}" 'BEGIN { printf "%.1f", m / 1024 }')" "${PSS[$n]}" "${ANON[$n]}" "${up:--}" "${scrapes:--}"
done

# The pgbouncer exporter: counted only when it answered its scrapes.
pgb_note=""
pgb_up=$(awk '$1 == "pgbouncer_exporter" { print $2 }' "$WORK/up.txt")
if grep -q "KeyError" "$WORK/pgbouncer_exporter.log" || ! awk -v u="${pgb_up:-0}" 'BEGIN { exit !(u > 0.99) }'; then
  err=$(grep -m1 -o "KeyError: '[a-z_]*'" "$WORK/pgbouncer_exporter.log" || true)
  pgb_note="prometheus-pgbouncer-exporter $(dpkg-query -W -f='${Version}' prometheus-pgbouncer-exporter): up ${pgb_up:-0} over the run against PgBouncer $(/usr/sbin/pgbouncer --version | head -1 | awk '{print $2}')${err:+, $err (SHOW STATS)}; not counted in the peers"
  unset 'CPU[pgbouncer_exporter]' 'RSS[pgbouncer_exporter]'
fi
peers_cpu=0 peers_rss=0 peers=""
for n in postgres_exporter_node1 postgres_exporter_node2 blackbox_exporter pgbouncer_exporter; do
  [ -n "${CPU[$n]:-}" ] || continue
  peers_cpu=$(awk -v a="$peers_cpu" -v b="${CPU[$n]}" 'BEGIN { print a + b }')
  peers_rss=$(awk -v a="$peers_rss" -v b="${RSS[$n]}" 'BEGIN { print a + b }')
  peers+="$n "
done
echo
echo "peers together ($peers): CPU ${peers_cpu} %, RSS ${peers_rss} MiB"
if [ -n "${CPU[failwatch]:-}" ]; then
  awk -v fc="${CPU[failwatch]}" -v fr="${RSS[failwatch]}" -v pc="$peers_cpu" -v pr="$peers_rss" 'BEGIN {
    printf "failwatch: CPU %.2f %%, RSS %.1f MiB -> peers / failwatch: CPU %.1fx, RSS %.1fx\n",
      fc, fr, (fc > 0 ? pc / fc : 0), (fr > 0 ? pr / fr : 0) }'
fi
[ -z "$pgb_note" ] || echo "$pgb_note"
echo "failwatch up $(awk '$1 == "failwatch" { print $2 }' "$WORK/up.txt"), $(grep -c . "$WORK/up.txt") jobs scraped; $(nproc) cores, $(date -u +%FT%TZ)"
