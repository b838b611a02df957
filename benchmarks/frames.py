"""In-memory scoring from data frames, side by side in one run (issue 10, point 7).

    python benchmarks/frames.py                         # 1,000,000 x 60, R included
    python benchmarks/frames.py --rows 200000 --repeats 3 --skip-r

The same numbers (benchmarks/synthetic.py: 60 five-point items, 5% missing) as: a
float64 array (the baseline), a pandas DataFrame of float64 columns, pandas nullable Int8
and Int32 (R's integer width), pandas int8[pyarrow], a pyarrow Table of int8 columns with
nulls (what Parquet gives), a polars DataFrame of Int8, and, in R, psych's scoreVeryFast on
a numeric matrix and on the integer data.frame that data.table::fread returns. Every
candidate runs once per round in interleaved rounds (median and minimum reported), and
every profdiag result must equal the array's scores exactly. The script imports only the
public API, so it also measures an older checkout (PYTHONPATH=old/src) for before/after
figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import profdiag
import synthetic
from profdiag._instrument import instrument_from_document
from run import (
    PsychSession,
    Timing,
    agreement,
    heading,
    load_note,
    print_environment,
    print_table,
    psych_unavailable,
    python_timer,
    ratio,
    scale_keys,
    seconds,
    time_interleaved,
)

ARRAY = "float64 array"
TARGET_VS_VERY_FAST_INT = 10.0
TARGET_FRAME_VS_ARRAY = 1.2


def frames(values: np.ndarray, item_ids: Sequence[str], skip: set[str]) -> dict[str, Any]:
    """The data as each kind of table (made untimed)."""
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    data: dict[str, Any] = {ARRAY: values}
    float_frame = pd.DataFrame(values, columns=list(item_ids))
    data["pandas DataFrame, float64 columns"] = float_frame
    nullable = float_frame.astype("Int8")
    data["pandas DataFrame, nullable Int8"] = nullable
    data["pandas DataFrame, nullable Int32 (R's integer width)"] = float_frame.astype("Int32")
    data["pandas DataFrame, int8[pyarrow]"] = nullable.astype("int8[pyarrow]")
    table = pa.Table.from_pandas(nullable, preserve_index=False)
    data["pyarrow Table, int8 with nulls"] = table
    data["polars DataFrame, Int8"] = pl.from_arrow(table)
    return {label: frame for label, frame in data.items() if not any(s in label for s in skip)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--skip", action="append", default=[], help="skip candidates by name")
    args = parser.parse_args(argv)

    print_environment()
    document = synthetic.instrument_document()
    instrument = instrument_from_document(document)
    keys = scale_keys(document)
    item_ids = [item["id"] for item in document["items"]]
    values = synthetic.responses(args.rows)
    data = frames(values, item_ids, set(args.skip))
    heading(f"In memory from tables, {args.rows:,} x {len(item_ids)}")
    reference = profdiag.score(instrument, values)
    for label, table in data.items():
        result = profdiag.score(instrument, table)
        same = np.array_equal(result.raw, reference.raw, equal_nan=True)
        print(f"- {label}: scores equal to the array's exactly: {'yes' if same else 'NO'}")

    candidates: dict[str, Callable[[], float]] = {
        f"profdiag.score, {label}": python_timer(
            lambda table=table: profdiag.score(instrument, table)
        )
        for label, table in data.items()
    }
    why_not = "skipped (--skip-r)" if args.skip_r else psych_unavailable()
    psych_scores: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="profdiag-frames-r-") as workdir:
        session = None
        if why_not is None:
            print("- starting R and loading the data into it (not timed) ...", flush=True)
            session = PsychSession(values, keys, item_ids, Path(workdir))
            candidates["R psych scoreVeryFast, numeric matrix"] = session.timer("scoreVeryFast")
            candidates["R psych scoreVeryFast, integer data.frame (as fread)"] = session.timer(
                "scoreVeryFastInt"
            )
        try:
            print(f"- {load_note()} (before)")
            print(f"- {args.repeats} interleaved rounds after one untimed warm-up each", flush=True)
            timings = time_interleaved(candidates, args.repeats)
            if session is not None:
                psych_scores = session.scores()
        finally:
            if session is not None:
                session.close()
    print(f"- {load_note()} (after)")
    report(timings, why_not)
    for label, scores in psych_scores.items():
        agreement(f"psych {label}", reference.raw, reference.status, scores)


def report(timings: dict[str, Timing], why_not: str | None) -> None:
    base = timings[f"profdiag.score, {ARRAY}"]
    rows = [
        [
            timing.label,
            str(len(timing.seconds)),
            seconds(timing.median),
            seconds(timing.min),
            ratio(timing.median / base.median),
        ]
        for timing in timings.values()
    ]
    print()
    print_table(["what (same data, same run)", "runs", "median", "min", "median / array"], rows)
    print()
    if why_not is not None:
        print(f"- R psych not measured: {why_not}.")
        return
    r_int = timings["R psych scoreVeryFast, integer data.frame (as fread)"].median
    for label, timing in timings.items():
        if label.startswith("profdiag") and any(
            kind in label for kind in ("Int8", "int8", "Int32")
        ):
            speedup = r_int / timing.median
            print(
                f"- scoreVeryFast on the integer data.frame / {label}: {speedup:.1f}x "
                f"(target {TARGET_VS_VERY_FAST_INT:g}x: "
                f"{'met' if speedup >= TARGET_VS_VERY_FAST_INT else 'NOT met'})"
            )
    pandas = timings.get("profdiag.score, pandas DataFrame, float64 columns")
    if pandas is not None:
        slower = pandas.median / base.median
        print(
            f"- pandas DataFrame / array: {slower:.2f}x (target <= {TARGET_FRAME_VS_ARRAY}x: "
            f"{'met' if slower <= TARGET_FRAME_VS_ARRAY else 'NOT met'})"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
