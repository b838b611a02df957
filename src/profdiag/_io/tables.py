"""Reading response tables (CSV or TSV, Parquet, JSON, JSON Lines, SPSS, Excel) into named
columns, and writing score tables (CSV, Parquet, JSON).

The format is chosen by the file's extension (``.parquet``, ``.json``, ``.jsonl``,
``.sav``, ``.xlsx``, ``.tsv`` or ``.tab``; anything else is CSV), or named. CSV is read as
RFC 4180 describes it, every cell as text (see `profdiag._io.csv_format`); Parquet with its
column types (see `profdiag._io.parquet_format`); JSON as a list of objects, one per
respondent; JSON Lines, SPSS and Excel by their own modules (`jsonl_format`,
`spss_format`, `excel_format`).
"""

from __future__ import annotations

import gc
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from profdiag._io.jsonl_format import parse_jsonl
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

FORMATS = ("csv", "tsv", "parquet", "json", "jsonl", "sav", "xlsx")
"""The response file formats `read_table` reads (tsv: CSV with tabs)."""

_EXTENSIONS = {
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".tsv": "tsv",
    ".tab": "tsv",
}
_READ_EXTENSIONS = {
    **_EXTENSIONS,
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".sav": "sav",
    ".zsav": "sav",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_TEXT_FORMATS = ("csv", "tsv", "json", "jsonl")


@dataclass(frozen=True)
class Table:
    """Columns of cells by name, in file order.

    ``lines[r]`` is the line data row r starts on (None for Parquet, which has no lines);
    ``skipped_blank_lines`` are the numbers of lines without any character, which are not
    rows (CSV only); ``delimiter`` is the one the CSV was read with (None for JSON,
    Parquet and one-column CSV). CSV and Parquet columns are `ArrowColumn`s: sequences of
    cells backed by Arrow arrays, which scoring reads without a Python object per cell.
    ``value_labels`` are an SPSS file's labels by column (code -> label); ``place`` names
    what ``lines`` count ("sheet row" for Excel).
    """

    source: str
    columns: dict[str, Sequence[Any]]
    n_rows: int
    lines: Sequence[int] | None
    skipped_blank_lines: tuple[int, ...] = ()
    delimiter: str | None = None
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    place: str = "line"

    def describe_row(self, row: int) -> str:
        if row < 0:
            return "whole column"
        if self.lines is None:
            return f"data row {row + 1}"
        return f"data row {row + 1} ({self.place} {self.lines[row]})"


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
    the file's extension (CSV unless .parquet, .json, .jsonl or .ndjson, .sav or .zsav,
    .xlsx or .xlsm, .tsv or .tab).

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
    return _READ_EXTENSIONS.get(Path(path).suffix.lower(), "csv")


def read_table(
    path: str | os.PathLike[str],
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    file_format: str | None = None,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> Table:
    """Read a response table: CSV or TSV (header row first), Parquet, a JSON list of
    objects or JSON Lines (one object per respondent), SPSS .sav, or a sheet of an Excel
    .xlsx workbook.

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
    sheet
        Excel only: the sheet's name, or its number from 1 (default: the first sheet).
    header_row
        Excel only: the sheet row (from 1) holding the column names (default: the first
        row with any cell filled in).

    Returns
    -------
    Table
        Every cell as text (CSV), as typed in the file (Parquet) or as JSON has it; one
        row per respondent.

    Raises
    ------
    ArgumentError
        `encoding` is not a known text encoding, `delimiter` cannot be used (or is given
        for a format without delimiters), `file_format` is unknown, `sheet` or
        `header_row` are given for a file that is not Excel or do not exist.
    MissingExtraError
        SPSS and Excel files need the ``research`` extra (pyreadstat, python-calamine).
    ResponseDataError
        The file cannot be read or is not a table: missing, a folder, not readable, not
        text in `encoding`, empty, invalid CSV, JSON or Parquet, a header with an empty or
        repeated name, rows with the wrong number of cells, a cell longer than the limit.
        Each problem names the line (and column or byte offset where there is one).
    """
    from profdiag._io.parquet_format import read_parquet

    source = str(path)
    kind = table_format(path, file_format)
    if kind != "xlsx" and (sheet is not None or header_row is not None):
        raise ArgumentError(
            f"{source}: a sheet or header row was given for a {kind.upper()} file "
            "(only Excel has them)"
        )
    if delimiter is not None:
        if kind not in ("csv", "tsv"):
            raise ArgumentError(f"a delimiter ({delimiter!r}) was given for a {_NAMES[kind]} file")
        delimiter = usable_delimiter(delimiter)
    elif kind == "tsv":
        delimiter = "\t"
    if kind == "parquet":
        columns, n_rows = read_parquet(path)
        return Table(source, dict(columns), n_rows, None)
    if kind not in _TEXT_FORMATS:
        return _binary_table(path, kind, sheet, header_row)
    text_encoding(encoding)
    try:
        if kind in ("json", "jsonl"):
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
    if kind == "jsonl":
        with collector_paused():
            rows = parse_jsonl(text, source)
        n_rows = len(rows.lines)
        return Table(source, rows.columns, n_rows, rows.lines, rows.skipped_blank_lines)
    table = read_csv(data, start, source, encoding, delimiter)
    return Table(
        source,
        dict(table.columns),
        table.n_rows,
        table.lines,
        table.skipped_blank_lines,
        table.delimiter,
    )


_NAMES = {
    "json": "JSON",
    "jsonl": "JSON Lines",
    "parquet": "Parquet",
    "sav": "SPSS",
    "xlsx": "Excel",
}


def _binary_table(
    path: str | os.PathLike[str], kind: str, sheet: str | int | None, header_row: int | None
) -> Table:
    """SPSS or Excel."""
    from profdiag._io.excel_format import read_xlsx
    from profdiag._io.spss_format import read_sav

    source = str(path)
    if kind == "sav":
        columns, n_rows, labels = read_sav(path)
        return Table(source, dict(columns), n_rows, None, value_labels=labels)
    with collector_paused():
        found = read_xlsx(path, sheet, header_row)
    return Table(source, found.columns, len(found.rows), found.rows, place="sheet row")


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


_WRITE_EXTENSIONS = {
    ".csv": "csv",
    "": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
}


def output_format(path: Path | None) -> str:
    """'csv', 'parquet' or 'json': the format a table is written in at `path`, by its
    extension (CSV without one, and for None: text to standard output).

    Raises
    ------
    OutputError
        Any other extension (a table written as CSV into "scores.xlsx" or "scores.tsv"
        would be read wrongly by whatever opens it).
    """
    if path is None:
        return "csv"
    kind = _WRITE_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise OutputError(
            f"{path}: tables are written as CSV (.csv), Parquet (.parquet, .pq) or JSON "
            f"(.json), not {path.suffix!r}; choose a name with one of these extensions"
        )
    return kind


def write_table(
    path: Path | None,
    header: list[str],
    columns: Sequence[Any],
    metadata: dict[str, Any],
) -> str | None:
    """CSV (.csv or no extension), Parquet (.parquet) or JSON (.json), see
    `output_format`; None as the path returns CSV text.

    Columns are numpy arrays or Arrow-backed columns, formatted a column at a time (CSV:
    floats in Python's shortest round-trip form, NaN and None as empty cells, quoted as
    `csv.writer` quotes, except that a carriage return inside a cell is quoted too). The
    file is written atomically (see `profdiag._io.atomic`): a failure leaves the previous
    file as it was.

    Raises
    ------
    OutputError
        The file cannot be written, its extension is not one of a table format, or a cell
        holds text that cannot be encoded as UTF-8 (a lone surrogate).
    """
    from profdiag._io.parquet_format import write_parquet

    kind = output_format(path)
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
