#!/usr/bin/python3
"""A writer nobody at failwatch wrote: Debian's SQLAlchemy QueuePool over
psycopg2, configured the way many services run it (a fixed pool, no
pre-ping, the database address resolved once at start).

SQLAlchemy invalidates a connection only on errors it classifies as a
disconnect; SQLSTATE 25006 (read-only transaction) is not one, so after a
failover the pool keeps using the demoted node. That is the behaviour
failwatch must catch without help from this program.

Runs one read-then-INSERT transaction per 1/rate seconds and keeps its counters in a small
key=value status file (atomically replaced) for the tests:
  written, failed_25006, failed_other, first_25006_at, last_written_at
Never prints the password.
"""
import argparse
import os
import signal
import sys
import time

import sqlalchemy
from sqlalchemy import create_engine, text


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="app")
    p.add_argument("--password-file", required=True)
    p.add_argument("--dbname", default="postgres")
    p.add_argument("--application-name", default="billing-sqla")
    p.add_argument("--pool-size", type=int, default=3)
    p.add_argument("--rate", type=float, default=5.0)
    p.add_argument("--status-file", required=True)
    return p.parse_args()


def write_status(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for k, v in sorted(state.items()):
            f.write(f"{k}={v}\n")
    os.replace(tmp, path)


def main():
    args = parse_args()
    with open(args.password_file, encoding="utf-8") as f:
        password = f.read(4096).strip()
    url = sqlalchemy.engine.URL.create(
        "postgresql+psycopg2", username=args.user, password=password,
        host=args.host, port=args.port, database=args.dbname)
    engine = create_engine(
        url, pool_size=args.pool_size, max_overflow=0, pool_pre_ping=False,
        pool_timeout=5,
        connect_args={"application_name": args.application_name,
                      "connect_timeout": 3})
    state = {"written": 0, "failed_25006": 0, "failed_other": 0,
             "first_25006_at": "", "last_written_at": "",
             "pool": "QueuePool", "sqlalchemy": sqlalchemy.__version__}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    period = 1.0 / args.rate
    last_status = 0.0
    while not stop:
        started = time.time()
        try:
            # A unit of work as ORM services write it: read, then write.
            with engine.begin() as conn:
                conn.execute(text("SELECT max(id) FROM orders"))
                conn.execute(text("INSERT INTO orders(note) VALUES (:n)"),
                             {"n": args.application_name})
            state["written"] += 1
            state["last_written_at"] = f"{time.time():.3f}"
        except sqlalchemy.exc.DBAPIError as e:
            code = getattr(e.orig, "pgcode", None)
            if code == "25006":
                state["failed_25006"] += 1
                if not state["first_25006_at"]:
                    state["first_25006_at"] = f"{started:.3f}"
                    print(f"first 25006 at {started:.3f}", flush=True)
            else:
                state["failed_other"] += 1
                print(f"write failed: {code or type(e.orig).__name__}",
                      flush=True)
        except sqlalchemy.exc.SQLAlchemyError as e:
            state["failed_other"] += 1
            print(f"write failed: {type(e).__name__}", flush=True)
        now = time.time()
        if now - last_status >= 0.5:
            write_status(args.status_file, state)
            last_status = now
        time.sleep(max(0.0, period - (now - started)))
    write_status(args.status_file, state)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
