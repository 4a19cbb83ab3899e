#!/usr/bin/env bash
# The fault matrix: against a running lab (scripts/lab.sh up), inject one
# fault at a time, measure failwatch, restore, and print one table row per
# fault. Exits 1 when a row fails.
#
#   bench/fault_matrix.sh [ROW...]     all rows by default (~12 min)
#   bench/fault_matrix.sh list         the rows
#   bench/fault_matrix.sh inject ROW / restore ROW   one fault by hand
#
# Per row (bench/fault_row.py): failwatch alive at the end; /healthz polled
# every 200 ms with a 1 s timeout, every failure counted; seconds from the
# fault to the verdict the operator should see, against the check's
# documented `for` hold + 2 sampling intervals (docs/reference/health.md);
# every sample's duration against its timeout (+ the 300 ms the scheduler
# takes to abandon one); seconds from the restore back to the verdict before
# the fault. The same environment as scripts/lab.sh (LAB_DIR, ports, ...).
#
# Example (the lab is shared: hold the lock while it runs):
#   flock /work/lab.lock bash -c 'export LAB_SKIP_BUILD=1 FAILWATCH_BIN=$PWD/build/ci/failwatch \
#     LAB_TOOLS_DIR=$PWD/build/ci/tests; scripts/lab.sh up >/dev/null && bench/fault_matrix.sh;
#     rc=$?; scripts/lab.sh down; exit $rc'
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lab.sh
source "$BENCH/../scripts/lab.sh"
# shellcheck source=scripts/lab/faults.sh
source "$ROOT/scripts/lab/faults.sh"

# row: check target status hold_seconds [hang|flap] (metric rows:
# metric=NAME value). "hang": the fault makes requests hang, so a sample
# learns it only at its deadline: the limit grows by one timeout. "flap": a
# flap exists from the second change on, 2 s after the fault (faults.sh).
row_spec() {
  case "$1" in
    pg_primary_kill) echo "no_primary orders down 5" ;;
    pg_primary_stop) echo "no_primary orders down 5 hang" ;;
    pg_standby_kill) echo "replication_lag orders/.* degraded 60" ;;
    pg_standby_stop) echo "replication_lag orders/.* degraded 60 hang" ;;
    dns_down | dns_servfail) echo "dns_resolution orders/writer down 5" ;;
    dns_flap) echo "dns_flapping orders/reader degraded 60 flap" ;;
    kafka_kill) echo "collector_failing kafka/.* degraded 30" ;;
    kafka_wedge) echo "collector_failing kafka/.* degraded 30 hang" ;;
    pgbouncer_down) echo "collector_failing pgbouncer/.* degraded 30" ;;
    pgbouncer_stop) echo "collector_failing pgbouncer/.* degraded 30 hang" ;;
    bad_reload) echo "metric=failwatch_config_last_reload_successful 0 - 0" ;;
    *) return 1 ;;
  esac
}

# The configured interval / timeout in seconds (the lab writes e.g. "1s",
# "800ms").
config_seconds() {
  local v
  v=$(awk -v k="$1:" '$1 == k { print $2; exit }' "$LAB_DIR/failwatch.yml")
  case "$v" in
    *ms) awk -v n="${v%ms}" 'BEGIN { print n / 1000 }' ;;
    *s) echo "${v%s}" ;;
    *) die "cannot read $1 from $LAB_DIR/failwatch.yml ($v)" ;;
  esac
}
interval_seconds() { config_seconds interval; }
timeout_seconds() { config_seconds timeout; }

run_row() {
  local name=$1 check target status hold extra limit expect
  read -r check target status hold extra < <(row_spec "$name") || die "unknown row $name"
  # The documented hold, 2 sampling intervals (the collector's sample, then
  # the evaluator's), the 0.2 s /status polling period of the row, and for
  # a hang the sample's timeout, for a flap the 2 s to its second change.
  # FAULT_MATRIX_SLACK (0) widens it for a loaded machine (the test uses 3).
  limit=$(awk -v h="$hold" -v i="$(interval_seconds)" -v t="$(timeout_seconds)" \
    -v x="${extra:-}" -v s="${FAULT_MATRIX_SLACK:-0}" \
    'BEGIN { print h + 2 * i + 0.2 + (x == "hang" ? t : x == "flap" ? 2 : 0) + s }')
  if [[ $check == metric=* ]]; then
    expect=(--metric "${check#metric=}" --value "$target")
  else
    expect=(--check "$check" --target "$target" --status "$status")
  fi
  "$LAB_PYTHON" "$BENCH/fault_row.py" --row "$name" --base "$FW_URL" --curlrc "$FW_CURLRC" \
    --pid "$(proc_pid failwatch)" --limit "$limit" "${expect[@]}" \
    --inject "bash '$BENCH/fault_matrix.sh' inject $name" \
    --restore "bash '$BENCH/fault_matrix.sh' restore $name"
}

print_table() {
  echo "| fault | alive | /healthz fails | verdict seen | s to verdict (limit) | worst sample (duration/timeout) | deadline-abandoned | s to recover | pass |"
  echo "|---|---|---|---|---|---|---|---|---|"
  jq -r '"| \(.row) | \(if .alive then "yes" else "NO" end) | \(.healthz_failures)/\(.healthz_polls) | \(.verdict) | \(.verdict_seconds // "-") (\(.limit_seconds)) | \(.worst_sample) | \(.deadline_exceeded) | \(.recovery_seconds // "-")\(if (.consequences // []) != [] then " (left: " + (.consequences | join(", ")) + ")" else "" end) | \(if .pass then "yes" else "NO: " + (.problems | join(", ")) end) |"' "$1"
}

matrix() {
  proc_alive failwatch || die "the lab is not up: scripts/lab.sh up"
  local rows=("$@") out="$LAB_DIR/fault-matrix.jsonl" rc=0 r
  [ ${#rows[@]} -gt 0 ] || read -r -a rows < <(fault_names)
  : >"$out"
  for r in "${rows[@]}"; do
    row_spec "$r" >/dev/null || die "unknown row $r (bench/fault_matrix.sh list)"
  done
  say "fault matrix: ${#rows[@]} rows, interval $(interval_seconds) s; results in $out"
  for r in "${rows[@]}"; do
    say "fault $r ($(date -u +%H:%M:%S))"
    if ! run_row "$r" | tee -a "$out"; then
      rc=1
    fi
    # A failed restore must not leave the fault behind for the next row.
    proc_alive failwatch || die "failwatch died during $r; see $LOGS/failwatch.log"
  done
  echo
  print_table "$out"
  return $rc
}

case "${1:-}" in
  inject) fault_inject "$2" ;;
  restore) fault_restore "$2" ;;
  list) fault_names | tr ' ' '\n' ;;
  table) print_table "${2:-$LAB_DIR/fault-matrix.jsonl}" ;;
  *) matrix "$@" ;;
esac
