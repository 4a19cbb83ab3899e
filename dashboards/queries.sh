#!/usr/bin/env bash
# Prints every PromQL query of the failwatch dashboards (panel targets and
# annotation queries), with the Grafana variables substituted, one per line
# (newlines inside a query become spaces). Meant for end-to-end checks: run
# each line against a Prometheus that scraped failwatch after a drill.
#
#   dashboards/queries.sh --job failwatch --instance 127.0.0.1:9108 [options] [DASHBOARD.json...]
#
# Options (all values are used inside =~ matchers, so regexes work):
#   --job J              $job           (default: failwatch)
#   --instance I         $instance      (default: .+)
#   --database D         $database      (default: .+)
#   --cluster C          $cluster       (default: .+)
#   --group G            $group         (default: .+)
#   --rate-interval R    $__rate_interval (default: 1m)
#   --interval R         $__interval    (default: 15s)
#   --range R            $__range       (default: 1h)
#   --with-titles        prefix each line with "file<TAB>panel title<TAB>"
# Without files, every dashboards/*.json is read.
#
# Example:
#   dashboards/queries.sh --instance 127.0.0.1:9108 | while IFS= read -r q; do
#     curl -sfG http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$q" \
#       | jq -e '.status == "success"' >/dev/null || echo "FAILED: $q"
#   done
set -euo pipefail

job=failwatch instance=.+ database=.+ cluster=.+ group=.+
rate_interval=1m interval=15s range=1h titles=0
files=()
while [ $# -gt 0 ]; do
  case $1 in
    --job) job=$2; shift 2 ;;
    --instance) instance=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    --cluster) cluster=$2; shift 2 ;;
    --group) group=$2; shift 2 ;;
    --rate-interval) rate_interval=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --range) range=$2; shift 2 ;;
    --with-titles) titles=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  dir=$(cd "$(dirname "$0")" && pwd)
  files=("$dir"/*.json)
fi
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }

for f in "${files[@]}"; do
  jq -r --arg file "$(basename "$f")" --argjson titles "$titles" \
    --arg job "$job" --arg instance "$instance" --arg database "$database" \
    --arg cluster "$cluster" --arg group "$group" \
    --arg rate_interval "$rate_interval" --arg interval "$interval" --arg range "$range" '
    def subst:
      gsub("\n"; " ")
      | gsub("\\$__rate_interval|\\$\\{__rate_interval\\}"; $rate_interval)
      | gsub("\\$__interval|\\$\\{__interval\\}"; $interval)
      | gsub("\\$__range|\\$\\{__range\\}"; $range)
      | gsub("\\$job\\b|\\$\\{job\\}"; $job)
      | gsub("\\$instance\\b|\\$\\{instance\\}"; $instance)
      | gsub("\\$database\\b|\\$\\{database\\}"; $database)
      | gsub("\\$cluster\\b|\\$\\{cluster\\}"; $cluster)
      | gsub("\\$group\\b|\\$\\{group\\}"; $group);
    ( [.panels[]? | (., .panels[]?) | select(.targets) | .title as $t | .targets[] | select(.expr) | [$t, .expr]]
      + [.annotations.list[]? | select(.expr) | ["annotation: " + .name, .expr]] )[]
    | (.[1] | subst) as $q
    | if $titles == 1 then "\($file)\t\(.[0])\t\($q)" else $q end
  ' "$f"
done
