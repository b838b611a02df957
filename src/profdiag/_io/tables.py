"""Reading response tables (CSV, JSON) into named columns, and writing score tables.

CSV is read as RFC 4180 describes it, and nothing about quoting is guessed:

- the quote character is ``"`` only; a quote inside a quoted cell is written twice
  (``""``); a quote inside an unquoted cell is an ordinary character (``School "No 5"``),
  as is an apostrophe (``'001'``);
- the delimiter is the caller's, or is found in the header line alone: of ``,`` ``;`` tab
  and ``|``, the one that occurs most often outside quoted names. A tie between two of
  them is an error (the caller must name the delimiter), and a header with none of them
  is one column (each line is then one cell);
- cells are kept exactly as written, spaces included; header names are stripped;
- rows in = rows out: a line of empty cells (``,,,``) is a respondent who answered
  nothing. Only a line with no characters at all is skipped, and its line number is kept
  in `Table.skipped_blank_lines` so that the caller can say so. A row with the wrong
  number of cells is an error naming its line, and every such row is reported;
- lines end with ``\\n``, ``\\r\\n`` or ``\\r``; a quoted cell may span lines, and
  `Table.lines` gives the line each row starts on;
- a cell may hold at most `csv.field_size_limit()` characters (131,072 unless changed);
  NUL characters are refused.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from profdiag._io.atomic import write_atomically
from profdiag._io.json_text import JsonTextError, loads, position
from profdiag._io.text_files import UnreadableFile, read_text
from profdiag.errors import ArgumentError, CellProblem, OutputError, ResponseDataError

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters looked for in a CSV header line, in the order ties are reported."""

DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
"""Names `read_table` accepts for a delimiter, besides the character itself."""

_HEADER_SAMPLE = 1 << 20  # characters searched for the header line's delimiter
_LEADING_BLANK_LINES = re.compile(r"(?:\r\n?|\n)*")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_ONE_COLUMN_SEPARATORS = ("\x1f", "\x1e", "\x1d", "\x1c", "\ue000", "\uf8ff")


@dataclass(frozen=True)
class Table:
    """Columns of cells by name, in file order.

    ``lines[r]`` is the line data row r starts on; ``skipped_blank_lines`` are the numbers
    of lines without any character, which are not rows (CSV only); ``delimiter`` is the one
    the CSV was read with (None for JSON and one-column CSV).
    """

    source: str
    columns: dict[str, list[Any]]
    n_rows: int
    lines: Sequence[int]
    skipped_blank_lines: tuple[int, ...] = ()
    delimiter: str | None = None

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


def read_table(
    path: str | os.PathLike[str],
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
) -> Table:
    """Read a CSV file (header row first) or, when the name ends in .json, a JSON list of
    objects (one per respondent).

    Parameters
    ----------
    path
        The file.
    encoding
        A Python codec name; the default reads UTF-8 with or without a byte order mark.
    delimiter
        CSV only: the character between cells (or one of the names in `DELIMITER_NAMES`).
        None finds it in the header line (see the module's description).

    Returns
    -------
    Table
        Every cell as text (CSV) or as JSON has it; one row per respondent.

    Raises
    ------
    ArgumentError
        `encoding` is not a known text encoding, or `delimiter` cannot be used.
    ResponseDataError
        The file cannot be read or is not a table: missing, a folder, not readable, not
        text in `encoding`, empty, invalid CSV or JSON, a header with an empty or repeated
        name, rows with the wrong number of cells, a cell longer than the limit. Each
        problem names the line (and column or byte offset where there is one).
    """
    source = str(path)
    is_json = Path(path).suffix.lower() == ".json"
    if delimiter is not None:
        delimiter = _usable_delimiter(delimiter, is_json)
    try:
        text = read_text(path, encoding)
    except UnreadableFile as error:
        raise ResponseDataError(
            source, [CellProblem(-1, "(file)", error.seen, error.expected)]
        ) from None
    with collector_paused():
        if is_json:
            return _json_table(text, source)
        return _csv_table(text, source, delimiter)


def _usable_delimiter(delimiter: str, is_json: bool) -> str:
    if is_json:
        raise ArgumentError(f"a delimiter ({delimiter!r}) was given for a JSON file")
    delimiter = DELIMITER_NAMES.get(delimiter, delimiter)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n\0':
        raise ArgumentError(
            f"delimiter {delimiter!r}: expected one character other than a double quote or "
            f"a line break, or one of the names {', '.join(DELIMITER_NAMES)}"
        )
    return delimiter


def _csv_table(text: str, source: str, delimiter: str | None) -> Table:
    nul = text.find("\0")
    if nul >= 0:
        line, column = position(text, nul)
        raise ResponseDataError(
            source,
            [
                CellProblem(
                    -1,
                    _column_name_at(text, nul, delimiter),
                    f"a NUL character at line {line}, column {column}",
                    "text without NUL characters (is it a binary file, or UTF-16 text?)",
                )
            ],
        )
    leading = _LEADING_BLANK_LINES.match(text)
    start = leading.end() if leading else 0
    if start == len(text):
        raise ResponseDataError(
            source,
            [CellProblem(-1, "(header)", "an empty file", "a header row naming the columns")],
        )
    blank_lines = list(range(1, len(_LINE_BREAK.findall(text, 0, start)) + 1))
    header_line = len(blank_lines) + 1
    if delimiter is None:
        delimiter = _header_delimiter(text[start : start + _HEADER_SAMPLE], source, header_line)
    separator = delimiter if delimiter is not None else _unused_character(text)
    reader = _reader(text, separator)
    try:
        for _ in blank_lines:
            next(reader)
        header = next(reader)
    except csv.Error as error:
        raise ResponseDataError(
            source, [_syntax_problem(error, -1, header_line, reader.line_num)]
        ) from None
    names = [name.strip() for name in header]
    _check_header(names, source)
    first = reader.line_num + 1

    def one_by_one() -> tuple[list[list[str]], list[int]]:
        return _records_with_lines(_reader(text, separator), first, source, names, text, separator)

    starts: Sequence[int]
    try:
        records: list[list[str]] = list(reader)
        spanned = reader.line_num - first + 1 - len(records)  # line breaks inside quoted cells
        starts = range(first, first + len(records))
        if spanned:
            counted = _record_starts(records, first, spanned)
            starts = counted if counted is not None else one_by_one()[1]  # None: not expected
    except csv.Error:  # read again, one record at a time, to name the line
        records, starts = one_by_one()
    rows, lines = _check_rows(records, starts, len(names), source, blank_lines)
    columns = (
        {name: list(cells) for name, cells in zip(names, zip(*rows, strict=True), strict=True)}
        if rows
        else {name: [] for name in names}
    )
    return Table(source, columns, len(rows), lines, tuple(blank_lines), delimiter)


def _reader(text: str, delimiter: str) -> Any:
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        skipinitialspace=False,
        quoting=csv.QUOTE_MINIMAL,
        strict=True,
    )


def _header_delimiter(sample: str, source: str, line: int) -> str | None:
    """The most frequent of DELIMITERS outside double quotes in the header line; None if
    none occurs. Every quote opens or closes a quoted part (a doubled quote closes and
    reopens one, so it needs no special case); a line break inside a quoted part does not
    end the header."""
    end = 0
    while True:
        found = _LINE_BREAK.search(sample, end)
        end = found.start() if found else len(sample)
        if sample.count('"', 0, end) % 2 == 0 or found is None:
            break
        end = found.end()
    outside = "".join(sample[:end].split('"')[0::2])
    counts = {candidate: outside.count(candidate) for candidate in DELIMITERS}
    most = max(counts.values())
    if most == 0:
        return None
    leaders = [candidate for candidate in DELIMITERS if counts[candidate] == most]
    if len(leaders) > 1:
        shown = " and ".join(f"{most} x {_name(candidate)}" for candidate in leaders)
        raise ResponseDataError(
            source,
            [
                CellProblem(
                    -1,
                    "(header)",
                    f"{shown} in the header line (line {line})",
                    "one delimiter that occurs more often than the others; "
                    "name the delimiter when reading this file",
                )
            ],
        )
    return leaders[0]


def _name(delimiter: str) -> str:
    return next(
        (f"{name} {delimiter!r}" for name, mark in DELIMITER_NAMES.items() if mark == delimiter),
        repr(delimiter),
    )


def _unused_character(text: str) -> str:
    """A delimiter that does not occur in the text: a one-column table's rows are single
    cells, whatever they contain (quoted cells may still span lines)."""
    for candidate in _ONE_COLUMN_SEPARATORS:
        if candidate not in text:
            return candidate
    for code in range(0xE001, 0xF8FF):
        if chr(code) not in text:
            return chr(code)
    return "\0"  # refused in the text above, so it never occurs


def _record_starts(records: list[list[str]], first: int, spanned: int) -> list[int] | None:
    """The line each record starts on when some cells hold line breaks: a record takes one
    line plus one per line break in its cells (\\r\\n counts once, as in the file).
    None if the breaks found are not the `spanned` extra lines the reader counted."""
    cells = list(map("\0".join, records))  # NUL is refused in the text: a safe separator
    ends = np.cumsum(np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)) + 1)
    breaks = [match.start() for match in _LINE_BREAK.finditer("\0".join(cells))]
    if len(breaks) != spanned:
        return None
    extra = np.bincount(np.searchsorted(ends, breaks, side="right"), minlength=len(records))
    starts: list[int] = (first + np.arange(len(records)) + np.cumsum(extra) - extra).tolist()
    return starts


def _records_with_lines(
    reader: Any, first: int, source: str, names: list[str], text: str, separator: str
) -> tuple[list[list[str]], list[int]]:
    """Records with the line each starts on, read one by one: the slow path, for text that
    is not valid CSV (reported with the rows of wrong width before it)."""
    records: list[list[str]] = []
    starts: list[int] = []
    line = first
    try:
        for record in reader:
            if reader.line_num >= first:
                records.append(record)
                starts.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        rows = sum(1 for record in records if record)
        problem = _syntax_problem(error, rows, line, reader.line_num)
        if "field limit" in str(error):
            problem = replace(problem, column=_long_cell_column(text, line, separator, names))
        earlier, _ = _wrong_widths(records, starts, len(names))
        raise ResponseDataError(source, [*earlier, problem]) from None
    return records, starts


def _check_rows(
    records: list[list[str]],
    starts: Sequence[int],
    width: int,
    source: str,
    blank_lines: list[int],
) -> tuple[list[list[str]], Sequence[int]]:
    """Rows (lines without any character dropped and their numbers added to blank_lines)
    and the line each starts on; every row of the wrong width is an error."""
    problems, blank = _wrong_widths(records, starts, width)
    if problems:
        raise ResponseDataError(source, problems)
    if not blank.any():
        return records, starts
    kept = np.flatnonzero(~blank)
    blank_lines += np.asarray(starts)[blank].tolist()
    return [records[r] for r in kept.tolist()], np.asarray(starts)[kept].tolist()


def _wrong_widths(
    records: list[list[str]], starts: Sequence[int], width: int
) -> tuple[list[CellProblem], np.ndarray]:
    lengths = np.fromiter(map(len, records), dtype=np.intp, count=len(records))
    blank = lengths == 0
    wrong = np.flatnonzero(~blank & (lengths != width))
    if wrong.size == 0:
        return [], blank
    rows = np.cumsum(~blank) - 1
    problems = [
        CellProblem(
            int(rows[r]),
            "(row)",
            f"{lengths[r]} field{'s' if lengths[r] != 1 else ''}",
            f"{width} field{'s' if width != 1 else ''}, as in the header (line {starts[r]})",
        )
        for r in wrong.tolist()
    ]
    return problems, blank


def _column_name_at(text: str, offset: int, delimiter: str | None) -> str:
    """The header name of the cell holding text[offset] (counting delimiters outside quotes
    from the start of its line), or "(file)" where that cannot be told."""
    try:
        first_break = _LINE_BREAK.search(text)
        header = text[: first_break.start() if first_break else len(text)].replace("\0", "")
        separator = delimiter or _header_delimiter(header, "", 1)
        if separator is None:
            return "(file)"
        names = next(csv.reader([header], delimiter=separator))
    except (ResponseDataError, csv.Error, StopIteration):
        return "(file)"
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    index = _cells_before(text[line_start:offset], separator)
    return names[index].strip() if index < len(names) else f"(column {index + 1})"


def _cells_before(segment: str, separator: str) -> int:
    """How many delimiters outside double quotes `segment` holds."""
    quoted, count = False, 0
    for character in segment:
        if character == '"':
            quoted = not quoted
        elif character == separator and not quoted:
            count += 1
    return count


def _long_cell_column(text: str, line: int, separator: str, names: list[str]) -> str:
    """The header name of the first over-long cell in the record starting at `line`."""
    offset = 0
    for _ in range(line - 1):
        found = _LINE_BREAK.search(text, offset)
        if found is None:
            return "(row)"
        offset = found.end()
    limit = csv.field_size_limit()
    quoted, index, length = False, 0, 0
    for character in text[offset:]:
        if character == '"':
            quoted = not quoted
        elif character == separator and not quoted:
            index, length = index + 1, 0
            continue
        elif character in "\r\n" and not quoted:
            break
        length += 1
        if length > limit:
            return names[index] if index < len(names) else f"(column {index + 1})"
    return "(row)"


def _syntax_problem(error: csv.Error, row: int, start: int, end: int) -> CellProblem:
    message = str(error)
    if "field limit" in message:
        limit = csv.field_size_limit()
        return CellProblem(
            row,
            "(row)",
            f"a cell longer than {limit:,} characters",
            f"cells of at most {limit:,} characters (line {end})",
        )
    if "expected after" in message:
        return CellProblem(
            row,
            "(row)",
            "text after the closing quote of a quoted cell",
            "a delimiter or the end of the line right after a closing quote; a quote "
            f'inside a quoted cell is written twice, "" (line {end})',
        )
    if "unexpected end of data" in message:
        return CellProblem(
            row,
            "(row)",
            "a quoted cell that runs to the end of the file",
            f"a closing quote for the quoted cell in the row starting at line {start}",
        )
    return CellProblem(row, "(row)", message, f"CSV as RFC 4180 describes it (line {end})")


def _check_header(names: list[str], source: str) -> None:
    seen: set[str] = set()
    problems = []
    for position_, name in enumerate(names):
        if not name:
            problems.append(CellProblem(-1, f"(column {position_ + 1})", name, "a column name"))
        elif name in seen:
            problems.append(CellProblem(-1, name, name, "each column name once"))
        seen.add(name)
    if problems:
        raise ResponseDataError(source, problems)


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
    carriage return inside a cell is quoted too. The file is written atomically (see
    `profdiag._io.atomic`): a failure leaves the previous file as it was.

    Raises
    ------
    OutputError
        The file cannot be written, or a cell holds text that cannot be encoded as UTF-8
        (a lone surrogate).
    """
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
            if len(header) == 1:  # an empty line would be read as no row at all
                lines = [line or '""' for line in lines]
        text = "\n".join(lines) + "\n"
    if path is None:
        return text
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        line, _ = position(text, error.start)
        raise OutputError(
            f"cannot write {path}: a cell on line {line} holds U+{ord(text[error.start]):04X}, "
            "half of a surrogate pair, which is not a character and cannot be written as UTF-8"
        ) from None
    write_atomically(path, data)
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
