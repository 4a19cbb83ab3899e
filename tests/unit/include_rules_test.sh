#!/usr/bin/env bash
# The module graph is the one CMakeLists.txt declares: a file in src/<m>/
# may include "x/..." only for x = m or a module m depends on (directly or
# through its PUBLIC deps) in failwatch_module(m DEPS ...). Every module
# gets all of src/ as include path, so without this check a wrong include
# still builds. Prints file:line for each violation and fails.
set -euo pipefail
SRC_DIR="${FAILWATCH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cmake_file="$SRC_DIR/CMakeLists.txt"

# Edges not yet removed, each with the reason; the lead drops them at merge.
declare -A EXTRA=()

# module -> direct deps, from failwatch_module(<name> DEPS ...) calls.
declare -A DEPS=()
while read -r name deps; do
  DEPS[$name]="$deps"
done < <(tr '\n' ' ' < "$cmake_file" |
  grep -oE 'failwatch_module\([a-z_]+[^)]*\)' |
  sed -E 's/failwatch_module\(([a-z_]+)([^)]*)\)/\1 \2/' |
  while read -r name rest; do
    echo "$name $(grep -oE 'failwatch_[a-z_]+' <<<"$rest" | sed 's/failwatch_//' | tr '\n' ' ')"
  done)
[[ ${#DEPS[@]} -gt 0 ]] || { echo "no failwatch_module() in $cmake_file"; exit 1; }

closure() {  # module -> itself and everything it reaches
  local seen=" $1 " todo=("$1") m d
  while ((${#todo[@]})); do
    m=${todo[0]}; todo=("${todo[@]:1}")
    for d in ${DEPS[$m]:-} ${EXTRA[$m]:-}; do
      [[ $seen == *" $d "* ]] && continue
      seen+="$d "; todo+=("$d")
    done
  done
  echo "$seen"
}

violations=0
for module in "${!DEPS[@]}"; do
  allowed=$(closure "$module")
  [[ -d "$SRC_DIR/src/$module" ]] || continue
  while IFS=: read -r file line text; do
    target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([a-z_]+)\/.*/\1/' <<<"$text")
    [[ -n ${DEPS[$target]+x} ]] || continue  # not one of our modules
    if [[ $allowed != *" $target "* ]]; then
      echo "${file#"$SRC_DIR"/}:$line: $module must not include $target/ (deps: ${allowed})"
      violations=$((violations + 1))
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/' \
             "$SRC_DIR/src/$module"/*.h "$SRC_DIR/src/$module"/*.cc /dev/null || true)
done
echo "$violations include-rule violations"
((violations == 0))
