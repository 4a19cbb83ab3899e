#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs the packages,
# builds, runs unit tests (parallel) then integration tests (serial: they
# start real servers on fixed loopback addresses).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build/ci}"
JOBS="${JOBS:-$(nproc)}"

scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
ctest -L unit -j "$JOBS" --output-on-failure
ctest -L integration --output-on-failure
