"""CSV in and out, through Apache Arrow.

Reading is RFC 4180, and nothing about quoting is guessed:

- the quote character is ``"`` only, and only at the start of a cell; a quote inside a
  quoted cell is written twice (``""``); a quote inside an unquoted cell is an ordinary
  character (``School "No 5"``), as is an apostrophe (``'001'``). Text between a closing
  quote and the next delimiter, and a quoted cell that never closes, are errors;
- the delimiter is the caller's, or is found in the header line alone: of ``,`` ``;`` tab
  and ``|``, the one that occurs most often outside quoted names. A tie between two of
  them is an error (the caller must name the delimiter), and a header with none of them
  is one column (each line is then one cell);
- cells are kept exactly as written, spaces included, and are always text (``001`` stays
  ``001``); header names are stripped;
- rows in = rows out: a line of empty cells (``,,,``) is a respondent who answered
  nothing. Only a line with no characters at all is skipped, and its line number is kept
  in `Table.skipped_blank_lines`. A row with the wrong number of cells is an error naming
  its line, and every such row is reported;
- lines end with ``\\n``, ``\\r\\n`` or ``\\r``; a quoted cell may span lines, and
  `Table.lines` gives the line each row starts on;
- a cell may hold at most `CELL_LIMIT` characters; NUL characters are refused.

How: the record structure (where records start, which are blank, which line breaks are
inside quotes, where quoting is malformed) is found by a few vectorised passes over the
bytes, or, for the common file without quotes, carriage returns or blank lines, by
counting line ends. pyarrow then splits the records into cells on all cores, every column
as text. Where pyarrow finds a row of the wrong width, the rows are numbered by reading
again on one thread (only then).

Writing formats each column as a whole (floats in Python's shortest round-trip form, NaN
and None as empty cells), quotes only the cells that need it, as `csv.writer` does, and
joins the columns with Arrow kernels.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from profdiag._arrow import ArrowColumn, arrow_array
from profdiag._io.json_text import position
from profdiag._io.text_files import UnreadableFile, decode, text_encoding
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError

if TYPE_CHECKING:
    import pyarrow as pa

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters looked for in a CSV header line, in the order ties are reported."""

DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
"""Names a delimiter may be given by, besides the character itself."""

CELL_LIMIT = 131_072
"""The most characters a cell may hold (the limit of Python's csv module)."""

_HEADER_SAMPLE = 1 << 20  # bytes searched for the header line's delimiter
_LINE_BREAK = re.compile(r"\r\n?|\n")
_LF, _CR, _QUOTE = 10, 13, 34
_BLOCK = 1 << 23  # pyarrow's block size (few chunks); a longer record needs a larger one


@dataclass(frozen=True)
class CsvTable:
    """What `read_csv` found: columns by header name, the line each row starts on, the
    lines without characters (skipped), the delimiter (None: one column)."""

    columns: dict[str, ArrowColumn]
    n_rows: int
    lines: Sequence[int]
    skipped_blank_lines: tuple[int, ...]
    delimiter: str | None


def usable_delimiter(delimiter: str) -> str:
    """The delimiter character for a name or character; ArgumentError if it cannot be used."""
    delimiter = DELIMITER_NAMES.get(delimiter, delimiter)
    if (
        not isinstance(delimiter, str)
        or len(delimiter) != 1
        or delimiter in '"\r\n\0'
        or not delimiter.isascii()
    ):
        raise ArgumentError(
            f"delimiter {delimiter!r}: expected one ASCII character other than a double quote "
            f"or a line break, or one of the names {', '.join(DELIMITER_NAMES)}"
        )
    return delimiter


def read_csv(
    data: bytes, start: int, source: str, encoding: str, delimiter: str | None
) -> CsvTable:
    """Parse CSV held as UTF-8 bytes from offset `start` (after a byte order mark).

    `encoding` is the file's own (for naming bytes that are not text in it: `data` is the
    file's bytes as they are when the encoding is UTF-8). Raises ResponseDataError naming
    the file and the line (see the module's description).
    """
    reader = _Reader(data, start, source, encoding)
    return reader.read(delimiter)


class _Reader:
    def __init__(self, data: bytes, start: int, source: str, encoding: str) -> None:
        self.data = data
        self.start = start
        self.source = source
        self.encoding = encoding
        self.decoded = text_encoding(encoding) != "UTF-8"  # then data is checked UTF-8

    def fail(self, problems: list[CellProblem]) -> ResponseDataError:
        """The error to raise; bytes that are not text come first, as a whole-file error."""
        self.check_text()
        return ResponseDataError(self.source, problems)

    def check_text(self) -> None:
        """Raise the error naming the first byte that is not UTF-8 text, if there is one
        (only UTF-8 input can hold one here: other encodings were decoded already)."""
        if self.decoded:
            return
        try:
            decode(self.data, self.encoding, self.source)
        except UnreadableFile as error:
            raise ResponseDataError(
                self.source, [CellProblem(-1, "(file)", error.seen, error.expected)]
            ) from None

    def read(self, delimiter: str | None) -> CsvTable:
        data, start = self.data, self.start
        if data.find(b"\0", start) >= 0:
            self.refuse_nul(delimiter)
        first = start
        while first < len(data) and data[first] in (_LF, _CR):
            first += 1
        if first == len(data):
            raise self.fail(
                [CellProblem(-1, "(header)", "an empty file", "a header row naming the columns")]
            )
        if not self.decoded and not data.isascii() and not _valid_utf8(data):
            self.check_text()
        if delimiter is None:
            sample = data[first : first + _HEADER_SAMPLE].decode("utf-8", errors="replace")
            leading = len(_LINE_BREAK.findall(data[start:first].decode("ascii")))
            delimiter = self.header_delimiter(sample, leading + 1)
        structure = _structure(data, start, delimiter)
        error = structure.error
        if error is not None and error.record == structure.header:
            raise self.fail([self.syntax_problem(structure, -1)])
        names = self.header_names(structure, delimiter)
        _check_header(names, structure.header_line, self)
        problems: list[CellProblem] = []
        if delimiter is None:
            columns = self.one_column(structure)
        else:
            columns, problems, structure = self.cells(structure, names, delimiter)
        if error is not None:
            problems.append(self.syntax_problem(structure, structure.rows_before_error))
        if problems:
            raise self.fail(problems)
        self.check_cell_lengths(columns, names, structure)
        return CsvTable(
            {name: ArrowColumn(column) for name, column in zip(names, columns, strict=True)},
            structure.n_rows,
            structure.row_lines(),
            structure.blank_lines(),
            delimiter,
        )

    def refuse_nul(self, delimiter: str | None) -> None:
        self.check_text()
        text = self.data[self.start :].decode("utf-8")
        nul = text.find("\0")
        line, column = position(text, nul)
        raise ResponseDataError(
            self.source,
            [
                CellProblem(
                    -1,
                    _column_name_at(text, nul, delimiter),
                    f"a NUL character at line {line}, column {column}",
                    "text without NUL characters (is it a binary file, or UTF-16 text?)",
                )
            ],
        )

    def header_delimiter(self, sample: str, line: int) -> str | None:
        try:
            return _header_delimiter(sample, line)
        except _Tie as tie:
            raise self.fail([CellProblem(-1, "(header)", tie.seen, tie.expected)]) from None

    def header_names(self, structure: _Structure, delimiter: str | None) -> list[str]:
        begin, end = structure.span(structure.header)
        header = self.data[begin:end].decode("utf-8")  # checked to be UTF-8 before
        cells = [_unquoted(header)] if delimiter is None else _split_record(header, delimiter)
        return [name.strip() for name in cells]

    def syntax_problem(self, structure: _Structure, row: int) -> CellProblem:
        error = structure.error
        assert error is not None
        if error.kind == "after quote":
            return CellProblem(
                row,
                "(row)",
                "text after the closing quote of a quoted cell",
                "a delimiter or the end of the line right after a closing quote; a quote "
                f'inside a quoted cell is written twice, "" (line {structure.error_line()})',
            )
        return CellProblem(
            row,
            "(row)",
            "a quoted cell that runs to the end of the file",
            "a closing quote for the quoted cell in the row starting at line "
            f"{structure.error_record_line()}",
        )

    def cells(
        self, structure: _Structure, names: list[str], delimiter: str
    ) -> tuple[list[pa.ChunkedArray], list[CellProblem], _Structure]:
        """Each column's cells, the rows of the wrong width, and the structure with every
        record's line (found by a scan when line ends alone did not tell)."""
        import pyarrow as pa

        begin, end = structure.data_span()
        if begin >= end:
            return [pa.chunked_array([], pa.string()) for _ in names], [], structure
        buffer = pa.py_buffer(self.data)[begin:end]
        table, wrong = _parse(buffer, len(names), delimiter, structure.quoted_breaks, True)
        if isinstance(structure, _Lines) and (wrong or table.num_rows != structure.n_rows):
            structure = _scan(self.data, self.start, delimiter)  # blank lines, or errors
        if wrong:
            _, wrong = _parse(buffer, len(names), delimiter, structure.quoted_breaks, False)
            lines = structure.row_lines()
            width = len(names)
            problems = [
                CellProblem(
                    number - 1,
                    "(row)",
                    f"{found} field{'s' if found != 1 else ''}",
                    f"{width} field{'s' if width != 1 else ''}, as in the header "
                    f"(line {lines[number - 1]})",
                )
                for number, found in wrong  # pyarrow numbers the rows from 1
            ]
            return [], problems, structure
        if table.num_rows != structure.n_rows:  # a bug if it happens
            raise AssertionError(
                f"{self.source}: {table.num_rows} rows parsed, {structure.n_rows} expected"
            )
        return list(table.columns), [], structure

    def one_column(self, structure: _Structure) -> list[pa.ChunkedArray]:
        """A table without delimiters: each record is one cell, unquoted if quoted."""
        import pyarrow as pa
        import pyarrow.compute as pc

        starts, stops = structure.data_records()
        if starts.size == 0:
            return [pa.chunked_array([], pa.string())]
        body = np.frombuffer(self.data, dtype=np.uint8)
        offsets = np.zeros(starts.size + 1, dtype=np.int64)
        np.cumsum(stops - starts, out=offsets[1:])
        inside = np.zeros(body.size + 1, dtype=np.int8)
        inside[starts] += 1
        inside[stops] -= 1
        packed = body[np.cumsum(inside[:-1]).astype(bool)]
        cells = pa.LargeStringArray.from_buffers(
            starts.size, pa.py_buffer(offsets), pa.py_buffer(packed.tobytes())
        )
        try:
            cells.validate(full=True)
        except pa.ArrowInvalid:
            self.check_text()
            raise
        quoted = pc.starts_with(cells, '"')
        inner = pc.replace_substring(pc.utf8_slice_codeunits(cells, 1, -1), '""', '"')
        column = pc.if_else(quoted, inner, cells).cast(pa.string())
        return [pa.chunked_array([column])]

    def check_cell_lengths(
        self, columns: list[pa.ChunkedArray], names: list[str], structure: _Structure
    ) -> None:
        """Refuse the first cell (in row order) longer than CELL_LIMIT characters. Only
        chunks holding more than CELL_LIMIT bytes of text in all are looked at."""
        import pyarrow.compute as pc

        if structure.longest <= CELL_LIMIT:
            return
        found: list[tuple[int, int]] = []
        for c, column in enumerate(columns):
            row = 0
            for chunk in column.chunks:
                if _text_bytes(chunk) > CELL_LIMIT:
                    long = pc.greater(pc.utf8_length(chunk), CELL_LIMIT)
                    if pc.any(long).as_py():
                        found.append((row + pc.index(long, True).as_py(), c))
                        break
                row += len(chunk)
        if not found:
            return
        row, c = min(found)
        raise self.fail(
            [
                CellProblem(
                    row,
                    names[c],
                    f"a cell longer than {CELL_LIMIT:,} characters",
                    f"cells of at most {CELL_LIMIT:,} characters "
                    f"(line {structure.row_lines()[row]})",
                )
            ]
        )


def _text_bytes(chunk: pa.Array) -> int:
    """Bytes of text in a string chunk, read from its offsets."""
    import pyarrow as pa

    if len(chunk) == 0:
        return 0
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
    return int(offsets[chunk.offset + len(chunk)] - offsets[chunk.offset])


def _valid_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 (Arrow's check: a few milliseconds for 100 MB)."""
    import pyarrow as pa

    offsets = np.array([0, len(data)], dtype=np.int64)
    text = pa.LargeStringArray.from_buffers(1, pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _split_record(text: str, delimiter: str) -> list[str]:
    """The cells of one record whose quoting was checked by the scan: a quoted cell runs to
    its closing quote (doubled quotes are one) and is followed by the delimiter or the
    end; any other cell runs to the next delimiter."""
    cells: list[str] = []
    at, end = 0, len(text)
    while True:
        if at < end and text[at] == '"':
            parts, at = [], at + 1
            while True:
                close = text.find('"', at)
                parts.append(text[at:close])
                if text.startswith('""', close):
                    parts.append('"')
                    at = close + 2
                    continue
                break
            cells.append("".join(parts))
            at = close + 1
        else:
            stop = text.find(delimiter, at)
            stop = end if stop < 0 else stop
            cells.append(text[at:stop])
            at = stop
        if at >= end:
            return cells
        at += 1  # the delimiter
        if at == end:
            cells.append("")
            return cells


class _Tie(Exception):
    def __init__(self, seen: str, expected: str) -> None:
        self.seen, self.expected = seen, expected


def _header_delimiter(sample: str, line: int) -> str | None:
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
        raise _Tie(
            f"{shown} in the header line (line {line})",
            "one delimiter that occurs more often than the others; "
            "name the delimiter when reading this file",
        )
    return leaders[0]


def _name(delimiter: str) -> str:
    return next(
        (f"{name} {delimiter!r}" for name, mark in DELIMITER_NAMES.items() if mark == delimiter),
        repr(delimiter),
    )


def _unquoted(cell: str) -> str:
    return cell[1:-1].replace('""', '"') if cell.startswith('"') else cell


def _check_header(names: list[str], line: int, reader: _Reader) -> None:
    seen: set[str] = set()
    problems = []
    for position_, name in enumerate(names):
        if len(name) > CELL_LIMIT:
            problems.append(
                CellProblem(
                    -1,
                    f"(column {position_ + 1})",
                    f"a cell longer than {CELL_LIMIT:,} characters",
                    f"cells of at most {CELL_LIMIT:,} characters (line {line})",
                )
            )
        elif not name:
            problems.append(CellProblem(-1, f"(column {position_ + 1})", name, "a column name"))
        elif name in seen:
            problems.append(CellProblem(-1, name, name, "each column name once"))
        seen.add(name)
    if problems:
        raise reader.fail(problems)


def _column_name_at(text: str, offset: int, delimiter: str | None) -> str:
    """The header name of the cell holding text[offset] (counting delimiters outside quotes
    from the start of its line), or "(file)" where that cannot be told."""
    try:
        first_break = _LINE_BREAK.search(text)
        header = text[: first_break.start() if first_break else len(text)].replace("\0", "")
        separator = delimiter or _header_delimiter(header, 1)
        if separator is None:
            return "(file)"
        names = next(csv.reader([header], delimiter=separator))
    except (_Tie, csv.Error, StopIteration):
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


# ---------------------------------------------------------------------- record structure


@dataclass(frozen=True)
class _SyntaxError:
    kind: str  # "after quote" or "unterminated"
    record: int  # the record it is in
    offset: int  # the byte where it was found


@dataclass
class _Structure:
    """Records of the text: record k spans bytes [starts[k], stops[k]) and starts on line
    lines[k]; `header` is the first record with characters; records without characters
    are blank lines. With `error`, the records end before the one holding the first
    malformed quoting, which is not read."""

    starts: np.ndarray
    stops: np.ndarray
    lines: np.ndarray
    header: int
    quoted_breaks: bool  # some line break is inside a quoted cell
    break_offsets: np.ndarray
    error: _SyntaxError | None = None
    last_end: int = 0  # the end of the last record, its line end included

    @property
    def longest(self) -> int:
        """Bytes of the longest record after the header (or a bound)."""
        return int((self.stops - self.starts)[self.header + 1 :].max(initial=0))

    @property
    def header_line(self) -> int:
        return int(self.lines[self.header])

    def span(self, record: int) -> tuple[int, int]:
        return int(self.starts[record]), int(self.stops[record])

    def data_span(self) -> tuple[int, int]:
        """The bytes of the records after the header, the last one's line end included."""
        if len(self.starts) <= self.header + 1:
            return 0, 0
        return int(self.starts[self.header + 1]), self.last_end

    def _kept(self) -> np.ndarray:
        return np.asarray(self.starts != self.stops)[self.header + 1 :]

    @property
    def n_rows(self) -> int:
        return int(np.count_nonzero(self._kept()))

    @property
    def rows_before_error(self) -> int:
        assert self.error is not None
        return int(np.count_nonzero(self._kept()[: self.error.record - self.header - 1]))

    def error_line(self) -> int:
        assert self.error is not None
        return int(np.searchsorted(self.break_offsets, self.error.offset)) + 1

    def error_record_line(self) -> int:
        assert self.error is not None
        return int(self.lines[self.error.record])

    def data_records(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and stop of each row (the records after the header that are not blank)."""
        keep = np.asarray(self.starts != self.stops)
        keep[: self.header + 1] = False
        return self.starts[keep], self.stops[keep]

    def row_lines(self) -> Sequence[int]:
        lines: list[int] = self.lines[self.header + 1 : len(self.starts)][self._kept()].tolist()
        return lines

    def blank_lines(self) -> tuple[int, ...]:
        blank = np.asarray(self.starts == self.stops)
        return tuple(self.lines[: len(self.starts)][blank].tolist())


@dataclass
class _Lines(_Structure):
    """Text without quotes or carriage returns that does not start with a blank line, taken
    to hold one record per line (nothing is computed per record). The parse, which skips
    blank lines, checks it: a row count that differs means blank lines, and the text is
    then scanned."""

    n_lines: int = 0
    first_break: int = 0
    end: int = 0

    @property
    def longest(self) -> int:
        return self.end - self.first_break  # a bound

    @property
    def header_line(self) -> int:
        return 1

    def span(self, record: int) -> tuple[int, int]:
        return int(self.starts[0]), self.first_break

    def data_span(self) -> tuple[int, int]:
        return (self.first_break + 1, self.end) if self.n_lines > 1 else (0, 0)

    @property
    def n_rows(self) -> int:
        return self.n_lines - 1

    def row_lines(self) -> Sequence[int]:
        return range(2, self.n_lines + 1)

    def blank_lines(self) -> tuple[int, ...]:
        return ()


def _structure(data: bytes, start: int, delimiter: str | None) -> _Structure:
    """The records of data[start:]: counted by their line ends alone when the text has no
    quotes, no carriage returns and does not start with a blank line (a `_Lines`, which
    the parse then checks), else found by `_scan`."""
    quoted = data.find(b'"', start) >= 0
    returns = data.find(b"\r", start) >= 0
    if delimiter is None or quoted or returns or not _records_are_lines(data, start):
        return _scan(data, start, delimiter)
    first = data.find(b"\n", start)
    n_breaks = data.count(b"\n", start)
    empty = np.zeros(0, dtype=np.int64)
    return _Lines(
        np.array([start]),
        empty,
        empty,
        0,
        False,
        empty,
        n_lines=n_breaks + (0 if data.endswith(b"\n") else 1),
        first_break=first if first >= 0 else len(data),
        end=len(data),
    )


def _scan(data: bytes, start: int, delimiter: str | None) -> _Structure:
    """Every record of data[start:], found by vectorised passes over the bytes."""
    quoted = data.find(b'"', start) >= 0
    returns = data.find(b"\r", start) >= 0
    body = np.frombuffer(data, dtype=np.uint8)[start:]
    breaks, ends = _line_breaks(body, returns)
    inside = np.zeros(breaks.size, dtype=bool)
    error = None
    if quoted:
        inside, error = _quoting(body, breaks, delimiter)
    terminators = np.flatnonzero(~inside)
    record_starts = np.concatenate([[0], ends[terminators]])
    record_stops = np.concatenate([breaks[terminators], [body.size]])
    record_ends = np.concatenate([ends[terminators], [body.size]])
    lines = np.concatenate([[1], terminators + 2])
    if record_starts[-1] == body.size:  # the text ends with a line end: no record after it
        record_starts, record_stops, record_ends = (
            record_starts[:-1],
            record_stops[:-1],
            record_ends[:-1],
        )
        lines = lines[:-1]
    blank = record_starts == record_stops
    header = int(np.argmin(blank))  # the text is not only line ends (checked before)
    if error is not None:
        record = int(np.searchsorted(record_starts, error.offset, side="right")) - 1
        error = _SyntaxError(error.kind, record, error.offset + start)
        if record > header:  # the records from the malformed one on are not read
            record_starts, record_stops, record_ends = (
                record_starts[:record],
                record_stops[:record],
                record_ends[:record],
            )
            lines = np.concatenate([lines[:record], [lines[record]]])
    return _Structure(
        record_starts + start,
        record_stops + start,
        lines,
        header,
        bool(inside.any()),
        breaks + start,
        error,
        int(record_ends[-1]) + start,
    )


def _records_are_lines(data: bytes, start: int) -> bool:
    """Whether text without quotes or carriage returns may be read as one record per line
    (blank lines after the first are found by the parse, which skips them)."""
    return data.find(b"\n", start) != start


def _line_breaks(body: np.ndarray, carriage_returns: bool) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of each line break (\\n, \\r\\n counted once, \\r) and of the byte after it."""
    feeds = np.flatnonzero(body == _LF)
    if not carriage_returns:
        return feeds, feeds + 1
    returns = np.flatnonzero(body == _CR)
    alone = feeds[(feeds == 0) | (body[np.maximum(feeds - 1, 0)] != _CR)]
    breaks = np.sort(np.concatenate([returns, alone]))
    pair = np.zeros(breaks.size, dtype=bool)
    inner = breaks < body.size - 1
    pair[inner] = (body[breaks[inner]] == _CR) & (body[breaks[inner] + 1] == _LF)
    return breaks, breaks + 1 + pair


def _quoting(
    body: np.ndarray, breaks: np.ndarray, delimiter: str | None
) -> tuple[np.ndarray, _SyntaxError | None]:
    """Which line breaks are inside quoted cells, and the first malformed quoting.

    Quotes come in runs of consecutive quote characters. A run at the start of a cell
    opens a quoted cell, and the rest of it is read inside: pairs are quotes in the text,
    an odd one left closes. A run elsewhere is text outside a quoted cell; inside one, its
    pairs are quotes in the text and an odd one left closes it. So an odd run at the start
    of a cell toggles the state, an odd run elsewhere always leaves it outside, and an even
    run changes nothing: the state after each run is the parity of the toggles since the
    last reset, found with cumulative sums. A run that closes a quoted cell must be
    followed by a delimiter, a line break or the end of the text.
    """
    quotes = np.flatnonzero(body == _QUOTE)
    new_run = np.ones(quotes.size, dtype=bool)
    new_run[1:] = np.diff(quotes) != 1
    first = np.flatnonzero(new_run)
    run_start = quotes[first]
    run_length = np.diff(np.append(first, quotes.size))
    before = body[np.maximum(run_start - 1, 0)]
    at_cell_start = (run_start == 0) | (before == _LF) | (before == _CR)
    if delimiter is not None:
        at_cell_start |= before == ord(delimiter)
    odd = run_length % 2 == 1
    toggles = np.cumsum(at_cell_start & odd)
    runs = np.arange(run_start.size)
    last_reset = np.maximum.accumulate(np.where(~at_cell_start & odd, runs, -1))
    base = np.where(last_reset >= 0, toggles[np.maximum(last_reset, 0)], 0)
    inside_after = (toggles - base) % 2 == 1
    inside_before = np.concatenate([[False], inside_after[:-1]])
    closes = (inside_before & odd) | (~inside_before & at_cell_start & ~odd)
    run_end = run_start + run_length
    following = body[np.minimum(run_end, body.size - 1)]
    allowed = (run_end == body.size) | (following == _LF) | (following == _CR)
    if delimiter is not None:
        allowed |= following == ord(delimiter)
    wrong = np.flatnonzero(closes & ~allowed)
    error = None
    if wrong.size:
        error = _SyntaxError("after quote", -1, int(run_end[wrong[0]]))
    elif inside_after[-1]:
        opened = np.flatnonzero(~inside_before & inside_after)[-1]
        error = _SyntaxError("unterminated", -1, int(run_start[opened]))
    run = np.searchsorted(run_start, breaks) - 1
    inside = (run >= 0) & inside_after[np.maximum(run, 0)]
    if error is not None:  # line breaks after the error are read as record ends
        inside &= breaks < error.offset
    return inside, error


def _parse(
    buffer: pa.Buffer, width: int, delimiter: str, quoted_breaks: bool, threads: bool
) -> tuple[pa.Table, list[tuple[int, int]]]:
    """Every record of `buffer` with characters as text cells; and, for each record of
    another width, (its number among those records from 1, the cells found) (numbered
    only when read without threads)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    wrong: list[tuple[int, int]] = []

    def note(row: Any) -> str:
        wrong.append((row.number if row.number is not None else -1, row.actual_columns))
        return "skip"

    names = [f"c{k}" for k in range(width)]
    block = _BLOCK
    while True:
        try:
            table = pa_csv.read_csv(
                buffer,
                read_options=pa_csv.ReadOptions(
                    use_threads=threads, column_names=names, block_size=block
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=delimiter,
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=quoted_breaks,
                    ignore_empty_lines=True,
                    invalid_row_handler=note,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                    true_values=[],
                    false_values=[],
                    check_utf8=False,  # checked before, whole
                ),
            )
            return table, wrong
        except pa.ArrowInvalid as error:
            if "straddling" not in str(error) or block >= buffer.size:
                raise
            block, wrong = min(block * 8, buffer.size + 1), []


# ---------------------------------------------------------------------- writing


_MERGED_LABELS = 65_536  # adjacent label columns are written as one while this many combine
_FEW_DISTINCT = 8  # floats with at most 1 in this many distinct are formatted per value
_WRITE_ROWS = 131_072  # rows joined into lines at a time
_PARALLEL_PARTS = 2  # ranges of rows joined at once, on threads


@dataclass(frozen=True)
class _Labels:
    """A column given as codes into a list of CSV-ready texts."""

    codes: np.ndarray
    texts: list[str]

    def then(self, other: _Labels) -> _Labels | None:
        """This column and the next as one (their texts joined by a comma), unless the
        combinations are too many."""
        if len(self.texts) * len(other.texts) > _MERGED_LABELS:
            return None
        codes = self.codes.astype(np.int32) * len(other.texts) + other.codes
        return _Labels(codes, [f"{a},{b}" for a in self.texts for b in other.texts])


def csv_bytes(header: Sequence[str], columns: Sequence[Any]) -> Iterator[Any]:
    """The CSV text of a table as UTF-8 byte buffers, to be written in order as they come.

    Each column is a numpy array, an Arrow-backed column or a sequence of cells; "\\n"
    ends each line; a cell is quoted when it holds a comma, a quote, "\\r" or "\\n"
    (csv.writer leaves a lone "\\r" unquoted with "\\n" line ends, which readers take
    for a line end). In a one-column table an empty cell is written "" so that its line is
    not blank. Columns are formatted first, on threads (a column of few distinct values,
    such as labels, counts and most means, once per value); then ranges of rows are joined
    into lines on threads, a few at a time, so that the text of the whole table is never
    held at once.

    Raises
    ------
    UnicodeEncodeError
        A cell holds a lone surrogate (from JSON input), which UTF-8 cannot hold; raised
        before the first buffer is returned.
    """
    import pyarrow as pa

    head = ",".join(_csv_text(name) for name in header)
    if len(header) == 1 and not head:
        head = '""'
    first = (head + "\n").encode("utf-8")
    n_rows = len(columns[0]) if columns else 0
    if n_rows == 0:
        return iter([first])
    with ThreadPoolExecutor() as pool:
        formatted = list(pool.map(_formatted, columns))
    if len(formatted) == 1:
        formatted = [_empty_quoted(formatted[0])]
    merged = _merged(formatted)
    if isinstance(merged[-1], str):
        merged[-1] += "\n"
    elif isinstance(merged[-1], _Labels):
        merged[-1] = _Labels(merged[-1].codes, [text + "\n" for text in merged[-1].texts])
    else:
        merged.append("\n")
    pieces = [
        pa.scalar(column, pa.string()) if isinstance(column, str) else column for column in merged
    ]
    return _lines(first, pieces, n_rows)


def _lines(first: bytes, pieces: list[Any], n_rows: int) -> Iterator[Any]:
    """The header, then the lines of each range of rows (joined two ranges at a time on
    threads), as byte buffers."""
    import pyarrow as pa

    yield first
    ranges = list(itertools.pairwise([*range(0, n_rows, _WRITE_ROWS), n_rows]))

    def join(bound: tuple[int, int]) -> Any:
        return _join(pieces, *bound)

    with ThreadPoolExecutor() as pool:
        for at in range(0, len(ranges), _PARALLEL_PARTS):
            for joined in pool.map(join, ranges[at : at + _PARALLEL_PARTS]):
                for chunk in joined.chunks if isinstance(joined, pa.ChunkedArray) else [joined]:
                    if len(chunk):
                        yield _chunk_bytes(chunk)


def _join(pieces: list[Any], start: int, stop: int) -> Any:
    """Rows [start, stop) as lines: the pieces joined by commas (a constant last piece,
    which ends the line, without one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = [
        piece
        if isinstance(piece, pa.Scalar)
        else _text(_Labels(piece.codes[start:stop], piece.texts))
        if isinstance(piece, _Labels)
        else piece.slice(start, stop - start)
        for piece in pieces
    ]
    if isinstance(cells[-1], pa.Scalar):
        last = cells.pop()
        joined = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
        return pc.binary_join_element_wise(joined, last, "")
    return pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]


def _merged(formatted: list[Any]) -> list[Any]:
    """Adjacent label columns as one (while their combinations are few), and a label
    column of one text as that text, to be joined as a constant."""
    merged: list[Any] = []
    for given in formatted:
        constant = isinstance(given, _Labels) and len(given.texts) == 1 and len(formatted) > 1
        column = given.texts[0] if constant else given
        previous = merged[-1] if merged else None
        if isinstance(previous, str) and isinstance(column, str):
            merged[-1] = f"{previous},{column}"
            continue
        if isinstance(previous, _Labels) and isinstance(column, _Labels):
            both = previous.then(column)
            if both is not None:
                merged[-1] = both
                continue
        merged.append(column)
    if len(merged) > 1 and isinstance(merged[-1], str):
        # a constant ends the line: it is joined after the others, with its comma
        merged[-1] = "," + merged[-1]
    return merged


def _chunk_bytes(chunk: Any) -> memoryview:
    """The text of a string chunk's cells, one after another, without a copy."""
    import pyarrow as pa

    offsets_buffer, data_buffer = chunk.buffers()[1:3]
    kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=kind)
    first, last = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
    return memoryview(data_buffer)[first:last]


def _text(column: Any) -> Any:
    """A formatted column as an Arrow string array (a constant as a scalar)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, str):
        return pa.scalar(column, pa.string())
    if isinstance(column, _Labels):
        return pc.take(pa.array(column.texts, pa.string()), pa.array(column.codes))
    return column


def _empty_quoted(column: Any) -> Any:
    """A one-column table's empty cells as "", so that no line is blank."""
    import pyarrow.compute as pc

    if isinstance(column, _Labels):
        return _Labels(column.codes, [text or '""' for text in column.texts])
    return pc.if_else(pc.equal(column, ""), '""', column)


def _formatted(column: Any) -> Any:
    """A column as CSV text (an Arrow string array, or `_Labels`), quoted where needed,
    empty for None and NaN."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = arrow_array(column)
    if arrow is not None:
        kind = arrow.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return _quoted(pc.fill_null(arrow, "") if arrow.null_count else arrow)
        if pa.types.is_dictionary(kind):
            return _dictionary_labels(arrow)
        if pa.types.is_floating(kind) or pa.types.is_integer(kind):
            if arrow.null_count == 0:
                return _formatted(arrow.to_numpy())
            return _formatted(arrow.cast(pa.float64()).to_numpy(zero_copy_only=False))
        cells: list[Any] = arrow.to_pylist()
    else:
        array = np.asarray(column)
        if array.dtype.kind == "f":
            return _float_text(array)
        if array.dtype.kind in "iu":
            return _integer_text(array)
        if array.dtype.kind in "OU":
            try:  # text and None (NaN) only: converted in one call
                text = pa.array(array, type=pa.string(), from_pandas=True)
            except (pa.ArrowException, TypeError, ValueError):
                pass
            else:
                return _quoted(pc.fill_null(text, ""))
        cells = array.tolist()
    spelled: dict[Any, str] = {}
    texts = []
    for cell in cells:  # labels repeat: each distinct one is spelled once
        key = _key(cell)
        text = spelled.get(key)
        if text is None:
            text = spelled[key] = _csv_text(cell)
        texts.append(text)
    return pa.array(texts, pa.string())


def _dictionary_labels(arrow: Any) -> _Labels:
    """An Arrow dictionary column (null: an empty cell) as `_Labels`."""
    import pyarrow as pa

    combined = arrow.combine_chunks() if arrow.num_chunks != 1 else arrow.chunk(0)
    if isinstance(combined, pa.ChunkedArray):  # pragma: no cover - pyarrow < 15
        combined = combined.chunk(0)
    texts = [_csv_text(cell) for cell in combined.dictionary.to_pylist()]
    codes = combined.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False)
    return _Labels(np.asarray(codes, dtype=np.int32), [*texts, ""])


def _integer_text(values: np.ndarray) -> Any:
    """Integers as str() writes them: as labels when their range is small (counts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    low, high = int(values.min()), int(values.max())
    if high - low < _MERGED_LABELS:
        return _Labels((values - low).astype(np.int32), [str(k) for k in range(low, high + 1)])
    return pc.cast(pa.array(values), pa.string())


def _key(cell: Any) -> Any:
    """A dict key for a cell, its type included (1, 1.0 and True are one key otherwise)."""
    try:
        hash(cell)
    except TypeError:
        return (type(cell), repr(cell))
    return (type(cell), cell)


def _quoted(text: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    if not any(map(_may_need_quotes, chunks)):
        return text
    needs = pc.match_substring_regex(text, '[,"\\r\\n]')
    if not pc.any(needs).as_py():
        return text
    wrapped = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, wrapped, text)


def _may_need_quotes(chunk: Any) -> bool:
    """Whether a string chunk's text holds a comma, a quote or a line break anywhere (a
    byte search, much faster than a pattern per cell)."""
    if len(chunk) == 0 or chunk.buffers()[2] is None:
        return False
    text = memoryview(chunk.buffers()[2]).cast("B")
    data = bytes(text[: _text_bytes(chunk) + _first_offset(chunk)])
    return any(data.find(mark) >= 0 for mark in (b",", b'"', b"\r", b"\n"))


def _first_offset(chunk: Any) -> int:
    import pyarrow as pa

    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    return int(np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset])


def _float_text(values: np.ndarray) -> Any:
    """Floats as Python's repr writes them (shortest round trip), NaN as an empty cell.

    A column of few distinct values is formatted by repr once per value. Otherwise Arrow
    writes the same shortest digits, but "3" for 3.0 and exponents from other magnitudes:
    between 1e-4 and 1e9 Arrow's text plus ".0" for whole numbers is repr's; the (rare)
    other numbers are formatted by repr itself.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=np.float64)
    encoded = pc.dictionary_encode(pa.array(values))
    if len(encoded.dictionary) * _FEW_DISTINCT <= len(values):  # e.g. means of a few items
        texts = ["" if math.isnan(x) else repr(x) for x in encoded.dictionary.to_pylist()]
        return _Labels(encoded.indices.to_numpy(zero_copy_only=False), texts)
    missing = np.isnan(values)
    magnitude = np.abs(np.where(missing, 1.0, values))
    plain = ((magnitude >= 1e-4) & (magnitude < 1e9)) | (magnitude == 0)
    text = pc.cast(pa.array(values, from_pandas=False), pa.string())
    whole = ~missing & plain & (np.floor(values) == values)
    if whole.any():
        text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, ".0", ""), text)
    odd = np.flatnonzero(~plain & ~missing)
    if odd.size:
        spelled = np.array(text.to_pylist(), dtype=object)
        spelled[odd] = [repr(value) for value in values[odd].tolist()]
        text = pa.array(spelled, pa.string())
    if missing.any():
        text = pc.if_else(pa.array(missing), "", text)
    return text


def _csv_text(cell: Any) -> str:
    """A text cell quoted as csv.writer quotes it (only when it must be)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, float):
        text = repr(cell)
    elif isinstance(cell, dict | list):  # from JSON input: written as JSON
        text = json.dumps(cell, ensure_ascii=False)
    else:
        text = str(cell)
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
