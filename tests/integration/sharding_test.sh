#!/usr/bin/env bash
# Sharding (--shard/--total-shards, --pod): with --once against real servers
# this test starts (PostgreSQL primary + standby, a librdkafka mock Kafka
# cluster), two shards of one config export disjoint sets of targets
# (databases; Kafka cluster/group pairs) whose union is exactly what one
# unsharded instance exports; --pod=NAME-1 is shard 1; bad shard flags exit 2.
# Needs FAILWATCH_TOOLS_DIR with kafka_mock_cluster.
source "$(dirname "$0")/lib.sh"
MOCK=${FAILWATCH_TOOLS_DIR:?}/kafka_mock_cluster
[ -x "$MOCK" ] || fail "missing $MOCK (build target kafka_mock_cluster)"

start_private_pg 127.0.0.8

"$MOCK" --bootstrap-file="$WORK/bootstrap" orders:3 > "$WORK/kafka.log" 2>&1 &
PIDS+=($!)
wait_for 20 "mock Kafka bootstrap file" test -s "$WORK/bootstrap"
brokers=$(tr -d '\n' < "$WORK/bootstrap")

{
  echo "interval: 1s"
  echo "timeout: 800ms"
  echo "databases:"
  for db in orders billing payments ledger search users inventory audit; do
    cat <<YAML
  - name: $db
    endpoint: $N1
    members: ["$N1", "$N2"]
    password_file: $WORK/pg_password
    sslmode: disable
YAML
  done
  echo "kafka:"
  echo "  - name: main"
  echo "    brokers: [$(sed 's/[^,]*/"&"/g' <<< "$brokers")]"
  echo "    group_discovery: false"
  echo "    groups:"
  for g in orders-consumer billing-consumer mailer indexer audit-sink reporter; do
    echo "      - {name: $g, topics: [orders]}"
  done
} > "$WORK/failwatch.yml"

# The targets one run exports: "database=<name>" and "group=<cluster>/<group>".
targets() {
  local out=$1
  grep -v '^#' "$out" | grep -o 'database="[^"]*"' | sed 's/"//g' | sort -u
  grep -v '^#' "$out" | grep '^failwatch_kafka_group' |
    sed -nE 's/.*cluster="([^"]*)".*group="([^"]*)".*/group=\1\/\2/p' | sort -u
}
once() {
  local name=$1
  shift
  "$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --once "$@" > "$WORK/$name.prom" 2> "$WORK/$name.log" ||
    fail "--once $* failed: $(tail -3 "$WORK/$name.log")"
  promtool check metrics < "$WORK/$name.prom" > /dev/null 2>&1 || fail "$name: promtool check metrics failed"
  targets "$WORK/$name.prom" > "$WORK/$name.targets"
}
once all
once shard0 --shard=0 --total-shards=2
once shard1 --pod=failwatch-1 --total-shards=2

[ "$(grep -c '^database=' "$WORK/all.targets")" = 8 ] || fail "unsharded: $(grep -c '^database=' "$WORK/all.targets") databases, want 8"
[ "$(grep -c '^group=' "$WORK/all.targets")" = 6 ] || fail "unsharded: $(grep -c '^group=' "$WORK/all.targets") groups, want 6"
for s in shard0 shard1; do
  [ -s "$WORK/$s.targets" ] || fail "$s exports no target"
done
common=$(comm -12 "$WORK/shard0.targets" "$WORK/shard1.targets")
[ -z "$common" ] || fail "targets on both shards: $(echo $common)"
sort -u "$WORK/shard0.targets" "$WORK/shard1.targets" > "$WORK/union.targets"
diff -u "$WORK/all.targets" "$WORK/union.targets" > "$WORK/union.diff" || {
  cat "$WORK/union.diff" >&2
  fail "the shards' union differs from the unsharded instance's targets"
}
log "shard 0: $(tr '\n' ' ' < "$WORK/shard0.targets")"
log "shard 1: $(tr '\n' ' ' < "$WORK/shard1.targets")"

# Bad shard flags are usage errors.
for flags in "--shard=2 --total-shards=2" "--total-shards=0" "--pod=failwatch --total-shards=2"; do
  # shellcheck disable=SC2086
  if "$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --once $flags > /dev/null 2> "$WORK/bad.log"; then
    fail "$flags: accepted"
  fi
  rc=0
  "$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --once $flags > /dev/null 2>&1 || rc=$?
  [ "$rc" = 2 ] || fail "$flags: exit $rc, want 2"
  grep -q -- '--' "$WORK/bad.log" || fail "$flags: the message names no flag: $(cat "$WORK/bad.log")"
done
log "PASS: 2 shards disjoint, union = unsharded ($(wc -l < "$WORK/all.targets") targets); bad flags exit 2"
