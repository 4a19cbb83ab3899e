#!/usr/bin/env bash
# Every dashboard query shows the same thing for an HA pair as for one
# instance: two replicas report the same world, so a panel must not double a
# count by summing over them (deploy/kubernetes runs replicas: 2).
# How: synthetic series for every metric the dashboards read (labels from
# the queries' matchers and `by` clauses), written once as job "one"
# (instance a) and once as job "pair" (instances a and b, identical values),
# backfilled with promtool into a real Prometheus; each query from
# dashboards/queries.sh is evaluated for both jobs and the results compared
# with the job and instance labels dropped. A checker self-test proves a
# plain `sum by` over the pair is caught.
source "$(dirname "$0")/lib.sh"

SRC=$FAILWATCH_SOURCE_DIR
command -v promtool >/dev/null || fail "promtool not installed (scripts/install-deps.sh)"
command -v prometheus >/dev/null || fail "prometheus not installed (scripts/install-deps.sh)"

"$SRC/dashboards/queries.sh" --job JOB --instance '.+' > "$WORK/queries.txt"
[ -s "$WORK/queries.txt" ] || fail "dashboards/queries.sh printed no query"

# Series to write: one per exact label value a query selects (status="ok",
# state="waiting", ...), every other label any query groups by set to "x".
/usr/bin/python3 - "$WORK/queries.txt" "$WORK/series.om" <<'PY'
import re, sys, time
queries = open(sys.argv[1]).read().splitlines()
by_labels = set()
exact = {}   # metric -> {label: [values]}
for q in queries:
    for group in re.findall(r'\bby \(([^)]*)\)', q):
        by_labels.update(l.strip() for l in group.split(',') if l.strip())
    for name, body in re.findall(r'\b(failwatch_[a-z0-9_]+)(?:\{([^}]*)\})?', q):
        per = exact.setdefault(name, {})
        for k, v in re.findall(r'(\w+)="([^"]*)"', body or ''):
            if v not in per.setdefault(k, []):
                per[k].append(v)
by_labels -= {'job', 'instance'}
end = int(time.time()) - 60
steps = 41  # 10 min at 15 s
out = open(sys.argv[2], 'w')
def labelsets(name):
    per = exact[name]
    base = {l: 'x' for l in by_labels}
    base.update({k: vs[0] for k, vs in per.items()})
    sets = [dict(base)]
    for k, vs in per.items():
        for v in vs[1:]:
            s = dict(base); s[k] = v; sets.append(s)
    return sets
def value(name, step):
    if re.search(r'(_total|_sum|_count|_bucket)$', name):
        return 10 * step               # a counter: increase()/rate() see it
    if re.search(r'(offset|watermark)$', name):
        return 1000 + 7 * step         # deriv() sees it
    return 1                           # state sets compare with == 1
for step in range(steps):
    ts = end - (steps - 1 - step) * 15
    for name in sorted(exact):
        for ls in labelsets(name):
            for job, inst in (('one', 'a'), ('pair', 'a'), ('pair', 'b')):
                l = dict(ls, job=job, instance=inst)
                body = ','.join(f'{k}="{v}"' for k, v in sorted(l.items()))
                out.write(f'{name}{{{body}}} {value(name, step)} {ts}\n')
out.write('# EOF\n')
PY
EVAL_TIME=$(($(date +%s) - 60))

promtool tsdb create-blocks-from openmetrics "$WORK/series.om" "$WORK/tsdb" \
  > "$WORK/backfill.log" 2>&1 || fail "promtool backfill: $(tail -3 "$WORK/backfill.log")"
echo "global: {scrape_interval: 15s}" > "$WORK/prometheus.yml"
PROM_PORT=$(free_port)
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" > "$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
PROM=http://127.0.0.1:$PROM_PORT
wait_for 30 "prometheus ready" curl -sf "$PROM/-/ready"

# query_result JOB QUERY: the result as sorted unique {labels minus job and
# instance, value} pairs; exits non-zero when Prometheus refused the query.
query_result() {
  local q=${2//JOB/$1} body
  body=$(curl -sfG --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$q" \
    --data-urlencode "time=$EVAL_TIME") || return 1
  jq -ce '.status == "success"' <<< "$body" >/dev/null || return 1
  jq -c '[.data.result[] | {m: (.metric | del(.job, .instance)), v: (.value[1] // "")}]
         | unique | sort' <<< "$body"
}

# compare QUERY: prints "empty", "same" or "differs: ..." for one query.
compare() {
  local one pair
  one=$(query_result one "$1") || { echo "error"; return; }
  pair=$(query_result pair "$1") || { echo "error"; return; }
  if [ "$one" = "[]" ]; then echo empty
  elif [ "$one" = "$pair" ]; then echo same
  else echo "differs: one=$one pair=$pair"; fi
}

# Self-test: a plain sum over the pair doubles, and the checker sees it.
backfilled() { local r; r=$(query_result one 'count(failwatch_status{job="JOB"})') && [ "$r" != "[]" ]; }
wait_for 30 "backfilled series queryable" backfilled
r=$(compare 'sum by (database) (failwatch_pg_app_stale_connections{job=~"JOB"})')
[[ $r == differs* ]] || fail "self-test: a plain sum over the pair was not caught ($r)"

same=0 empty=0 bad=0
while IFS= read -r q; do
  r=$(compare "$q")
  case $r in
    same) same=$((same + 1)) ;;
    empty) empty=$((empty + 1)); log "no data to compare: $q" ;;
    *) bad=$((bad + 1)); echo "HA pair changes a panel ($r): $q" >&2 ;;
  esac
done < "$WORK/queries.txt"
total=$(wc -l < "$WORK/queries.txt")
log "queries: $total; same for one instance and the pair: $same; no data: $empty; differ/error: $bad"
[ "$bad" -eq 0 ] || fail "$bad dashboard queries differ between one instance and an HA pair"
# Not vacuous: most queries must have had data to compare.
[ $((same * 4)) -ge $((total * 3)) ] || fail "only $same of $total queries returned data"
log "ok"
