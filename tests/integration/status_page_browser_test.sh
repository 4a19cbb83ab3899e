#!/usr/bin/env bash
# The HTML status page at / as a browser renders it: real dnsmasq, the real
# daemon, Debian's headless Chromium driven by playwright-core
# (status_page_browser.mjs). The database's endpoint resolves (dnsmasq:
# db.lab.test -> 127.0.0.2) but its PostgreSQL port refuses, so the verdict
# turns `down`. From the rendered DOM:
# - title, the verdict banner ("down:"/"degraded:" once the checks settle),
#   the no_primary row of the checks table, dns/orders and postgres/orders in
#   the targets table, links to /metrics /status /verdict /healthz /readyz;
# - text is escaped: a Kafka group name full of markup (group ids are free
#   text) lands on the page as text, not elements;
# - no console errors, no request to anything but the daemon, and the page
#   reloads itself (meta refresh).
# Screenshot: $FAILWATCH_BUILD_DIR/status-page.png.
source "$(dirname "$0")/lib.sh"

: "${FAILWATCH_BUILD_DIR:?FAILWATCH_BUILD_DIR must point at the build directory}"
T0=$(now_ms)

# Debian's Chromium only: never a browser a test tool downloads itself.
CHROMIUM_BIN=${CHROMIUM_BIN:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM_BIN" ]; then
  fail "Chromium not found at $CHROMIUM_BIN: install it with scripts/install-deps.sh (Debian package 'chromium'; CI installs it)"
fi
command -v node > /dev/null || fail "node not found: install it with scripts/install-deps.sh"
command -v npm > /dev/null || fail "npm not found: install it with scripts/install-deps.sh"

# playwright-core, pinned, cached in the build tree (never in the repo).
PLAYWRIGHT_VERSION=1.65.1
PW_CACHE="$FAILWATCH_BUILD_DIR/browser-cache"
PW_MODULES="$PW_CACHE/node_modules"
pw_version() {
  node -p "require('$PW_MODULES/playwright-core/package.json').version" 2> /dev/null
}
if [ "$(pw_version)" != "$PLAYWRIGHT_VERSION" ]; then
  log "installing playwright-core@$PLAYWRIGHT_VERSION into $PW_CACHE"
  mkdir -p "$PW_CACHE"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 120 npm install --prefix "$PW_CACHE" \
    --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" \
    > "$WORK/npm.log" 2>&1 || fail "npm install playwright-core@$PLAYWRIGHT_VERSION failed (see $WORK/npm.log)"
  [ "$(pw_version)" = "$PLAYWRIGHT_VERSION" ] || fail "playwright-core $PLAYWRIGHT_VERSION not in $PW_MODULES"
fi
log "chromium: $("$CHROMIUM_BIN" --version 2> /dev/null | head -n 1); playwright-core $PLAYWRIGHT_VERSION"

DNS_PORT=$(free_port)
HTTP_PORT=$(free_port)
dns_lab_start "$WORK" 127.0.0.1 "$DNS_PORT" 1
on_exit dns_lab_stop "$WORK"
dns_lab_set "$WORK" db.lab.test 127.0.0.2

# Database names are restricted to [a-zA-Z_][a-zA-Z0-9_.-]* and property
# names are checked against librdkafka's at load, but a Kafka group id is
# free text: it is shown on the page (checks table).
INJECTED='x<b id="fw-injected">&'"'"'</b><script>window.fwInjected=1</script>'
INJECTED_YAML=${INJECTED//\"/\\\"}
cat > "$WORK/failwatch.yml" << YAML
interval: 500ms
timeout: 400ms
databases:
  - name: orders
    endpoint: db.lab.test:1
    dns_servers: ["127.0.0.1:${DNS_PORT}"]
kafka:
  - name: events
    brokers: ["127.0.0.1:1"]
    group_discovery: false
    groups:
      - name: "${INJECTED_YAML}"
YAML
"$FAILWATCH_BIN" --config "$WORK/failwatch.yml" --check-config > /dev/null ||
  fail "test config rejected"

start_failwatch "$WORK/failwatch.yml" "$HTTP_PORT"
log "failwatch up on 127.0.0.1:$HTTP_PORT"

# The browser: its own empty profile; everything it starts is killed on exit.
PROFILE="$WORK/chromium-profile"
mkdir -p "$PROFILE"
kill_browser_leftovers() {
  local pid
  # Only processes whose command line names this test's own profile dir.
  for pid in $(pgrep -f -- "$PROFILE" || true); do
    kill -KILL "$pid" 2> /dev/null || true
  done
}
SCREENSHOT="$FAILWATCH_BUILD_DIR/status-page.png"
rm -f "$SCREENSHOT"

# timeout(1) leads its own process group: on_exit kills the whole group
# (node, chromium and its helpers), then anything left on our profile dir.
FW_URL="http://127.0.0.1:$HTTP_PORT/" PW_MODULES="$PW_MODULES" \
  CHROMIUM_BIN="$CHROMIUM_BIN" PROFILE_DIR="$PROFILE" SCREENSHOT="$SCREENSHOT" \
  INJECTED_TEXT="$INJECTED" SETTLE_SECONDS=40 \
  timeout -k 5 70 node "$FAILWATCH_SOURCE_DIR/tests/integration/status_page_browser.mjs" \
  > "$WORK/browser.log" 2>&1 &
BROWSER_PID=$!
on_exit "kill -- -$BROWSER_PID 2> /dev/null; kill_browser_leftovers"
if wait "$BROWSER_PID"; then rc=0; else rc=$?; fi
sed 's/^/  /' "$WORK/browser.log"
[ $rc -ne 124 ] || fail "browser run timed out after 70 s"
[ $rc -eq 0 ] || fail "status page checks failed in the browser (rc=$rc)"

# Chromium is gone once the driver has closed it.
sleep 0.5
if pgrep -f -- "$PROFILE" > /dev/null; then
  pgrep -af -- "$PROFILE" >&2 || true
  fail "chromium processes still running after the browser was closed"
fi

[ -s "$SCREENSHOT" ] || fail "no screenshot at $SCREENSHOT"
[ "$(head -c 8 "$SCREENSHOT" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] ||
  fail "$SCREENSHOT is not a PNG"
log "screenshot: $SCREENSHOT ($(stat -c %s "$SCREENSHOT") bytes)"
curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" > /dev/null || fail "/healthz after the browser run"
log "status page checks passed in headless Chromium in $(($(now_ms) - T0)) ms"
