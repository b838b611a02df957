"""Which norm group applies to each respondent: named outright, or chosen by attributes."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag._arrow import arrow_array
from profdiag._instrument.model import Instrument, Selector
from profdiag._instrument.semantics import parse_number
from profdiag._scoring.encode import is_no_answer
from profdiag._scoring.inputs import unmasked
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


def _cells(name: str, value: Any, n_rows: int) -> np.ndarray | _Coded:
    """One value per row as a 1-D array (numbers as stored, anything else as objects with
    None for missing): a sequence as it is, or a single value for one respondent."""
    if _is_single(value):
        if n_rows == 1:
            cell = value.item() if isinstance(value, np.ndarray | np.generic) else value
            single = np.empty(1, dtype=object)
            single[0] = cell
            return single
        raise ArgumentError(
            f"attribute {name!r} is a single value ({show_value(value)}) for {n_rows} "
            f"respondents; give one value per respondent (a list of {n_rows})"
        )
    cells = _as_column(value)
    if len(cells) != n_rows:
        raise ArgumentError(
            f"attribute {name!r} has {len(cells)} value(s) for {n_rows} respondent(s); "
            "give one value per respondent"
        )
    return cells


@dataclass(frozen=True)
class _Coded:
    """A column as codes into its distinct cells (from Arrow's dictionary encoding)."""

    codes: np.ndarray
    uniques: list[Any]

    def __len__(self) -> int:
        return int(self.codes.size)

    def __getitem__(self, row: int) -> Any:
        return self.uniques[int(self.codes[row])]


def _as_column(value: Any) -> np.ndarray | _Coded:
    """A column of attribute values as a 1-D numpy array, or as codes into its distinct
    cells: no Python object per cell for numbers, Arrow columns (what the file readers
    give) and pandas' Arrow-backed, text and nullable columns."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        array = unmasked(value)
        return array if array.dtype.kind in "fiu" else array.astype(object)
    if type(value).__module__.startswith("polars") and hasattr(value, "to_arrow"):
        value = value.to_arrow()
    arrow = arrow_array(value)
    if arrow is not None:
        return _arrow_column(arrow)
    to_numpy = getattr(value, "to_numpy", None)
    if to_numpy is not None:  # a pandas Series: its NA as None
        dtype = getattr(value, "dtype", None)
        if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
            return np.asarray(to_numpy())
        if not isinstance(dtype, np.dtype) and hasattr(value.array, "__arrow_array__"):
            import pyarrow as pa

            return _arrow_column(pa.chunked_array([pa.array(value.array)]))
        try:
            return _objects(to_numpy(dtype=object, na_value=None))
        except TypeError:
            return _objects(to_numpy())
    return _objects(value)


def _arrow_column(arrow: Any) -> np.ndarray | _Coded:
    import pyarrow as pa

    if pa.types.is_string_view(arrow.type):
        arrow = arrow.cast(pa.large_string())
    kind = arrow.type
    if (pa.types.is_integer(kind) or pa.types.is_floating(kind)) and not arrow.null_count:
        return np.asarray(arrow.to_numpy())
    if not pa.types.is_dictionary(kind):
        arrow = arrow.dictionary_encode()
    chunk = arrow.combine_chunks() if arrow.num_chunks != 1 else arrow.chunk(0)
    uniques = [*chunk.dictionary.to_pylist(), None]
    codes = chunk.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False)
    return _Coded(np.asarray(codes), uniques)


def _objects(cells: Any) -> np.ndarray:
    listed = cells if isinstance(cells, list) else list(cells)
    array = np.empty(len(listed), dtype=object)
    array[:] = listed
    return array


def _is_single(value: Any) -> bool:
    if isinstance(value, str | bytes | int | float | np.generic | Mapping) or value is None:
        return True
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    return not isinstance(value, Iterable) or is_no_answer(value)


_BAD = -1  # a code of `_lookup`: the cell is not a valid value


def _lookup(cells: np.ndarray | _Coded, value_of: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """`value_of(cell)` for each cell, computed once per distinct cell. Cells are told
    apart by value, and by type too when booleans are among them (True == 1)."""
    if isinstance(cells, _Coded):
        table = np.fromiter(map(value_of, cells.uniques), dtype=dtype, count=len(cells.uniques))
        coded: np.ndarray = table[cells.codes]
        return coded
    listed = cells.tolist()
    keys: list[Any] = listed
    of_key = value_of
    if any(issubclass(kind, bool | np.bool_) for kind in set(map(type, listed))):
        keys = list(zip(map(type, listed), listed, strict=True))

        def of_key(key: Any) -> Any:
            return value_of(key[1])

    try:
        by_key = {key: of_key(key) for key in dict.fromkeys(keys)}
    except TypeError:  # an unhashable cell (a list, say): one cell at a time
        each: np.ndarray = np.fromiter(map(of_key, keys), dtype=dtype, count=len(keys))
        return each
    values: np.ndarray = np.fromiter(map(by_key.__getitem__, keys), dtype=dtype, count=len(keys))
    return values


def _sex_column(cells: np.ndarray | _Coded, problems: list[CellProblem]) -> np.ndarray:
    objects = cells if isinstance(cells, _Coded) else cells.astype(object)
    codes = _lookup(objects, _sex_code, np.int8)
    for row in np.flatnonzero(codes == _BAD).tolist():
        problems.append(
            CellProblem(row, "sex", _shown(cells[row]), "f or m (also ж/м, female/male)")
        )
    sexes: np.ndarray = np.array([None, "f", "m", None], dtype=object)[codes]
    return sexes


def _sex_code(cell: Any) -> int:
    """0 for unknown, 1 for f, 2 for m, _BAD for anything else."""
    if _blank(cell):
        return 0
    spelling = _SEX_SPELLINGS.get(cell.strip().lower()) if isinstance(cell, str) else None
    if spelling is None:
        return _BAD
    return 1 if spelling == "f" else 2


def _number_column(
    name: str, cells: np.ndarray | _Coded, problems: list[CellProblem]
) -> np.ndarray:
    low, high, expected = _RANGES[name]
    if isinstance(cells, np.ndarray) and cells.dtype.kind in "fiu":
        column = cells.astype(np.float64)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(column) & (np.floor(column) == column)
            fits = whole & (column >= low) & (column <= high)
        bad = ~fits & ~np.isnan(column)
    else:

        def number(cell: Any) -> float:
            if _blank(cell):
                return math.nan
            value = _whole_number(cell)
            return math.inf if value is None or not low <= value <= high else value

        column = _lookup(cells, number, np.float64)
        bad = np.isinf(column)
    for row in np.flatnonzero(bad).tolist():
        problems.append(CellProblem(row, name, _shown(cells[row]), expected))
    column[bad] = np.nan
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
