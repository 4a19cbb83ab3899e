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
# For each: CPU % of one core (utime+stime from /proc/PID/stat over the run),
# RSS (VmRSS, mean and max of one sample a second; the goal's measure) and
# PSS next to it (smaps_rollup at the end), then the ratios.
#
#   bench/footprint.sh [SECONDS (120)]      FAILWATCH_BIN (build/ci/failwatch)
#   FOOTPRINT_SMAPS=1: failwatch's RSS / PSS / private dirty per mapping
#   FOOTPRINT_B_BIN=OLD/failwatch or FOOTPRINT_B_ENV="VAR=VALUE ...": a second
#     failwatch in the same run, its figures next to the first's (before/after)
#   FOOTPRINT_WRITE_PROBE=false / FOOTPRINT_B_WRITE_PROBE=false: that failwatch
#     without the opt-in write probe (default true: a fresh connection, SCRAM
#     included, every second: work no peer does), i.e. the issue's workload
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
source "$ROOT/scripts/lab/ports.sh"
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
# start_failwatch NAME BIN ENV...: one failwatch with its own instance_id
# (the write probe rows of two instances never collide).
start_failwatch() {
  local name=$1 bin=$2 probe=$3
  shift 3
  cat > "$WORK/$name.yml" <<YAML
interval: 1s
timeout: 800ms
instance_id: $name
databases:
  - name: orders
    endpoint: db.lab.test:$PG_LAB_PORT
    reader_endpoint: ro.lab.test:$PG_LAB_PORT
    dns_servers: ["127.0.0.1:$DNS_PORT"]
    members: ["$N1", "$N2"]
    password_file: $WORK/pw
    sslmode: disable
    apps: [{application_name: orders-api, expects: primary}]
    write_probe: {enabled: $probe}
    pgbouncers:
      - {address: "127.0.0.1:$PGB_PORT", user: failwatch, password_file: $WORK/pw}
YAML
  PORT_OF[$name]=$(free_port)
  start "$name" env "$@" "$bin" --config "$WORK/$name.yml" --web.listen-address "127.0.0.1:${PORT_OF[$name]}"
}
# failwatch runs with the environment the shipped deployment sets
# (deploy/systemd/failwatch.service, the Dockerfile; the Kubernetes manifests
# run that image): GNUTLS_NO_IMPLICIT_INIT=1 (libpq -> libldap -> GnuTLS,
# whose constructor would otherwise initialise it in every process).
# FOOTPRINT_FAILWATCH_ENV replaces it, e.g. "MALLOC_ARENA_MAX=1".
# FOOTPRINT_B_BIN / FOOTPRINT_B_ENV: a second failwatch, "failwatch_b", in the
# same run (same lab, same load, same config but its instance_id), for a
# before/after of one change; it is reported, never counted as a peer.
DEPLOY_ENV=${FOOTPRINT_FAILWATCH_ENV-GNUTLS_NO_IMPLICIT_INIT=1}
# shellcheck disable=SC2086  # word splitting of the VAR=VALUE lists is intended
start_failwatch failwatch "$FAILWATCH_BIN" "${FOOTPRINT_WRITE_PROBE:-true}" $DEPLOY_ENV
FAILWATCHES=(failwatch)
if [ -n "${FOOTPRINT_B_BIN:-}${FOOTPRINT_B_ENV+set}${FOOTPRINT_B_WRITE_PROBE:-}" ]; then
  # shellcheck disable=SC2086
  start_failwatch failwatch_b "${FOOTPRINT_B_BIN:-$FAILWATCH_BIN}" \
    "${FOOTPRINT_B_WRITE_PROBE:-${FOOTPRINT_WRITE_PROBE:-true}}" ${FOOTPRINT_B_ENV-$DEPLOY_ENV}
  FAILWATCHES+=(failwatch_b)
fi

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
  for name in "${FAILWATCHES[@]}" postgres_exporter_node1 postgres_exporter_node2 pgbouncer_exporter; do
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
NAMES=("${FAILWATCHES[@]}" postgres_exporter_node1 postgres_exporter_node2 blackbox_exporter pgbouncer_exporter)
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
# Where failwatch's RSS is (FOOTPRINT_SMAPS=1): per mapped file, RSS, PSS and
# private dirty KiB (relocated data, COW'd pages: this process's own);
# anonymous memory as thread stacks (8 MiB mappings), [heap] and the rest
# (malloc arenas, mmaps). With failwatch_b, its columns come next.
smaps_by_mapping() {  # PID -> "name rss pss private_dirty" lines
  # (mawk has no strtonum: the size comes from bash arithmetic on the range.)
  local range f2 path exe
  exe=$(readlink "/proc/$1/exe")
  while read -r range f2 _ _ _ path; do
    [ "${path:-}" = "$exe" ] && path="[failwatch_binary]"
    if [[ "$range" =~ ^([0-9a-f]+)-([0-9a-f]+)$ ]]; then
      echo "M $(( (0x${BASH_REMATCH[2]} - 0x${BASH_REMATCH[1]}) / 1024 )) ${path:-}"
    elif [ "$range" = "Rss:" ] || [ "$range" = "Pss:" ] || [ "$range" = "Private_Dirty:" ]; then
      echo "${range%:} $f2"
    fi
  done < "/proc/$1/smaps" |
    awk '$1 == "M" { name = $3
                     if (name == "") name = ($2 >= 8000 && $2 <= 8200 ? "[anon:thread_stacks]" : "[anon:arenas,mmaps]")
                     sub(/^.*\//, "", name); gsub(/ /, "_", name) }
         $1 == "Rss" { r[name] += $2 } $1 == "Pss" { p[name] += $2 } $1 == "Private_Dirty" { d[name] += $2 }
         END { for (n in r) print n, r[n], p[n], d[n] }'
}
if [ "${FOOTPRINT_SMAPS:-0}" = 1 ]; then
  for n in "${FAILWATCHES[@]}"; do
    smaps_by_mapping "${PID_OF[$n]}" > "$WORK/smaps.$n" 2>/dev/null || true
    echo "$n: $(ls "/proc/${PID_OF[$n]}/task" | wc -l) threads"
  done
  printf '\n%-28s' "KiB per mapping"
  for n in "${FAILWATCHES[@]}"; do printf ' %26s' "$n: RSS / PSS / priv.dirty"; done
  echo
  # One row per mapping any instance has >= 64 KiB resident of, by the first's RSS.
  awk -v files="${FAILWATCHES[*]}" -v dir="$WORK" 'BEGIN {
      k = split(files, f, " ")
      for (i = 1; i <= k; i++) {
        while ((getline line < (dir "/smaps." f[i])) > 0) {
          split(line, x, " "); names[x[1]] = 1
          r[i, x[1]] = x[2]; p[i, x[1]] = x[3]; d[i, x[1]] = x[4]; tr[i] += x[2]; tp[i] += x[3]; td[i] += x[4]
        }
      }
      for (n in names) {
        big = 0
        for (i = 1; i <= k; i++) if (r[i, n] >= 64) big = 1
        if (!big) { for (i = 1; i <= k; i++) { sr[i] += r[i, n]; sp[i] += p[i, n]; sd[i] += d[i, n] }; continue }
        printf "%08d %-28s", r[1, n], n
        for (i = 1; i <= k; i++) printf " %10d %7d %7d", r[i, n], p[i, n], d[i, n]
        printf "\n"
      }
      printf "%08d %-28s", 0, "(mappings < 64 KiB each)"
      for (i = 1; i <= k; i++) printf " %10d %7d %7d", sr[i], sp[i], sd[i]
      printf "\n"
      printf "%08d %-28s", -1, "total"
      for (i = 1; i <= k; i++) printf " %10d %7d %7d", tr[i], tp[i], td[i]
      printf "\n"
    }' | sort -r | cut -c10-
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
peers_cpu=0 peers_rss=0 peers_pss=0 peers=""
for n in postgres_exporter_node1 postgres_exporter_node2 blackbox_exporter pgbouncer_exporter; do
  [ -n "${CPU[$n]:-}" ] || continue
  peers_cpu=$(awk -v a="$peers_cpu" -v b="${CPU[$n]}" 'BEGIN { print a + b }')
  peers_rss=$(awk -v a="$peers_rss" -v b="${RSS[$n]}" 'BEGIN { print a + b }')
  peers_pss=$(awk -v a="$peers_pss" -v b="${PSS[$n]:-0}" 'BEGIN { print a + b }')
  peers+="$n "
done
echo
echo "peers together ($peers): CPU ${peers_cpu} %, RSS ${peers_rss} MiB, PSS ${peers_pss} MiB"
# RSS is the goal's measure; PSS (shared pages divided among the processes
# mapping them) is shown next to it as the fairer view on a shared node.
for n in "${FAILWATCHES[@]}"; do
  [ -n "${CPU[$n]:-}" ] || continue
  awk -v n="$n" -v fc="${CPU[$n]}" -v fr="${RSS[$n]}" -v fp="${PSS[$n]:-0}" \
    -v pc="$peers_cpu" -v pr="$peers_rss" -v pp="$peers_pss" 'BEGIN {
    printf "%s: CPU %.2f %%, RSS %.1f MiB, PSS %.1f MiB -> peers / %s: CPU %.1fx, RSS %.1fx (PSS %.1fx)\n",
      n, fc, fr, fp, n, (fc > 0 ? pc / fc : 0), (fr > 0 ? pr / fr : 0), (fp > 0 ? pp / fp : 0) }'
done
[ -z "$pgb_note" ] || echo "$pgb_note"
echo "failwatch up $(awk '$1 == "failwatch" { print $2 }' "$WORK/up.txt"), $(grep -c . "$WORK/up.txt") jobs scraped; $(nproc) cores, $(date -u +%FT%TZ)"
