# Shared helpers for the integration tests (source this file).
# Every process a test starts is recorded and killed on exit, pass or fail.
set -euo pipefail

: "${FAILWATCH_BIN:?FAILWATCH_BIN must point at the failwatch binary}"
: "${FAILWATCH_SOURCE_DIR:?}"
source "$FAILWATCH_SOURCE_DIR/scripts/lab/dns.sh"
source "$FAILWATCH_SOURCE_DIR/scripts/lab/ports.sh"  # free_port

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/failwatch-${TEST_NAME}.XXXXXX")
chmod 755 "$WORK"
CLEANUP_CMDS=()
PIDS=()

cleanup() {
  local rc=$?
  local i
  for ((i = ${#CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
    eval "${CLEANUP_CMDS[$i]}" || true
  done
  for pid in "${PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    echo "--- $TEST_NAME failed (rc=$rc); logs in $WORK ---" >&2
    for f in "$WORK"/*.log; do
      [ -f "$f" ] || continue
      echo "--- tail $f" >&2
      tail -n 40 "$f" >&2
    done
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT

on_exit() { CLEANUP_CMDS+=("$*"); }

log() { echo "[$TEST_NAME $(date +%H:%M:%S.%3N)] $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

now_ms() { date +%s%3N; }

# wait_for TIMEOUT_SECONDS DESCRIPTION CMD...: polls CMD every 100 ms.
wait_for() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$(($(now_ms) + timeout * 1000))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out after ${timeout}s waiting for: $what"
}

# start_failwatch CONFIG PORT [extra flags...]; sets FW_PID.
start_failwatch() {
  local config=$1 port=$2
  shift 2
  "$FAILWATCH_BIN" --config "$config" --web.listen-address "127.0.0.1:$port" \
    --log.level debug "$@" >> "$WORK/failwatch.log" 2>&1 &
  FW_PID=$!
  PIDS+=("$FW_PID")
  FW_PORT=$port
  wait_for 10 "failwatch /healthz" curl -sf "http://127.0.0.1:$port/healthz"
}

scrape() { curl -sf --max-time 5 "http://127.0.0.1:${FW_PORT}${1:-/metrics}"; }

# metric_value 'name{label="v",...}' : value of the exact series, or empty.
# Labels must be given in the order failwatch prints them.
metric_value() {
  local body
  body=$(scrape) || return 1
  awk -v s="$1" 'index($0, s" ") == 1 { print $2; exit }' <<< "$body"
}

# has_series REGEX: a series line of the live /metrics matches.
# (The body is captured first: with pipefail, grep -q closing the pipe
# early would fail the scrape.)
has_series() {
  local body
  body=$(scrape) || return 1
  grep -v '^#' <<< "$body" | grep -Eq "$1"
}

expect_metric() {
  local series=$1 want=$2 got
  got=$(metric_value "$series")
  [ "$got" = "$want" ] || fail "$series = '$got', want '$want'"
}

promtool_check() {
  local out
  scrape > "$WORK/metrics.txt"
  if ! out=$(promtool check metrics < "$WORK/metrics.txt" 2>&1); then
    echo "$out" >&2
    fail "promtool check metrics failed"
  fi
  log "promtool check metrics: clean ($(grep -vc '^#' "$WORK/metrics.txt") series)"
}

# metric_is SERIES VALUE: for wait_for (evaluated at each poll).
metric_is() { [ "$(metric_value "$1")" = "$2" ]; }

# series_value NAME 'k="v"' ...: value of the first series of NAME that has
# all the given label pairs, in any order; empty when none.
series_value() {
  local name=$1 body
  shift
  body=$(scrape) || return 1
  awk -v name="$name" -v want="$*" '
    BEGIN { n = split(want, w, " ") }
    index($0, name "{") == 1 || index($0, name " ") == 1 {
      ok = 1
      for (i = 1; i <= n; i++)
        if (index($0, "{" w[i]) == 0 && index($0, "," w[i]) == 0) ok = 0
      if (ok) { print $NF; exit }
    }' <<< "$body"
}

# series_is VALUE NAME 'k="v"' ...: for wait_for.
series_is() {
  local want=$1
  shift
  [ "$(series_value "$@")" = "$want" ]
}

# series_ge MIN NAME 'k="v"' ...: the series exists and is >= MIN.
series_ge() {
  local min=$1 v
  shift
  v=$(series_value "$@")
  [ -n "$v" ] && awk -v v="$v" -v m="$min" 'BEGIN { exit !(v + 0 >= m + 0) }'
}

# check_status CHECK TARGET: the published status of a health check.
check_status() {
  local body
  body=$(scrape /status) || return 1
  jq -r --arg c "$1" --arg t "$2" \
    '.verdict.checks[]? | select(.check == $c and .target == $t) | .status' <<< "$body"
}
check_is() { [ "$(check_status "$1" "$2")" = "$3" ]; }

# start_private_pg IP2 [PASSWORD_FILE]: a real PostgreSQL primary (127.0.0.1)
# + streaming standby (IP2) on a free port, never the lab's fixed addresses,
# stopped on exit. Sets PGDIR, N1, N2 (host:port of primary, standby) and
# writes the lab password to PASSWORD_FILE (default $WORK/pg_password).
start_private_pg() {
  source "$FAILWATCH_SOURCE_DIR/scripts/lab/pg.sh"
  PG_LAB_PORT=$(free_port)
  PG_LAB_IP1=127.0.0.1
  PG_LAB_IP2=$1
  PGDIR=$WORK/pg
  on_exit "pg_lab_stop $PGDIR"
  pg_lab_init "$PGDIR" > "$WORK/pg_init.log" 2>&1 ||
    fail "pg_lab_init: $(tail -5 "$WORK/pg_init.log")"
  N1=$(pg_lab_addr node1)
  N2=$(pg_lab_addr node2)
  echo failwatch-pw > "${2:-$WORK/pg_password}"
}
