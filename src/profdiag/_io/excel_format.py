"""Excel .xlsx in, through python-calamine (the `research` extra).

One sheet is read (the first, or one chosen by name or by number from 1). The header is the
first row with any cell in it, or the sheet row given (for sheets with a title above the
table); rows of the sheet below it are respondents, in sheet order, including rows with no
cell filled in (rows in = rows out); empty rows after the last filled one are not rows.

Cells keep their kind. A column of numbers only is numeric (whole numbers as integers, so
an id typed as 1001 stays 1001, not 1001.0); a column of text only is text as typed (an id
typed as text keeps its leading zeros); a column mixing numbers and text keeps each cell
as it is (the number 5 and the text "5" both answer 5, the text "пять" is reported by row
and column like any invalid cell). Dates and times become ISO text (2025-03-14,
2025-03-14T10:30:00), a boolean is never an answer. A cell holding a formula error
(#DIV/0!, #N/A, ...) is read as that text, so in an item column it is reported by row and
column; calamine itself reads such cells as empty, so the sheet's XML is searched for them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from posixpath import join, normpath
from typing import Any

import numpy as np

from profdiag._arrow import ArrowColumn
from profdiag._io.binary_input import (
    file_problem,
    first_line,
    looks_like,
    open_binary,
    optional_module,
)
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError

_CELL_REFERENCE = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_CELL_VALUE = re.compile(rb"<v>([^<]*)</v>")
_SHEET = re.compile(rb"<sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_LARGEST_EXACT = 2.0**53
_CELL_AT = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
# calamine makes a sheet one dense rectangle from its first to its last cell: a few cells
# placed far apart (XFD1048576) would take gigabytes, so such a sheet is refused first.
_MOST_CELLS = 10_000_000
_SPARSE = 100  # refused when the rectangle is this many times the cells written
_EXACT_SCAN = 1_000_000  # sheets with more cells are dense enough to be taken as they are


@dataclass(frozen=True)
class Sheet:
    """A sheet's columns by header name; ``rows[r]`` is the sheet row (from 1) of data
    row r."""

    name: str
    columns: dict[str, Sequence[Any]]
    rows: list[int]


def read_xlsx(
    path: str | os.PathLike[str],
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> Sheet:
    """One sheet of an Excel workbook as columns (see the module's notes).

    Raises
    ------
    MissingExtraError
        python-calamine is not installed.
    ArgumentError
        No such sheet, or `header_row` is not a row number (from 1).
    ResponseDataError
        The file cannot be read or is not an .xlsx workbook (or is damaged); the sheet is
        empty or has no rows at or below `header_row`; a header cell above data is empty;
        a column name is repeated.
    """
    calamine = optional_module("python_calamine", "python-calamine", "Excel .xlsx files")
    source = str(path)
    if header_row is not None and (isinstance(header_row, bool) or header_row < 1):
        raise ArgumentError(f"header row {header_row!r} is not a sheet row number (from 1)")
    with open_binary(path) as file:
        data = file.read()
    names, index, cells, xml = _load(calamine, source, data, sheet)
    name = names[index]
    first = next((r for r, row in enumerate(cells) if _filled(row)), None)
    where = f"sheet {name!r}"
    if first is None:
        raise file_problem(source, f"{where}, which is empty", "a header row and rows of answers")
    last = next(r for r in range(len(cells) - 1, -1, -1) if _filled(cells[r]))
    top = first if header_row is None else header_row - 1
    if top > last:
        raise file_problem(
            source,
            f"{where} with its last filled row at {last + 1}",
            f"a header at row {top + 1} (the header row asked for)",
        )
    if xml is not None:
        _put_error_texts(xml, cells)
    header, body = cells[top], cells[top + 1 : last + 1]
    width = len(header)
    transposed = list(zip(*body, strict=True)) if body else [() for _ in range(width)]
    columns: dict[str, Sequence[Any]] = {}
    problems = []
    unnamed = []
    for position, (title, column) in enumerate(zip(header, transposed, strict=True)):
        label = _header_text(title)
        if not label.strip():
            if any(cell != "" for cell in column):
                unnamed.append(_letters(position))
            continue  # an unused column of the sheet's range
        if label in columns:
            problems.append(CellProblem(-1, label, label, "each column name once"))
            continue
        columns[label] = _column(column)
    if unnamed:
        shown = ", ".join(unnamed[:10]) + (
            f" and {len(unnamed) - 10} more" if len(unnamed) > 10 else ""
        )
        problems.append(
            CellProblem(
                -1,
                f"({where}, row {top + 1})",
                f"no name above column(s) {shown}",
                "a name above every column with data (if the header is on a later row, "
                "give that row's number)",
            )
        )
    if problems:
        raise ResponseDataError(source, problems)
    return Sheet(name, columns, list(range(top + 2, top + 2 + len(body))))


def _load(
    calamine: Any, source: str, data: bytes, sheet: str | int | None
) -> tuple[list[str], int, list[list[Any]], bytes | None]:
    """The workbook's sheet names, the chosen sheet's index, its cells and its XML."""
    damaged = (calamine.CalamineError, OSError, ValueError)
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    except damaged as error:
        raise _not_xlsx(source, error, data) from None
    index = _sheet_index(names, sheet)
    xml = _sheet_xml(data, index)
    if xml is not None:
        _check_extent(source, names[index], xml)
    try:
        cells = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
    except damaged as error:
        raise _not_xlsx(source, error, data) from None
    return names, index, cells, xml


def _filled(row: list[Any]) -> bool:
    return any(cell != "" for cell in row)


def _not_xlsx(source: str, error: BaseException, data: bytes) -> ResponseDataError:
    kind = looks_like(data[:512])
    if kind == "a zip archive":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
            kind = None if "xl/workbook.xml" in names else "a zip archive that is not a workbook"
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            kind = "a zip archive cut short or damaged"
    return file_problem(
        source,
        f"not .xlsx, or damaged ({kind or first_line(error)[:50]})",
        "an .xlsx workbook"
        + (" saved without a password" if kind is not None and "password" in kind else ""),
    )


def _sheet_index(names: list[str], sheet: str | int | None) -> int:
    if sheet is None and names:
        return 0
    if isinstance(sheet, str) and sheet in names:
        return names.index(sheet)
    number = sheet if isinstance(sheet, int) else None
    if isinstance(sheet, str) and sheet.isdigit():
        number = int(sheet)
    if number is not None and 1 <= number <= len(names):
        return number - 1
    raise ArgumentError(
        f"the workbook has no sheet {sheet!r}; its sheets are "
        + ", ".join(f"{n}: {name!r}" for n, name in enumerate(names, 1))
        + " (give a name, or a number from 1)"
    )


def _header_text(cell: Any) -> str:
    text = _text(cell)
    return "" if text is None else text


def _text(cell: Any) -> str | None:
    if cell == "" or cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < _LARGEST_EXACT:
        return str(int(cell))
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def _letters(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column(cells: Sequence[Any]) -> Sequence[Any]:
    """Numbers only: a numeric Arrow column; text only: a text one; else a list of cells."""
    import pyarrow as pa

    values = np.empty(len(cells), dtype=object)
    values[:] = cells
    if bool in set(map(type, cells)):  # Arrow would read True as 1
        return [_cell(cell) for cell in values.tolist()]
    empty = values == ""
    values[empty] = None
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return [_cell(cell) for cell in values.tolist()]
    if pa.types.is_floating(array.type):
        numbers = array.to_numpy(zero_copy_only=False)
        present = numbers[~np.isnan(numbers)]
        if np.all(np.abs(present) < _LARGEST_EXACT) and np.all(present == np.floor(present)):
            array = array.cast(pa.int64(), safe=False)
    elif pa.types.is_temporal(array.type) or pa.types.is_null(array.type):
        array = pa.array([_text(cell) for cell in values.tolist()], pa.string())
    elif pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    return ArrowColumn(pa.chunked_array([array]))


def _cell(cell: Any) -> Any:
    if cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < _LARGEST_EXACT:
        return int(cell)
    if isinstance(cell, dt.date | dt.time | dt.timedelta):
        return _text(cell)
    return cell


def _sheet_xml(data: bytes, index: int) -> bytes | None:
    """The XML of the index-th sheet, or None for a workbook that is not a zip of XML parts
    (calamine read it some other way)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _sheet_member(archive, index)
            return None if member is None else archive.read(member)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return None


def _check_extent(source: str, name: str, xml: bytes) -> None:
    """Refuse a sheet whose few cells span a rectangle too large to hold in memory."""
    # Coarse bounds first (a few scans of the XML): the longest column letters and row
    # numbers in any cell reference.
    letters = next((n for n in (3, 2) if re.search(rb'r="[A-Z]{%d}[0-9]' % n, xml)), 1)
    digits = next((n for n in (7, 6) if re.search(rb'r="[A-Z]+[0-9]{%d}"' % n, xml)), 5)
    written = xml.count(b"<c ") + xml.count(b"<c>")
    if 26**letters * 10**digits <= max(_MOST_CELLS, _SPARSE * written):
        return
    if written > _EXACT_SCAN:
        return  # a big sheet: calamine's rectangle is taken to be about what is written
    references = [(m.group(1), int(m.group(2))) for m in _CELL_AT.finditer(xml)]
    if not references:
        return
    columns = [_column_number(letters.decode()) for letters, _ in references]
    rows = [row for _, row in references]
    area = (max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1)
    if area > _MOST_CELLS and area > _SPARSE * len(references):
        far = max(references, key=lambda ref: (ref[1], _column_number(ref[0].decode())))
        span = f"{_letters(min(columns))}{min(rows)}:{_letters(max(columns))}{max(rows)}"
        raise file_problem(
            source,
            f"sheet {name!r}: {len(references)} cells over {span}",
            f"a table of at most {_MOST_CELLS:,} cells from its first to its last cell "
            f"({area:,} here); delete the stray cells far from the table "
            f"(such as {far[0].decode()}{far[1]})",
        )


def _put_error_texts(xml: bytes, cells: list[list[Any]]) -> None:
    """Cells holding a formula error get its text (#DIV/0!, ...) in place of calamine's ''."""
    start = xml.find(b't="e"')
    while start != -1:
        opening = xml.rfind(b"<c ", 0, start)
        closing = xml.find(b"</c>", start)
        element = xml[opening : closing if closing != -1 else len(xml)]
        reference = _CELL_REFERENCE.search(element)
        value = _CELL_VALUE.search(element)
        if opening != -1 and reference and value:
            column = _column_number(reference.group(1).decode())
            row = int(reference.group(2)) - 1
            if row < len(cells) and column < len(cells[row]) and cells[row][column] == "":
                cells[row][column] = value.group(1).decode("utf-8", "replace")
        start = xml.find(b't="e"', start + 5)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    """The path inside the .xlsx of the index-th sheet listed in the workbook."""
    sheets = _SHEET.findall(archive.read("xl/workbook.xml"))
    if index >= len(sheets):
        return None
    attributes = dict(_ATTRIBUTE.findall(sheets[index]))
    target_id = next((v for k, v in attributes.items() if k.endswith(b":id")), None)
    relationships = archive.read("xl/_rels/workbook.xml.rels")
    for relationship in _RELATIONSHIP.findall(relationships):
        fields = dict(_ATTRIBUTE.findall(relationship))
        if fields.get(b"Id") == target_id and b"Target" in fields:
            target = fields[b"Target"].decode()
            return target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    return None
