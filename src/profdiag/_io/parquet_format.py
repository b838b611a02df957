"""Parquet in and out, through pyarrow.

A Parquet file is read whole, on all cores, with its column types as they are: numbers
are scored as numbers, text as text (as a CSV cell is), booleans are never answers, and a
null is no answer. Score tables are written with typed columns (float64 scores with null
where a scale could not be scored, int64 counts, text labels) and the instrument's
provenance in the file's key-value metadata under "profdiag".
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array, numeric_array
from profdiag._io.atomic import write_atomically
from profdiag._io.score_table import WHOLE_NUMBER_COLUMNS
from profdiag._io.text_files import UnreadableFile, read_bytes
from profdiag.errors import CellProblem, ResponseDataError

if TYPE_CHECKING:
    import pyarrow as pa


def read_parquet(path: str | os.PathLike[str]) -> tuple[dict[str, ArrowColumn], int]:
    """The columns of a Parquet file by name, and its number of rows.

    Raises
    ------
    ResponseDataError
        The file cannot be read, is not a Parquet file (or is damaged), has an empty or
        repeated column name, or holds text that is not UTF-8.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = str(path)
    try:
        data = read_bytes(path)
    except UnreadableFile as error:
        raise ResponseDataError(
            source, [CellProblem(-1, "(file)", error.seen, error.expected)]
        ) from None
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        names = parquet.schema_arrow.names
        table = parquet.read() if len(set(names)) == len(names) else None
    except (pa.ArrowException, OSError, ValueError) as error:
        raise ResponseDataError(
            source,
            [
                CellProblem(
                    -1,
                    "(file)",
                    f"a file that is not Parquet or is damaged ({_first_line(error)})",
                    "a Parquet file",
                )
            ],
        ) from None
    problems = []
    seen: set[str] = set()
    for position, name in enumerate(names):
        if not name.strip():
            problems.append(CellProblem(-1, f"(column {position + 1})", name, "a column name"))
        elif name in seen:
            problems.append(CellProblem(-1, name, name, "each column name once"))
        seen.add(name)
    if table is None:
        raise ResponseDataError(source, problems)
    for name, column in zip(names, table.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            try:
                column.validate(full=True)
            except pa.ArrowInvalid:
                problems.append(
                    CellProblem(-1, name, "text that is not UTF-8", "UTF-8 text in every cell")
                )
    if problems:
        raise ResponseDataError(source, problems)
    return {name: ArrowColumn(table.column(i)) for i, name in enumerate(names)}, table.num_rows


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def write_parquet(
    path: Path, header: Sequence[str], columns: Sequence[Any], metadata: dict[str, Any]
) -> None:
    """A score table as Parquet, written atomically (see `profdiag._io.atomic`).

    Raises
    ------
    OutputError
        The file cannot be written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = arrow_table(header, columns, metadata)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    write_atomically(path, memoryview(sink.getvalue()))


def arrow_table(
    header: Sequence[str], columns: Sequence[Any], metadata: dict[str, Any]
) -> pa.Table:
    """A score table as an Arrow table with `metadata` under "profdiag". A column with no
    value at all is typed as the column always is (int64 for stanines and stens, else
    text), so that every part of a table written in batches has one schema."""
    import pyarrow as pa

    arrays = [_arrow(column) for column in columns]
    for k, (name, array) in enumerate(zip(header, arrays, strict=True)):
        if pa.types.is_null(array.type):
            whole = name.rsplit(".", 1)[-1] in WHOLE_NUMBER_COLUMNS
            arrays[k] = array.cast(pa.int64() if whole else pa.string())
    schema_metadata = {"profdiag": json.dumps(metadata, ensure_ascii=False)}
    return pa.Table.from_arrays(arrays, names=list(header), metadata=schema_metadata)


def _arrow(column: Any) -> pa.Array | pa.ChunkedArray:
    """A column as an Arrow array: floats with null for NaN, integers, text; cells of mixed
    kinds (ids from JSON) as text."""
    import pyarrow as pa

    arrow = arrow_array(column)
    if arrow is not None:
        return arrow
    array = np.asarray(column)
    if array.dtype.kind == "f":
        return numeric_array(array, np.isnan(array))
    if array.dtype.kind in "iu":
        return numeric_array(array)
    if array.dtype.kind == "b":
        return pa.array(array)
    if array.dtype.kind == "U":
        return pa.array(array.tolist(), pa.string())
    try:
        return pa.array(array, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return pa.array([_text(cell) for cell in array.tolist()], pa.string())


def _text(cell: Any) -> str | None:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, dict | list):
        return json.dumps(cell, ensure_ascii=False)
    return repr(cell) if isinstance(cell, float) else str(cell)
