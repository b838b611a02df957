"""Paper answer sheets typed as one string per respondent: "1а 2б 3а ...".

Each token is an item's position in the instrument (1-based, as printed on the sheet)
followed by the chosen option, written as the item's format accepts it (а/б, a/b, 1/2).
Between the number and the option there may be nothing ("1а"), spaces, or one of
"-", ".", ")" and ":" with spaces around it if wanted ("1-а", "1.а", "1) а", "1: а").
Separators between tokens may be spaces (line breaks and tabs too), commas, semicolons or,
after a letter option, nothing ("1а2б3а").

Options written as digits are one digit long and need a space or mark after the item
number ("1 2", "1-2"): "12" is item 12. Nothing in the text makes the parser fail: what it
cannot read comes back as a problem (the text seen, what was expected).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from profdiag._instrument.model import Instrument
from profdiag.errors import CellProblem

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
        number, answer = _item_number(match.group(1), n_items), match.group(2)
        if number == 0:
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


def _item_number(digits: str, n_items: int) -> int:
    """The item number `digits` spell (in any script's digits), or 0 when that is not one
    of 1..n_items. Measured before int(), which refuses thousands of digits."""
    first = next((at for at, digit in enumerate(digits) if unicodedata.decimal(digit)), None)
    if first is None or len(digits) - first > len(str(n_items)):
        return 0
    number = int(digits[first:])
    return number if number <= n_items else 0
