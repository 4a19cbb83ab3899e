# shellcheck shell=bash
# A PgBouncer 1.18 in front of the PostgreSQL lab (scripts/lab/pg.sh), for
# tests and the demo lab. Source this file, then call the functions; each
# takes the PgBouncer's own directory first, so several can coexist.
#
#   pgb_lab_init DIR ADDR PORT [DBNAME=CONNSTR ...]
#                            write DIR/pgbouncer.ini + DIR/userlist.txt with
#                            one [databases] line per argument, e.g.
#                            "orders=host=127.0.0.2 port=55432 dbname=postgres".
#                            Not started. Extra [pgbouncer] settings can be
#                            passed in $PGB_LAB_EXTRA (one per line).
#   pgb_lab_set_db DIR DBNAME CONNSTR   replace (or add) one [databases] line;
#                            takes effect at the next pgb_lab_reload.
#   pgb_lab_start DIR        start (daemonized, as $PGB_LAB_USER) and wait
#                            until the admin console answers.
#   pgb_lab_admin DIR SQL    run one admin console command as the admin user
#                            (RELOAD, RECONNECT db, PAUSE, SHOW ...).
#   pgb_lab_reload DIR       RELOAD: re-read pgbouncer.ini.
#   pgb_lab_pid DIR          print the PgBouncer pid (empty when not running).
#   pgb_lab_kill DIR         SIGKILL (a crashed PgBouncer; never fails).
#   pgb_lab_stop DIR         SIGINT, wait, then SIGKILL (never fails).
#
# Users in the userlist (plain text, the lab is loopback only):
#   pgbouncer / pgbouncer-pw  admin_users (RELOAD, RECONNECT, ...)
#   failwatch / failwatch-pw  stats_users: SHOW commands only, what the
#                             failwatch collector needs
#   app / app-pw              the application, also a role in the pg lab
# PgBouncer refuses to run as root; DIR is chowned to $PGB_LAB_USER.

PGB_LAB_BIN=${PGB_LAB_BIN:-/usr/sbin/pgbouncer}
PGB_LAB_USER=${PGB_LAB_USER:-postgres}
PGB_LAB_PSQL=${PGB_LAB_PSQL:-/usr/lib/postgresql/15/bin/psql}

_pgb_lab_as() {
  if [ "$(id -un)" = "$PGB_LAB_USER" ]; then
    "$@"
  else
    runuser -u "$PGB_LAB_USER" -- "$@"
  fi
}

pgb_lab_init() {
  local dir=$1 addr=$2 port=$3
  shift 3
  mkdir -p "$dir" || return 1
  chmod o+x "$(dirname "$dir")" 2>/dev/null || true
  {
    echo "[databases]"
    local db
    for db in "$@"; do
      echo "${db%%=*} = ${db#*=}"
    done
    cat <<EOF

[pgbouncer]
listen_addr = $addr
listen_port = $port
unix_socket_dir =
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
auth_type = md5
auth_file = $dir/userlist.txt
admin_users = pgbouncer
stats_users = failwatch
pool_mode = session
default_pool_size = 5
server_login_retry = 1
server_connect_timeout = 3
EOF
    [ -z "${PGB_LAB_EXTRA:-}" ] || printf '%s\n' "$PGB_LAB_EXTRA"
  } >"$dir/pgbouncer.ini" || return 1
  cat >"$dir/userlist.txt" <<EOF
"pgbouncer" "pgbouncer-pw"
"failwatch" "failwatch-pw"
"app" "app-pw"
EOF
  chown -R "$PGB_LAB_USER" "$dir" || return 1
  chmod 600 "$dir/userlist.txt"
}

pgb_lab_set_db() {
  local dir=$1 db=$2 connstr=$3 ini tmp
  ini=$dir/pgbouncer.ini
  tmp=$(mktemp) || return 1
  awk -v db="$db" -v line="$db = $connstr" '
    /^\[/ { if (section == "[databases]" && !done) { print line; done = 1 }
            section = $0 }
    section == "[databases]" && $1 == db { if (!done) print line; done = 1; next }
    { print }
    END { if (!done) print line }' "$ini" >"$tmp" || return 1
  cat "$tmp" >"$ini" && rm -f "$tmp"
}

pgb_lab_pid() {
  local dir=$1 pid
  [ -f "$dir/pgbouncer.pid" ] || return 0
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
  return 0
}

pgb_lab_admin() {
  local dir=$1 sql=$2 addr port
  addr=$(awk -F' *= *' '$1 == "listen_addr" { print $2 }' "$dir/pgbouncer.ini")
  port=$(awk -F' *= *' '$1 == "listen_port" { print $2 }' "$dir/pgbouncer.ini")
  PGPASSWORD=pgbouncer-pw PGCONNECT_TIMEOUT=3 "$PGB_LAB_PSQL" -X -q -At \
    -h "$addr" -p "$port" -U pgbouncer -d pgbouncer -c "$sql"
}

pgb_lab_start() {
  local dir=$1 _
  _pgb_lab_as "$PGB_LAB_BIN" -d "$dir/pgbouncer.ini" || {
    cat "$dir/pgbouncer.log" >&2 2>/dev/null
    return 1
  }
  for _ in $(seq 1 50); do
    pgb_lab_admin "$dir" "SHOW VERSION" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "pgb_lab: PgBouncer in $dir did not answer" >&2
  cat "$dir/pgbouncer.log" >&2 2>/dev/null
  return 1
}

pgb_lab_reload() {
  pgb_lab_admin "$1" "RELOAD" >/dev/null
}

pgb_lab_kill() {
  local pid
  pid=$(pgb_lab_pid "$1")
  [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null
  rm -f "$1/pgbouncer.pid"
  return 0
}

pgb_lab_stop() {
  local dir=$1 pid _
  pid=$(pgb_lab_pid "$dir")
  [ -n "$pid" ] || return 0
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  return 0
}
