#!/usr/bin/env bash
# Config load time vs size (issue 14 row 5): generates configs with N Kafka
# groups, N databases and an alias bomb, and times `failwatch --check-config`
# on each (one run, wall clock). Usage: bench/config_load.sh [FAILWATCH_BIN]
set -euo pipefail
BIN=${1:-build/ci/failwatch}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

groups() {  # N
  echo "kafka:"
  echo "  - name: main"
  echo "    brokers: [127.0.0.1]"
  echo "    groups:"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "      - name: group-%d\n", i }'
}
databases() {  # N
  echo "databases:"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "  - {name: db%d, endpoint: \"db%d.lab.test\"}\n", i, i }'
}
aliases() {  # N aliases of an M-group list
  echo "x-groups: &g"
  awk -v m="$2" 'BEGIN { for (i = 0; i < m; i++) printf "  - name: g%d\n", i }'
  echo "kafka:"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "  - {name: k%d, brokers: [127.0.0.1], groups: *g}\n", i }'
}

run() {  # label file
  local start end rc=0 out
  start=$(date +%s.%N)
  out=$(timeout 60 "$BIN" --check-config --config "$2" 2>&1 | head -c 300) || rc=$?
  end=$(date +%s.%N)
  printf '%-32s %6.2f s  %s\n' "$1" "$(echo "$end - $start" | bc)" "$(echo "$out" | head -1 | cut -c1-110)"
}

for n in 20000 40000 100000 200000; do
  groups $n > "$WORK/g$n.yml"
  run "kafka groups: $n" "$WORK/g$n.yml"
done
for n in 20000 100000; do
  databases $n > "$WORK/d$n.yml"
  run "databases: $n" "$WORK/d$n.yml"
done
aliases 20000 2000 > "$WORK/alias.yml"
run "aliases: 20000 x 2000 groups" "$WORK/alias.yml"
