#!/usr/bin/env bash
# The Grafana dashboards (dashboards/*.json) follow the conventions, checked
# by structure with jq (no Grafana here):
# - stable uid (unique, [a-z0-9-], <= 40 chars), schemaVersion >= 36;
# - templating variables datasource (type datasource, prometheus), job and
#   instance; every query variable reads ${datasource};
# - every panel (rows excepted) has fieldConfig.defaults.unit and a
#   datasource {type prometheus, uid ${datasource}}, and so does every target
#   and annotation: no hard-coded datasource uid anywhere;
# - every expression with rate( / irate( / increase( uses only
#   [$__rate_interval] ranges;
# - every metric name in a query (targets, annotations, variables) is in a
#   docs/reference/*.md table, so a renamed metric fails here;
# - every query parses (promtool check rules on them, as recording rules)
#   once dashboards/queries.sh substituted the variables;
# - the JSON is what dashboards/generate.mjs produces (when node exists).
# The checker is run on broken copies too, to prove it catches each rule.
source "$(dirname "$0")/lib.sh"

SRC=$FAILWATCH_SOURCE_DIR
DASHBOARDS=("$SRC"/dashboards/*.json)
[ -f "${DASHBOARDS[0]}" ] || fail "no dashboards/*.json"

documented_metrics() {
  local docs=("$SRC"/docs/reference/*.md)
  [ -f "$SRC/README.md" ] && docs+=("$SRC/README.md")
  grep -h "^|" "${docs[@]}" \
    | grep -oE '`(failwatch|process)_[a-zA-Z0-9_]+`' | tr -d '`' | sort -u
}
DOCS=$(documented_metrics)
[ -n "$DOCS" ] || fail "no metric names found in docs/reference/*.md"

is_documented() {
  local n=$1 base
  grep -qxF "$n" <<< "$DOCS" && return 0
  base=$(sed -E 's/_(bucket|sum|count)$//' <<< "$n")
  [ "$base" != "$n" ] && grep -qxF "$base" <<< "$DOCS"
}

# check_dashboard FILE: prints one line per problem; returns 1 if any.
check_dashboard() {
  local f=$1 name problems=0 p
  name=$(basename "$f")
  if ! jq -e . "$f" >/dev/null 2>&1; then echo "$name: not valid JSON"; return 1; fi

  p=$(jq -r --arg f "$name" '
    def allpanels: [.panels[]? | (., .panels[]?)];
    def dsok: type == "object" and .type == "prometheus" and .uid == "${datasource}";
    (if (.uid // "") | test("^[a-z0-9-]{1,40}$") then empty else "\($f): uid \(.uid // "missing") is not [a-z0-9-]{1,40}" end),
    (if (.schemaVersion // 0) >= 36 then empty else "\($f): schemaVersion \(.schemaVersion // "missing") < 36" end),
    (if (.title // "") != "" then empty else "\($f): no title" end),
    ([.templating.list[]?] as $v |
      (if any($v[]; .name == "datasource" and .type == "datasource" and .query == "prometheus") then empty
       else "\($f): no datasource variable (type datasource, query prometheus)" end),
      (["job", "instance"][] as $n |
        if any($v[]; .name == $n and .type == "query") then empty else "\($f): no \($n) query variable" end),
      ($v[] | select(.type == "query") |
        if (.datasource | dsok) then empty else "\($f): variable \(.name) does not use ${datasource}" end)),
    (allpanels | map(.id) | group_by(.) | map(select(length > 1) | .[0])[] | "\($f): duplicate panel id \(.)"),
    (allpanels[] | select(.type != "row") | (.title // "untitled") as $t |
      (if ((.fieldConfig.defaults.unit // "") | length) > 0 then empty else "\($f): panel \"\($t)\": no fieldConfig.defaults.unit" end),
      (if (.datasource | dsok) then empty else "\($f): panel \"\($t)\": datasource is not {type: prometheus, uid: ${datasource}}" end),
      (if (.gridPos.w // 0) > 0 and (.gridPos.h // 0) > 0 then empty else "\($f): panel \"\($t)\": no gridPos" end),
      (if ((.targets // []) | length) > 0 then empty else "\($f): panel \"\($t)\": no targets" end),
      (.targets[]? |
        (if (.datasource | dsok) then empty else "\($f): panel \"\($t)\" target \(.refId): datasource is not ${datasource}" end),
        (if (.expr // "") != "" then empty else "\($f): panel \"\($t)\" target \(.refId): no expr" end))),
    (.annotations.list[]? | select(.builtIn != 1) |
      if (.datasource | dsok) then empty else "\($f): annotation \"\(.name)\": datasource is not ${datasource}" end),
    # No hard-coded datasource anywhere (uids other than the variable / Grafana built-in).
    ([.. | objects | select(has("datasource")) | .datasource] | map(
      if type == "string" then (if . == "${datasource}" or . == "-- Grafana --" then empty else . end)
      elif type == "object" then (if (.uid // "") == "${datasource}" or (.uid // "") == "-- Grafana --" then empty else (.uid // "no uid") end)
      else empty end) | unique[] | "\($f): hard-coded datasource \(.)")
  ' "$f")
  if [ -n "$p" ]; then echo "$p"; problems=1; fi

  # Expressions: rate intervals and documented metrics.
  local title expr ranges m
  while IFS=$'\t' read -r title expr; do
    if grep -qE '\b(rate|irate|increase)\(' <<< "$expr"; then
      ranges=$(grep -oE '\[[^]]*\]' <<< "$expr" | grep -vxF '[$__rate_interval]' || true)
      if [ -n "$ranges" ]; then
        echo "$name: \"$title\": rate/increase with range $(paste -sd' ' <<< "$ranges") instead of [\$__rate_interval]"
        problems=1
      fi
    fi
    while read -r m; do
      [ -n "$m" ] || continue
      is_documented "$m" || { echo "$name: \"$title\": metric $m is not in any docs/reference/*.md table"; problems=1; }
    done < <(sed -E 's/"([^"\\]|\\.)*"//g' <<< "$expr" | grep -oE '\b(failwatch|process)_[a-zA-Z0-9_]+' | sort -u || true)
  done < <(jq -r '
    ( [.panels[]? | (., .panels[]?) | select(.targets) | .title as $t | .targets[] | select(.expr) | [$t, .expr]]
      + [.annotations.list[]? | select(.expr) | ["annotation " + .name, .expr]]
      + [.templating.list[]? | select(.type == "query") | ["variable " + .name, (.query | if type == "object" then .query else . end)]] )[]
    | [.[0], (.[1] | gsub("\n"; " "))] | @tsv' "$f")
  return $problems
}

# 1. The real dashboards.
all_problems=""
for f in "${DASHBOARDS[@]}"; do
  if ! p=$(check_dashboard "$f"); then all_problems+="$p"$'\n'; fi
done
if [ -n "$all_problems" ]; then
  printf '%s' "$all_problems" >&2
  fail "dashboards break the conventions ($(grep -c . <<< "$all_problems") problems)"
fi
dups=$(jq -r .uid "${DASHBOARDS[@]}" | sort | uniq -d)
[ -z "$dups" ] || fail "duplicate dashboard uid: $dups"
npanels=$(jq -s '[.[] | .panels[]? | (., .panels[]?) | select(.type != "row")] | length' "${DASHBOARDS[@]}")
log "${#DASHBOARDS[@]} dashboards, $npanels panels: uid, schemaVersion, variables, units, datasources, rate intervals, documented metrics ok"

# 2. Every query parses once the variables are substituted.
"$SRC/dashboards/queries.sh" --job failwatch --instance 127.0.0.1:9108 "${DASHBOARDS[@]}" > "$WORK/queries.txt"
nq=$(grep -c . "$WORK/queries.txt")
[ "$nq" -gt 0 ] || fail "queries.sh printed no query"
if grep -n '\$' "$WORK/queries.txt" >&2; then fail "queries.sh left variables unsubstituted"; fi
{
  echo "groups:"
  echo "  - name: dashboard-queries"
  echo "    rules:"
  i=0
  while IFS= read -r q; do
    i=$((i + 1))
    printf '      - record: dashboard:query%d\n        expr: %s\n' "$i" "$(jq -Rn --arg q "$q" '$q')"
  done < "$WORK/queries.txt"
} > "$WORK/queries.rules.yml"
if command -v promtool >/dev/null; then
  out=$(promtool check rules "$WORK/queries.rules.yml" 2>&1) || { echo "$out" >&2; fail "a dashboard query does not parse"; }
  log "$nq queries parse (promtool)"
else
  log "promtool not installed: query syntax not checked"
fi

# 3. The JSON is what the generator produces.
if command -v node >/dev/null; then
  mkdir -p "$WORK/generated"
  node "$SRC/dashboards/generate.mjs" "$WORK/generated"
  for f in "${DASHBOARDS[@]}"; do
    g="$WORK/generated/$(basename "$f")"
    [ -f "$g" ] || fail "$(basename "$f") is not produced by dashboards/generate.mjs"
    diff -q "$f" "$g" >/dev/null || { diff -u "$f" "$g" | head -40 >&2; fail "$(basename "$f") differs from dashboards/generate.mjs output: run node dashboards/generate.mjs"; }
  done
  log "dashboards match dashboards/generate.mjs"
else
  log "node not installed: generator output not compared"
fi

# 4. The checker catches each kind of mistake.
base=${DASHBOARDS[0]}
expect_caught() { # DESCRIPTION PATTERN JQ_FILTER
  local what=$1 pattern=$2 filter=$3 got
  jq --argjson id "$first_id" "$filter" "$base" > "$WORK/broken.json"
  if got=$(check_dashboard "$WORK/broken.json"); then fail "checker missed: $what"; fi
  grep -qE "$pattern" <<< "$got" || { echo "$got" >&2; fail "checker missed: $what (want $pattern)"; }
  log "checker catches: $what"
}
first_id=$(jq '[.panels[] | select(.type != "row")][0].id' "$base")
expect_caught "panel without unit" "no fieldConfig.defaults.unit" \
  "(.panels[] | select(.id == \$id)).fieldConfig.defaults |= del(.unit)"
expect_caught "hard-coded datasource uid" "hard-coded datasource P1809F7CD0C75ACF3" \
  "(.panels[] | select(.id == \$id)).datasource = {type: \"prometheus\", uid: \"P1809F7CD0C75ACF3\"}"
expect_caught "rate over [5m]" 'instead of \[\$__rate_interval\]' \
  "(.panels[] | select(.id == \$id)).targets[0].expr = \"rate(failwatch_dns_lookups_total[5m])\""
expect_caught "renamed metric" "metric failwatch_dns_lookups_renamed_total is not in any" \
  "(.panels[] | select(.id == \$id)).targets[0].expr = \"failwatch_dns_lookups_renamed_total\""
expect_caught "old schemaVersion" "schemaVersion 30 < 36" '.schemaVersion = 30'
expect_caught "missing instance variable" "no instance query variable" \
  '.templating.list |= map(select(.name != "instance"))'
log "ok"
