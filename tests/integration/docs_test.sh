#!/usr/bin/env bash
# The README's promises about itself: its reference part is generated from
# docs/ and current; every metric the binary exports, every flag and every
# check name is documented there.
source "$(dirname "$0")/lib.sh"
README="$FAILWATCH_SOURCE_DIR/README.md"

"$FAILWATCH_SOURCE_DIR/scripts/gen-readme.sh" --check || fail "README reference part is stale"

# Every family the binary can export: a config with every collector kind,
# pointed at addresses that refuse at once (families are emitted even empty).
DNS_PORT=$(free_port)
dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 1
on_exit dns_lab_stop "$WORK"
dns_lab_set "$WORK" db.lab.test 127.0.0.2
cat > "$WORK/all.yml" <<YAML
databases:
  - name: orders
    endpoint: db.lab.test:1
    reader_endpoint: db.lab.test:1
    dns_servers: ["127.0.0.1:${DNS_PORT}"]
    write_probe: {enabled: true}
    apps: [{application_name: orders-api}]
    pgbouncers: [{address: "127.0.0.1:1"}]
kafka:
  - name: main
    brokers: ["127.0.0.1:1"]
    groups: [{name: orders-consumer}]
    canary: {sla: 5s}
YAML
"$FAILWATCH_BIN" --config "$WORK/all.yml" --once > "$WORK/all.prom" 2> "$WORK/once.log" || fail "--once failed"
promtool check metrics < "$WORK/all.prom" || fail "promtool check metrics failed on every collector's families"
# promtool lints only families with samples; these rules hold for every
# family, so check them on the TYPE lines too.
bad=$(awk '/^# TYPE / {
  name = $3; type = $4
  if (type != "counter" && name ~ /_total$/) print name " (" type ") ends in _total"
  if (type == "counter" && name !~ /_total$/) print name " (counter) lacks _total"
  if (type != "histogram" && type != "summary" && name ~ /_(sum|count|bucket)$/) print name " (" type ") ends in a histogram suffix"
}' "$WORK/all.prom")
[ -z "$bad" ] || fail "metric naming: $bad"
missing=0
for name in $(awk '/^# TYPE / { print $3 }' "$WORK/all.prom" | sort -u); do
  if ! grep -q "\`$name\`" "$README"; then
    echo "undocumented metric: $name" >&2
    missing=$((missing + 1))
  fi
done
[ $missing -eq 0 ] || fail "$missing metric(s) missing from README reference tables"
log "every exported metric family ($(grep -c '^# TYPE ' "$WORK/all.prom")) is documented"

for flag in $("$FAILWATCH_BIN" --help | grep -oE -- '--[a-z][a-z.-]+' | sort -u); do
  [ "$flag" = "--help" ] && continue
  grep -q -- "\`$flag" "$README" || fail "undocumented flag: $flag"
done
log "every flag is documented"

# Check names: the rows of the check registry ({"name", &CheckFn, ...}).
checks=$(tr '\n' ' ' < "$FAILWATCH_SOURCE_DIR/src/health/check_table.cc" |
  grep -oE '\{"[a-z_]+", +&Check' | grep -oE '"[a-z_]+"' | tr -d '"')
[ "$(echo "$checks" | wc -w)" -ge 16 ] || fail "could not read the check names from check_table.cc"
for check in $checks; do
  grep -q "\`$check\`" "$README" || fail "undocumented check: $check"
done
log "every check is documented"
log "PASS"
