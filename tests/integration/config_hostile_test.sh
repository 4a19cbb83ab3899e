#!/usr/bin/env bash
# Hostile input at the command line (issue 14): each case exits 2 with a
# clear message, never a signal. No servers needed.
source "$(dirname "$0")/lib.sh"

expect2() {  # description, grep pattern, args...
  local what=$1 want=$2 rc=0
  shift 2
  out=$("$FAILWATCH_BIN" "$@" 2>&1) || rc=$?
  [ $rc -eq 2 ] || fail "$what: exit $rc, want 2: $out"
  echo "$out" | grep -q -- "$want" || fail "$what: output lacks '$want': $out"
  log "$what: exit 2, $(echo "$out" | head -1 | cut -c1-120)"
}

kafka() {  # extra lines
  printf 'kafka:\n  - name: k\n    brokers: [127.0.0.1]\n%s\n' "$1"
}
kafka "    discover_groups: '$(printf '(%.0s' $(seq 20000))$(printf ')%.0s' $(seq 20000))'" > "$WORK/nest.yml"
expect2 "regex '('*20000+')'*20000" "nest.yml:4:22: kafka\[0\].discover_groups: invalid regex: regex too long" --check-config --config "$WORK/nest.yml"
kafka "    topic_deny: $(head -c 100000 /dev/zero | tr '\0' a)" > "$WORK/long.yml"
expect2 "regex of 100000 a" "long.yml:4:17: kafka\[0\].topic_deny: invalid regex: regex too long" --check-config --config "$WORK/long.yml"
expect2 "--config /dev/zero" "is not a regular file" --check-config --config /dev/zero
expect2 "--config DIR" "cannot read config file: is a directory" --check-config --config "$WORK"
ln -s /dev/zero "$WORK/zero.yml"
expect2 "config symlinked to /dev/zero" "is not a regular file" --check-config --config "$WORK/zero.yml"
printf 'databases:\n  - name: orders\n    endpoint: db.lab.test\n    password_file: /dev/zero\n' > "$WORK/pw.yml"
expect2 "password_file: /dev/zero" "pw.yml:4:20: databases\[0\].password_file: cannot read \"/dev/zero\"" --check-config --config "$WORK/pw.yml"
printf 'databases:\n  - name: orders\n    endpoint: db.lab.test\n    password_file: %s\n' "$WORK" > "$WORK/pwdir.yml"
expect2 "password_file: DIR" "is a directory" --check-config --config "$WORK/pwdir.yml"
kafka "    properties_files: {sasl.password: /dev/zero}" > "$WORK/props.yml"
expect2 "properties_files on /dev/zero" "kafka\[0\].properties_files.sasl.password: cannot read" --check-config --config "$WORK/props.yml"
# librdkafka properties are checked by librdkafka without connecting (no
# broker listens on 127.0.0.1:9092 here); values are never echoed.
kafka "    properties: {socket.timeout.msec: 1}" > "$WORK/propkey.yml"
expect2 "unknown librdkafka property" "propkey.yml:4:18: kafka\[0\].properties.socket.timeout.msec: unknown librdkafka property" --check-config --config "$WORK/propkey.yml"
kafka "    properties: {security.protocol: s3cr3t-value}" > "$WORK/propval.yml"
expect2 "bad librdkafka value" "propval.yml:4:37: kafka\[0\].properties.security.protocol: librdkafka rejects the value (not shown)" --check-config --config "$WORK/propval.yml"
"$FAILWATCH_BIN" --check-config --config "$WORK/propval.yml" 2>&1 | grep -q s3cr3t && fail "a property value was echoed"
printf 's3cr3t-codec\n' > "$WORK/codec"
kafka "    properties_files: {compression.codec: $WORK/codec}" > "$WORK/propfile.yml"
expect2 "bad librdkafka value from a file" "kafka\[0\].properties_files.compression.codec: librdkafka rejects the value (not shown)" --check-config --config "$WORK/propfile.yml"
"$FAILWATCH_BIN" --check-config --config "$WORK/propfile.yml" 2>&1 | grep -q s3cr3t && fail "a property file's content was echoed"
kafka "    properties: {socket.timeout.ms: 99999999999}" > "$WORK/proprange.yml"
expect2 "librdkafka value out of range" "outside allowed range 10..300000" --check-config --config "$WORK/proprange.yml"
kafka '    groups: [{name: "a\0b"}]' > "$WORK/nul.yml"
expect2 "group name with NUL" "group name must be valid UTF-8" --check-config --config "$WORK/nul.yml"
printf 'interval: 15250284452w106751991167d86h25m52s616ms\ndatabases: [{name: a, endpoint: h}]\n' > "$WORK/dur.yml"
expect2 "duration overflow" "duration out of range" --check-config --config "$WORK/dur.yml"
printf 'databases: [{name: a, endpoint: h}]\n' > "$WORK/ok.yml"
printf '? {a: 1}\n: 2\n' > "$WORK/web.yml"
for addr in ":-1" "999999" "[::1" "host:port:extra" "127.0.0.1:"; do
  expect2 "--web.listen-address $addr" "web.listen-address" --config "$WORK/ok.yml" --web.listen-address "$addr"
done
expect2 "--web.telemetry-path healthz" "must start with '/'" --config "$WORK/ok.yml" --web.telemetry-path healthz
expect2 "web config with a mapping key" "web.yml:1:3: keys must be strings" --config "$WORK/ok.yml" --web.listen-address 127.0.0.1:0 --web.config.file "$WORK/web.yml"
expect2 "web config /dev/zero" "is not a regular file" --config "$WORK/ok.yml" --web.listen-address 127.0.0.1:0 --web.config.file /dev/zero
log "every hostile input exits 2 with a clear message"
