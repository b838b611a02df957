"""Paper answer sheets typed as one string per respondent: "1а 2б 3а ...".

Each token is an item's position in the instrument (1-based, as printed on the sheet)
followed by the chosen option, written as the item's format accepts it (а/б, a/b, 1/2).
Separators between tokens may be spaces, commas, semicolons or nothing ("1а2б3а");
"1-а", "1.а", "1) а" and "1: а" are read too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from profdiag.errors import CellProblem
from profdiag.instrument.model import Instrument

_TOKEN = re.compile(r"(\d+)\s*[-.:)]?\s*([^\W\d_]+|\d(?!\d*\s*[-.:)]?\s*[^\W\d_]))")
_SEPARATORS = re.compile(r"[\s,;]*")


def expand_answer_strings(
    instrument: Instrument, cells: Sequence[Any], column: str
) -> tuple[dict[str, list[Any]], list[CellProblem]]:
    """One column of answer strings -> one column per item (None where not given)."""
    columns: dict[str, list[Any]] = {item.id: [None] * len(cells) for item in instrument.items}
    problems: list[CellProblem] = []
    for row, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        answers, row_problems = parse_answer_string(instrument, str(cell))
        problems += [CellProblem(row, column, value, expected) for value, expected in row_problems]
        for item_id, answer in answers.items():
            columns[item_id][row] = answer
    return columns, problems


def parse_answer_string(
    instrument: Instrument, text: str
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Item id -> answer as written, and (text seen, what was expected) for each problem."""
    answers: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    n_items = len(instrument.items)
    position = 0
    for match in _TOKEN.finditer(text):
        gap = text[position : match.start()]
        if not _SEPARATORS.fullmatch(gap):
            problems.append((gap.strip(), "answers written as <item number><option>, e.g. 1а 2б"))
        position = match.end()
        number, answer = int(match.group(1)), match.group(2)
        if not 1 <= number <= n_items:
            problems.append((match.group(0), f"an item number from 1 to {n_items}"))
            continue
        item_id = instrument.items[number - 1].id
        if item_id in answers:
            problems.append((match.group(0), f"one answer for item {number}"))
            continue
        answers[item_id] = answer
    rest = text[position:]
    if not _SEPARATORS.fullmatch(rest):
        problems.append((rest.strip(), "answers written as <item number><option>, e.g. 1а 2б"))
    return answers, problems
