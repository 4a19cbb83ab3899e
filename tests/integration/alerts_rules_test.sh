#!/usr/bin/env bash
# The alerting rules (alerts/*.rules.yml), their unit tests (alerts/tests/*.yml)
# and the runbook (docs/runbook.md) agree:
# - promtool check rules is clean and promtool test rules passes;
# - every alert: name Failwatch<CamelCase>, group failwatch-<component>,
#   severity critical|warning|info, a static summary, a templated description,
#   runbook_url = .../docs/runbook.md#<lowercased name>, and that anchor is a
#   heading of docs/runbook.md;
# - every metric an alert reads is documented in docs/reference/*.md tables
#   (a renamed metric fails here instead of silencing the alert);
# - every alert has a unit test case that fires (for each of its severities)
#   and one that expects no alert; every alertname used in a test exists.
# The rules are read back as JSON from a real Prometheus (/api/v1/rules), so no
# YAML parser is needed. The checker is also run on broken copies to prove it
# catches what it claims to.
source "$(dirname "$0")/lib.sh"

SRC=$FAILWATCH_SOURCE_DIR
RULES=("$SRC"/alerts/*.rules.yml)
TESTS=("$SRC"/alerts/tests/*.yml)
RUNBOOK=$SRC/docs/runbook.md
RUNBOOK_BASE=https://github.com/failwatch/failwatch/blob/main/docs/runbook.md

command -v promtool >/dev/null || fail "promtool not installed (scripts/install-deps.sh)"
command -v prometheus >/dev/null || fail "prometheus not installed (scripts/install-deps.sh)"
[ -f "${RULES[0]}" ] || fail "no alerts/*.rules.yml"
[ -f "${TESTS[0]}" ] || fail "no alerts/tests/*.yml"

# 1. promtool.
out=$(promtool check rules "${RULES[@]}" 2>&1) || { echo "$out" >&2; fail "promtool check rules"; }
log "promtool check rules: $(grep -o 'SUCCESS: [0-9]* rules found' <<< "$out" | paste -sd, -)"
for t in "${TESTS[@]}"; do
  # promtool resolves rule_files relative to the test file.
  out=$(cd "$(dirname "$t")" && promtool test rules "$(basename "$t")" 2>&1) \
    || { echo "$out" >&2; fail "promtool test rules $(basename "$t")"; }
done
log "promtool test rules: ${#TESTS[@]} files pass"

# 2. Load the rules into a Prometheus to read them back as JSON.
PROM_PORT=$(free_port)
mkdir -p "$WORK/rules"
cp "${RULES[@]}" "$WORK/rules/"
cat > "$WORK/prometheus.yml" <<YAML
global:
  evaluation_interval: 1h
rule_files:
  - $WORK/rules/*.yml
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle \
  > "$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
PROM=http://127.0.0.1:$PROM_PORT
wait_for 30 "prometheus ready" curl -sf "$PROM/-/ready"

rules_json() { curl -sf "$PROM/api/v1/rules?type=alert"; }
reload_rules() {
  rm -f "$WORK"/rules/*.yml
  cp "$@" "$WORK/rules/"
  curl -sf -X POST "$PROM/-/reload" >/dev/null || fail "prometheus reload"
}

# Metric names documented in the reference tables (rows starting with "|").
documented_metrics() {
  local docs=("$SRC"/docs/reference/*.md)
  [ -f "$SRC/README.md" ] && docs+=("$SRC/README.md")
  grep -h "^|" "${docs[@]}" \
    | grep -oE '`(failwatch|process)_[a-zA-Z0-9_]+`' | tr -d '`' | sort -u
}
# Metric names an expression reads (quoted strings removed first).
expr_metrics() {
  sed -E 's/"([^"\\]|\\.)*"//g' | grep -oE '\b(failwatch|process)_[a-zA-Z0-9_]+' | sort -u || true
}
is_documented() { # NAME DOCLIST
  local n=$1 base
  grep -qxF "$n" <<< "$2" && return 0
  base=$(sed -E 's/_(bucket|sum|count)$//' <<< "$n")
  [ "$base" != "$n" ] && grep -qxF "$base" <<< "$2"
}

# GitHub anchors of the runbook's headings.
runbook_anchors() {
  grep -E '^#{1,6} ' "$1" | sed -E 's/^#+ +//; s/ +$//' \
    | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g' | sort -u
}

# Test cases: "fires NAME SEVERITY" per expected alert, "silent NAME" for a case
# that expects none. alert_rule_test items are recognised by indentation.
test_cases() {
  awk '
    function flush() {
      if (name != "") {
        if (!has_exp || empty) print "silent", name
        for (s in sev) print "fires", name, s
      }
      name = ""; has_exp = 0; empty = 0; split("", sev)
    }
    {
      line = $0
      sub(/[ \t]+#.*$/, "", line); sub(/^#.*$/, "", line)
      if (line ~ /^[ \t]*$/) next
      match(line, /^ */); ind = RLENGTH
    }
    line ~ /^[ ]*(- )?alert_rule_test:/ { flush(); in_art = 1; art_ind = ind; item_ind = -1; next }
    in_art && ind <= art_ind { flush(); in_art = 0 }
    in_art {
      if (line ~ /^[ ]*- /) {
        if (item_ind < 0) item_ind = ind
        if (ind == item_ind) { flush(); sub(/- /, "  ", line) }
      }
      v = line; sub(/^[ ]*(- )?[a-z_]+:[ ]*/, "", v); gsub(/["\047 ]/, "", v)
      if (line ~ /^[ ]*alertname:/) name = v
      else if (line ~ /^[ ]*exp_alerts:[ ]*\[[ ]*\][ ]*$/) { has_exp = 1; empty = 1 }
      else if (line ~ /^[ ]*exp_alerts:[ ]*$/) has_exp = 1
      else if (line ~ /^[ ]*severity:/) sev[v] = 1
    }
    END { flush() }
  ' "$@"
}

# check_all RUNBOOK TESTFILE...: checks the rules loaded in Prometheus.
# Prints one line per problem; returns 1 if there is any.
check_all() {
  local runbook=$1
  shift
  local json docs anchors cases problems=0
  json=$(rules_json) || { echo "cannot read /api/v1/rules"; return 1; }
  docs=$(documented_metrics)
  anchors=$(runbook_anchors "$runbook")
  cases=$(test_cases "$@")
  local n
  n=$(jq '[.data.groups[].rules[]] | length' <<< "$json")
  [ "$n" -gt 0 ] || { echo "no alerting rules loaded"; return 1; }

  # Per-rule fields, checked with jq: one line per problem.
  local p
  p=$(jq -r --arg base "$RUNBOOK_BASE" '
    .data.groups[] | .name as $g | .rules[] |
    (if ($g | test("^failwatch-[a-z0-9-]+$")) then empty
     else "\(.name): group \($g) is not failwatch-<component>" end),
    (if (.name | test("^Failwatch[A-Z][A-Za-z0-9]*$")) then empty
     else "\(.name): name is not Failwatch<CamelCase>" end),
    (if ((.labels.severity // "") | test("^(critical|warning|info)$")) then empty
     else "\(.name): severity \(.labels.severity // "missing") is not critical|warning|info" end),
    (if (.annotations.summary // "") == "" then "\(.name): no summary"
     elif (.annotations.summary | contains("{{")) then "\(.name): summary is templated (must be static)"
     else empty end),
    (if (.annotations.description // "") == "" then "\(.name): no description"
     elif (.annotations.description | contains("{{") | not) then "\(.name): description is not templated"
     else empty end),
    (if (.annotations.runbook_url // "") == "" then "\(.name): no runbook_url"
     elif .annotations.runbook_url != "\($base)#\(.name | ascii_downcase)" then
       "\(.name): runbook_url \(.annotations.runbook_url) is not \($base)#\(.name | ascii_downcase)"
     else empty end)
  ' <<< "$json")
  if [ -n "$p" ]; then echo "$p"; problems=1; fi

  # runbook anchors exist.
  local url anchor
  while read -r url; do
    anchor=${url#*#}
    grep -qxF "$anchor" <<< "$anchors" || { echo "runbook_url $url: no heading for #$anchor in $(basename "$runbook")"; problems=1; }
  done < <(jq -r '[.data.groups[].rules[].annotations.runbook_url // empty] | unique[]' <<< "$json")

  # documented metrics.
  local name query m
  while IFS=$'\t' read -r name query; do
    while read -r m; do
      [ -n "$m" ] || continue
      is_documented "$m" "$docs" || { echo "$name: metric $m is not in any docs/reference/*.md table"; problems=1; }
    done < <(expr_metrics <<< "$query")
  done < <(jq -r '.data.groups[].rules[] | [.name, (.query | gsub("\n"; " "))] | @tsv' <<< "$json")

  # test coverage.
  local sev
  while read -r name sev; do
    grep -qxF "fires $name $sev" <<< "$cases" || { echo "$name (severity $sev): no test case where it fires"; problems=1; }
  done < <(jq -r '[.data.groups[].rules[] | "\(.name) \(.labels.severity // "none")"] | unique[]' <<< "$json")
  while read -r name; do
    grep -qxF "silent $name" <<< "$cases" || { echo "$name: no test case where it must not fire"; problems=1; }
  done < <(jq -r '[.data.groups[].rules[].name] | unique[]' <<< "$json")
  local names
  names=$(jq -r '.data.groups[].rules[].name' <<< "$json" | sort -u)
  while read -r _ name _; do
    grep -qxF "$name" <<< "$names" || { echo "test case for unknown alert $name"; problems=1; }
  done <<< "$cases"
  return $problems
}

# 3. The real files.
if ! problems=$(check_all "$RUNBOOK" "${TESTS[@]}"); then
  echo "$problems" >&2
  fail "alert rules, tests and runbook disagree ($(wc -l <<< "$problems") problems)"
fi
nalerts=$(rules_json | jq '[.data.groups[].rules[].name] | unique | length')
nrules=$(rules_json | jq '[.data.groups[].rules[]] | length')
log "$nalerts alerts ($nrules rules): labels, annotations, runbook anchors, documented metrics and test coverage ok"

# 4. The checker catches what it claims to: broken copies must fail.
expect_problem() { # DESCRIPTION PATTERN RUNBOOK TESTS...
  local what=$1 pattern=$2
  shift 2
  local got
  if got=$(check_all "$@"); then fail "checker missed: $what"; fi
  grep -qE "$pattern" <<< "$got" || { echo "$got" >&2; fail "checker missed: $what (no line matching $pattern)"; }
  log "checker catches: $what"
}
first_alert=$(rules_json | jq -r '.data.groups[0].rules[0].name')
lower=$(tr '[:upper:]' '[:lower:]' <<< "$first_alert")

# a) missing runbook heading
grep -vxF "### $first_alert" "$RUNBOOK" | grep -vxF "## $first_alert" > "$WORK/runbook-missing.md"
expect_problem "runbook heading removed" "no heading for #$lower" "$WORK/runbook-missing.md" "${TESTS[@]}"

# b) no test case at all for an alert
for t in "${TESTS[@]}"; do
  sed "s/alertname: $first_alert\$/alertname: SomethingElse/" "$t" > "$WORK/tests-$(basename "$t")"
done
expect_problem "alert without tests" "$first_alert.*no test case|unknown alert SomethingElse" "$RUNBOOK" "$WORK"/tests-*.yml

# c) rule without runbook_url, with a templated summary and an undocumented metric
mkdir -p "$WORK/broken"
cat > "$WORK/broken/broken.rules.yml" <<'YAML'
groups:
  - name: failwatch-broken
    rules:
      - alert: FailwatchBroken
        expr: failwatch_no_such_metric_total > 0
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} broke"
          description: static text
YAML
reload_rules "${RULES[@]}" "$WORK/broken/broken.rules.yml"
got=$(check_all "$RUNBOOK" "${TESTS[@]}") && fail "checker missed a broken rule"
for pattern in "FailwatchBroken: no runbook_url" "FailwatchBroken: summary is templated" \
  "FailwatchBroken: description is not templated" "FailwatchBroken: severity page" \
  "metric failwatch_no_such_metric_total is not in any" "FailwatchBroken .*no test case where it fires" \
  "FailwatchBroken: no test case where it must not fire"; do
  grep -qE "$pattern" <<< "$got" || { echo "$got" >&2; fail "checker missed: $pattern"; }
done
log "checker catches: missing runbook_url, templated summary, static description, bad severity, undocumented metric, untested alert"
log "ok"
