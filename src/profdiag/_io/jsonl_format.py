"""JSON Lines (.jsonl, .ndjson) in: one JSON object per line, one respondent per object.

Lines are split at line feeds and carriage returns only (a JSON string may hold U+2028,
which `str.splitlines` would split at). A line of nothing but spaces is not a respondent
(it is skipped and reported, as an empty line in a CSV file is); every other line must be
one JSON object, and a line that is not is reported by its number. Values stay as JSON has
them: "007" is text, 7 a number; a key missing from a line is no answer there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from profdiag._arrow import ArrowColumn
from profdiag._io.json_text import JsonTextError, loads
from profdiag.errors import CellProblem, ResponseDataError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
MAX_LINE_PROBLEMS = 50


@dataclass(frozen=True)
class JsonLines:
    columns: dict[str, Sequence[Any]]
    lines: list[int]  # the line (from 1) of each row
    skipped_blank_lines: tuple[int, ...]


def parse_jsonl(text: str, source: str) -> JsonLines:
    """Rows of a JSON Lines text.

    Raises
    ------
    ResponseDataError
        A line that is not JSON, or not an object (each named by its line number).
    """
    parts = _LINE_BREAK.split(text)
    if parts and parts[-1] == "":
        parts.pop()  # the line break ending the last line
    lines = [number for number, part in enumerate(parts, 1) if part.strip()]
    blank = tuple(number for number, part in enumerate(parts, 1) if not part.strip())
    typed = _arrow_columns(text, len(lines))
    if typed is not None:
        return JsonLines(typed, lines, blank)
    try:  # every line an object, but not in types Arrow keeps (mixed, dates, NaN, ...)
        records: list[Any] | None = [json.loads(parts[n - 1]) for n in lines]
    except (ValueError, RecursionError):
        records = None
    if records is None or not all(type(record) is dict for record in records):
        # again, line by line, with messages naming each bad line
        records = _records_line_by_line(parts, lines, source)
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns: dict[str, Sequence[Any]] = {
        name: [record.get(name) for record in records] for name in names
    }
    return JsonLines(columns, lines, blank)


def _arrow_columns(text: str, n_rows: int) -> dict[str, Sequence[Any]] | None:
    """The usual file, parsed by Arrow on all cores: each column of one JSON type (text,
    numbers, booleans), one object on each line that is not blank. None for anything else,
    which is read again line by line: a column mixing types, a repeated key, a line that
    is not one object, text Arrow would read as a date (it turns ISO date strings into
    timestamps)."""
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        table = pj.read_json(
            pa.BufferReader(text.encode("utf-8", "surrogatepass")),
            parse_options=pj.ParseOptions(newlines_in_values=False),
        )
    except (pa.ArrowException, OSError, ValueError):
        return None
    if table.num_rows != n_rows or any(pa.types.is_temporal(field.type) for field in table.schema):
        return None
    return {name: ArrowColumn(table.column(i)) for i, name in enumerate(table.column_names)}


def _records_line_by_line(parts: list[str], lines: list[int], source: str) -> list[Any]:
    records, problems = [], []
    for number in lines:
        try:
            record = loads(parts[number - 1], source)
        except JsonTextError as error:
            problems.append(
                CellProblem(
                    -1,
                    "(file)",
                    f"line {number}, column {error.column}: {_shown(parts[number - 1])}",
                    error.expected,
                )
            )
            continue
        if not isinstance(record, dict):
            problems.append(
                CellProblem(
                    -1,
                    "(file)",
                    f"line {number}: a JSON {_kind(record)}",
                    "one JSON object per line, one respondent per object",
                )
            )
        records.append(record)
    if problems:
        raise ResponseDataError(source, problems[:MAX_LINE_PROBLEMS], total=len(problems))
    return records


def _shown(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "..."


def _kind(value: Any) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")
