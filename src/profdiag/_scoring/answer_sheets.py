"""A column of typed paper answer sheets ("1а 2б ...") -> one column per item, inside
scoring, so that library and command-line users get the same result from the same data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from profdiag._instrument.model import Instrument
from profdiag.errors import ArgumentError, CellProblem


def expand_answers_column(
    instrument: Instrument, data: Any, column: str
) -> tuple[Any, list[CellProblem]]:
    """Replace `column` of `data` (a mapping of columns, a DataFrame, a list of row dicts or
    one row dict) by one column per item; return the new data (a mapping of columns, or the
    same kind of rows) and a problem for every token that is not a valid answer."""
    from profdiag._io.answer_strings import expand_answer_strings

    if isinstance(data, Mapping) and _one_row(data):
        rows, problems = _expand_rows(instrument, [data], column)
        return rows[0], problems
    if isinstance(data, Mapping) or hasattr(data, "columns"):
        names = [str(name) for name in data.columns] if hasattr(data, "columns") else list(data)
        if column not in names:
            raise ArgumentError(f"the data has no answers column {column!r}")
        columns = {
            str(name): data[name] for name in (data.columns if hasattr(data, "columns") else data)
        }
        cells = list(columns.pop(column))
        expanded, problems = expand_answer_strings(instrument, cells, column)
        clashes = sorted(set(expanded) & set(columns))
        if clashes:
            raise ArgumentError(
                f"the data has both an answers column {column!r} and item columns {clashes}"
            )
        return {**columns, **expanded}, problems
    if isinstance(data, Sequence) and all(isinstance(row, Mapping) for row in data):
        return _expand_rows(instrument, data, column)
    raise ArgumentError(
        "an answers column needs data with named columns (a mapping of columns, a DataFrame, "
        f"a list of dicts or one dict); got {type(data).__name__}"
    )


def _one_row(data: Mapping[str, Any]) -> bool:
    first = next(iter(data.values()), None)
    return first is None or isinstance(first, str | int | float)


def _expand_rows(
    instrument: Instrument, rows: Sequence[Mapping[str, Any]], column: str
) -> tuple[list[dict[str, Any]], list[CellProblem]]:
    from profdiag._io.answer_strings import expand_answer_strings

    missing = [row_number for row_number, row in enumerate(rows) if column not in row]
    if missing:
        raise ArgumentError(f"row {missing[0]} has no answers column {column!r}")
    expanded, problems = expand_answer_strings(instrument, [row[column] for row in rows], column)
    out = []
    for row_number, row in enumerate(rows):
        answers = {item: cells[row_number] for item, cells in expanded.items()}
        rest = {name: value for name, value in row.items() if name != column}
        clashes = sorted(set(answers) & set(rest))
        if clashes:
            raise ArgumentError(
                f"row {row_number} has both an answers column {column!r} and item columns {clashes}"
            )
        out.append({**rest, **answers})
    return out, problems
