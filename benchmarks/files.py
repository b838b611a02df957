"""Files end to end through the CLI: CSV -> CSV and Parquet -> Parquet, wall and CPU time.

    python benchmarks/files.py                      # 1,000,000 rows, 3 rounds
    python benchmarks/files.py --rows 100000 --repeats 2

Data: benchmarks/synthetic.py (seeded; 60 five-point items, 5% of cells missing) with an
`id` column 1..N, written once (untimed) as CSV (one digit or nothing per cell) and, when
pyarrow can be imported, as Parquet (an int64 id column and 60 nullable int8 item columns,
as a survey archive stores them). Timed: `profdiag score synthetic.json DATA --out OUT`
as a subprocess, wall clock and the CPU time (user + system) the process and its threads
used, read from `os.wait4`, and the peak resident memory (from /usr/bin/time, when
installed). Rounds interleave the commands so that load from other
processes falls on all of them alike; the load average is printed before and after.
When `Rscript` with psych and data.table is installed, R's `fread + scoreVeryFast +
fwrite` on the same CSV runs in the same rounds (started with `Rscript`, so its figure
includes R's start-up and loading the packages, as profdiag's includes Python's).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import synthetic
from run import cli_command, csv_bytes, load_note, print_table

SEED = 20261127


@dataclass
class Runs:
    label: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)  # peak resident memory, MB


def run_command(command: Sequence[str], cwd: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak resident memory (MB; NaN without /usr/bin/time) of one
    run of `command`, which must succeed. The memory is measured by /usr/bin/time, so that
    it is the command's own (a child forked from this process would count this process's
    memory at the fork)."""
    timer = shutil.which("time", path="/usr/bin")
    measured = [timer, "-f", "%M", *command] if timer else list(command)
    start = time.perf_counter()
    process = subprocess.Popen(measured, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {stderr}")
    lines = stderr.strip().splitlines()
    rss = int(lines[-1]) / 1024 if timer and lines and lines[-1].isdigit() else float("nan")
    return wall, usage.ru_utime + usage.ru_stime, rss


R_SCRIPT = """
suppressMessages({library(data.table); library(psych)})
keys <- jsonlite::fromJSON("keys.json")
data <- fread("data.csv")
scores <- scoreVeryFast(keys, data[, -1])
fwrite(data.table(id = data$id, scores), "r-scores.csv")
"""


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "library(psych); library(data.table); library(jsonlite)"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def write_parquet(values: np.ndarray, item_ids: Sequence[str], path: Path) -> bool:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return False
    n_rows = values.shape[0]
    columns = {"id": pa.array(np.arange(1, n_rows + 1, dtype=np.int64))}
    for i, item in enumerate(item_ids):
        column = values[:, i]
        missing = np.isnan(column)
        columns[item] = pa.array(
            np.where(missing, 0, column).astype(np.int8), mask=missing, type=pa.int8()
        )
    pq.write_table(pa.table(columns), path)
    return True


def stages(data: Path, out: Path, definition: Path) -> dict[str, tuple[float, float]]:
    """The `score` command's stages in this process, each timed (wall, CPU): reading,
    scoring from the table's columns, laying out the score table, writing it. (The CLI
    standardises only instruments with norms or bands; the synthetic one has neither.)"""
    import profdiag
    from profdiag._instrument import load_instrument
    from profdiag._io import read_table, score_table, write_table

    instrument = load_instrument(definition)
    times: dict[str, tuple[float, float]] = {}

    def timed(name: str, function: Any) -> Any:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    table = timed("read_table", lambda: read_table(data))
    id_name = "id" if "id" in table.columns else None
    result = timed("score", lambda: profdiag.score(instrument, table.columns, id_column=id_name))
    header, columns = timed(
        "score_table",
        lambda: score_table(result, None, id_name=id_name or "row", normed=False, bands=False),
    )
    timed("write_table", lambda: write_table(out, header, columns, {}))
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-parquet", action="store_true")
    parser.add_argument(
        "--stages", action="store_true", help="also time the stages in this process"
    )
    args = parser.parse_args(argv)
    values = synthetic.responses(args.rows, SEED)
    item_ids = [synthetic.item_id(i) for i in range(synthetic.N_ITEMS)]
    print(f"- Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.rows:,} rows")
    with tempfile.TemporaryDirectory(prefix="profdiag-bench-files-") as folder:
        workdir = Path(folder)
        (workdir / "data.csv").write_bytes(csv_bytes(values, item_ids))
        (workdir / "synthetic.json").write_text(
            json.dumps(synthetic.instrument_document()), encoding="utf-8"
        )
        cli = [*cli_command(), "score", "synthetic.json"]
        commands = {"CSV -> CSV (profdiag CLI)": [*cli, "data.csv", "--out", "scores.csv"]}
        size = f"CSV {(workdir / 'data.csv').stat().st_size / 1e6:.1f} MB"
        if not args.skip_parquet and write_parquet(values, item_ids, workdir / "data.parquet"):
            commands["Parquet -> Parquet (profdiag CLI)"] = [
                *cli,
                "data.parquet",
                "--out",
                "scores.parquet",
            ]
            size += f", Parquet {(workdir / 'data.parquet').stat().st_size / 1e6:.1f} MB"
        if r_available():
            keys = {
                scale["id"]: [
                    ("-" if entry["reverse"] else "") + entry["item"] for entry in scale["items"]
                ]
                for scale in synthetic.instrument_document()["scales"]
            }
            (workdir / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
            (workdir / "score.R").write_text(R_SCRIPT, encoding="utf-8")
            commands["CSV -> CSV (R fread + scoreVeryFast + fwrite)"] = ["Rscript", "score.R"]
        else:
            print("- Rscript with psych, data.table and jsonlite: not installed, R not timed")
        print(f"- data written (untimed): {size}")
        print(f"- {load_note()} (before)", flush=True)
        runs = {label: Runs(label) for label in commands}
        for round_ in range(args.repeats):
            for label, command in commands.items():
                wall, cpu, rss = run_command(command, workdir)
                runs[label].wall.append(wall)
                runs[label].cpu.append(cpu)
                runs[label].rss.append(rss)
                print(
                    f"  round {round_ + 1}: {label}: wall {wall:.2f} s, CPU {cpu:.2f} s, "
                    f"peak RSS {rss:.0f} MB",
                    flush=True,
                )
        print(f"- {load_note()} (after)")
        if args.stages:
            inputs = ["data.csv"] + (["data.parquet"] if "Parquet" in " ".join(runs) else [])
            for name in inputs:
                for round_ in range(args.repeats):
                    out = workdir / ("stages-out" + Path(name).suffix)
                    times = stages(workdir / name, out, workdir / "synthetic.json")
                    shown = ", ".join(f"{k} {w:.2f}/{c:.2f}" for k, (w, c) in times.items())
                    print(f"  stages of {name}, round {round_ + 1} (wall/CPU s): {shown}")
    print()
    print_table(
        ["command", "runs", "wall median", "wall min", "CPU median", "CPU min", "peak RSS"],
        [
            [
                r.label,
                str(len(r.wall)),
                f"{statistics.median(r.wall):.2f} s",
                f"{min(r.wall):.2f} s",
                f"{statistics.median(r.cpu):.2f} s",
                f"{min(r.cpu):.2f} s",
                f"{max(r.rss):.0f} MB",
            ]
            for r in runs.values()
        ],
    )


if __name__ == "__main__":
    main()
