"""Which norm group applies to each respondent: named outright, or chosen by attributes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from profdiag.errors import CellProblem, NormError, ResponseDataError
from profdiag.instrument.model import Instrument, Selector

ATTRIBUTES = ("sex", "age", "grade")
_SEX_SPELLINGS = {
    "f": "f",
    "female": "f",
    "ж": "f",
    "жен": "f",
    "женский": "f",
    "m": "m",
    "male": "m",
    "м": "m",
    "муж": "m",
    "мужской": "m",
}


def assign_norm_groups(
    instrument: Instrument,
    n_rows: int,
    *,
    norm_group: str | None = None,
    attributes: Mapping[str, Sequence[Any]] | None = None,
) -> np.ndarray:
    """(N,) object array of norm group ids (None where no group matches)."""
    groups = np.full(n_rows, None, dtype=object)
    if norm_group is not None:
        known = [group.id for group in instrument.norms]
        if norm_group not in known:
            raise NormError(
                f"{instrument.id} has no norm group {norm_group!r}; it has: "
                + (", ".join(known) if known else "none")
            )
        groups[:] = norm_group
        return groups
    if not instrument.norms:
        return groups
    columns = _attribute_columns(attributes or {}, n_rows)
    for group in instrument.norms:
        groups[_matches(group.selector, columns, n_rows)] = group.id
    return groups


def _attribute_columns(
    attributes: Mapping[str, Sequence[Any]], n_rows: int
) -> dict[str, np.ndarray]:
    problems: list[CellProblem] = []
    columns: dict[str, np.ndarray] = {}
    for name in ATTRIBUTES:
        if name not in attributes:
            continue
        cells = list(attributes[name])
        if len(cells) != n_rows:
            raise NormError(f"attribute {name!r} has {len(cells)} values for {n_rows} rows")
        if name == "sex":
            column = np.full(n_rows, None, dtype=object)
            for row, cell in enumerate(cells):
                if _blank(cell):
                    continue
                spelling = _SEX_SPELLINGS.get(str(cell).strip().lower())
                if spelling is None:
                    problems.append(CellProblem(row, name, cell, "f or m (also ж/м, female/male)"))
                column[row] = spelling
        else:
            column = np.full(n_rows, np.nan)
            for row, cell in enumerate(cells):
                if _blank(cell):
                    continue
                try:
                    number = float(cell)
                except (TypeError, ValueError):
                    number = math.nan
                if not number.is_integer() or number < 0:
                    problems.append(
                        CellProblem(
                            row,
                            name,
                            cell,
                            f"a whole number of {'years' if name == 'age' else 'school grade'}",
                        )
                    )
                    continue
                column[row] = number
        columns[name] = column
    if problems:
        raise ResponseDataError("respondent attributes", problems)
    return columns


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or str(cell).strip() == ""


def _matches(selector: Selector, columns: dict[str, np.ndarray], n_rows: int) -> np.ndarray:
    match = np.ones(n_rows, dtype=bool)
    if selector.sex is not None:
        sex = columns.get("sex")
        match &= np.isin(sex, list(selector.sex)) if sex is not None else False
    if selector.age is not None:
        age = columns.get("age")
        match &= (age >= selector.age.min) & (age <= selector.age.max) if age is not None else False
    if selector.grade is not None:
        grade = columns.get("grade")
        match &= np.isin(grade, list(selector.grade)) if grade is not None else False
    return match
