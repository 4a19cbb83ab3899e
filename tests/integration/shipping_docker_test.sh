#!/usr/bin/env bash
# The container image (Dockerfile, .dockerignore):
#  - lint: dockerfilelint (npm, installed into a cache dir by this test) plus
#    our own structural checks (multi-stage, numeric non-root USER, EXPOSE,
#    HEALTHCHECK through `failwatch --probe`, exec-form ENTRYPOINT);
#  - the runtime stage installs exactly the packages that own the binary's
#    NEEDED libraries (minus those every Debian base has);
#  - the HEALTHCHECK command works against a running failwatch;
#  - the image is built with buildah on a bookworm base made locally with
#    mmdebstrap (no registry; the tarball is cached in the build dir) and run
#    (buildah run, chroot isolation): as its non-root user it samples a
#    PostgreSQL primary + standby this test starts on loopback, serves
#    /metrics that promtool accepts, and its HEALTHCHECK command passes
#    inside it. By default the image is `--target prebuilt`: the runtime
#    stage around the binary this build tree made (about a minute); with
#    FAILWATCH_CONTAINER_BUILD=1 the full from-source build (10-20 minutes).
source "$FAILWATCH_SOURCE_DIR/tests/integration/lib.sh"
: "${FAILWATCH_BUILD_DIR:?}"
t0=$(date +%s)
SRC=$FAILWATCH_SOURCE_DIR
DF=$SRC/Dockerfile
CACHE=$FAILWATCH_BUILD_DIR/shipping-cache
mkdir -p "$CACHE"
[ -f "$DF" ] || fail "no Dockerfile"

# ---- 1. dockerfilelint ----
command -v npm >/dev/null || fail "npm missing"
LINT_DIR=$CACHE/dockerfilelint
LINT_SPEC="dockerfilelint@1.8.0"
if [ "$(cat "$LINT_DIR/.stamp" 2>/dev/null)" != "$LINT_SPEC" ]; then
  log "npm install $LINT_SPEC (into $LINT_DIR)"
  mkdir -p "$LINT_DIR"
  [ -f "$LINT_DIR/package.json" ] || echo '{"name":"failwatch-dockerfilelint","private":true}' > "$LINT_DIR/package.json"
  npm install --prefix "$LINT_DIR" --no-audit --no-fund --loglevel=error "$LINT_SPEC" \
    > "$WORK/npm.log" 2>&1 || fail "npm install failed: $(tail -5 "$WORK/npm.log")"
  echo "$LINT_SPEC" > "$LINT_DIR/.stamp"
fi
"$LINT_DIR/node_modules/.bin/dockerfilelint" -o json "$DF" > "$WORK/lint.json" 2>&1 || true
issues=$(jq '.totalIssues' "$WORK/lint.json" 2>/dev/null) || fail "dockerfilelint gave no JSON: $(head -c 500 "$WORK/lint.json")"
if [ "$issues" != 0 ]; then
  jq -r '.files[].issues[] | "Dockerfile:\(.line): \(.title): \(.content)"' "$WORK/lint.json" >&2
  fail "dockerfilelint: $issues issue(s)"
fi
log "dockerfilelint: no issues"

# ---- 2. structure ----
# Instructions with continuation lines joined, comments dropped.
sed -e '/^[[:space:]]*#/d' "$DF" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' > "$WORK/Dockerfile.flat"
instr() { grep -iE "^[[:space:]]*$1[[:space:]]" "$WORK/Dockerfile.flat" || true; }
[ "$(instr FROM | wc -l)" -ge 2 ] || fail "not a multi-stage build"
instr FROM | head -1 | grep -q ':bookworm AS build' || fail "first stage must be the bookworm build stage"
instr FROM | grep -q ':bookworm-slim AS runtime$' || fail "the runtime stage must be bookworm-slim AS runtime"
# Every FROM: a bookworm tag, or a stage defined before it (dockerfilelint
# cannot tell a stage from an untagged image: .dockerfilelintrc).
stages=" "
while read -r _ from_ref _ stage_name; do
  case "$from_ref" in
    *:bookworm | *:bookworm-slim) ;;
    *) [[ "$stages" == *" $from_ref "* ]] || fail "FROM $from_ref: neither a :bookworm tag nor an earlier stage" ;;
  esac
  [ -n "$stage_name" ] && stages+="$stage_name "
done < <(instr FROM)
instr FROM | tail -1 | grep -qx 'FROM runtime' || fail "the image (last stage) must be FROM runtime"
instr FROM | grep -qx 'FROM runtime AS prebuilt' || fail "no prebuilt stage (FROM runtime AS prebuilt)"
user=$(instr USER | tail -1 | awk '{print $2}')
[[ "$user" =~ ^[1-9][0-9]*(:[1-9][0-9]*)?$ ]] || fail "last USER must be a numeric non-root uid, got '$user'"
instr EXPOSE | grep -qw 19921 || fail "EXPOSE 19921 missing"
hc=$(instr HEALTHCHECK)
grep -qF '"--probe", "http://127.0.0.1:19921/healthz"' <<< "$hc" || fail "HEALTHCHECK must run failwatch --probe .../healthz: $hc"
instr ENTRYPOINT | grep -qF '["/usr/bin/failwatch"]' || fail "ENTRYPOINT must be [\"/usr/bin/failwatch\"]"
grep -q 'COPY --from=build' "$WORK/Dockerfile.flat" || fail "runtime stage does not copy from the build stage"
# No compiler or -dev package in the runtime stage.
# The runtime stage and the stages built on it (prebuilt, the image).
runtime_stage=$(awk '/^FROM /{n++} n>=2' "$WORK/Dockerfile.flat")
grep -q '^COPY failwatch /usr/bin/failwatch' <<< "$(awk '/^FROM runtime AS prebuilt/{p=1; next} /^FROM /{p=0} p' "$WORK/Dockerfile.flat")" ||
  fail "the prebuilt stage must COPY failwatch /usr/bin/failwatch from the context"
if grep -Eq -- '-dev\b|build-essential|cmake|g\+\+' <<< "$runtime_stage"; then
  fail "runtime stage installs build tools"
fi
# Every -dev package of the build stage is one scripts/install-deps.sh installs.
build_stage=$(awk '/^FROM /{n++} n==1' "$WORK/Dockerfile.flat")
for p in $(grep -oE '[a-z0-9.+-]+-dev\b' <<< "$build_stage" | sort -u); do
  grep -qw -- "$p" "$SRC/scripts/install-deps.sh" || fail "build stage installs $p, which scripts/install-deps.sh does not"
done
log "structure: multi-stage, USER $user, EXPOSE 19921, HEALTHCHECK via --probe"

# ---- 3. runtime packages == what the binary links ----
base_pkgs="libc6 libgcc-s1 libstdc++6"   # in every Debian base image (apt needs them)
ldd "$FAILWATCH_BIN" > "$WORK/ldd.txt"
want=$(for soname in $(objdump -p "$FAILWATCH_BIN" | awk '$1 == "NEEDED" { print $2 }'); do
  path=$(awk -v s="$soname" '$1 == s && $3 ~ /^\// { print $3 }' "$WORK/ldd.txt")
  [ -n "$path" ] || { echo "UNRESOLVED:$soname"; continue; }
  pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null) || { echo "UNOWNED:$path"; continue; }
  echo "${pkg%%:*}"
done | sort -u | grep -vxF -f <(tr ' ' '\n' <<< "$base_pkgs"))
grep -q ':' <<< "$want" && fail "cannot map the binary's libraries to packages: $(grep ':' <<< "$want" | tr '\n' ' ')"
got=$(grep -oE 'apt-get install [^&]*' <<< "$runtime_stage" | tr ' ' '\n' |
  grep -vE '^(apt-get|install|-y|--no-install-recommends|ca-certificates|)$' | sort -u)
if [ "$want" != "$got" ]; then
  diff <(echo "$want") <(echo "$got") | sed 's/^</  binary needs:/; s/^>/  Dockerfile has:/' >&2
  fail "the runtime stage's packages differ from the binary's libraries"
fi
log "runtime packages match the binary: $(echo $want)"

# ---- 4. the HEALTHCHECK command works ----
mkdir -p "$WORK/secrets"
echo dummy > "$WORK/secrets/pw"
cat > "$WORK/min.yml" <<YAML
databases:
  - name: unreachable
    endpoint: 127.0.0.1:1
    password_file: $WORK/secrets/pw
YAML
port=$(free_port)
probe_url="http://127.0.0.1:$port/healthz"
if "$FAILWATCH_BIN" --probe "$probe_url" 2>/dev/null; then fail "--probe succeeded with nothing listening"; fi
start_failwatch "$WORK/min.yml" "$port"
"$FAILWATCH_BIN" --probe "$probe_url" || fail "--probe $probe_url failed against a running failwatch"
if "$FAILWATCH_BIN" --probe "http://127.0.0.1:$port/no-such-page" 2>/dev/null; then
  fail "--probe succeeded on a 404"
fi
kill "$FW_PID"; wait "$FW_PID" 2>/dev/null || true
log "HEALTHCHECK command: 0 on /healthz, non-zero on 404 and on a closed port"

# ---- 5. build the image and run it ----
for tool in buildah podman mmdebstrap; do
  command -v "$tool" >/dev/null || fail "the image build needs $tool (scripts/install-deps.sh installs it)"
done
IMG=$CACHE/containers
# podman refuses a runroot longer than 50 characters, and its database pins
# the runroot used first: a short path that is fixed for this storage root.
runroot=/tmp/failwatch-podman-$(cksum <<< "$IMG" | cut -d' ' -f1)
ST=(--root "$IMG/storage" --runroot "$runroot" --storage-driver "${FAILWATCH_STORAGE_DRIVER:-overlay}")
# crun cannot set RLIMIT_NOFILE without CAP_SYS_RESOURCE: no default ulimits.
printf '[containers]\ndefault_ulimits = []\n' > "$WORK/containers.conf"
export CONTAINERS_CONF=$WORK/containers.conf
mkdir -p "$IMG"
if ! podman "${ST[@]}" image exists localhost/debian:bookworm; then
  if [ ! -s "$CACHE/bookworm-minbase.tar" ]; then
    log "mmdebstrap: bookworm minbase rootfs (1-3 min, once: cached in $CACHE)"
    # The host's Debian sources (with -updates and -security) when it has them.
    mirror=()
    [ -f /etc/apt/sources.list.d/debian.sources ] && mirror=(/etc/apt/sources.list.d/debian.sources)
    mmdebstrap --variant=minbase --format=tar --include=ca-certificates bookworm "$CACHE/bookworm-minbase.tar.tmp" \
      "${mirror[@]}" > "$WORK/mmdebstrap.log" 2>&1 || fail "mmdebstrap failed: $(tail -3 "$WORK/mmdebstrap.log")"
    mv "$CACHE/bookworm-minbase.tar.tmp" "$CACHE/bookworm-minbase.tar"
  fi
  podman "${ST[@]}" import "$CACHE/bookworm-minbase.tar" localhost/debian:bookworm > "$WORK/import.log" 2>&1 ||
    fail "podman import failed"
fi
podman "${ST[@]}" tag localhost/debian:bookworm localhost/debian:bookworm-slim
bud=(buildah "${ST[@]}" bud --isolation chroot --network host --format docker --layers=false
  --build-arg DEBIAN_IMAGE=localhost/debian -t localhost/failwatch:test -f "$DF")
tb=$(date +%s)
if [ "${FAILWATCH_CONTAINER_BUILD:-0}" = 1 ]; then
  log "buildah bud: the full from-source build (10-20 min)"
  "${bud[@]}" --build-arg BUILD_JOBS="$(nproc)" "$SRC" > "$WORK/bud.log" 2>&1 || fail "buildah bud failed"
else
  # The context: this tree's binary, stripped as the build stage strips it,
  # and the files the runtime stage copies.
  ctx=$WORK/context
  mkdir -p "$ctx/examples"
  strip --strip-unneeded -o "$ctx/failwatch" "$FAILWATCH_BIN"
  cp "$SRC/examples/failwatch.yml" "$ctx/examples/"
  log "buildah bud --target prebuilt (this tree's binary; FAILWATCH_CONTAINER_BUILD=1 compiles in the image)"
  "${bud[@]}" --target prebuilt "$ctx" > "$WORK/bud.log" 2>&1 || fail "buildah bud failed"
  grep -q 'AS build' "$WORK/bud.log" && fail "--target prebuilt ran the build stage"
fi
size=$(podman "${ST[@]}" image inspect localhost/failwatch:test --format '{{.Size}}')
log "built in $(($(date +%s) - tb)) s; image size $size bytes ($(numfmt --to=iec "$size"))"
cfg=$(podman "${ST[@]}" image inspect localhost/failwatch:test)
jq -e '.[0].Config.User == "10001:10001"' <<< "$cfg" >/dev/null || fail "image user: $(jq .[0].Config.User <<< "$cfg")"
# (podman shows the health check at the top level, docker under Config)
jq -e '(.[0].Healthcheck // .[0].Config.Healthcheck).Test // [] | any(. == "--probe")' <<< "$cfg" >/dev/null ||
  fail "image has no HEALTHCHECK with --probe (built without --format docker?)"
jq -e '.[0].Config.ExposedPorts | has("19921/tcp")' <<< "$cfg" >/dev/null || fail "image does not expose 19921"
jq -e '.[0].Config.Entrypoint == ["/usr/bin/failwatch"]' <<< "$cfg" >/dev/null || fail "image entrypoint: $(jq -c .[0].Config.Entrypoint <<< "$cfg")"

# A PostgreSQL primary + standby to sample, on a free port (not the lab's).
start_private_pg 127.0.0.6 "$WORK/secrets/pg"
cat > "$WORK/container.yml" <<YAML
interval: 1s
timeout: 800ms
databases:
  - name: orders
    endpoint: $N1
    members: ["$N1", "$N2"]
    password_file: /etc/failwatch/secrets/pg
    sslmode: disable
    write_probe: {enabled: true}
YAML
chmod 755 "$WORK/secrets"
chmod 644 "$WORK/container.yml" "$WORK/secrets/pg"

# Run it. `podman run` needs an OCI runtime that can set rlimits and use the
# host's cgroups (crun fails in sandboxes with hybrid cgroups and without
# CAP_SYS_RESOURCE), so the image is run with `buildah run --isolation
# chroot`: its own root filesystem and libraries, its USER, host network.
ctr=$(buildah "${ST[@]}" from localhost/failwatch:test) || fail "buildah from failed"
on_exit "buildah ${ST[*]} rm $ctr >/dev/null 2>&1"
ver=$(buildah "${ST[@]}" run --isolation chroot "$ctr" -- /usr/bin/failwatch --version) ||
  fail "failwatch --version in the image failed"
[ "$ver" = "$("$FAILWATCH_BIN" --version)" ] || fail "image says '$ver'"
[ "$(buildah "${ST[@]}" run --isolation chroot "$ctr" -- id -u)" = "${user%%:*}" ] ||
  fail "the image does not run as uid ${user%%:*}"
cport=$(free_port)
buildah "${ST[@]}" run --isolation chroot --network host \
  -v "$WORK/container.yml:/etc/failwatch/failwatch.yml:ro" -v "$WORK/secrets:/etc/failwatch/secrets:ro" \
  "$ctr" -- /usr/bin/failwatch --config /etc/failwatch/failwatch.yml \
  --web.listen-address "127.0.0.1:$cport" > "$WORK/container.log" 2>&1 &
run_pid=$!
on_exit "kill $run_pid 2>/dev/null; wait $run_pid 2>/dev/null"   # before `buildah rm`
FW_PORT=$cport
wait_for 30 "containerized failwatch /healthz" curl -sf "http://127.0.0.1:$cport/healthz"
# The process serving that port is the image's, as its user.
fw_pid=$(ss -Htlnp "sport = :$cport" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$fw_pid" ] || fail "no process listens on $cport"
[ "$(stat -c %u "/proc/$fw_pid")" = "${user%%:*}" ] || fail "the listening failwatch runs as uid $(stat -c %u "/proc/$fw_pid")"
[ "$(readlink "/proc/$fw_pid/root")" != / ] || fail "the listening failwatch is not in the image's root"
wait_for 20 "node1 primary, seen from the image" series_is 1 failwatch_pg_node_role "node=\"$N1\"" 'role="primary"'
wait_for 20 "node2 standby, seen from the image" series_is 1 failwatch_pg_node_role "node=\"$N2\"" 'role="standby"'
wait_for 20 "write probe ok from the image" series_is 1 failwatch_pg_write_probe_success 'path="fresh"'
promtool_check
# The HEALTHCHECK's command, inside the image (same flag, this run's port).
buildah "${ST[@]}" run --isolation chroot --network host "$ctr" -- \
  /usr/bin/failwatch --probe "http://127.0.0.1:$cport/healthz" || fail "--probe inside the image failed"
log "image runs as uid ${user%%:*} in its own root; sampled $N1 + $N2; /metrics promtool-clean; --probe inside ok"
log "image size: $size bytes ($(numfmt --to=iec "$size"))"
log "passed in $(($(date +%s) - t0)) s"
