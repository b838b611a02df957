"""Timing of IRT: calibration, theta scoring on 1M x 60, adaptive item selection.

    python benchmarks/irt.py                 # 1,000,000 x 60 GRM theta, the rest as below
    python benchmarks/irt.py --rows 100000   # a quick look

Data are simulated from known parameters (seeded): a GRM bank of 60 five-category items
(a ~ U(0.8, 2.2), thresholds sorted N(0, 1)), persons theta ~ N(0, 1), 5% of answers
missing at random. Timed, wall clock, best and median of `--repeats`, after an untimed
warm-up on 10,000 rows:

- theta scoring: `estimate_theta` EAP and MAP on the category matrix, threads = one per
  CPU and one; as the baseline in the same run, the classical sum score of the same
  answers by `profdiag.score` (the threaded scoring kernel);
- calibration: 2PL on 20 items x 10,000 persons and GRM on 10 items x 5,000 persons, with
  standard errors (one E-step per parameter and direction) and item fit;
- item selection: `AdaptiveTest.next_item()` on a 500-item GRM bank, median microseconds
  over 1,000 selections at varied estimates (the 1 ms target of issue 14);
- `simulate_cat` for 1,000 examinees on the 500-item bank (SE 0.3, at most 30 items).

The load average is printed: other processes on the machine add noise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

import profdiag
from profdiag._irt.cat import AdaptiveTest, CatRules
from profdiag._irt.models import ItemBank, ItemParameters
from profdiag._irt.simulate import simulate_cat
from profdiag._irt.theta import estimate_theta

SEED = 20261130


def graded_bank(rng: np.random.Generator, size: int, categories: int = 5) -> ItemBank:
    return ItemBank(
        tuple(
            ItemParameters(
                "grm",
                float(rng.uniform(0.8, 2.2)),
                tuple(float(x) for x in np.sort(rng.normal(0, 1, categories - 1))),
            )
            for _ in range(size)
        )
    )


def simulate_answers(rng: np.random.Generator, bank: ItemBank, rows: int) -> np.ndarray:
    theta = rng.standard_normal(rows)
    answers = np.empty((rows, bank.size), dtype=np.int64)
    for start in range(0, rows, 100_000):
        block = slice(start, min(start + 100_000, rows))
        t = theta[block]
        for i, item in enumerate(bank.items):
            star = 1 / (1 + np.exp(-item.a * (t[:, None] - np.array(item.b)[None, :])))
            answers[block, i] = (rng.random((t.size, 1)) < star).sum(axis=1)
    answers[rng.random(answers.shape) < 0.05] = -1
    return answers


def timed(function: Callable[[], object], repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    print(f"profdiag {profdiag.__version__}, {os.cpu_count()} CPUs, seed {SEED}; {load()}")

    bank = graded_bank(rng, 60)
    answers = simulate_answers(rng, bank, args.rows)
    codes = np.where(answers < 0, np.nan, answers + 1.0)
    classical = profdiag.parse_instrument(
        '{"format": "profdiag-instrument/1", "id": "g", "version": "1.0", "title": {"en": "G"},'
        '"description": {"en": "G"}, "authors": ["us"], "licence": {"name": "CC0-1.0"},'
        '"source": {"citation": "us"}, "text_status": {"en": "not_shipped"},'
        '"response_formats": {"f": {"type": "likert", "codes": [1, 2, 3, 4, 5]}},'
        '"items": [' + ",".join(f'{{"id": "i{k}", "format": "f"}}' for k in range(60)) + "],"
        '"scales": [{"id": "s", "title": {"en": "S"}, "items": ['
        + ",".join(f'{{"item": "i{k}"}}' for k in range(60))
        + "]}]}"
    )
    estimate_theta(bank, answers[:10_000], "map")  # warm-up
    profdiag.score(classical, codes[:10_000])
    print(f"\ntheta scoring, {args.rows:,} x 60 GRM (5 categories), 5% missing; {load()}")
    print(f"{'what':<34}{'best s':>10}{'median s':>10}{'x sum score':>13}")
    base, base_median = timed(lambda: profdiag.score(classical, codes), args.repeats)
    print(f"{'sum score (profdiag.score)':<34}{base:>10.3f}{base_median:>10.3f}{1.0:>13.1f}")
    for method in ("eap", "map"):
        for workers in (None, 1):
            best, median = timed(
                lambda m=method, w=workers: estimate_theta(bank, answers, m, workers=w),
                args.repeats,
            )
            label = f"{method.upper()}, {'all CPUs' if workers is None else '1 thread'}"
            print(f"{label:<34}{best:>10.3f}{median:>10.3f}{best / base:>13.1f}")

    print(f"\ncalibration (EM, standard errors, S-X2); {load()}")
    two_pl_bank = ItemBank(
        tuple(
            ItemParameters("2pl", float(rng.uniform(0.8, 2)), (float(rng.normal()),))
            for _ in range(20)
        )
    )
    theta = rng.standard_normal(10_000)
    p = 1 / (1 + np.exp(-two_pl_bank.a * (theta[:, None] - two_pl_bank.b[:, 0])))
    dichotomous = (rng.random(p.shape) < p).astype(float)
    graded = simulate_answers(rng, graded_bank(rng, 10), 5_000).astype(float)
    for label, data, model in (
        ("2PL, 20 items x 10,000", dichotomous, "2pl"),
        ("GRM, 10 items x 5,000", graded, "grm"),
    ):
        start = time.perf_counter()
        fit = profdiag.calibrate(
            np.where(data < 0, np.nan, data), model, items=[f"i{k}" for k in range(data.shape[1])]
        )
        print(f"{label:<34}{time.perf_counter() - start:>10.2f} s, {fit.cycles} EM cycles")

    big = graded_bank(rng, 500)
    test = AdaptiveTest(big, CatRules(se_target=0.01, max_items=500))
    picks = []
    for step in range(1000):
        if step % 25 == 0:
            test = AdaptiveTest(big, CatRules(se_target=0.01, max_items=500), seed=step)
        start = time.perf_counter()
        item = test.next_item()
        picks.append(time.perf_counter() - start)
        test.answer(item, int(rng.integers(0, 5)))
    print(
        f"\nitem selection, 500-item GRM bank: median {statistics.median(picks) * 1e6:.0f} us, "
        f"95th percentile {np.percentile(picks, 95) * 1e6:.0f} us per next_item(); {load()}"
    )
    start = time.perf_counter()
    run = simulate_cat(big, 1000, CatRules(se_target=0.3, max_items=30), seed=SEED)
    summary = run.summary()
    print(
        f"simulate_cat, 1,000 examinees, 500 items, SE 0.3: {time.perf_counter() - start:.2f} s; "
        f"mean items {summary['mean_items']:.1f}, RMSE {summary['rmse']:.3f}, "
        f"bias {summary['bias']:+.3f}, max exposure {summary['max_exposure']:.2f}"
    )


if __name__ == "__main__":
    main()
