"""Archive formats: reading SPSS .sav, Excel .xlsx and JSON Lines against CSV, and recoding
text labels through a mapping file, in one process.

    python benchmarks/archives.py                        # 1,000,000 rows (.xlsx: 100,000)
    python benchmarks/archives.py --rows 100000 --xlsx-rows 20000 --repeats 2

Data: benchmarks/synthetic.py (seeded; 60 five-point items, 5% of cells missing) with a
text `id` column (1..N), written once (untimed) as CSV, as .sav
(pyreadstat; F8.0 numeric items, as SPSS stores codes), as JSON Lines and, for fewer rows,
as .xlsx (openpyxl, write-only mode; numbers as numbers). A labelled CSV spells each answer
as its Russian label ("Совершенно согласен", ...) for the mapping.

Timed, interleaved in rounds so that load from other processes falls on all alike:
`read_table` of each file (the baseline is reading the CSV of the same rows), the libraries'
own reading as the floor (pyreadstat.read_sav to pandas; python-calamine's to_python),
and `apply_mapping` recoding the 60 labelled columns read from CSV. Wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import synthetic
from run import csv_bytes, load_note, print_table

SEED = 20261127
LABELS = [
    "Совершенно не согласен",
    "Скорее не согласен",
    "Затрудняюсь ответить",
    "Скорее согласен",
    "Совершенно согласен",
]


def write_inputs(folder: Path, rows: int, xlsx_rows: int) -> dict[str, Path]:
    import pandas as pd
    import pyreadstat

    values = synthetic.responses(rows, SEED)
    items = [synthetic.item_id(i) for i in range(synthetic.N_ITEMS)]
    ids = [str(n) for n in range(1, rows + 1)]  # as csv_bytes writes them
    paths = {name: folder / name for name in ("data.csv", "data.sav", "data.jsonl")}
    paths["data.csv"].write_bytes(csv_bytes(values, items))
    frame = pd.DataFrame(values, columns=items)
    frame.insert(0, "id", ids)
    pyreadstat.write_sav(
        frame, str(paths["data.sav"]), variable_format=dict.fromkeys(items, "F8.0")
    )
    with paths["data.jsonl"].open("w", encoding="utf-8") as file:
        for person, row in zip(ids, values.tolist(), strict=True):
            cells = {
                k: (None if math.isnan(v) else int(v)) for k, v in zip(items, row, strict=True)
            }
            file.write(json.dumps({"id": person, **cells}) + "\n")
    labelled = np.array(["", *LABELS], dtype=object)
    codes = np.nan_to_num(values, nan=0).astype(np.int8)
    text = ["id," + ",".join(items)]
    for person, row in zip(ids, labelled[codes], strict=True):
        text.append(person + "," + ",".join(row))
    paths["labelled.csv"] = folder / "labelled.csv"
    paths["labelled.csv"].write_text("\n".join(text) + "\n", encoding="utf-8")
    (folder / "map.json").write_text(
        json.dumps(
            {
                "recode": {"likert5": {label: n for n, label in enumerate(LABELS, 1)}},
                "apply": {"likert5": "*"},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    if xlsx_rows:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("answers")
        sheet.append(["id", *items])
        for person, row in zip(ids[:xlsx_rows], values[:xlsx_rows].tolist(), strict=True):
            sheet.append([person, *(None if math.isnan(v) else int(v) for v in row)])
        book.save(folder / "data.xlsx")
        paths["data.xlsx"] = folder / "data.xlsx"
        (folder / "data-xlsx-rows.csv").write_bytes(csv_bytes(values[:xlsx_rows], items))
        paths["data-xlsx-rows.csv"] = folder / "data-xlsx-rows.csv"
    return paths


def timed(function: Callable[[], Any]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> None:
    import profdiag
    from profdiag._io import read_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"- Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.rows:,} rows")
    with tempfile.TemporaryDirectory(prefix="profdiag-bench-archives-") as name:
        folder = Path(name)
        start = time.perf_counter()
        paths = write_inputs(folder, args.rows, args.xlsx_rows)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in paths.values())
        print(f"- data written (untimed, {time.perf_counter() - start:.0f} s): {sizes}")
        mapping = profdiag.load_mapping(folder / "map.json")
        instrument = profdiag.parse_instrument(json.dumps(synthetic.instrument_document()))
        labelled = read_table(paths["labelled.csv"])

        def floor_sav() -> None:
            import pyreadstat

            pyreadstat.read_sav(str(paths["data.sav"]))

        def floor_xlsx() -> None:
            from python_calamine import CalamineWorkbook

            CalamineWorkbook.from_path(str(paths["data.xlsx"])).get_sheet_by_index(0).to_python(
                skip_empty_area=False
            )

        candidates: dict[str, Callable[[], Any]] = {
            f"read CSV, {args.rows:,} rows (baseline)": lambda: read_table(paths["data.csv"]),
            f"read .sav, {args.rows:,} rows": lambda: read_table(paths["data.sav"]),
            "  pyreadstat.read_sav alone (floor)": floor_sav,
            f"read .jsonl, {args.rows:,} rows": lambda: read_table(paths["data.jsonl"]),
            f"recode 60 labelled columns, {args.rows:,} rows (apply_mapping)": lambda: (
                profdiag.apply_mapping(labelled.columns, mapping, instrument=instrument)
            ),
        }
        if args.xlsx_rows:
            candidates |= {
                f"read CSV, {args.xlsx_rows:,} rows (baseline)": lambda: read_table(
                    paths["data-xlsx-rows.csv"]
                ),
                f"read .xlsx, {args.xlsx_rows:,} rows": lambda: read_table(paths["data.xlsx"]),
                "  calamine to_python alone (floor)": floor_xlsx,
            }
        print(f"- {load_note()} (before)", flush=True)
        runs: dict[str, list[tuple[float, float]]] = {label: [] for label in candidates}
        for round_ in range(args.repeats):
            for label, function in candidates.items():
                runs[label].append(timed(function))
                wall, cpu = runs[label][-1]
                print(
                    f"  round {round_ + 1}: {label}: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True
                )
        print(f"- {load_note()} (after)")
    print()
    print_table(
        ["what", "runs", "wall median", "wall min", "CPU median"],
        [
            [
                label,
                str(len(times)),
                f"{statistics.median(w for w, _ in times):.2f} s",
                f"{min(w for w, _ in times):.2f} s",
                f"{statistics.median(c for _, c in times):.2f} s",
            ]
            for label, times in runs.items()
        ],
    )


if __name__ == "__main__":
    main()
