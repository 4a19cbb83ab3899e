#!/usr/bin/env bash
# Installs the Debian packages failwatch needs to build, test and run its
# lab. Idempotent: does nothing when everything is present; runs
# `apt-get update` only when a package cannot be found.
set -euo pipefail

BUILD_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev libpq-dev librdkafka-dev libc-ares-dev libspdlog-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libboost-dev libssl-dev
  libsystemd-dev libre2-dev zlib1g-dev libcrypt-dev libjemalloc-dev
)
# scripts/fuzz.sh: clang with libFuzzer and the sanitizer runtimes (CI
# replays the corpora with gcc and needs none of these).
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev libfuzzer-14-dev)
# Real servers the tests and the lab start on loopback.
LAB_PACKAGES=(
  postgresql-15 postgresql-client-15 pgbouncer dnsmasq-base kcat
  prometheus prometheus-alertmanager curl openssl jq procps iproute2 systemd
  buildah podman mmdebstrap uidmap
  chromium python3-sqlalchemy python3-psycopg2
  apache2-utils  # htpasswd: the lab's bcrypt hash for basic auth (scripts/lab/tls.sh)
)
# Needed as commands, from whichever package provides them (e.g. a
# NodeSource nodejs already brings npm; Debian splits it out).
COMMAND_PACKAGES=(node:nodejs npm:npm)

want=("${BUILD_PACKAGES[@]}" "${FUZZ_PACKAGES[@]}" "${LAB_PACKAGES[@]}")
missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
for cp in "${COMMAND_PACKAGES[@]}"; do
  command -v "${cp%%:*}" > /dev/null 2>&1 || missing+=("${cp##*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
# Debian's policy-rc.d keeps package services from starting; the tests start
# their own servers on loopback.
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
