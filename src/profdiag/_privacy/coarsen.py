"""Coarsening quasi-identifiers: a birth date to its year, an age to a band of years.

Rules (column -> rule): ``year`` keeps the year of a date (ISO ``YYYY-MM-DD``, with or
without a time; Russian ``DD.MM.YYYY``; a date or timestamp column from Parquet; a bare
year); ``band`` turns completed years of age (0-120) into a 5-year band ``15-19``
(bands start at multiples of the width); ``band:W`` uses bands of W years (2-20). Empty
cells stay empty; a cell that is not what the rule reads is a problem with its row and
column, reported without the cell's value (it is personal data).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from profdiag.errors import ArgumentError, CellProblem

__all__ = ["CoarsenRule", "coarsen_column", "hidden", "parse_rules"]

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_RUSSIAN = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")
_DEFAULT_BAND = 5


@dataclass(frozen=True)
class CoarsenRule:
    kind: str  # "year" or "band"
    width: int = _DEFAULT_BAND

    @property
    def expected(self) -> str:
        if self.kind == "year":
            return "a date (YYYY-MM-DD or DD.MM.YYYY) or a year from 1900 to 2100"
        return "an age in completed years from 0 to 120"


def parse_rules(rules: Mapping[str, str]) -> dict[str, CoarsenRule]:
    """Column -> rule text ("year", "band", "band:W") as rules; ArgumentError if unknown."""
    parsed: dict[str, CoarsenRule] = {}
    for column, text in rules.items():
        spelled = str(text).strip().lower()
        if spelled == "year":
            parsed[column] = CoarsenRule("year")
            continue
        kind, _, width = spelled.partition(":")
        if kind == "band" and (not width or (width.isdigit() and 2 <= int(width) <= 20)):
            parsed[column] = CoarsenRule("band", int(width) if width else _DEFAULT_BAND)
            continue
        raise ArgumentError(
            f"cannot coarsen column {column!r} by {text!r}: expected 'year' (a birth date "
            "to its year), 'band' (an age to a 5-year band) or 'band:W' (bands of W years, "
            "2 to 20)"
        )
    return parsed


def coarsen_column(
    name: str, cells: Sequence[Any], rule: CoarsenRule, problems: list[CellProblem]
) -> list[Any]:
    """The coarsened cells (int years, or band texts; None where empty); each cell that
    cannot be read is appended to `problems` and left empty."""
    out: list[Any] = []
    reader = _year if rule.kind == "year" else _age
    for row, cell in enumerate(cells):
        if _empty(cell):
            out.append(None)
            continue
        value = reader(cell)
        if value is None:
            problems.append(CellProblem(row, name, hidden(cell), rule.expected))
            out.append(None)
        elif rule.kind == "year":
            out.append(value)
        else:
            low = value - value % rule.width
            out.append(f"{low}-{low + rule.width - 1}")
    return out


def hidden(cell: Any) -> str:
    """What an error shows of a cell of personal data: its kind, not its value."""
    kind = "text" if isinstance(cell, str) else type(cell).__name__
    return f"<{kind}, value not shown>"


def _empty(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return isinstance(cell, str) and not cell.strip()


def _year(cell: Any) -> int | None:
    if isinstance(cell, dt.date):  # datetime too
        return cell.year
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell if 1900 <= cell <= 2100 else None
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    if _YEAR.match(text):
        year = int(text)
        return year if 1900 <= year <= 2100 else None
    iso, russian = _ISO.match(text), _RUSSIAN.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif russian:
        day, month, year = (int(part) for part in russian.groups())
    else:
        return None
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return year if 1900 <= year <= 2100 else None


def _age(cell: Any) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, str):
        text = cell.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    elif isinstance(cell, int | float):
        number = float(cell)
    else:
        return None
    if not math.isfinite(number) or not 0 <= number <= 120:
        return None
    return int(number)
