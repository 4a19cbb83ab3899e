#!/usr/bin/env bash
# Real fuzzing with libFuzzer (clang-14, -fsanitize=fuzzer,address,undefined).
#   scripts/fuzz.sh TARGET [SECONDS] [libFuzzer flags...]
#   scripts/fuzz.sh list
# TARGET is a tests/fuzz/<TARGET>_fuzz.cc name (config, web_config, pg_rows,
# pgbouncer_rows, http_request, exposition, gzip_segments). Builds
# build/fuzz (only the fuzz targets and what they link), then fuzzes for
# SECONDS (default 600) starting from the seeds in
# tests/fuzz/corpus/TARGET; inputs it finds go to build/fuzz/corpus/TARGET,
# crashes to build/fuzz/artifacts/TARGET/. The final line of libFuzzer's
# stats (-print_final_stats) gives executions and exec/s.
# Env: FUZZ_BUILD_DIR (build/fuzz), FUZZ_NICE (10), JOBS (2),
# FUZZ_TIMEOUT (10: seconds of wall time per input; libFuzzer's timer is wall
# time, so a campaign at nice 19 on a loaded machine needs more, e.g. 60),
# FUZZ_SANITIZE (address,undefined; "undefined" builds build/fuzz-ubsan: no
# ASan, several times faster on allocation-heavy targets such as config; then
# replay what it kept under ASan:
# build/fuzz/tests/fuzz/fuzz_TARGET -runs=0 build/fuzz-ubsan/corpus/TARGET).
# A crash found here belongs in tests/fuzz/corpus/TARGET/ as a regression
# (after the fix): CI replays every corpus file in the gcc and ASan builds.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: scripts/fuzz.sh TARGET|list [SECONDS] [libFuzzer flags...]}"
seconds="${2:-600}"
shift $(( $# >= 2 ? 2 : 1 ))
if [ "$target" = list ]; then
  for f in tests/fuzz/*_fuzz.cc; do basename "$f" _fuzz.cc; done
  exit 0
fi
[ -f "tests/fuzz/${target}_fuzz.cc" ] || { echo "fuzz.sh: no target $target" >&2; exit 2; }
sanitize="${FUZZ_SANITIZE:-address,undefined}"
case "$sanitize" in
  address,undefined) default_build=build/fuzz ;;
  undefined) default_build=build/fuzz-ubsan ;;
  *) echo "fuzz.sh: FUZZ_SANITIZE must be address,undefined or undefined" >&2; exit 2 ;;
esac
build="${FUZZ_BUILD_DIR:-$default_build}"
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DFAILWATCH_FUZZ=ON \
    -DFAILWATCH_FUZZ_SANITIZERS="$sanitize" "${launcher[@]}" > /dev/null
fi
nice -n "${FUZZ_NICE:-10}" cmake --build "$build" -j "${JOBS:-2}" --target "fuzz_$target"
work="$build/corpus/$target"
artifacts="$build/artifacts/$target"
mkdir -p "$work" "$artifacts"
# Leaks are checked too (ASan's LeakSanitizer, libFuzzer's -detect_leaks).
exec nice -n "${FUZZ_NICE:-10}" "$build/tests/fuzz/fuzz_$target" \
  -max_total_time="$seconds" -print_final_stats=1 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" "$@" "$work" "tests/fuzz/corpus/$target"
