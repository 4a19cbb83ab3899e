# shellcheck shell=bash
# A PostgreSQL 15 primary + streaming standby on loopback, for tests and the
# demo lab. Source this file, then call the functions; each takes the lab's
# base directory first, so several labs can coexist.
#
#   pg_lab_init DIR            node1 = primary on $PG_LAB_IP1, node2 = standby
#                              on $PG_LAB_IP2, both on $PG_LAB_PORT; started.
#   pg_lab_promote DIR NODE    pg_ctl promote NODE (the old primary keeps
#                              running: split brain until it is rewound).
#   pg_lab_rewind DIR OLD NEW  stop OLD, pg_rewind it from NEW, start it as a
#                              standby of NEW.
#   pg_lab_stop DIR            stop every node of the lab (never fails).
#   pg_lab_start_node / pg_lab_stop_node DIR NODE
#   pg_lab_freeze / pg_lab_thaw DIR NODE   SIGSTOP/SIGCONT the postmaster and
#                              all its children (a hung node).
#   pg_lab_psql DIR NODE SQL   run SQL as postgres over the node's socket.
#   pg_lab_addr NODE           print "ip:port" of node1/node2.
#   pg_lab_wait_streaming DIR NODE  wait until NODE's WAL receiver streams.
#
# Roles created: failwatch (pg_monitor, password failwatch-pw, may write the
# heartbeat table) and app (password app-pw). pg_hba trusts the postgres user
# and replication from 127.0.0.0/8 and asks everyone else for a password.
# Servers run as the `postgres` OS user; DIR is chowned to it.

PG_LAB_BIN=${PG_LAB_BIN:-/usr/lib/postgresql/15/bin}
PG_LAB_PORT=${PG_LAB_PORT:-55432}
PG_LAB_IP1=${PG_LAB_IP1:-127.0.0.2}
PG_LAB_IP2=${PG_LAB_IP2:-127.0.0.3}
PG_LAB_USER=${PG_LAB_USER:-postgres}

_pg_lab_as() {
  if [ "$(id -un)" = "$PG_LAB_USER" ]; then
    "$@"
  else
    runuser -u "$PG_LAB_USER" -- "$@"
  fi
}

_pg_lab_ip() {
  case "$1" in
    node1) echo "$PG_LAB_IP1" ;;
    node2) echo "$PG_LAB_IP2" ;;
    *)
      echo "pg_lab: unknown node '$1' (node1|node2)" >&2
      return 1
      ;;
  esac
}

pg_lab_addr() {
  local ip
  ip=$(_pg_lab_ip "$1") || return 1
  echo "$ip:$PG_LAB_PORT"
}

# Node-specific settings go last in postgresql.conf: pg_basebackup and
# pg_rewind copy the source's files, so they must be re-applied after.
_pg_lab_node_conf() {
  local dir=$1 node=$2 ip
  ip=$(_pg_lab_ip "$node") || return 1
  _pg_lab_as tee -a "$dir/$node/postgresql.conf" >/dev/null <<EOF
# pg_lab: node settings ($node)
listen_addresses = '$ip'
port = $PG_LAB_PORT
unix_socket_directories = '$dir/$node.sock'
EOF
}

_pg_lab_primary_conninfo() {
  local dir=$1 node=$2 upstream=$3 uip
  uip=$(_pg_lab_ip "$upstream") || return 1
  # The last primary_conninfo wins; -R of pg_basebackup/pg_rewind appends
  # one pointing at whatever address it used.
  _pg_lab_as tee -a "$dir/$node/postgresql.auto.conf" >/dev/null <<EOF
primary_conninfo = 'host=$uip port=$PG_LAB_PORT user=postgres application_name=$node'
EOF
  _pg_lab_as touch "$dir/$node/standby.signal"
}

pg_lab_start_node() {
  local dir=$1 node=$2
  _pg_lab_as "$PG_LAB_BIN/pg_ctl" -D "$dir/$node" -l "$dir/$node.log" -w \
    -t 30 start >/dev/null
}

pg_lab_stop_node() {
  local dir=$1 node=$2
  [ -f "$dir/$node/postmaster.pid" ] || return 0
  pg_lab_thaw "$dir" "$node" 2>/dev/null
  _pg_lab_as "$PG_LAB_BIN/pg_ctl" -D "$dir/$node" -m fast -w -t 30 stop \
    >/dev/null 2>&1 ||
    _pg_lab_as "$PG_LAB_BIN/pg_ctl" -D "$dir/$node" -m immediate -w stop \
      >/dev/null 2>&1 || true
}

pg_lab_psql() {
  local dir=$1 node=$2 sql=$3
  _pg_lab_as "$PG_LAB_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
    -h "$dir/$node.sock" -p "$PG_LAB_PORT" -U postgres -d postgres -c "$sql"
}

pg_lab_init() {
  local dir=$1
  mkdir -p "$dir" || return 1
  chown "$PG_LAB_USER" "$dir" || return 1
  # mktemp -d makes 0700 directories: the postgres user must traverse them.
  chmod o+x "$(dirname "$dir")" 2>/dev/null || true
  mkdir -p "$dir/node1.sock" "$dir/node2.sock"
  chown "$PG_LAB_USER" "$dir/node1.sock" "$dir/node2.sock"
  _pg_lab_as "$PG_LAB_BIN/initdb" -D "$dir/node1" -U postgres -A trust \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    return 1
  }
  _pg_lab_as tee -a "$dir/node1/postgresql.conf" >/dev/null <<EOF
wal_level = replica
wal_log_hints = on
wal_keep_size = '256MB'
max_wal_senders = 10
hot_standby = on
fsync = off
synchronous_commit = off
password_encryption = 'scram-sha-256'
log_connections = off
EOF
  _pg_lab_as tee "$dir/node1/pg_hba.conf" >/dev/null <<EOF
local all all trust
local replication all trust
host replication postgres 127.0.0.0/8 trust
host all postgres 127.0.0.0/8 trust
host all all 127.0.0.0/8 scram-sha-256
EOF
  _pg_lab_node_conf "$dir" node1 || return 1
  pg_lab_start_node "$dir" node1 || {
    cat "$dir/node1.log" >&2
    return 1
  }
  pg_lab_psql "$dir" node1 "
    CREATE ROLE failwatch LOGIN PASSWORD 'failwatch-pw' IN ROLE pg_monitor;
    CREATE ROLE app LOGIN PASSWORD 'app-pw';
    CREATE TABLE failwatch_heartbeat(id text PRIMARY KEY, ts timestamptz);
    GRANT SELECT, INSERT, UPDATE ON failwatch_heartbeat TO failwatch;
    CREATE TABLE orders(id serial PRIMARY KEY, note text);
    GRANT ALL ON orders, orders_id_seq TO app;" || return 1
  _pg_lab_as "$PG_LAB_BIN/pg_basebackup" -h "$PG_LAB_IP1" -p "$PG_LAB_PORT" \
    -U postgres -D "$dir/node2" -R -X stream -c fast \
    >"$dir/basebackup.log" 2>&1 || {
    cat "$dir/basebackup.log" >&2
    return 1
  }
  _pg_lab_node_conf "$dir" node2 || return 1
  _pg_lab_primary_conninfo "$dir" node2 node1 || return 1
  pg_lab_start_node "$dir" node2 || {
    cat "$dir/node2.log" >&2
    return 1
  }
  pg_lab_wait_streaming "$dir" node2
}

pg_lab_wait_streaming() {
  local dir=$1 node=$2 _
  for _ in $(seq 1 100); do
    if [ "$(pg_lab_psql "$dir" "$node" \
      "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "pg_lab: $node is not streaming" >&2
  return 1
}

pg_lab_promote() {
  local dir=$1 node=$2
  _pg_lab_as "$PG_LAB_BIN/pg_ctl" -D "$dir/$node" -w -t 30 promote >/dev/null
}

pg_lab_rewind() {
  local dir=$1 old=$2 new=$3 nip
  nip=$(_pg_lab_ip "$new") || return 1
  # pg_rewind needs the new primary's timeline switch in its control file.
  pg_lab_psql "$dir" "$new" "CHECKPOINT" || return 1
  pg_lab_stop_node "$dir" "$old"
  _pg_lab_as "$PG_LAB_BIN/pg_rewind" --target-pgdata="$dir/$old" \
    --source-server="host=$nip port=$PG_LAB_PORT user=postgres dbname=postgres" \
    >"$dir/rewind.log" 2>&1 || {
    cat "$dir/rewind.log" >&2
    return 1
  }
  _pg_lab_node_conf "$dir" "$old" || return 1
  _pg_lab_primary_conninfo "$dir" "$old" "$new" || return 1
  pg_lab_start_node "$dir" "$old" || {
    cat "$dir/$old.log" >&2
    return 1
  }
}

# Every process of the node: the postmaster and its children.
_pg_lab_pids() {
  local dir=$1 node=$2 pm
  [ -f "$dir/$node/postmaster.pid" ] || return 0
  pm=$(head -1 "$dir/$node/postmaster.pid")
  [ -n "$pm" ] || return 0
  echo "$pm"
  pgrep -P "$pm" || true
}

pg_lab_freeze() {
  local dir=$1 node=$2 pids
  pids=$(_pg_lab_pids "$dir" "$node")
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -STOP $pids
}

pg_lab_thaw() {
  local dir=$1 node=$2 pids
  pids=$(_pg_lab_pids "$dir" "$node")
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -CONT $pids
}

pg_lab_stop() {
  local dir=$1
  pg_lab_stop_node "$dir" node1
  pg_lab_stop_node "$dir" node2
  return 0
}
