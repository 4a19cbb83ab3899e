#!/usr/bin/env bash
# deploy/kubernetes: the PrometheusRule is exactly what
# scripts/gen-prometheusrule.sh makes of alerts/*.rules.yml (drift = fail),
# the kustomize tree renders offline, every rendered object passes its JSON
# schema (npm kubernetes-models, @kubernetes-models/prometheus-operator,
# installed by this test into a cache dir), the manifests follow our policy
# (securityContext, probes, resources, labels and ports line up), the
# ConfigMap's config passes `failwatch --check-config`, the wrapped rules
# pass `promtool check rules`, and the probe paths answer 200 on a real
# failwatch started with that config.
source "$FAILWATCH_SOURCE_DIR/tests/integration/lib.sh"
: "${FAILWATCH_BUILD_DIR:?}"
t0=$(date +%s)
SRC=$FAILWATCH_SOURCE_DIR
K8S=$SRC/deploy/kubernetes
CACHE=$FAILWATCH_BUILD_DIR/shipping-cache
mkdir -p "$CACHE"

# ---- 1. the generated PrometheusRule has not drifted ----
"$SRC/scripts/gen-prometheusrule.sh" --check > "$WORK/gen-check.log" 2>&1 || {
  cat "$WORK/gen-check.log" >&2
  fail "deploy/kubernetes/prometheusrule.yaml is stale: run scripts/gen-prometheusrule.sh"
}
log "$(tail -1 "$WORK/gen-check.log")"

# The generator itself, on fixtures: two files, different list indentation,
# comments and block scalars; a file with a second top-level key is refused.
mkdir -p "$WORK/alerts"
cat > "$WORK/alerts/a.rules.yml" <<'YAML'
# header comment
groups:
- name: a
  rules:
  - alert: A
    expr: up == 0
    annotations:
      description: |
        two
          lines
YAML
cat > "$WORK/alerts/b.rules.yml" <<'YAML'
---
groups:
    # a comment before the first item
    - name: b
      rules:
        - record: job:up:sum
          expr: sum by (job) (up)
YAML
echo 'not a rule file' > "$WORK/alerts/ignored.yml"
"$SRC/scripts/gen-prometheusrule.sh" --alerts-dir "$WORK/alerts" --out "$WORK/fixture-rule.yaml" >/dev/null ||
  fail "generator failed on the fixtures"
"$SRC/scripts/gen-prometheusrule.sh" --check --alerts-dir "$WORK/alerts" --out "$WORK/fixture-rule.yaml" >/dev/null ||
  fail "generator --check reports drift right after generating"
printf 'groups:\n- name: c\n  rules: []\nextra: 1\n' > "$WORK/alerts/c.rules.yml"
if "$SRC/scripts/gen-prometheusrule.sh" --alerts-dir "$WORK/alerts" --out "$WORK/bad.yaml" 2>/dev/null; then
  fail "generator accepted a rule file with a second top-level key"
fi
rm "$WORK/alerts/c.rules.yml"

# ---- 2. kustomize render, offline ----
# kubectl (with its built-in kustomize) when installed; else Debian's
# kubernetes-client package, fetched with apt-get download and unpacked into
# the cache (never installed: it would clash with other kubectl packages).
# SHIPPING_KUBECTL=debian forces the latter.
KUBECTL=""
if [ "${SHIPPING_KUBECTL:-}" != debian ] && command -v kubectl >/dev/null &&
  kubectl kustomize --help >/dev/null 2>&1; then
  KUBECTL=$(command -v kubectl)
elif [ -x "$CACHE/kubernetes-client/usr/bin/kubectl" ]; then
  KUBECTL=$CACHE/kubernetes-client/usr/bin/kubectl
else
  log "unpacking Debian's kubernetes-client into $CACHE"
  (cd "$CACHE" && rm -f kubernetes-client_*.deb && apt-get download kubernetes-client) \
    > "$WORK/apt-download.log" 2>&1 || fail "apt-get download kubernetes-client failed"
  dpkg-deb -x "$CACHE"/kubernetes-client_*.deb "$CACHE/kubernetes-client"
  KUBECTL=$CACHE/kubernetes-client/usr/bin/kubectl
fi
"$KUBECTL" kustomize "$K8S" > "$WORK/rendered.yaml" 2> "$WORK/kustomize.log" ||
  fail "kustomize render failed: $(cat "$WORK/kustomize.log")"
log "rendered with $KUBECTL ($("$KUBECTL" version --client 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -1)): $(grep -c '^kind:' "$WORK/rendered.yaml") objects"

# ---- 3. schema + policy (node, npm models in the cache) ----
command -v node >/dev/null && command -v npm >/dev/null || fail "node/npm missing"
NPM_DIR=$CACHE/npm
NPM_SPEC="kubernetes-models@5.1.0 @kubernetes-models/prometheus-operator@6.0.0 @kubernetes-models/validate@5.0.2 yaml@2.9.1"
if [ "$(cat "$NPM_DIR/.stamp" 2>/dev/null)" != "$NPM_SPEC" ]; then
  log "npm install $NPM_SPEC (into $NPM_DIR)"
  mkdir -p "$NPM_DIR"
  [ -f "$NPM_DIR/package.json" ] || echo '{"name":"failwatch-shipping-checks","private":true}' > "$NPM_DIR/package.json"
  # shellcheck disable=SC2086
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error $NPM_SPEC \
    > "$WORK/npm.log" 2>&1 || fail "npm install failed: $(tail -5 "$WORK/npm.log")"
  echo "$NPM_SPEC" > "$NPM_DIR/.stamp"
fi
cat > "$NPM_DIR/validate.mjs" <<'JS'
// validate.mjs RENDERED.yaml ALERTS_DIR OUT_DIR
// Schema-validates every object of a kustomize render with kubernetes-models
// (core and apps) and @kubernetes-models/prometheus-operator, then checks
// failwatch's own policy. Writes OUT_DIR/failwatch.yml (the ConfigMap's
// config) and OUT_DIR/rules.yml (the PrometheusRule spec as a rule file).
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const [rendered, alertsDir, outDir] = process.argv.slice(2);
const errors = [];
const err = (m) => errors.push(m);

const docs = YAML.parseAllDocuments(fs.readFileSync(rendered, "utf8"));
for (const d of docs) if (d.errors.length) err(`YAML: ${d.errors[0].message}`);
const objs = docs.map((d) => d.toJS()).filter(Boolean);

async function modelFor(apiVersion, kind) {
  const pkg = apiVersion.startsWith("monitoring.coreos.com/")
    ? "@kubernetes-models/prometheus-operator"
    : "kubernetes-models";
  const mod = await import(`${pkg}/${apiVersion}/${kind}`);
  return mod[kind];
}

const byKind = {};
for (const o of objs) {
  const id = `${o.kind}/${o.metadata?.name}`;
  try {
    const Model = await modelFor(o.apiVersion, o.kind);
    if (!Model) throw new Error("no model");
    new Model(o).validate();
    console.log(`schema ok: ${o.apiVersion} ${id}`);
  } catch (e) {
    err(`${o.apiVersion} ${id}: ${e.message}`);
  }
  (byKind[o.kind] ??= []).push(o);
}

const one = (kind) => {
  const l = byKind[kind] ?? [];
  if (l.length !== 1) err(`expected exactly one ${kind}, got ${l.length}`);
  return l[0] ?? {};
};
const dep = one("Deployment"), svc = one("Service"), sm = one("ServiceMonitor");
const cm = one("ConfigMap"), rule = one("PrometheusRule");
one("ServiceAccount");
const ns = one("Namespace").metadata?.name;
for (const o of objs)
  if (o.kind !== "Namespace" && o.metadata?.namespace !== ns)
    err(`${o.kind}/${o.metadata?.name} is not in namespace ${ns}`);

// Deployment policy.
const pod = dep.spec?.template?.spec ?? {};
// HA pair: two replicas, preferably on two nodes, each its own instance_id.
if (dep.spec?.replicas !== 2) err(`Deployment: replicas ${dep.spec?.replicas}, want 2 (HA pair)`);
if (dep.spec?.strategy?.type === "Recreate") err("Deployment: Recreate stops both replicas at once");
const anti = pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
const term = anti.find((t) => t.podAffinityTerm?.topologyKey === "kubernetes.io/hostname")?.podAffinityTerm;
if (!term) err("Deployment: no preferred pod anti-affinity on kubernetes.io/hostname");
const podLabels0 = dep.spec?.template?.metadata?.labels ?? {};
if (term && !Object.entries(term.labelSelector?.matchLabels ?? {}).every(([k, v]) => podLabels0[k] === v))
  err("Deployment: the anti-affinity selector does not match the Deployment's own pods");

const psc = pod.securityContext ?? {};
if (psc.runAsNonRoot !== true) err("pod: runAsNonRoot must be true");
if (!(psc.runAsUser > 0)) err("pod: runAsUser must be a non-zero uid");
if (psc.seccompProfile?.type !== "RuntimeDefault") err("pod: seccompProfile must be RuntimeDefault");
if (pod.automountServiceAccountToken !== false) err("pod: automountServiceAccountToken must be false");
const cs = pod.containers ?? [];
if (cs.length !== 1) err(`expected one container, got ${cs.length}`);
const c = cs[0] ?? {};
const sc = c.securityContext ?? {};
if (sc.allowPrivilegeEscalation !== false) err("container: allowPrivilegeEscalation must be false");
if (sc.readOnlyRootFilesystem !== true) err("container: readOnlyRootFilesystem must be true");
if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]') err("container: must drop ALL capabilities");
if (sc.privileged) err("container: privileged");
const port = (c.ports ?? []).find((p) => p.name === "http");
if (port?.containerPort !== 19921) err("container: port http must be 19921");
const listen = (c.args ?? []).find((a) => a.startsWith("--web.listen-address="));
if (listen && !listen.endsWith(":19921")) err(`container: ${listen} does not match containerPort`);
const probe = (p, want) => {
  if (p?.httpGet?.path !== want) err(`container: probe path ${p?.httpGet?.path}, want ${want}`);
  if (p?.httpGet?.port !== "http" && p?.httpGet?.port !== 19921) err(`container: probe port ${p?.httpGet?.port}`);
};
probe(c.livenessProbe, "/healthz");
probe(c.readinessProbe, "/readyz");
const res = c.resources ?? {};
for (const k of ["requests.cpu", "requests.memory", "limits.memory"]) {
  const [a, b] = k.split(".");
  if (!res[a]?.[b]) err(`container: resources.${k} missing`);
}
// Volumes: the generated ConfigMap (with its hash suffix) and the Secret.
const vols = Object.fromEntries((pod.volumes ?? []).map((v) => [v.name, v]));
if (vols.config?.configMap?.name !== cm.metadata?.name)
  err(`volume config refers to ${vols.config?.configMap?.name}, ConfigMap is ${cm.metadata?.name}`);
if (!vols.secrets?.secret?.secretName) err("no Secret volume for password_file");
const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.name, m]));
if (!mounts.secrets?.readOnly || !mounts.config?.readOnly) err("config and secret mounts must be readOnly");
const podNameEnv = (c.env ?? []).find((e) => e.name === "POD_NAME");
if (podNameEnv?.valueFrom?.fieldRef?.fieldPath !== "metadata.name") err("container: POD_NAME must come from metadata.name");
const cfgArg = (c.args ?? []).find((a) => a.startsWith("--config="))?.slice(9);
if (cfgArg !== mounts.config?.mountPath) err(`--config=${cfgArg} but the ConfigMap is mounted at ${mounts.config?.mountPath}`);

// Labels line up: Deployment selector -> pod, Service -> pod, ServiceMonitor -> Service.
const podLabels = dep.spec?.template?.metadata?.labels ?? {};
const subset = (sel, labels) => Object.entries(sel ?? {}).every(([k, v]) => labels?.[k] === v);
if (!subset(dep.spec?.selector?.matchLabels, podLabels)) err("Deployment selector does not match its pods");
if (!subset(svc.spec?.selector, podLabels) || !Object.keys(svc.spec?.selector ?? {}).length)
  err("Service selector does not match the pods");
if (!subset(sm.spec?.selector?.matchLabels, svc.metadata?.labels)) err("ServiceMonitor selector does not match the Service");
const svcPort = (svc.spec?.ports ?? []).find((p) => p.name === "http");
if (!svcPort || (svcPort.targetPort !== "http" && svcPort.targetPort !== 19921)) err("Service port http must target the container's http port");
const ep = (sm.spec?.endpoints ?? [])[0] ?? {};
if (ep.port !== "http") err("ServiceMonitor endpoint must use port http");
if ((ep.path ?? "/metrics") !== "/metrics") err(`ServiceMonitor path ${ep.path}`);
if (sm.spec?.namespaceSelector && !sm.spec.namespaceSelector.matchNames?.includes(ns)) err("ServiceMonitor namespaceSelector");

// The PrometheusRule holds exactly the groups of alerts/*.rules.yml, in order.
const files = fs.readdirSync(alertsDir).filter((f) => f.endsWith(".rules.yml")).sort();
const want = files.flatMap((f) => YAML.parse(fs.readFileSync(path.join(alertsDir, f), "utf8")).groups);
const got = rule.spec?.groups ?? [];
// kustomize sorts map keys: compare with sorted keys.
const canon = (x) => Array.isArray(x) ? `[${x.map(canon).join(",")}]`
  : x && typeof x === "object" ? `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canon(x[k])}`).join(",")}}`
  : JSON.stringify(x);
if (canon(got) !== canon(want))
  err(`PrometheusRule groups differ from alerts/*.rules.yml (${got.length} vs ${want.length} groups)`);
for (const g of got) for (const r of g.rules ?? [])
  if (r.alert && !r.labels?.severity) err(`alert ${r.alert} has no severity label`);

fs.mkdirSync(outDir, { recursive: true });
const cfg = cm.data?.["failwatch.yml"];
if (!cfg) err("ConfigMap has no failwatch.yml");
else if (!/^instance_id: "\$\{POD_NAME\}"$/m.test(cfg)) err("failwatch.yml: instance_id must be \"${POD_NAME}\" (one heartbeat row per replica)");
else fs.writeFileSync(path.join(outDir, "failwatch.yml"), cfg);
fs.writeFileSync(path.join(outDir, "rules.yml"), YAML.stringify({ groups: got }));
fs.writeFileSync(path.join(outDir, "summary.json"), JSON.stringify({
  objects: objs.map((o) => `${o.kind}/${o.metadata?.name}`),
  memoryRequest: res.requests?.memory, memoryLimit: res.limits?.memory, cpuRequest: res.requests?.cpu,
  secretMount: mounts.secrets?.mountPath, groups: got.length,
  alerts: got.reduce((n, g) => n + (g.rules ?? []).filter((r) => r.alert).length, 0),
}));

if (errors.length) {
  for (const e of errors) console.error(`FAIL: ${e}`);
  process.exit(1);
}
console.log(`all ${objs.length} objects valid`);
JS
node "$NPM_DIR/validate.mjs" "$WORK/rendered.yaml" "$SRC/alerts" "$WORK/out" > "$WORK/validate.log" 2>&1 || {
  cat "$WORK/validate.log" >&2
  fail "manifest validation failed"
}
log "$(tail -1 "$WORK/validate.log"); $(jq -r '"\(.groups) rule groups, \(.alerts) alerts"' "$WORK/out/summary.json")"

# ---- 3b. the sharded overlay (StatefulSet) ----
"$KUBECTL" kustomize "$SRC/deploy/kubernetes-sharded" > "$WORK/rendered-sharded.yaml" 2> "$WORK/kustomize-sharded.log" ||
  fail "kustomize render of deploy/kubernetes-sharded failed: $(cat "$WORK/kustomize-sharded.log")"
cat > "$NPM_DIR/validate-sharded.mjs" <<'JS'
// validate-sharded.mjs BASE.yaml SHARDED.yaml: schema of every object of the
// overlay, and its StatefulSet runs the base Deployment's pod, plus the
// shard flags only.
import fs from "node:fs";
import YAML from "yaml";
const [basePath, shardedPath] = process.argv.slice(2);
const errors = [];
const err = (m) => errors.push(m);
const load = (p) => YAML.parseAllDocuments(fs.readFileSync(p, "utf8")).map((d) => d.toJS()).filter(Boolean);
const base = load(basePath), objs = load(shardedPath);
for (const o of objs) {
  const pkg = o.apiVersion.startsWith("monitoring.coreos.com/") ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  try {
    const Model = (await import(`${pkg}/${o.apiVersion}/${o.kind}`))[o.kind];
    new Model(o).validate();
  } catch (e) { err(`${o.kind}/${o.metadata?.name}: ${e.message}`); }
}
const of = (l, kind) => l.filter((o) => o.kind === kind);
if (of(objs, "Deployment").length) err("the sharded overlay still has a Deployment");
const [sts] = of(objs, "StatefulSet");
const [dep] = of(base, "Deployment");
if (!sts) err("no StatefulSet");
const tmpl = sts?.spec?.template ?? {}, c = tmpl.spec?.containers?.[0] ?? {};
const args = c.args ?? [];
const total = Number(args.find((a) => a.startsWith("--total-shards="))?.split("=")[1]);
if (!(total >= 2)) err(`--total-shards=${total}`);
if (sts?.spec?.replicas !== total) err(`replicas ${sts?.spec?.replicas} != --total-shards=${total}`);
if (!args.includes("--pod=$(POD_NAME)")) err("the shard must come from --pod=$(POD_NAME)");
if (args.some((a) => a.startsWith("--shard="))) err("a fixed --shard= would give every pod the same shard");
// Same pod as the base Deployment, apart from the shard flags.
const strip = (t) => { const x = structuredClone(t); const k = x.spec.containers[0];
  k.args = k.args.filter((a) => !a.startsWith("--pod=") && !a.startsWith("--total-shards=")); return JSON.stringify(x); };
if (dep && sts && strip(tmpl) !== strip(dep.spec.template)) err("the StatefulSet's pod template differs from the Deployment's (beyond --pod/--total-shards)");
const gov = of(objs, "Service").find((s) => s.metadata.name === sts?.spec?.serviceName);
if (gov?.spec?.clusterIP !== "None") err(`serviceName ${sts?.spec?.serviceName} must be a headless Service`);
// Scraped once: the ServiceMonitor selects exactly one Service.
const [sm] = of(objs, "ServiceMonitor");
const sel = sm?.spec?.selector?.matchLabels ?? {};
const scraped = of(objs, "Service").filter((s) => Object.entries(sel).every(([k, v]) => s.metadata.labels?.[k] === v));
if (scraped.length !== 1) err(`the ServiceMonitor selects ${scraped.length} Services (each pod must be scraped once)`);
if (errors.length) { for (const e of errors) console.error(`FAIL: ${e}`); process.exit(1); }
console.log(`sharded overlay: ${objs.length} objects valid; StatefulSet of ${total} shards`);
JS
node "$NPM_DIR/validate-sharded.mjs" "$WORK/rendered.yaml" "$WORK/rendered-sharded.yaml" > "$WORK/validate-sharded.log" 2>&1 || {
  cat "$WORK/validate-sharded.log" >&2
  fail "sharded overlay validation failed"
}
log "$(tail -1 "$WORK/validate-sharded.log")"

# ---- 4. the shipped config and rules are valid ----
secret_dir=$(jq -r .secretMount "$WORK/out/summary.json")
mkdir -p "$WORK/secrets"
grep -o "$secret_dir/[A-Za-z0-9._-]*" "$WORK/out/failwatch.yml" | sort -u | while read -r f; do
  echo dummy > "$WORK/secrets/$(basename "$f")"
done
sed "s#$secret_dir/#$WORK/secrets/#g" "$WORK/out/failwatch.yml" > "$WORK/k8s.yml"
POD_NAME=failwatch-5d8c7b9f4-x2k7q "$FAILWATCH_BIN" --check-config --config "$WORK/k8s.yml" > "$WORK/check-config.log" 2>&1 || {
  cat "$WORK/check-config.log" >&2
  fail "the ConfigMap's failwatch.yml fails --check-config"
}
if command -v promtool >/dev/null; then
  promtool check rules "$WORK/out/rules.yml" > "$WORK/promtool.log" 2>&1 || {
    cat "$WORK/promtool.log" >&2
    fail "promtool check rules rejects the PrometheusRule's groups"
  }
  log "promtool check rules: $(grep -o 'SUCCESS: [0-9]* rules found' "$WORK/promtool.log")"
else
  fail "promtool missing (package prometheus, scripts/install-deps.sh)"
fi

# ---- 5. the probes answer on a real failwatch with this config ----
port=$(free_port)
POD_NAME=failwatch-5d8c7b9f4-x2k7q start_failwatch "$WORK/k8s.yml" "$port"
"$FAILWATCH_BIN" --probe "http://127.0.0.1:$port/healthz" || fail "liveness /healthz failed"
# /readyz turns 200 once every target was sampled (or abandoned) once.
wait_for 30 "/readyz 200" "$FAILWATCH_BIN" --probe "http://127.0.0.1:$port/readyz"
rss=$(metric_value process_resident_memory_bytes)
req=$(jq -r .memoryRequest "$WORK/out/summary.json")
req_bytes=$(numfmt --from=iec-i "$req") || fail "memory request $req: use Mi/Gi units"
log "probes ok; RSS $((${rss%.*} / 1024)) KiB vs memory request $req"
[ "${rss%.*}" -lt "$req_bytes" ] || fail "RSS ${rss} exceeds the memory request $req"
log "passed in $(($(date +%s) - t0)) s"
