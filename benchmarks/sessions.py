"""Latency of one kiosk step (serve an item, answer it) in memory and with the SQLite store.

    python benchmarks/sessions.py                 # 3 rounds of one 72-item session each
    python benchmarks/sessions.py --rounds 5

Timed, wall clock per step (`serve` + `answer`, two commits with the store): a whole
profdiag-riasec-72 session, rounds interleaved in memory / store on a temporary folder (the
store's file on the same disk as the system's temporary folder; WAL, synchronous=FULL, so
every commit waits for fsync). Also timed once: `finish` + `results()` (scores, profile),
and the PDF of that profile. Printed: median and 95th percentile per step, the ratio
store / memory, and the load average (other processes on the machine add noise).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import profdiag
from profdiag import Battery, Respondent, Session, SessionStore


def _steps(session: Session) -> list[float]:
    times = []
    while True:
        started = time.perf_counter()
        item = session.serve()
        if item is None:
            return times
        session.answer(item.instrument, item.item, int(item.item[1:]) % 5, seq=item.seq)
        times.append(time.perf_counter() - started)


def _summary(name: str, times: list[float]) -> float:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"{name:>8}: {len(times)} steps, median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    battery = Battery([profdiag.load_instrument("profdiag-riasec-72")])
    print("load average", os.getloadavg())
    memory: list[float] = []
    stored: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(Path(folder) / "kiosk.db")
        for k in range(args.rounds):
            memory += _steps(Session.start(battery, Respondent(f"m{k}"), seed=k))
            stored += _steps(store.start(battery, Respondent(f"s{k}"), seed=k))
        session = store.start(battery, Respondent("last"), seed=0)
        _steps(session)
        started = time.perf_counter()
        session.finish()
        results = session.results(catalogue=profdiag.load_catalogue())
        finishing = time.perf_counter() - started
        started = time.perf_counter()
        results.pdf()
        pdf = time.perf_counter() - started
        store.close()
    in_memory = _summary("memory", memory)
    on_disk = _summary("store", stored)
    print(f"store / memory (median): {on_disk / in_memory:.0f}x")
    print(
        f"finish + results: {finishing * 1e3:.0f} ms; first PDF (imports WeasyPrint): {pdf:.2f} s"
    )
    print("load average", os.getloadavg())


if __name__ == "__main__":
    main()
