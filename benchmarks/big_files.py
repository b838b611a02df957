"""Files larger than memory is comfortable with: 10,000,000 rows x 60 items through
`profdiag score`, CSV -> CSV and Parquet -> Parquet, wall and CPU time and peak memory.

    python benchmarks/big_files.py --data /tmp/profdiag-10m            # 10M rows, 2 rounds
    python benchmarks/big_files.py --data /tmp/profdiag-1m --rows 1000000

The data (as in benchmarks/files.py: seeded synthetic answers, 5% missing, an `id`
column 1..N; CSV one digit or nothing per cell, Parquet int64 id and nullable int8 items)
is written once, in blocks of a million rows, into the folder given and kept there for the
next run (about 1.2 GB of CSV and 0.3 GB of Parquet for 10M rows). Rounds interleave the
two commands; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

import synthetic
from files import SEED, run_command
from run import cli_command, load_note, print_table

BLOCK = 1_000_000


def csv_block(values: np.ndarray, first_id: int) -> bytes:
    """Rows as CSV lines: the id, then one digit per item (empty if NaN); built as a byte
    matrix with a filler byte where a cell is shorter, then squeezed (as run.csv_bytes)."""
    n_rows, n_items = values.shape
    filler = 0
    ids = np.arange(first_id, first_id + n_rows)
    width = len(str(int(ids[-1])))
    matrix = np.empty((n_rows, width + 1 + 2 * n_items), dtype=np.uint8)
    for position in range(width):
        power = 10 ** (width - 1 - position)
        digit = (ids // power) % 10 + ord("0")
        matrix[:, position] = np.where(ids >= power, digit, filler)  # no leading zeros
    matrix[:, width] = ord(",")
    cells = matrix[:, width + 1 :].reshape(n_rows, n_items, 2)
    missing = np.isnan(values)
    cells[:, :, 0] = np.where(missing, filler, np.where(missing, 0, values) + ord("0"))
    cells[:, :, 1] = ord(",")
    cells[:, -1, 1] = ord("\n")
    return matrix.tobytes().replace(bytes([filler]), b"")


def write_data(folder: Path, n_rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path, parquet_path = folder / "data.csv", folder / "data.parquet"
    if csv_path.exists() and parquet_path.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    item_ids = [synthetic.item_id(i) for i in range(synthetic.N_ITEMS)]
    schema = pa.schema([("id", pa.int64()), *((item, pa.int8()) for item in item_ids)])
    with csv_path.open("wb") as csv_file, pq.ParquetWriter(parquet_path, schema) as parquet:
        csv_file.write((",".join(["id", *item_ids]) + "\n").encode("ascii"))
        for block, start in enumerate(range(0, n_rows, BLOCK)):
            values = synthetic.responses(min(BLOCK, n_rows - start), SEED + block)
            csv_file.write(csv_block(values, start + 1))
            columns = [pa.array(np.arange(start + 1, start + 1 + len(values), dtype=np.int64))]
            for i in range(values.shape[1]):
                column = values[:, i]
                missing = np.isnan(column)
                columns.append(pa.array(np.where(missing, 0, column).astype(np.int8), mask=missing))
            parquet.write_table(pa.Table.from_arrays(columns, schema=schema))
    (folder / "synthetic.json").write_text(
        json.dumps(synthetic.instrument_document()), encoding="utf-8"
    )


def stages(data: Path, definition: Path) -> dict[str, tuple[float, float]]:
    """The batched `score` command's stages in this process, summed over the batches
    (wall, CPU): reading a batch, scoring it and laying out its table, writing it."""
    import time

    from profdiag._instrument import load_instrument
    from profdiag._io.atomic import streaming_atomically
    from profdiag._io.streaming import ScoreWriter, batched_file
    from profdiag.cli._streaming import _Batches, _Columns

    instrument = load_instrument(definition)
    batched = batched_file(data, "utf-8-sig", None, None, min_bytes=0)
    assert batched is not None
    found = _Columns("id", [], [], [], False)
    run = _Batches(instrument, data, found, None, 0.9, False, None, False)
    totals = {name: [0.0, 0.0] for name in ("read", "score + table", "write")}
    out = data.with_name("stages-out" + data.suffix)
    kind = "parquet" if data.suffix == ".parquet" else "csv"
    batches = iter(batched)

    def timed(name: str, function: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        totals[name][0] += time.perf_counter() - wall
        totals[name][1] += time.process_time() - cpu
        return result

    with streaming_atomically(out) as stream:
        writer = ScoreWriter(stream, kind, {})
        while (batch := timed("read", lambda: next(batches, None))) is not None:
            scored = timed("score + table", lambda b=batch: run.scored(b))
            run.rows += batch.n_rows
            timed("write", lambda s=scored: writer.write(s[0], s[1]))
        timed("write", writer.close)
    out.unlink()
    return {name: (wall, cpu) for name, (wall, cpu) in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--stages", action="store_true", help="only time the stages")
    args = parser.parse_args()
    if args.stages:
        write_data(args.data, args.rows)
        for name in ("data.csv", "data.parquet"):
            times = stages(args.data / name, args.data / "synthetic.json")
            shown = ", ".join(f"{k} {w:.2f}/{c:.2f}" for k, (w, c) in times.items())
            print(f"stages of {name} (wall/CPU s): {shown}", flush=True)
        return
    write_data(args.data, args.rows)
    sizes = {name: (args.data / name).stat().st_size / 1e6 for name in ("data.csv", "data.parquet")}
    print(f"- Python {sys.version.split()[0]}, {args.rows:,} rows, {sizes} MB")
    cli = [*cli_command(), "score", "synthetic.json"]
    commands = {
        "CSV -> CSV": [*cli, "data.csv", "--out", "scores.csv"],
        "Parquet -> Parquet": [*cli, "data.parquet", "--out", "scores.parquet"],
    }
    print(f"- {load_note()} (before)", flush=True)
    runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label in commands}
    for round_ in range(args.repeats):
        for label, command in commands.items():
            wall, cpu, rss = run_command(command, args.data)
            runs[label].append((wall, cpu, rss))
            print(
                f"  round {round_ + 1}: {label}: wall {wall:.2f} s, CPU {cpu:.2f} s, "
                f"peak RSS {rss:.0f} MB",
                flush=True,
            )
    print(f"- {load_note()} (after)")
    print_table(
        ["command", "runs", "wall median", "CPU median", "peak RSS (max)"],
        [
            [
                label,
                str(len(found)),
                f"{statistics.median(w for w, _, _ in found):.2f} s",
                f"{statistics.median(c for _, c, _ in found):.2f} s",
                f"{max(r for _, _, r in found):.0f} MB",
            ]
            for label, found in runs.items()
        ],
    )


if __name__ == "__main__":
    main()
