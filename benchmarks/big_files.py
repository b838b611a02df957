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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
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
