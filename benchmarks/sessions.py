"""Latency of one kiosk step (serve an item, answer it) in memory and with the SQLite store.

    python benchmarks/sessions.py                 # 3 rounds of one 72-item session each
    python benchmarks/sessions.py --rounds 5

Timed, wall clock per step (`serve` + `answer`, two commits with the store): a whole
profdiag-riasec-72 session, rounds interleaved in memory / store on a temporary folder (the
store's file on the same disk as the system's temporary folder; WAL, synchronous=FULL, so
every commit waits for fsync). Also timed once: `finish` + `results()` (scores, profile),
and the PDF of that profile. Printed: median and 95th percentile per step, the ratio
store / memory, and the load average (other processes on the machine add noise).

Also an adaptive section over a 300-item 2PL bank (40 items per session, se_target out of
reach), in memory and with the store: each step also chooses the next item (AdaptiveTest
rebuilt from the section's saved state), against the same bank in a fixed order (its first
40 items: the same state size, so the ratio is the cost of choosing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import profdiag
from profdiag import Battery, BatteryEntry, CatRules, Respondent, Session, SessionStore


def _steps(session: Session) -> list[float]:
    times = []
    while True:
        started = time.perf_counter()
        item = session.serve()
        if item is None:
            return times
        value = int(item.item[1:]) % (2 if item.kind == "binary" else 5)
        session.answer(item.instrument, item.item, value, seq=item.seq)
        times.append(time.perf_counter() - started)


def _summary(name: str, times: list[float]) -> float:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"{name:>16}: {len(times)} steps, median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms")
    return median


def _bank(size: int = 300) -> profdiag.Instrument:
    rng = np.random.default_rng(1)
    items = [
        {"id": f"q{k:03d}", "format": "yn", "text": {"en": f"Item {k}"},
         "irt": {"model": "2pl", "a": float(rng.uniform(0.8, 2.0)), "b": float(rng.normal())}}
        for k in range(size)
    ]  # fmt: skip
    document = {
        "format": "profdiag-instrument/1", "id": "bank", "version": "1.0",
        "title": {"en": "Bank"}, "description": {"en": "A bank."}, "authors": ["us"],
        "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
        "text_status": {"en": "original"}, "response_formats": {"yn": {"type": "binary"}},
        "items": items,
        "scales": [{"id": "total", "title": {"en": "T"},
                    "items": [{"item": i["id"]} for i in items]}],
    }  # fmt: skip
    return profdiag.parse_instrument(json.dumps(document))


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
    bank = _bank()
    adaptive = Battery([BatteryEntry(bank, adaptive=CatRules(se_target=0.01, max_items=40))])
    fixed = Battery([bank])
    fixed_memory: list[float] = []
    for k in range(args.rounds):
        fixed_memory += _steps(Session.start(fixed, Respondent(f"f{k}"), seed=k))[:40]
    cat_memory: list[float] = []
    cat_stored: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(Path(folder) / "kiosk.db")
        for k in range(args.rounds):
            cat_memory += _steps(Session.start(adaptive, Respondent(f"m{k}"), seed=k))
            cat_stored += _steps(store.start(adaptive, Respondent(f"s{k}"), seed=k))
        store.close()
    fixed_bank = _summary("bank fixed", fixed_memory)
    adaptive_memory = _summary("adaptive memory", cat_memory)
    _summary("adaptive store", cat_stored)
    print(
        f"adaptive / fixed step on the bank in memory (median): {adaptive_memory / fixed_bank:.2f}x"
    )
    print(
        f"finish + results: {finishing * 1e3:.0f} ms; first PDF (imports WeasyPrint): {pdf:.2f} s"
    )
    print("load average", os.getloadavg())


if __name__ == "__main__":
    main()
