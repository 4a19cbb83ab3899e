# shellcheck shell=bash
# Faults for the lab, one at a time: inject, then restore. Source
# scripts/lab.sh first (its variables and functions), then this file.
#
#   fault_inject NAME / fault_restore NAME   (NAME from fault_names)
#
# Used by bench/fault_matrix.sh (one row per fault, measured) and
# bench/soak.sh (faults cycled for an hour).

fault_names() {
  echo pg_primary_kill pg_primary_stop pg_standby_kill pg_standby_stop \
    dns_down dns_servfail dns_flap kafka_kill kafka_wedge \
    pgbouncer_down pgbouncer_stop bad_reload
}

# The node db.lab.test names (the primary) and the other one.
_fault_primary() { current_nodes | cut -d' ' -f1; }
_fault_standby() { current_nodes | cut -d' ' -f2; }
_fault_ip() { if [ "$1" = node1 ]; then echo "$PG_LAB_IP1"; else echo "$PG_LAB_IP2"; fi; }

# A crashed node: SIGKILL to the postmaster and every backend. The
# postmaster is stopped first so it forks no backend after the list is
# taken (failwatch connects every interval): an orphan backend would hold
# the shared memory and the restart would refuse to start.
_fault_pg_kill() {
  local node=$1 pm pids _
  [ -f "$PG_DIR/$node/postmaster.pid" ] || die "fault: $node is not running"
  pm=$(head -1 "$PG_DIR/$node/postmaster.pid")
  kill -STOP "$pm" || die "fault: $node is not running"
  pids="$pm $(pgrep -P "$pm" | tr '\n' ' ')"
  # shellcheck disable=SC2086
  kill -KILL $pids
  for _ in $(seq 1 100); do
    # shellcheck disable=SC2086
    kill -0 $pids 2>/dev/null || return 0
    sleep 0.1
  done
  die "fault: $node survived SIGKILL"
}

# Crash recovery can find the old shared memory still attached for a moment.
_fault_pg_restart() {
  local _
  for _ in 1 2 3 4 5; do
    pg_lab_start_node "$PG_DIR" "$1" 2>/dev/null && return 0
    sleep 2
  done
  die "fault: $1 did not restart: $(tail -3 "$PG_DIR/$1.log")"
}

_fault_kafka_pid() { proc_pid kafka || die "fault: the Kafka mock is not running"; }
_fault_pgb_pid() {
  local pid
  pid=$(pgb_lab_pid "$LAB_DIR/pgbouncer")
  [ -n "$pid" ] || die "fault: PgBouncer is not running"
  echo "$pid"
}

# Two answers for the reader endpoint, alternating every 2 s: an A->B->A
# flap well inside dns_flapping's 30 s window. The writer endpoint stays
# put (a writer flap would also raise endpoint_not_primary). The first
# change happens before fault_inject returns; the loop sources only dns.sh
# so the second one comes 2 s later, not after a lab.sh start-up.
_fault_dns_flap_start() {
  local a b dirs=("$LAB_DIR")
  a=$(_fault_ip "$(_fault_standby)")
  b=$(_fault_ip "$(_fault_primary)")
  [ -d "$LAB_DIR/dns53/dns" ] && dirs+=("$LAB_DIR/dns53")
  lab_dns_set ro.lab.test "$b"
  # shellcheck disable=SC2016
  proc_start dns-flap /bin/bash -c 'source "$1"; a=$2 b=$3; shift 3
    while true; do
      sleep 2; for d in "$@"; do dns_lab_set "$d" ro.lab.test "$a"; done
      sleep 2; for d in "$@"; do dns_lab_set "$d" ro.lab.test "$b"; done
    done' dns-flap "$ROOT/scripts/lab/dns.sh" "$a" "$b" "${dirs[@]}"
}

_fault_reload_ok() {
  local _ v
  for _ in $(seq 1 50); do
    v=$(fw_curl -sf --max-time 1 "$FW_URL/metrics" |
      awk '$1 == "failwatch_config_last_reload_successful" { print $2 }')
    [ "$v" = 1 ] && return 0
    sleep 0.1
  done
  die "fault: failwatch did not take the good config back"
}

fault_inject() {
  local fw
  fw=$(proc_pid failwatch) || die "fault: failwatch is not running"
  case "$1" in
    pg_primary_kill) _fault_pg_kill "$(_fault_primary)" ;;
    pg_primary_stop) pg_lab_freeze "$PG_DIR" "$(_fault_primary)" ;;
    pg_standby_kill) _fault_pg_kill "$(_fault_standby)" ;;
    pg_standby_stop) pg_lab_freeze "$PG_DIR" "$(_fault_standby)" ;;
    dns_down) dns_lab_stop "$LAB_DIR" ;;
    dns_servfail)
      dns_lab_stop "$LAB_DIR"
      sleep 0.2 # the port is free once dnsmasq has exited
      proc_start dns-stub "$LAB_PYTHON" "$ROOT/scripts/lab/dns_stub.py" \
        --listen="$DNS_ADDR:$DNS_PORT" --rcode=2
      ;;
    dns_flap) _fault_dns_flap_start ;;
    kafka_kill) kill -KILL "$(_fault_kafka_pid)" ;;
    # The mock stops answering: every admin/metadata request hangs in flight.
    kafka_wedge) kill -STOP "$(_fault_kafka_pid)" ;;
    pgbouncer_down) pgb_lab_stop "$LAB_DIR/pgbouncer" ;;
    pgbouncer_stop) kill -STOP "$(_fault_pgb_pid)" ;;
    bad_reload)
      cp "$LAB_DIR/failwatch.yml" "$LAB_DIR/failwatch.yml.good"
      sed -i 's/^interval: .*/interval: not-a-duration/' "$LAB_DIR/failwatch.yml"
      kill -HUP "$fw"
      ;;
    *) die "fault: unknown fault '$1' (one of: $(fault_names))" ;;
  esac
}

fault_restore() {
  case "$1" in
    pg_primary_kill) _fault_pg_restart "$(_fault_primary)" ;;
    pg_primary_stop) pg_lab_thaw "$PG_DIR" "$(_fault_primary)" ;;
    pg_standby_kill) _fault_pg_restart "$(_fault_standby)" ;;
    pg_standby_stop) pg_lab_thaw "$PG_DIR" "$(_fault_standby)" ;;
    dns_down) start_dns ;;
    dns_servfail)
      proc_stop dns-stub
      start_dns
      ;;
    dns_flap)
      proc_stop dns-flap
      lab_dns_set ro.lab.test "$(_fault_ip "$(_fault_standby)")"
      ;;
    kafka_kill)
      # New random broker ports: failwatch reloads, the clients restart.
      start_kafka
      write_failwatch_config
      start_apps
      ;;
    kafka_wedge) kill -CONT "$(_fault_kafka_pid)" ;;
    pgbouncer_down) pgb_lab_start "$LAB_DIR/pgbouncer" >/dev/null ;;
    pgbouncer_stop) kill -CONT "$(_fault_pgb_pid)" ;;
    bad_reload)
      mv "$LAB_DIR/failwatch.yml.good" "$LAB_DIR/failwatch.yml"
      kill -HUP "$(proc_pid failwatch)"
      _fault_reload_ok
      ;;
    *) die "fault: unknown fault '$1'" ;;
  esac
}
