# shellcheck shell=bash
# Port picking for tests, benchmarks and the lab (source this file).
#
#   free_port    print a TCP/UDP port no socket on this host uses
#
# Below the kernel's ephemeral range (ip_local_port_range, 32768+ by
# default), so an outgoing connection or c-ares' connected UDP socket cannot
# take it between this check and the bind; `ss -a` (listening *and*
# connected sockets, TCP and UDP) is the check, since a connected socket's
# local port blocks a later bind too (dnsmasq failed with "Address already
# in use" in a CI run). A caller that binds later may still lose a race with
# another test: retry around the bind where that matters (bench/footprint.sh
# does for dnsmasq).

# The first port of the ephemeral range, at most 32768 (a host that moved
# the range lower keeps at least 1000 ports for us above 20000).
_ports_ceiling() {
  local low=32768 range
  if read -r range _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null; then
    [ "$range" -lt "$low" ] && low=$range
  fi
  [ "$low" -lt 21000 ] && low=21000
  echo "$low"
}

free_port() {
  local ceiling port
  ceiling=$(_ports_ceiling)
  while true; do
    port=$((20000 + RANDOM % (ceiling - 20000)))
    if ! ss -Htuan "sport = :$port" | grep -q .; then
      echo "$port"
      return
    fi
  done
}
