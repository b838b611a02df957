"""Reading response tables (CSV, JSON) into named columns, and writing score tables."""

from __future__ import annotations

import csv
import gc
import io
import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from profdiag.errors import CellProblem, ResponseDataError

_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Table:
    """Columns of cells by name, in file order; `lines[r]` is data row r's line in the file."""

    source: str
    columns: dict[str, list[Any]]
    n_rows: int
    lines: Sequence[int]

    def describe_row(self, row: int) -> str:
        if row < 0:
            return "whole column"
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


def read_table(path: Path, encoding: str = "utf-8-sig") -> Table:
    """A CSV (comma, semicolon or tab separated, header row first) or a JSON list of objects."""
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as error:
        raise ResponseDataError(
            str(path),
            [
                CellProblem(
                    -1,
                    "(file)",
                    f"byte {error.start}",
                    f"text in {encoding} (try --encoding cp1251)",
                )
            ],
        ) from error
    with collector_paused():
        if path.suffix.lower() == ".json":
            return _json_table(text, str(path))
        return _csv_table(text, str(path))


def _csv_table(text: str, source: str) -> Table:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ResponseDataError(
            source, [CellProblem(-1, "(header)", "", "a header row naming the columns")]
        )
    names = [name.strip() for name in header]
    _check_header(names, source)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[CellProblem] = []
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            problems.append(
                CellProblem(
                    len(rows),
                    "(row)",
                    f"{len(row)} fields",
                    f"{len(names)} fields, as in the header (line {reader.line_num})",
                )
            )
            continue
        rows.append(row)
        lines.append(reader.line_num)
    if problems:
        raise ResponseDataError(source, problems)
    columns = (
        {name: list(cells) for name, cells in zip(names, zip(*rows, strict=True), strict=True)}
        if rows
        else {name: [] for name in names}
    )
    return Table(source, columns, len(rows), lines)


def _check_header(names: list[str], source: str) -> None:
    seen: set[str] = set()
    problems = []
    for position, name in enumerate(names):
        if not name:
            problems.append(CellProblem(-1, f"(column {position + 1})", name, "a column name"))
        elif name in seen:
            problems.append(CellProblem(-1, name, name, "each column name once"))
        seen.add(name)
    if problems:
        raise ResponseDataError(source, problems)


def _json_table(text: str, source: str) -> Table:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResponseDataError(
            source,
            [
                CellProblem(
                    -1,
                    "(file)",
                    f"line {error.lineno}, column {error.colno}",
                    f"valid JSON ({error.msg})",
                )
            ],
        ) from error
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
    columns = {name: [row.get(name) for row in document] for name in names}
    return Table(source, columns, len(document), [row + 1 for row in range(len(document))])


def write_table(
    path: Path | None,
    header: list[str],
    columns: Sequence[np.ndarray],
    metadata: dict[str, Any],
) -> str | None:
    """CSV (by default) or JSON (when the path ends in .json); None as the path returns text.

    Columns are formatted one at a time (floats in Python's shortest round-trip form, NaN
    and None as empty cells), which is several times faster than cell by cell for 1M rows;
    the CSV is what `csv.writer` writes (minimal quoting, "\\n" line ends), except that a
    carriage return inside a cell is quoted too."""
    as_json = path is not None and path.suffix.lower() == ".json"
    if as_json:
        cells = [[_json_cell(cell) for cell in column.tolist()] for column in columns]
        records = [dict(zip(header, row, strict=True)) for row in zip(*cells, strict=True)]
        text = json.dumps({**metadata, "respondents": records}, ensure_ascii=False, indent=1) + "\n"
    else:
        with collector_paused():
            formatted = [_csv_column(column) for column in columns]
            lines = [",".join(_csv_text(name) for name in header)]
            lines += [",".join(row) for row in zip(*formatted, strict=True)]
        text = "\n".join(lines) + "\n"
    if path is None:
        return text
    path.write_text(text, encoding="utf-8")
    return None


def _json_cell(cell: Any) -> Any:
    if isinstance(cell, float) and math.isnan(cell):
        return None
    return cell


def _csv_column(column: np.ndarray) -> list[str]:
    if column.dtype.kind == "f":
        cells = list(map(repr, column.tolist()))
        for row in np.flatnonzero(np.isnan(column)).tolist():
            cells[row] = ""
        return cells
    if column.dtype.kind in "iub":
        return list(map(str, column.tolist()))
    cells = column.tolist()
    spelled = {cell: _csv_text(cell) for cell in set(cells)}  # labels repeat: format each once
    return list(map(spelled.__getitem__, cells))


def _csv_text(cell: Any) -> str:
    """A text cell quoted as csv.writer quotes it (only when it must be)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    text = repr(cell) if isinstance(cell, float) else str(cell)
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
