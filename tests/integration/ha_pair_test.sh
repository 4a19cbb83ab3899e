#!/usr/bin/env bash
# An HA pair on one database: two failwatch instances (instance_id from
# ${POD_NAME}, as deploy/kubernetes sets it) watch the same real PostgreSQL
# primary + standby. Both write probes (fresh and sticky) succeed, and they
# upsert two distinct heartbeat rows, failwatch/<instance_id>/<database>,
# both kept fresh: neither replica's row hides the other's writes.
source "$(dirname "$0")/lib.sh"

start_private_pg 127.0.0.7
cat > "$WORK/failwatch.yml" <<YAML
interval: 500ms
timeout: 400ms
instance_id: "\${POD_NAME}"
databases:
  - name: orders
    endpoint: $N1
    members: ["$N1", "$N2"]
    password_file: $WORK/pg_password
    sslmode: disable
    write_probe: {enabled: true}
YAML

declare -A PORT
for pod in failwatch-a failwatch-b; do
  PORT[$pod]=$(free_port)
  POD_NAME=$pod start_failwatch "$WORK/failwatch.yml" "${PORT[$pod]}"
done
for pod in failwatch-a failwatch-b; do
  FW_PORT=${PORT[$pod]}
  wait_for 15 "$pod: fresh probe ok" series_is 1 failwatch_pg_write_probe_success 'path="fresh"'
  wait_for 15 "$pod: sticky probe ok" series_is 1 failwatch_pg_write_probe_success 'path="sticky"'
done

rows() {
  pg_lab_psql "$PGDIR" node1 "SELECT id || ' ' || extract(epoch FROM ts)::bigint * 1000 +
    extract(milliseconds FROM ts)::bigint % 1000 FROM failwatch_heartbeat ORDER BY id"
}
rows > "$WORK/rows1.txt"
want=$'failwatch/failwatch-a/orders\nfailwatch/failwatch-b/orders'
[ "$(cut -d' ' -f1 "$WORK/rows1.txt")" = "$want" ] ||
  fail "heartbeat rows: $(tr '\n' ' ' < "$WORK/rows1.txt"), want one per instance: $(echo $want)"
# Both rows keep moving: each replica writes its own.
sleep 2
rows > "$WORK/rows2.txt"
paste -d' ' "$WORK/rows1.txt" "$WORK/rows2.txt" | while read -r id t1 _ t2; do
  [ "$t2" -gt "$t1" ] || fail "row $id not updated in 2 s ($t1 -> $t2)"
done
for pod in failwatch-a failwatch-b; do
  FW_PORT=${PORT[$pod]}
  series_is 1 failwatch_pg_write_probe_success 'path="fresh"' || fail "$pod: fresh probe failed"
  series_ge 4 failwatch_pg_write_probe_attempts_total 'path="fresh"' || fail "$pod: fewer than 4 fresh attempts"
done
log "two instances, two heartbeat rows, both advancing: $(cut -d' ' -f1 "$WORK/rows2.txt" | tr '\n' ' ')"
