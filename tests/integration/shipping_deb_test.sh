#!/usr/bin/env bash
# The .deb: `cpack -G DEB` on the test's build tree, then checks its contents
# and metadata (Depends computed by dpkg-shlibdeps must cover every shared
# library the binary loads), the systemd unit (systemd-analyze verify and an
# offline security score), and a real `dpkg --root` install + purge into a
# throwaway root, running the installed binary.
source "$FAILWATCH_SOURCE_DIR/tests/integration/lib.sh"
: "${FAILWATCH_BUILD_DIR:?}"
t0=$(date +%s)

# needed_libs: "SONAME PATH PACKAGE" for each NEEDED entry of the binary.
needed_libs() {
  local soname path pkg
  ldd "$FAILWATCH_BIN" > "$WORK/ldd.txt"
  for soname in $(objdump -p "$FAILWATCH_BIN" | awk '$1 == "NEEDED" { print $2 }'); do
    path=$(awk -v s="$soname" '$1 == s && $3 ~ /^\// { print $3 }' "$WORK/ldd.txt")
    [ -n "$path" ] || fail "ldd does not resolve $soname"
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null) ||
      fail "no package owns $path"
    echo "$soname $path ${pkg%%:*}"
  done
}

for tool in cpack dpkg-deb dpkg-shlibdeps objdump; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done
[ -f "$FAILWATCH_BUILD_DIR/CPackConfig.cmake" ] ||
  fail "no CPackConfig.cmake in $FAILWATCH_BUILD_DIR (is packaging/cpack.cmake included from CMakeLists.txt?)"

# ---- build the package ----
log "cpack -G DEB"
(cd "$WORK" && cpack -G DEB -B "$WORK/pkg" --config "$FAILWATCH_BUILD_DIR/CPackConfig.cmake") \
  > "$WORK/cpack.log" 2>&1 || fail "cpack failed"
shopt -s nullglob
debs=("$WORK"/pkg/failwatch_*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || fail "expected one failwatch_*.deb, got: ${debs[*]:-none}"
deb=${debs[0]}
log "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# ---- metadata ----
dpkg-deb -I "$deb" > "$WORK/info.txt"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = failwatch ] || fail "Package: $(field Package)"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture: $(field Architecture)"
version=$(field Version)
want_version=$("$FAILWATCH_BIN" --version | awk '{print $2}')
[[ "$version" == "$want_version"* ]] || fail "Version $version does not start with the binary's $want_version"
depends=$(field Depends)
log "Depends: $depends"
[ -n "$depends" ] || fail "empty Depends (CPACK_DEBIAN_PACKAGE_SHLIBDEPS off?)"
dep_names=$(tr ',' '\n' <<< "$depends" | sed 's/^ *//; s/[ (].*//' | sort -u)

# Every library the binary links directly (NEEDED; dpkg-shlibdeps' input)
# must come from a package in Depends.
needed_libs > "$WORK/needed.txt"
[ -s "$WORK/needed.txt" ] || fail "no NEEDED libraries found in $FAILWATCH_BIN"
while read -r soname path pkg; do
  # shlibs may name a virtual package the owner Provides (libspdlog1.10-fmt9).
  provides=$(dpkg-query -W -f='${Provides}' "$pkg" 2>/dev/null | tr ',' '\n' | sed 's/^ *//; s/[ (].*//')
  grep -qxF -f <(printf '%s\n' "$pkg" $provides) <<< "$dep_names" ||
    fail "$soname ($path) comes from $pkg, which is not in Depends"
done < "$WORK/needed.txt"
log "Depends covers the $(wc -l < "$WORK/needed.txt") NEEDED libraries"

# ---- contents ----
dpkg-deb -c "$deb" > "$WORK/contents.txt"
for f in ./usr/bin/failwatch ./usr/lib/systemd/system/failwatch.service \
  ./etc/failwatch/failwatch.yml ./etc/default/failwatch \
  ./usr/share/doc/failwatch/copyright ./usr/share/doc/failwatch/examples/failwatch.yml; do
  awk '{print $6}' "$WORK/contents.txt" | grep -qx "$f" || fail "$f missing from the package"
done
if [ -f "$FAILWATCH_SOURCE_DIR/docs/deploying.md" ]; then
  awk '{print $6}' "$WORK/contents.txt" | grep -qx ./usr/share/doc/failwatch/deploying.md ||
    fail "docs/deploying.md missing from the package"
fi
awk '$6 == "./usr/bin/failwatch" { print $1, $2 }' "$WORK/contents.txt" | grep -q '^-rwxr-xr-x root/root$' ||
  fail "/usr/bin/failwatch is not -rwxr-xr-x root/root"
mkdir -p "$WORK/ctrl"
dpkg-deb -e "$deb" "$WORK/ctrl"
diff <(sort "$WORK/ctrl/conffiles") <(printf '%s\n' /etc/default/failwatch /etc/failwatch/failwatch.yml) ||
  fail "conffiles differ from the expected list"
for s in postinst prerm postrm; do
  [ -x "$WORK/ctrl/$s" ] || fail "control/$s missing or not executable"
  sh -n "$WORK/ctrl/$s" || fail "control/$s is not valid sh"
done
log "contents: $(grep -c . "$WORK/contents.txt") entries, conffiles and maintainer scripts ok"

# ---- throwaway root: a real dpkg install, the installed binary runs ----
R="$WORK/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status"
# Dependencies are satisfied by the host, not by the empty root; maintainer
# scripts see DPKG_ROOT and leave the host's systemd alone.
dpkg --root="$R" --force-depends --force-script-chrootless --log=/dev/null \
  -i "$deb" > "$WORK/dpkg-install.log" 2>&1 || fail "dpkg --root -i failed"
dpkg --root="$R" -s failwatch | grep -q '^Status: install ok installed' || fail "not installed in $R"
dpkg --root="$R" -s failwatch | grep -q '/etc/failwatch/failwatch.yml [0-9a-f]' ||
  fail "/etc/failwatch/failwatch.yml not registered as a conffile"
got=$("$R/usr/bin/failwatch" --version) || fail "installed failwatch --version failed"
[ "$got" = "$("$FAILWATCH_BIN" --version)" ] || fail "installed binary says '$got'"
cmp -s "$R/etc/failwatch/failwatch.yml" "$FAILWATCH_SOURCE_DIR/examples/failwatch.yml" ||
  fail "/etc/failwatch/failwatch.yml is not examples/failwatch.yml"
# The shipped config is valid once its secrets exist (they are placeholders).
mkdir -p "$WORK/secrets"
for s in pgbouncer-admin billing-pg kafka-key-password; do echo dummy > "$WORK/secrets/$s"; done
sed "s#/run/secrets/#$WORK/secrets/#g" "$R/etc/failwatch/failwatch.yml" > "$WORK/shipped.yml"
PGPASSWORD=x KAFKA_PASSWORD=y "$R/usr/bin/failwatch" --check-config --config "$WORK/shipped.yml" \
  > "$WORK/check-config.log" 2>&1 || fail "installed failwatch --check-config rejects the shipped config"
log "dpkg --root install: ok; installed binary: $got"

# ---- the systemd unit ----
unit="$R/usr/lib/systemd/system/failwatch.service"
if command -v systemd-analyze >/dev/null; then
  # verify resolves ExecStart= paths: point them at the installed root.
  mkdir -p "$WORK/unit"
  sed -e "s#/usr/bin/failwatch#$R/usr/bin/failwatch#g" "$unit" > "$WORK/unit/failwatch.service"
  if ! SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$WORK/unit/failwatch.service" \
    > "$WORK/verify.log" 2>&1; then
    cat "$WORK/verify.log" >&2
    fail "systemd-analyze verify failed"
  fi
  # Anything it printed about our unit is a warning we want fixed.
  if grep -i 'failwatch.service' "$WORK/verify.log" | grep -v 'Cannot add dependency' | grep -q .; then
    cat "$WORK/verify.log" >&2
    fail "systemd-analyze verify warned about failwatch.service"
  fi
  systemd-analyze security --offline=yes --no-pager "$WORK/unit/failwatch.service" \
    > "$WORK/security.log" 2>&1 || true
  score=$(grep -o 'Overall exposure level for failwatch.service: [0-9.]*' "$WORK/security.log" | awk '{print $NF}')
  [ -n "$score" ] || { cat "$WORK/security.log" >&2; fail "no exposure score from systemd-analyze security"; }
  log "systemd-analyze verify: clean; security exposure $score (0 = locked down, 10 = none)"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure level $score > 2.0: hardening lost?"
else
  fail "systemd-analyze missing (package systemd)"
fi
for want in 'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'NoNewPrivileges=yes' \
  'ProtectSystem=strict' 'DynamicUser=yes'; do
  grep -qxF "$want" "$unit" || fail "unit lacks $want"
done

dpkg --root="$R" --force-script-chrootless --log=/dev/null --purge failwatch \
  > "$WORK/dpkg-purge.log" 2>&1 || fail "dpkg --root --purge failed"
[ ! -e "$R/usr/bin/failwatch" ] && [ ! -e "$R/etc/failwatch/failwatch.yml" ] ||
  fail "purge left files behind"
log "purge: clean"
log "passed in $(($(date +%s) - t0)) s"
