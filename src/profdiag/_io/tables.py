"""Reading response tables (CSV or TSV, Parquet, JSON) into named columns, and writing
score tables (CSV, Parquet, JSON).

The format is chosen by the file's extension (``.parquet``, ``.json``, ``.tsv`` or
``.tab``; anything else is CSV), or named. CSV is read as RFC 4180 describes it, every cell
as text (see `profdiag._io.csv_format`); Parquet with its column types (see
`profdiag._io.parquet_format`); JSON as a list of objects, one per respondent.
"""

from __future__ import annotations

import gc
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array
from profdiag._io.atomic import write_atomically
from profdiag._io.csv_format import (
    CELL_LIMIT,
    DELIMITER_NAMES,
    DELIMITERS,
    csv_bytes,
    read_csv,
    usable_delimiter,
)
from profdiag._io.json_text import JsonTextError, loads, position
from profdiag._io.text_files import UnreadableFile, read_bytes, read_text, text_encoding, utf8_bytes
from profdiag.errors import ArgumentError, CellProblem, OutputError, ResponseDataError

__all__ = [
    "CELL_LIMIT",
    "DELIMITERS",
    "DELIMITER_NAMES",
    "FORMATS",
    "Table",
    "collector_paused",
    "read_table",
    "table_format",
    "write_table",
]

FORMATS = ("csv", "tsv", "parquet", "json")
"""The response file formats `read_table` reads (tsv: CSV with tabs)."""

_EXTENSIONS = {".json": "json", ".parquet": "parquet", ".tsv": "tsv", ".tab": "tsv"}


@dataclass(frozen=True)
class Table:
    """Columns of cells by name, in file order.

    ``lines[r]`` is the line data row r starts on (None for Parquet, which has no lines);
    ``skipped_blank_lines`` are the numbers of lines without any character, which are not
    rows (CSV only); ``delimiter`` is the one the CSV was read with (None for JSON,
    Parquet and one-column CSV). CSV and Parquet columns are `ArrowColumn`s: sequences of
    cells backed by Arrow arrays, which scoring reads without a Python object per cell.
    """

    source: str
    columns: dict[str, Sequence[Any]]
    n_rows: int
    lines: Sequence[int] | None
    skipped_blank_lines: tuple[int, ...] = ()
    delimiter: str | None = None

    def describe_row(self, row: int) -> str:
        if row < 0:
            return "whole column"
        if self.lines is None:
            return f"data row {row + 1}"
        return f"data row {row + 1} (line {self.lines[row]})"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Building millions of small lists makes Python's cycle collector rescan them over
    and over (it tripled the time of reading a 1M-row CSV); none of them form cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def table_format(path: str | os.PathLike[str], file_format: str | None = None) -> str:
    """The format of a response file: `file_format` if given (one of `FORMATS`), else by
    the file's extension (CSV unless .parquet, .json, .tsv or .tab).

    Raises
    ------
    ArgumentError
        `file_format` is not one of `FORMATS`.
    """
    if file_format is not None:
        if file_format.lower() not in FORMATS:
            raise ArgumentError(
                f"unknown file format {file_format!r}; expected one of {', '.join(FORMATS)}"
            )
        return file_format.lower()
    return _EXTENSIONS.get(Path(path).suffix.lower(), "csv")


def read_table(
    path: str | os.PathLike[str],
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    file_format: str | None = None,
) -> Table:
    """Read a response table: CSV or TSV (header row first), Parquet, or a JSON list of
    objects (one per respondent).

    Parameters
    ----------
    path
        The file.
    encoding
        A Python codec name for CSV and JSON (Parquet text is always UTF-8); the default
        reads UTF-8 with or without a byte order mark.
    delimiter
        CSV only: the character between cells (or one of the names in `DELIMITER_NAMES`).
        None finds it in the header line (tab for TSV).
    file_format
        One of `FORMATS`; None chooses by the file's extension (see `table_format`).

    Returns
    -------
    Table
        Every cell as text (CSV), as typed in the file (Parquet) or as JSON has it; one
        row per respondent.

    Raises
    ------
    ArgumentError
        `encoding` is not a known text encoding, `delimiter` cannot be used, or
        `file_format` is unknown.
    ResponseDataError
        The file cannot be read or is not a table: missing, a folder, not readable, not
        text in `encoding`, empty, invalid CSV, JSON or Parquet, a header with an empty or
        repeated name, rows with the wrong number of cells, a cell longer than the limit.
        Each problem names the line (and column or byte offset where there is one).
    """
    from profdiag._io.parquet_format import read_parquet

    source = str(path)
    kind = table_format(path, file_format)
    if delimiter is not None:
        if kind in ("json", "parquet"):
            raise ArgumentError(
                f"a delimiter ({delimiter!r}) was given for a "
                f"{'JSON' if kind == 'json' else 'Parquet'} file"
            )
        delimiter = usable_delimiter(delimiter)
    elif kind == "tsv":
        delimiter = "\t"
    if kind == "parquet":
        columns, n_rows = read_parquet(path)
        return Table(source, dict(columns), n_rows, None)
    text_encoding(encoding)
    try:
        if kind == "json":
            text = read_text(path, encoding)
        else:
            data, start = utf8_bytes(read_bytes(path), encoding, source)
    except UnreadableFile as error:
        raise ResponseDataError(
            source, [CellProblem(-1, "(file)", error.seen, error.expected)]
        ) from None
    if kind == "json":
        with collector_paused():
            return _json_table(text, source)
    table = read_csv(data, start, source, encoding, delimiter)
    return Table(
        source,
        dict(table.columns),
        table.n_rows,
        table.lines,
        table.skipped_blank_lines,
        table.delimiter,
    )


def _json_table(text: str, source: str) -> Table:
    try:
        document = loads(text, source)
    except JsonTextError as error:
        raise ResponseDataError(
            source, [CellProblem(-1, "(file)", error.where, error.expected)]
        ) from None
    if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
        raise ResponseDataError(
            source,
            [
                CellProblem(
                    -1,
                    "(file)",
                    type(document).__name__,
                    "a JSON list of objects, one per respondent",
                )
            ],
        )
    names: dict[str, None] = {}
    for row in document:
        names.update(dict.fromkeys(row))
    columns: dict[str, Sequence[Any]] = {
        name: [row.get(name) for row in document] for name in names
    }
    return Table(source, columns, len(document), [row + 1 for row in range(len(document))])


def write_table(
    path: Path | None,
    header: list[str],
    columns: Sequence[Any],
    metadata: dict[str, Any],
) -> str | None:
    """CSV (by default), Parquet (when the path ends in .parquet) or JSON (.json); None as
    the path returns CSV text.

    Columns are numpy arrays or Arrow-backed columns, formatted a column at a time (CSV:
    floats in Python's shortest round-trip form, NaN and None as empty cells, quoted as
    `csv.writer` quotes, except that a carriage return inside a cell is quoted too). The
    file is written atomically (see `profdiag._io.atomic`): a failure leaves the previous
    file as it was.

    Raises
    ------
    OutputError
        The file cannot be written, or a cell holds text that cannot be encoded as UTF-8
        (a lone surrogate).
    """
    from profdiag._io.parquet_format import write_parquet

    kind = "csv" if path is None else _EXTENSIONS.get(path.suffix.lower(), "csv")
    try:
        if kind == "json":
            cells = [_json_cells(column) for column in columns]
            records = [dict(zip(header, row, strict=True)) for row in zip(*cells, strict=True)]
            document = {**metadata, "respondents": records}
            text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
            parts: Iterable[Any] = [text.encode("utf-8")]
        elif kind == "parquet":
            assert path is not None
            write_parquet(path, header, columns, metadata)
            return None
        else:
            parts = csv_bytes(header, columns)  # formatted now, joined while written
    except (UnicodeEncodeError, ValueError) as error:
        if not _is_surrogate_error(error):
            raise
        raise OutputError(
            f"cannot write {path if path is not None else 'the output'}: "
            + _surrogate_cell(header, columns, kind)
        ) from None
    if path is None:
        return b"".join(parts).decode("utf-8")
    write_atomically(path, parts)
    return None


def _is_surrogate_error(error: Exception) -> bool:
    return isinstance(error, UnicodeEncodeError) or "surrogate" in str(error)


def _surrogate_cell(header: list[str], columns: Sequence[Any], kind: str) -> str:
    """Where the first lone surrogate is: its line in the CSV or JSON text, else its row."""
    from profdiag._io.csv_format import _csv_text

    if kind == "csv":
        lines = [",".join(_csv_text(name) for name in header)]
        lines += [",".join(map(_csv_text, row)) for row in zip(*map(_cells, columns), strict=True)]
        text = "\n".join(lines)
    else:
        rows = zip(*map(_cells, columns), strict=True)
        records = [dict(zip(header, row, strict=True)) for row in rows]
        text = json.dumps(records, ensure_ascii=False, indent=1)
    for index, character in enumerate(text):
        if "\ud800" <= character <= "\udfff":
            line, _ = position(text, index)
            return (
                f"a cell on line {line} holds U+{ord(character):04X}, half of a surrogate "
                "pair, which is not a character and cannot be written as UTF-8"
            )
    return "a cell holds half of a surrogate pair, which cannot be written as UTF-8"


def _cells(column: Any) -> list[Any]:
    if isinstance(column, ArrowColumn):
        return column.cells
    arrow = arrow_array(column)
    if arrow is not None:
        return list(arrow.to_pylist())
    return list(np.asarray(column).tolist())


def _json_cells(column: Any) -> list[Any]:
    return [_json_cell(cell) for cell in _cells(column)]


def _json_cell(cell: Any) -> Any:
    if isinstance(cell, float) and math.isnan(cell):
        return None
    return cell
