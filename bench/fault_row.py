#!/usr/bin/python3
"""One row of the fault matrix (bench/fault_matrix.sh): measure failwatch
while a fault is injected and restored.

Runs --inject, waits for the expected verdict (a check reaching a status, or
a metric reaching a value), keeps the fault for --hold more seconds, runs
--restore and waits until the verdict is back to the one before the fault.
Throughout: /healthz every 200 ms (curl --max-time 1 semantics), /metrics
every 500 ms (every sample's duration against its timeout). Prints one JSON
object; the exit status is 0 when the row passed.

Python (Debian's /usr/bin/python3, stdlib only) because the row needs three
concurrent pollers with sub-second timing, which a shell loop cannot keep.
"""
import argparse
import base64
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

SEVERITY = {"ok": 0, "degraded": 1, "down": 2}
# An abandoned sample is published up to kAbandonGrace (200 ms) plus one
# supervisor tick (100 ms) after its deadline (src/core/scheduler.h).
ABANDON_SLACK = 0.3 + 0.05
METRIC_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')
LABEL_RE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


# How to reach failwatch: the lab's curl config (`cacert`, `user`; see
# scripts/lab/tls.sh), read once by use_curlrc().
CLIENT = {"context": None, "headers": {}}


def use_curlrc(path):
    conf = {}
    with open(path, encoding="utf-8") as f:
        for line in f.read(65536).splitlines():
            m = re.match(r'\s*(\w+)\s*=\s*"(.*)"\s*$', line)
            if m:
                conf[m.group(1)] = m.group(2)
    if "cacert" in conf:
        CLIENT["context"] = ssl.create_default_context(cafile=conf["cacert"])
    if "user" in conf:
        token = base64.b64encode(conf["user"].encode()).decode()
        CLIENT["headers"] = {"Authorization": "Basic " + token}


def get(url, timeout=1.0):
    req = urllib.request.Request(url, headers=CLIENT["headers"])
    with urllib.request.urlopen(req, timeout=timeout, context=CLIENT["context"]) as r:
        return r.status, r.read()


def status_doc(base):
    try:
        return json.loads(get(base + "/status", 2.0)[1])["verdict"]
    except Exception:
        return None


# Checks that report what the fault did to the applications, not the fault
# itself, and rightly stay after it: records dead-lettered while a node or
# PgBouncer was away keep dlt_receiving degraded for its clear_after (300 s).
CONSEQUENCES = {"dlt_receiving"}


def not_ok(doc):
    return sorted((c["check"], c["target"], c["status"])
                  for c in doc.get("checks", []) if c["status"] != "ok")


def same_verdict(doc, base):
    """The verdict is back: the same non-ok checks, consequences aside, and
    the same status unless a consequence is what changes it."""
    if doc is None or base is None:
        return False
    now = [c for c in not_ok(doc) if c[0] not in CONSEQUENCES]
    before = [c for c in base[1] if c[0] not in CONSEQUENCES]
    consequence = any(c[0] in CONSEQUENCES for c in not_ok(doc) + base[1])
    return now == before and (consequence or doc["status"] == base[0])


def parse_metrics(text):
    out = []
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        m = METRIC_RE.match(line)
        if not m:
            continue
        labels = dict(LABEL_RE.findall(m.group(2) or ""))
        try:
            out.append((m.group(1), labels, float(m.group(3))))
        except ValueError:
            pass
    return out


class Watch:
    """Background pollers: /healthz and /metrics."""

    def __init__(self, base):
        self.base = base
        self.stop = threading.Event()
        self.healthz_total = 0
        self.healthz_fail = 0
        self.worst_sample = (0.0, 0.0, "")  # duration, timeout, key
        self.late = []  # samples past timeout + slack
        self.heartbeat_max = 0.0
        self.metrics = {}  # latest (name, key) -> value
        self.lock = threading.Lock()

    def healthz(self):
        while not self.stop.is_set():
            t = time.monotonic()
            ok = False
            try:
                ok = get(self.base + "/healthz", 1.0)[0] == 200
            except Exception:
                pass
            with self.lock:
                self.healthz_total += 1
                self.healthz_fail += 0 if ok else 1
            self.stop.wait(max(0.0, 0.2 - (time.monotonic() - t)))

    def scrape(self):
        while not self.stop.is_set():
            try:
                text = get(self.base + "/metrics", 2.0)[1].decode()
                self.observe(parse_metrics(text))
            except Exception:
                pass
            self.stop.wait(0.5)

    def observe(self, samples):
        dur, tmo, cur = {}, {}, {}
        for name, labels, value in samples:
            key = "%s/%s" % (labels.get("collector", ""), labels.get("target", ""))
            cur[(name, key)] = value
            if name == "failwatch_collector_duration_seconds":
                dur[key] = value
            elif name == "failwatch_collector_timeout_seconds":
                tmo[key] = value
            elif name == "failwatch_scheduler_heartbeat_age_seconds":
                self.heartbeat_max = max(self.heartbeat_max, value)
        with self.lock:
            self.metrics = cur
            for key, d in dur.items():
                t = tmo.get(key)
                if t is None or t <= 0:
                    continue
                if d / t > self.worst_sample[0] / max(self.worst_sample[1], 1e-9):
                    self.worst_sample = (d, t, key)
                if d > t + ABANDON_SLACK:
                    self.late.append({"target": key, "duration": d, "timeout": t})

    def counter_sum(self, name):
        with self.lock:
            return sum(v for (n, _), v in self.metrics.items() if n == name)

    def metric(self, name):
        with self.lock:
            vals = [v for (n, _), v in self.metrics.items() if n == name]
        return vals[0] if vals else None

    def start(self):
        self.threads = [threading.Thread(target=fn, daemon=True)
                        for fn in (self.healthz, self.scrape)]
        for t in self.threads:
            t.start()
        time.sleep(0.6)  # one scrape in

    def finish(self):
        # Joined, not left running: a daemon thread inside an ssl read while
        # the interpreter shuts down aborted Python once ("double free or
        # corruption", fault_matrix_test). Each request has a <= 2 s timeout.
        self.stop.set()
        for t in self.threads:
            t.join(5.0)


def expectation_met(args, doc, watch):
    if args.metric:
        v = watch.metric(args.metric)
        return v is not None and v == args.value, "%s=%s" % (args.metric, v)
    if doc is None:
        return False, "no /status"
    target = re.compile(args.target)
    for c in doc.get("checks", []):
        if c["check"] == args.check and target.fullmatch(c["target"]):
            if SEVERITY.get(c["status"], -1) >= SEVERITY[args.status]:
                return True, "%s %s %s" % (c["check"], c["target"], c["status"])
    return False, ""


def run(cmd):
    p = subprocess.run(cmd, shell=True, executable="/bin/bash",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s" % (p.returncode, cmd, p.stdout))
    return p.returncode == 0


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def wait_baseline(base, seconds):
    """The verdict before the fault: the same set of non-ok checks twice in
    a row, 1 s apart (a check still clearing is not a baseline)."""
    prev, deadline = None, time.monotonic() + seconds
    while time.monotonic() < deadline:
        doc = status_doc(base)
        if doc is not None:
            cur = (doc["status"], not_ok(doc))
            if cur == prev and all(c.get("pending") is None for c in doc["checks"]):
                return cur
            prev = cur
        time.sleep(1.0)
    return prev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--row", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--curlrc", help="curl config with cacert/user (the lab's TLS + basic auth)")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--inject", required=True)
    ap.add_argument("--restore", required=True)
    ap.add_argument("--check")
    ap.add_argument("--target", default=".*")
    ap.add_argument("--status", default="degraded")
    ap.add_argument("--metric")
    ap.add_argument("--value", type=float)
    ap.add_argument("--limit", type=float, required=True,
                    help="seconds from the fault to the verdict")
    ap.add_argument("--hold", type=float, default=2.0,
                    help="seconds the fault stays after the verdict")
    ap.add_argument("--recover-timeout", type=float, default=120.0)
    ap.add_argument("--baseline-timeout", type=float, default=90.0)
    args = ap.parse_args()
    if args.curlrc and args.curlrc != "/dev/null":
        use_curlrc(args.curlrc)

    base = wait_baseline(args.base, args.baseline_timeout)
    watch = Watch(args.base)
    watch.start()
    c0 = {n: watch.counter_sum(n) for n in (
        "failwatch_collector_deadline_exceeded_total",
        "failwatch_collector_skipped_intervals_total")}
    row = {"row": args.row, "baseline": base[0] if base else None}
    # The fault is in place when the injecting command returns (it signals
    # or stops the process last); its start-up is not failwatch's time.
    t_cmd = time.monotonic()
    injected = run(args.inject)
    t0 = time.monotonic()
    row["inject_seconds"] = round(t0 - t_cmd, 2)
    seen, what = None, ""
    while injected and time.monotonic() - t0 < args.limit + 30:
        met, what = expectation_met(args, status_doc(args.base), watch)
        if met:
            seen = time.monotonic() - t0
            break
        time.sleep(0.2)
    row["verdict"] = what if seen is not None else "not seen: " + what
    row["verdict_seconds"] = None if seen is None else round(seen, 1)
    row["limit_seconds"] = args.limit
    time.sleep(args.hold)
    t1 = time.monotonic()
    restored = run(args.restore)
    back = None
    while restored and time.monotonic() - t1 < args.recover_timeout:
        doc = status_doc(args.base)
        if same_verdict(doc, base):
            back = time.monotonic() - t1
            row["consequences"] = sorted(
                {"%s %s" % c[:2] for c in not_ok(doc) if c[0] in CONSEQUENCES} -
                {"%s %s" % c[:2] for c in base[1]})
            break
        time.sleep(0.5)
    if back is None:
        doc = status_doc(args.base)
        row["left_over"] = not_ok(doc) if doc else "no /status"
    row["recovery_seconds"] = None if back is None else round(back, 1)
    time.sleep(0.6)  # a last scrape
    watch.finish()
    d, t, key = watch.worst_sample
    row.update({
        "alive": alive(args.pid),
        "healthz_polls": watch.healthz_total,
        "healthz_failures": watch.healthz_fail,
        "heartbeat_age_max": round(watch.heartbeat_max, 2),
        "worst_sample": "%.3f/%.3f s %s" % (d, t, key),
        "late_samples": len(watch.late),
        "deadline_exceeded": watch.counter_sum(
            "failwatch_collector_deadline_exceeded_total") -
        c0["failwatch_collector_deadline_exceeded_total"],
        "skipped_intervals": watch.counter_sum(
            "failwatch_collector_skipped_intervals_total") -
        c0["failwatch_collector_skipped_intervals_total"],
    })
    problems = []
    if not injected or not restored:
        problems.append("inject/restore failed")
    if not row["alive"]:
        problems.append("failwatch died")
    if watch.healthz_fail:
        problems.append("/healthz failed")
    if seen is None or seen > args.limit:
        problems.append("verdict late or missing")
    if back is None:
        problems.append("did not recover")
    if watch.late:
        problems.append("sample past its deadline")
        row["late"] = watch.late[:5]
    row["pass"] = not problems
    row["problems"] = problems
    print(json.dumps(row))
    return 0 if row["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
