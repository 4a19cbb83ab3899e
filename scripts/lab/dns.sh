# dnsmasq serving the lab's endpoint names (source this file).
# Names live in DIR/dns/hosts; changing a record rewrites the file and sends
# SIGHUP, which dnsmasq applies within milliseconds.

DNSMASQ_BIN="${DNSMASQ_BIN:-/usr/sbin/dnsmasq}"

# dns_lab_start DIR LISTEN_ADDR PORT [TTL]
dns_lab_start() {
  local dir=$1 addr=$2 port=$3 ttl=${4:-1}
  mkdir -p "$dir/dns"
  # dnsmasq drops to nobody: its files must be world-readable.
  chmod 755 "$dir" "$dir/dns"
  touch "$dir/dns/hosts"
  chmod 644 "$dir/dns/hosts"
  "$DNSMASQ_BIN" --keep-in-foreground --no-resolv --no-hosts \
    --addn-hosts="$dir/dns/hosts" --local=/lab.test/ \
    --port="$port" --listen-address="$addr" --bind-interfaces \
    --local-ttl="$ttl" --pid-file="$dir/dns/dnsmasq.pid" \
    --log-facility="$dir/dns/dnsmasq.log" &
  echo $! > "$dir/dns/dnsmasq.ppid"
  local i
  for i in $(seq 1 50); do
    if [ -s "$dir/dns/dnsmasq.pid" ]; then return 0; fi
    sleep 0.1
  done
  echo "dns_lab_start: dnsmasq did not start (see $dir/dns/dnsmasq.log)" >&2
  return 1
}

# dns_lab_set DIR NAME IP [IP...]: NAME now resolves to the given IPs only.
dns_lab_set() {
  local dir=$1 name=$2
  shift 2
  local tmp="$dir/dns/hosts.tmp"
  grep -v "[[:space:]]$name\$" "$dir/dns/hosts" > "$tmp" || true
  local ip
  for ip in "$@"; do echo "$ip $name" >> "$tmp"; done
  chmod 644 "$tmp"
  mv "$tmp" "$dir/dns/hosts"
  dns_lab_reload "$dir"
}

dns_lab_reload() {
  local dir=$1
  if [ -s "$dir/dns/dnsmasq.pid" ]; then
    kill -HUP "$(cat "$dir/dns/dnsmasq.pid")" 2>/dev/null || true
  fi
}

dns_lab_stop() {
  local dir=$1 f
  for f in "$dir/dns/dnsmasq.pid" "$dir/dns/dnsmasq.ppid"; do
    if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
  done
  rm -f "$dir/dns/dnsmasq.pid" "$dir/dns/dnsmasq.ppid"
}
