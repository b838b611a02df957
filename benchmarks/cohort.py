"""Timing of `profdiag.cohort_tables` (disclosure control included) as groups grow.

    python benchmarks/cohort.py                     # 10, 30 and 100 schools, one round each
    python benchmarks/cohort.py --schools 30 100 300 --repeats 3

Data: the seeded generator of the sample cohort (examples/make_cohort.py) with S schools
in 10 municipalities, 2 to 59 pupils per school and year (so about one school in 20 is
below k = 5 and merges), two years, the intentions survey. Timed: scoring (baseline) and
`cohort_tables` with `by=["municipality", "school"]`, interleaved; wall clock, with the
load average printed (other processes on the machine add noise). The disclosure audit
solves linear programs (scipy HiGHS) whose size grows with groups x categories.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import profdiag

ROOT = Path(__file__).resolve().parents[1]


def make(schools: int, out: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_cohort", ROOT / "examples" / "make_cohort.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(1)
    module.SCHOOLS = {
        f"M{m}": {
            f"S{m}-{s}": (int(rng.integers(2, 60)), int(rng.integers(2, 60)))
            for s in range(schools // 10)
        }
        for m in range(10)
    }
    module.OUT = out
    module.main()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    survey = profdiag.load_instrument("profdiag-intentions-9-11")
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        for schools in args.schools:
            path = Path(folder) / f"cohort-{schools}.csv"
            make(schools, path)
            with path.open(encoding="utf-8", newline="") as handle:
                table = list(csv.DictReader(handle))
            columns = {name: [row[name] for row in table] for name in table[0]}
            other = ["year", "municipality", "school", "grade"]
            scoring, tabling = [], []
            for _ in range(args.repeats):
                start = time.perf_counter()
                result = profdiag.score(survey, columns, id_column="id", other_columns=other)
                scoring.append(time.perf_counter() - start)
                start = time.perf_counter()
                tables = profdiag.cohort_tables(
                    survey, result, columns, by=["municipality", "school"]
                )
                tabling.append(time.perf_counter() - start)
            withheld = sum(1 for row in tables.rows if row.suppressed)
            print(
                f"{schools} schools, {len(table)} pupils: "
                f"score {statistics.median(scoring):.2f} s, "
                f"cohort_tables {statistics.median(tabling):.2f} s "
                f"({statistics.median(tabling) / statistics.median(scoring):.0f}x scoring); "
                f"{len(tables.rows)} rows, {withheld} withheld"
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
