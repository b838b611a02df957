"""Timing of survey items (nominal, multiple select, text) in `profdiag.score`.

    python benchmarks/survey.py                    # 100,000 rows, 5 rounds
    python benchmarks/survey.py --rows 1000000 --repeats 3

Data: N seeded respondents of the bundled `profdiag-intentions-9-11` survey (3 nominal
items as option numbers, 3 multiple-select items as "1;3;5" lists of 1-3 codes, 4 text
items mostly empty with one in 50 filled, 8 Likert items), written once as CSV and read
with `profdiag._io.read_table` (untimed: Arrow columns, as the CLI reads them).

Timed, interleaved in each round: (a) the survey items' validation alone
(`_scoring.survey.split_survey_items`), (b) `profdiag.score` on the whole table, and the
baseline (c) `profdiag.score` of the same 8 Likert items with an instrument that has the
decidedness scale only, on the same table's Likert columns. Wall clock; the load average
is printed before and after (other processes on the machine add noise).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import profdiag
from profdiag._instrument import instrument_from_document
from profdiag._io import read_table
from profdiag._scoring.inputs import Columns
from profdiag._scoring.plan import compile_plan
from profdiag._scoring.survey import split_survey_items

SEED = 20261130
ROOT = Path(__file__).resolve().parents[1]


def survey_csv(path: Path, n_rows: int) -> None:
    rng = np.random.default_rng(SEED)
    instrument = profdiag.load_instrument("profdiag-intentions-9-11")
    names = [item.id for item in instrument.items]
    columns: dict[str, Any] = {}
    for item in instrument.items:
        fmt = instrument.format_of(item)
        if fmt.type == "nominal":
            columns[item.id] = rng.integers(1, len(fmt.options) + 1, n_rows).astype(str)
        elif fmt.type == "multiple_select":
            k = len(fmt.options) - 1  # the last option is exclusive: left out
            picks = [sorted(set(rng.integers(1, k + 1, rng.integers(1, 4)))) for _ in range(n_rows)]
            columns[item.id] = np.array([";".join(map(str, p)) for p in picks])
        elif fmt.type == "text":
            filled = rng.random(n_rows) < 0.02
            columns[item.id] = np.where(filled, "что-то своё, через запятую", "")
        else:
            columns[item.id] = rng.integers(1, 6, n_rows).astype(str)
    quoted = {
        name: np.char.add(np.char.add('"', columns[name]), '"')
        if instrument.format_of(instrument.items[instrument.item_index[name]]).type == "text"
        else columns[name]
        for name in names
    }
    with path.open("w", encoding="utf-8") as stream:
        stream.write(",".join(names) + "\n")
        for row in range(n_rows):
            stream.write(",".join(str(quoted[name][row]) for name in names) + "\n")


def likert_only() -> profdiag.Instrument:
    document = json.loads(
        (ROOT / "instruments" / "profdiag-intentions-9-11.json").read_text(encoding="utf-8")
    )
    document = copy.deepcopy(document)
    document["id"] = "likert-baseline"
    document["items"] = [i for i in document["items"] if i["format"] == "agree5"]
    document["response_formats"] = {"agree5": document["response_formats"]["agree5"]}
    return instrument_from_document(document)


def timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    survey = profdiag.load_instrument("profdiag-intentions-9-11")
    baseline = likert_only()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.csv"
        survey_csv(path, args.rows)
        table = read_table(path)
    plan = compile_plan(survey)
    likert = {name: table.columns[name] for name in (i.id for i in baseline.items)}
    profdiag.score(survey, table.columns)  # warm-up: compile plans, import pyarrow.compute
    profdiag.score(baseline, likert)
    times: dict[str, list[float]] = {
        "survey items only": [],
        "score, survey": [],
        "score, Likert only": [],
    }
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.rows:,} rows")
    for _ in range(args.repeats):
        times["survey items only"].append(
            timed(lambda: split_survey_items(plan, Columns(table.columns, table.n_rows)))
        )
        times["score, survey"].append(timed(lambda: profdiag.score(survey, table.columns)))
        times["score, Likert only"].append(timed(lambda: profdiag.score(baseline, likert)))
    base = statistics.median(times["score, Likert only"])
    for label, values in times.items():
        median = statistics.median(values)
        print(f"{label:20s} median {median:.3f} s  (x{median / base:.1f} the Likert-only score)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
