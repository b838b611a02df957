"""`profdiag score ... --dask-scheduler ADDRESS`: raw scores computed on a Dask cluster.

The workers read DATA (CSV or Parquet, a file or a folder of Parquet files, at a path
every worker can read) and score their partitions with `score_dask`; the scores come back
to this process, which writes them as a folder of Parquet files, one per partition, each
written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from profdiag._instrument.model import Instrument
from profdiag.cli._errors import fail


def score_on_cluster(
    definition: Instrument,
    data: Path,
    out: Path | None,
    scheduler: str,
    *,
    id_column: str,
    lenient: bool,
    file_format: str | None,
    answers_column: str | None = None,
) -> None:
    from profdiag._io.atomic import write_atomically
    from profdiag._scoring.distributed import score_dask

    if out is None:
        fail("--dask-scheduler needs --out FOLDER (the scores are written as Parquet files)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        fail(f"{out}: --out with --dask-scheduler must be a new or empty folder")
    try:
        import dask.dataframe as dd
        import pyarrow as pa
        import pyarrow.parquet as pq
        from distributed import Client
    except ImportError:
        fail("--dask-scheduler needs dask and distributed: pip install 'profdiag[dask]'")
    kind = file_format or ("parquet" if data.is_dir() else data.suffix.lstrip(".").lower())
    frame: Any
    if kind == "parquet":
        frame = dd.read_parquet(str(data))
    elif kind in ("csv", "tsv"):
        # Cells as text, an empty cell as "" (no answer), as profdiag's own CSV reader does.
        frame = dd.read_csv(
            str(data), sep="\t" if kind == "tsv" else ",", dtype=str, keep_default_na=False
        )
    else:
        fail(f"{data}: --dask-scheduler reads CSV, TSV or Parquet; got {kind!r}")
    ids = id_column if id_column in frame.columns else None
    others = [
        name
        for name in frame.columns
        if name not in {item.id for item in definition.items} and name != answers_column
    ]
    lazy = score_dask(
        definition,
        frame,
        strict=not lenient,
        id_column=ids,
        other_columns=[name for name in others if name != ids],
        source=str(data),
        answers_column=answers_column,
    )
    out.mkdir(parents=True, exist_ok=True)
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        futures = client.compute(lazy.to_delayed())
        rows = 0
        for number, future in enumerate(futures):
            scores = future.result()
            sink = pa.BufferOutputStream()
            pq.write_table(pa.Table.from_pandas(scores, preserve_index=ids is None), sink)
            write_atomically(out / f"part-{number:05d}.parquet", memoryview(sink.getvalue()))
            rows += len(scores)
    click.echo(
        f"profdiag: {data}: {rows} row(s) scored on {scheduler}, {len(futures)} part(s) "
        f"written to {out}",
        err=True,
    )
