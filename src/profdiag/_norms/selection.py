"""Which norm group applies to each respondent: named outright, or chosen by attributes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from profdiag._instrument.model import Instrument, Selector
from profdiag._instrument.semantics import parse_number
from profdiag._scoring.encode import is_no_answer
from profdiag.errors import ArgumentError, CellProblem, NormError, ResponseDataError, show_value

ATTRIBUTES = ("sex", "age", "grade")
# The ages an AgeBand may name, and the grades a Selector may name.
_RANGES = {
    "age": (0.0, 120.0, "an age in completed years, a whole number from 0 to 120"),
    "grade": (1.0, 12.0, "a school grade, a whole number from 1 to 12"),
}
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
    attributes: Mapping[str, Any] | None = None,
) -> np.ndarray:
    """The norm group of each of `n_rows` respondents.

    Parameters
    ----------
    instrument
        Whose norm groups to choose from.
    n_rows
        The number of respondents.
    norm_group
        A group for everyone; else each row's attributes select one.
    attributes
        Any of "sex" (f or m; also ж/м, жен/муж, female/male), "age" (completed years, a
        whole number from 0 to 120) and "grade" (a school grade, a whole number from 1 to
        12, the grades a norm group's selector may name). Each is a sequence of one value
        per respondent; for one respondent, a single value will do. None, NaN, empty text
        and pandas NA mean unknown (a group that asks for it then does not match). They
        are checked when the instrument has norm groups to choose from.

    Returns
    -------
    numpy.ndarray
        (N,) object array of norm group ids, None where no group matches.

    Raises
    ------
    ArgumentError
        For an attribute that is not one of the three, or has the wrong number of values.
    ResponseDataError
        For each value that is not a sex, an age or a grade, with its row.
    NormError
        For a `norm_group` the instrument does not have.
    """
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
    if not instrument.norms:  # attributes choose nothing: a column that is not used is no error
        return groups
    columns = attribute_columns(attributes or {}, n_rows)
    for group in instrument.norms:
        groups[_matches(group.selector, columns, n_rows)] = group.id
    return groups


def attribute_columns(attributes: Mapping[str, Any], n_rows: int) -> dict[str, np.ndarray]:
    """Each given attribute as a column of `n_rows` checked values: sex as 'f'/'m'/None,
    age and grade as floats (NaN = unknown)."""
    if not isinstance(attributes, Mapping):
        raise ArgumentError(
            "attributes must be a mapping of attribute name -> values; "
            f"got {type(attributes).__name__}"
        )
    unknown = [str(name) for name in attributes if name not in ATTRIBUTES]
    if unknown:
        raise ArgumentError(
            f"unknown respondent attribute(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(ATTRIBUTES)}"
        )
    problems: list[CellProblem] = []
    columns: dict[str, np.ndarray] = {}
    for name in ATTRIBUTES:
        if name in attributes:
            cells = _cells(name, attributes[name], n_rows)
            columns[name] = (
                _sex_column(cells, problems)
                if name == "sex"
                else _number_column(name, cells, problems)
            )
    if problems:
        raise ResponseDataError("respondent attributes", problems)
    return columns


def _cells(name: str, value: Any, n_rows: int) -> list[Any]:
    """One value per row: a sequence as it is, or a single value for one respondent."""
    if _is_single(value):
        if n_rows == 1:
            return [value.item() if isinstance(value, np.ndarray | np.generic) else value]
        raise ArgumentError(
            f"attribute {name!r} is a single value ({show_value(value)}) for {n_rows} "
            f"respondents; give one value per respondent (a list of {n_rows})"
        )
    to_numpy = getattr(value, "to_numpy", None)
    if to_numpy is not None:  # a pandas Series: its NA as None
        try:
            value = to_numpy(dtype=object, na_value=None)
        except TypeError:
            value = to_numpy()
    cells = list(value)
    if len(cells) != n_rows:
        raise ArgumentError(
            f"attribute {name!r} has {len(cells)} value(s) for {n_rows} respondent(s); "
            "give one value per respondent"
        )
    return cells


def _is_single(value: Any) -> bool:
    if isinstance(value, str | bytes | int | float | np.generic | Mapping) or value is None:
        return True
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    return not isinstance(value, Iterable) or is_no_answer(value)


def _sex_column(cells: list[Any], problems: list[CellProblem]) -> np.ndarray:
    column = np.full(len(cells), None, dtype=object)
    for row, cell in enumerate(cells):
        if _blank(cell):
            continue
        spelling = _SEX_SPELLINGS.get(cell.strip().lower()) if isinstance(cell, str) else None
        if spelling is None:
            problems.append(CellProblem(row, "sex", _shown(cell), "f or m (also ж/м, female/male)"))
        column[row] = spelling
    return column


def _number_column(name: str, cells: list[Any], problems: list[CellProblem]) -> np.ndarray:
    low, high, expected = _RANGES[name]
    column = np.full(len(cells), np.nan)
    for row, cell in enumerate(cells):
        if _blank(cell):
            continue
        number = _whole_number(cell)
        if number is None or not low <= number <= high:
            problems.append(CellProblem(row, name, _shown(cell), expected))
            continue
        column[row] = number
    return column


def _whole_number(cell: Any) -> float | None:
    """A whole number given as a number or as text; None for anything else."""
    if isinstance(cell, bool | np.bool_):
        return None
    if isinstance(cell, str):
        number = parse_number(cell)
    elif isinstance(cell, int | float | np.integer | np.floating):
        try:
            number = float(cell)
        except OverflowError:
            return None
    else:
        return None
    if number is None or not math.isfinite(number) or not number.is_integer():
        return None
    return number


def _blank(cell: Any) -> bool:
    return is_no_answer(cell) or (isinstance(cell, str) and not cell.strip())


def _shown(cell: Any) -> Any:
    return cell.item() if isinstance(cell, np.generic) else cell


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
