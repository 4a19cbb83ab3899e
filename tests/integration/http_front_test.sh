#!/usr/bin/env bash
# The HTTP front with real clients (issue 15): curl over TLS with a CA and
# certificates made here by openssl, every client_auth_type with a good and
# a wrong client certificate, certificate rotation without restart,
# min_version, basic auth over TLS (bcrypt cost and NUL cases), the
# directory web config at start and at reload, 405/Allow, HEAD,
# Accept-Encoding q=0, /healthz under slowloris + idle + keep-alive load,
# SIGTERM with connections open, and systemd socket activation.
source "$(dirname "$0")/lib.sh"
PY=${LAB_PYTHON:-/usr/bin/python3}

cat > "$WORK/failwatch.yml" <<YAML
interval: 1s
timeout: 800ms
databases:
  - name: orders
    endpoint: db.lab.test:1
    dns_servers: ["127.0.0.1:1"]
YAML

# --- certificates -----------------------------------------------------------
make_ca() {  # make_ca NAME
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$WORK/$1.key" -out "$WORK/$1.crt" 2>/dev/null
}
make_cert() {  # make_cert NAME CA [server]
  local ext="$WORK/$1.ext"
  if [ "${3:-}" = server ]; then
    echo "subjectAltName=IP:127.0.0.1" > "$ext"
  else
    echo "extendedKeyUsage=clientAuth" > "$ext"
  fi
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$WORK/$1.key" \
    -out "$WORK/$1.csr" 2>/dev/null
  openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/$2.crt" -CAkey "$WORK/$2.key" \
    -CAcreateserial -days 2 -extfile "$ext" -out "$WORK/$1.crt" 2>/dev/null
}
make_ca ca
make_ca otherca
make_cert server1 ca server
make_cert server2 ca server
make_cert goodclient ca
make_cert badclient otherca
cp "$WORK/server1.crt" "$WORK/server.crt"
cp "$WORK/server1.key" "$WORK/server.key"

HASH=$("$PY" -W ignore -c "import crypt; print(crypt.crypt('s3cret', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))")
PW_NUL_HASH=$("$PY" -W ignore -c "import crypt; print(crypt.crypt('pw', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))")

web_config() {  # web_config CLIENT_AUTH_TYPE [extra tls lines]
  cat > "$WORK/web.yml.tmp" <<YAML
basic_auth_users:
  alice: '$HASH'
  nul: '$PW_NUL_HASH'
tls_server_config:
  cert_file: $WORK/server.crt
  key_file: $WORK/server.key
  client_ca_file: $WORK/ca.crt
  client_auth_type: $1
${2:-}
YAML
  mv "$WORK/web.yml.tmp" "$WORK/web.yml"
}

PORT=$(free_port)
URL="https://127.0.0.1:$PORT"
CURL=(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$WORK/ca.crt")
AUTH=(-u alice:s3cret)
GOOD=(--cert "$WORK/goodclient.crt" --key "$WORK/goodclient.key")
BAD=(--cert "$WORK/badclient.crt" --key "$WORK/badclient.key")
code() { "${CURL[@]}" "$@" || true; }

# --- start over TLS with basic auth -------------------------------------------
web_config NoClientCert
"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$PORT" \
  --web.config.file "$WORK/web.yml" --log.level debug >> "$WORK/failwatch.log" 2>&1 &
FW_PID=$!
PIDS+=("$FW_PID")
wait_for 10 "failwatch over TLS" curl -sf --cacert "$WORK/ca.crt" -u alice:s3cret "$URL/healthz"
log "serving TLS on $PORT"

[ "$(code "${AUTH[@]}" "$URL/metrics")" = 200 ] || fail "alice over TLS"
[ "$(code -u alice:wrong "$URL/metrics")" = 401 ] || fail "wrong password"
[ "$(code "$URL/healthz")" = 401 ] || fail "no credentials on /healthz"
NUL_HEADER="Authorization: Basic $(printf 'nul:pw\0x' | base64)"
[ "$(code -H "$NUL_HEADER" "$URL/healthz")" = 401 ] || fail "pw\\0x passed for pw"
[ "$(code -u nul:pw "$URL/healthz")" = 200 ] || fail "nul:pw refused"
if curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/healthz"; then
  fail "plain HTTP answered on the TLS port"
fi
log "basic auth over TLS: ok (NUL refused)"

# --- HTTP/1.1 details (over TLS) ----------------------------------------------
for m in POST TRACE DELETE OPTIONS; do
  allow=$(curl -s -D - -o /dev/null --max-time 5 --cacert "$WORK/ca.crt" "${AUTH[@]}" \
    -X "$m" "$URL/metrics" | tr -d '\r' | awk -F': ' 'tolower($1)=="allow"{print $2}')
  st=$(code "${AUTH[@]}" -X "$m" "$URL/metrics")
  [ "$st" = 405 ] && [ "$allow" = "GET, HEAD" ] || fail "$m: status $st allow '$allow'"
done
head=$(curl -s -I --max-time 5 --cacert "$WORK/ca.crt" "${AUTH[@]}" "$URL/healthz" | tr -d '\r')
echo "$head" | grep -q '^HTTP/1.1 200' || fail "HEAD status: $head"
echo "$head" | grep -qi '^content-length: 3$' || fail "HEAD content-length: $head"
enc=$(curl -s -D - -o /dev/null --max-time 5 --cacert "$WORK/ca.crt" "${AUTH[@]}" \
  -H 'Accept-Encoding: *, gzip;q=0' "$URL/metrics" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
[ -z "$enc" ] || fail "'*, gzip;q=0' got Content-Encoding $enc"
enc=$(curl -s -D - -o /dev/null --max-time 5 --cacert "$WORK/ca.crt" "${AUTH[@]}" \
  -H 'Accept-Encoding: gzip' "$URL/metrics" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
[ "$enc" = gzip ] || fail "gzip not served"
up=$(code "${AUTH[@]}" -H 'Connection: Upgrade' -H 'Upgrade: websocket' "$URL/healthz")
[ "$up" = 200 ] || fail "Upgrade: $up"
log "405/Allow, HEAD, q=0, Upgrade: ok"

# --- client_auth_type, each applied by a SIGHUP reload ------------------------
# reload_web: SIGHUP, then wait for one more "web config reloaded".
reload_web() {
  local before
  before=$(grep -c "web config reloaded" "$WORK/failwatch.log" || true)
  kill -HUP "$FW_PID"
  wait_for 10 "web config reload" bash -c \
    "[ \$(grep -c 'web config reloaded' '$WORK/failwatch.log') -gt $before ]"
  sleep 0.2
}
# expect: no-cert good-cert bad-cert ("ok" = 200, "no" = refused)
check_mode() {
  local mode=$1 want_none=$2 want_good=$3 want_bad=$4
  web_config "$mode"
  reload_web
  local got_none got_good got_bad
  got_none=$(code "${AUTH[@]}" "$URL/healthz")
  got_good=$(code "${AUTH[@]}" "${GOOD[@]}" "$URL/healthz")
  got_bad=$(code "${AUTH[@]}" "${BAD[@]}" "$URL/healthz")
  as() { [ "$1" = 200 ] && echo ok || echo no; }
  [ "$(as "$got_none") $(as "$got_good") $(as "$got_bad")" = "$want_none $want_good $want_bad" ] ||
    fail "$mode: none=$got_none good=$got_good bad=$got_bad, want $want_none $want_good $want_bad"
  log "client_auth_type $mode: none=$got_none good=$got_good bad=$got_bad"
}
check_mode NoClientCert ok ok ok
check_mode RequestClientCert ok ok ok
check_mode RequireAnyClientCert no ok ok
check_mode VerifyClientCertIfGiven ok ok no
check_mode RequireAndVerifyClientCert no ok no

# --- min_version ----------------------------------------------------------------
web_config NoClientCert "  min_version: TLS13"
reload_web
[ "$(code "${AUTH[@]}" --tls-max 1.2 "$URL/healthz")" != 200 ] || fail "TLS 1.2 accepted with min_version TLS13"
[ "$(code "${AUTH[@]}" --tlsv1.3 "$URL/healthz")" = 200 ] || fail "TLS 1.3 refused"
log "min_version TLS13: 1.2 refused, 1.3 served"

# --- certificate rotation without restart -------------------------------------
serial() {
  openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$WORK/ca.crt" </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null
}
before=$(serial)
want=$(openssl x509 -noout -serial -in "$WORK/server2.crt")
[ "$before" != "$want" ] || fail "rotation test needs two certificates"
cp "$WORK/server2.key" "$WORK/server.key.new" && mv "$WORK/server.key.new" "$WORK/server.key"
cp "$WORK/server2.crt" "$WORK/server.crt.new" && mv "$WORK/server.crt.new" "$WORK/server.crt"
wait_for 10 "the rotated certificate" bash -c "[ \"\$(openssl s_client -connect 127.0.0.1:$PORT -CAfile $WORK/ca.crt </dev/null 2>/dev/null | openssl x509 -noout -serial)\" = '$want' ]"
[ "$(code "${AUTH[@]}" "$URL/healthz")" = 200 ] || fail "served after rotation"
log "certificate rotated without restart: $before -> $want"

# --- a refused reload keeps the running web config ----------------------------
mv "$WORK/web.yml" "$WORK/web.yml.saved"
mkdir "$WORK/web.yml"
kill -HUP "$FW_PID"
wait_for 10 "refused reload" grep -q "web config reload failed" "$WORK/failwatch.log"
[ "$(code "$URL/healthz")" = 401 ] || fail "auth turned off by a directory web config"
[ "$(code "${AUTH[@]}" "$URL/healthz")" = 200 ] || fail "old web config not kept"
log "directory web config at reload: refused, auth stays on"

# --- SIGTERM with connections open --------------------------------------------
"$PY" - "$PORT" <<'PY' &
import socket, sys, time
conns = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    conns.append(s)
time.sleep(30)
PY
HOLDER=$!
PIDS+=("$HOLDER")
sleep 1
t0=$(now_ms)
kill -TERM "$FW_PID"
wait "$FW_PID" || true
took=$(($(now_ms) - t0))
log "SIGTERM with 100 open connections: exited in ${took} ms"
[ "$took" -lt 3000 ] || fail "SIGTERM took ${took} ms"
kill "$HOLDER" 2>/dev/null || true

# --- web config errors at start: exit 2 ---------------------------------------
"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$PORT" \
  --web.config.file "$WORK/web.yml" > "$WORK/dir.out" 2>&1 && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "directory web config: exit $rc"
grep -q "is a directory" "$WORK/dir.out" || fail "directory message: $(cat "$WORK/dir.out")"
COST31='$2b$31$UxTyESv3LM80v6Nn9Fj/1eGMY.Lee8eF9avsRxNgJD8B8GsuYLBky'
printf "basic_auth_users:\n  alice: '%s'\n" "$COST31" > "$WORK/cost.yml"
"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$PORT" \
  --web.config.file "$WORK/cost.yml" > "$WORK/cost.out" 2>&1 && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "bcrypt cost 31: exit $rc"
grep -q "cost.yml:2:10: basic_auth_users: the password of \"alice\" has bcrypt cost 31, allowed 4-16" "$WORK/cost.out" ||
  fail "cost message: $(cat "$WORK/cost.out")"
grep -q 'UxTyESv3' "$WORK/cost.out" && fail "the hash was echoed"
log "directory and cost-31 web configs: exit 2, positioned"

# --- /healthz under load (plain HTTP, several listen addresses) ----------------
PORT2=$(free_port)
PORT3=$(free_port)
"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --web.listen-address "127.0.0.1:$PORT2" \
  --web.listen-address "127.0.0.1:$PORT3" >> "$WORK/failwatch-plain.log" 2>&1 &
FW2=$!
PIDS+=("$FW2")
wait_for 10 "second listen address" curl -sf "http://127.0.0.1:$PORT3/healthz"
curl -sf "http://127.0.0.1:$PORT2/healthz" > /dev/null || fail "first listen address"
"$PY" "$FAILWATCH_SOURCE_DIR/bench/http_load.py" --port "$PORT2" --scrapers 4 \
  --idle 300 --slowloris 50 --warmup 3 --duration 6 --probe-interval 0.1 \
  --probe-timeout 2 > "$WORK/load.json"
log "under load: $(cat "$WORK/load.json")"
"$PY" - "$WORK/load.json" <<'PY' || fail "/healthz not answered within 2 s under load"
import json, sys
r = json.load(open(sys.argv[1]))
h = r["healthz"]
assert h["requests"] > 10 and h["errors"] == 0 and h["max_ms"] < 2000, h
assert r["scrape"]["requests"] > 0, r["scrape"]
PY
grep -q libsystemd "/proc/$FW2/maps" && fail "libsystemd mapped without --web.systemd-socket"
t0=$(now_ms)
kill -TERM "$FW2"
wait "$FW2" || true
log "plain server stopped in $(($(now_ms) - t0)) ms"

# --- systemd socket activation (libsystemd is dlopen()ed on this path only) ----
# systemd-socket-activate listens, starts failwatch on the first connection
# and passes it the listening socket (LISTEN_FDS/LISTEN_PID).
PORT4=$(free_port)
systemd-socket-activate -l "127.0.0.1:$PORT4" "$FAILWATCH_BIN" --config "$WORK/failwatch.yml" \
  --web.systemd-socket >> "$WORK/failwatch-socket.log" 2>&1 &
PIDS+=($!)
wait_for 10 "/healthz on the activated socket" curl -sf --max-time 2 "http://127.0.0.1:$PORT4/healthz"
fw_socket=$(pgrep -f -- "--config $WORK/failwatch.yml --web.systemd-socket" | head -1)
grep -q libsystemd "/proc/$fw_socket/maps" || fail "socket activation without libsystemd mapped?"
"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --web.systemd-socket > "$WORK/nosocket.out" 2>&1 &&
  fail "--web.systemd-socket without sockets must fail"
grep -q "no socket passed by systemd" "$WORK/nosocket.out" || fail "no-socket message: $(cat "$WORK/nosocket.out")"
log "systemd socket activation: served /healthz; without sockets: exit 2 with the reason"
log "PASS"
