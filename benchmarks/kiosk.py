"""30 kiosks answering at once over HTTP against a real uvicorn server and the SQLite store.

    python benchmarks/kiosk.py                      # 30 kiosks, 40 items each, no pause
    python benchmarks/kiosk.py --kiosks 30 --items 72 --think 1.0

The server is `profdiag kiosk` (profdiag-riasec-72) in a child process on a free port, its
store in a temporary folder (WAL, synchronous=FULL). Each kiosk is a thread with its own
httpx client (cookies as a browser keeps them): it starts a session, then per item loads
the item page (GET /item: the server serves it, one commit) and answers it (POST /act:
one commit, answered with a redirect once it is on disk). About `--think` seconds (drawn
from 0.5-1.5 times it) pass between items (a person reads the item; 0: as fast as the
server goes). The server process also times `SessionStore.record` (waiting for the store's
lock included) and the COMMIT statement alone (the fsync), for where the time goes. Timed:
the POST (the answer's latency, acknowledged when the 303 arrives) and the GET. Then every
acknowledged answer is looked up in the store: each must be there once with its value, and
nothing else. Printed: median, 95th and 99th percentile, answers per second, the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# The server, with SessionStore.record timed: the whole call (waiting for the store's lock
# included) and the COMMIT alone (the fsync of the WAL); printed to stderr on exit.
BOOT = """
import atexit, json, sys, time
from profdiag._session import store
from profdiag.cli._main import main
times = {"record": [], "commit": []}
class Timed:
    def __init__(self, db):
        self.db = db
    def execute(self, sql, *args):
        began = time.perf_counter()
        try:
            return self.db.execute(sql, *args)
        finally:
            if sql == "COMMIT":
                times["commit"].append(time.perf_counter() - began)
    def __getattr__(self, name):
        return getattr(self.db, name)
opened = store.SessionStore.__init__
def init(self, path):
    opened(self, path)
    self._db = Timed(self._db)
record = store.SessionStore.record
def timed_record(self, *args):
    began = time.perf_counter()
    try:
        return record(self, *args)
    finally:
        times["record"].append(time.perf_counter() - began)
store.SessionStore.__init__ = init
store.SessionStore.record = timed_record
atexit.register(lambda: print("TIMES " + json.dumps(times), file=sys.stderr))
sys.argv = ["profdiag", *sys.argv[1:]]
main()
"""
FIELD = re.compile(r'name="(csrf|item|seq)" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fields(page: str) -> dict[str, str]:
    return dict(FIELD.findall(page))


def _kiosk(url: str, number: int, items: int, think: float, out: dict[str, list[object]]) -> None:
    pause = random.Random(number)
    answers, posts, gets = [], [], []
    with httpx.Client(base_url=url, timeout=60) as client:
        csrf = _fields(client.get("/").text)["csrf"]
        client.post("/start", data={"csrf": csrf, "respondent_id": f"load-{number}", "age": "15"})
        sid = hashlib.sha256(client.cookies["kiosk_session"].encode()).hexdigest()[:32]
        for k in range(items):
            began = time.perf_counter()
            page = client.get("/item").text
            gets.append(time.perf_counter() - began)
            fields = _fields(page)
            value = str((number + k) % 5)
            form = {**fields, "instrument": "profdiag-riasec-72", "value": value}
            if think:
                time.sleep(think * pause.uniform(0.5, 1.5))
            began = time.perf_counter()
            reply = client.post("/act", data=form)
            posts.append(time.perf_counter() - began)
            if reply.status_code == 303 and reply.headers["location"] == "/item":
                answers.append((sid, fields["item"], int(value)))
    out["answers"].extend(answers)
    out["posts"].extend(posts)
    out["gets"].extend(gets)


def _line(name: str, times: list[object]) -> str:
    ordered = sorted(float(t) * 1000 for t in times)  # type: ignore[arg-type]
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (
        f"{name:<22} n={len(ordered):5d}  median {statistics.median(ordered):6.1f} ms  "
        f"p95 {pick(0.95):6.1f} ms  p99 {pick(0.99):6.1f} ms  max {ordered[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=30)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--think", type=float, default=0.0)
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    port = _port()
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-c", BOOT, "kiosk", "--battery", "profdiag-riasec-72"]
    log = folder / "server.log"
    server = subprocess.Popen(
        [*command, "--data", str(folder), "--port", str(port)],
        env=environment,
        stderr=log.open("wb"),
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        out: dict[str, list[object]] = {"answers": [], "posts": [], "gets": []}
        threads = [
            threading.Thread(
                target=_kiosk,
                args=(f"http://127.0.0.1:{port}", k, arguments.items, arguments.think, out),
            )
            for k in range(arguments.kiosks)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn stops gracefully; atexit runs
        server.wait()
    with sqlite3.connect(folder / "sessions.db") as db:
        stored = [
            (sid, item, json.loads(value))
            for sid, item, value in db.execute("SELECT session_id, item, value FROM answers")
        ]
    acknowledged = out["answers"]
    print(
        f"{arguments.kiosks} kiosks x {arguments.items} items, think {arguments.think} s, "
        f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores"
    )
    print(_line("answer (POST /act)", out["posts"]))
    print(_line("item page (GET /item)", out["gets"]))
    print(f"{len(acknowledged) / wall:.0f} answers/s over {wall:.1f} s")
    times = next(
        json.loads(line[6:]) for line in log.read_text().splitlines() if line.startswith("TIMES ")
    )
    print(_line("store.record (lock+tx)", times["record"]))
    print(_line("COMMIT (fsync)", times["commit"]))
    lost = set(acknowledged) - set(stored)  # type: ignore[arg-type]
    print(
        f"acknowledged {len(acknowledged)}, stored {len(stored)}, lost {len(lost)}, "
        f"stored twice {len(stored) - len(set(stored))}, "
        f"stored but not acknowledged {len(set(stored) - set(acknowledged))}"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
