"""Response data at the boundary of `score()`: which accepted shape it is, checked before any
cell is read.

Every check here looks at the container (its type, shape, dtype, column names), never at
cells one by one, so it costs O(columns). What is wrong with the data as a whole (a shape,
a type, duplicate or non-text column names, no rows) raises ArgumentError; what is wrong
with a cell is left to the encoder, which reports it with its row and column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag._arrow import arrow_array
from profdiag._scoring.plan import ScoringPlan
from profdiag.errors import ArgumentError, show_value

ACCEPTED = (
    "a 2-D numpy array (one row per respondent, one column per item in the instrument's "
    "order), a pandas or polars DataFrame, a pyarrow Table, a mapping of column name -> "
    "column, a list of row dicts or one dict (one respondent)"
)
_SCALAR_TYPES = frozenset({int, float, str, bool, type(None)})
_TEXT = frozenset({str})


@dataclass(frozen=True)
class Matrix:
    """A 2-D array whose columns are the instrument's items, in order."""

    array: np.ndarray


@dataclass(frozen=True)
class Columns:
    """Columns by name, each a 1-D array, pandas Series or sequence of `n_rows` cells."""

    columns: Mapping[str, Any]
    n_rows: int
    index: Any = None  # a pandas index that says more than 0..N-1


@dataclass(frozen=True)
class Record:
    """One respondent: column name -> cell."""

    record: Mapping[str, Any]


Shape = Matrix | Columns | Record


def checked_shape(
    plan: ScoringPlan, data: Any, source: str = "<data>", *, allow_empty: bool = False
) -> Shape:
    """The shape `data` has, after the checks that need no look at its cells. No rows is an
    error unless `allow_empty`."""
    if isinstance(data, np.ndarray):
        return Matrix(_checked_matrix(plan, unmasked(data), source, allow_empty))
    if isinstance(data, Mapping):
        return _checked_mapping(data, source, allow_empty)
    from profdiag._scoring.frames import frame_columns, frame_kind

    kind = frame_kind(data)
    if kind is not None:
        frame = frame_columns(data, kind, source)
        _check_rows(frame.n_rows, source, allow_empty)
        return Columns(frame.columns, frame.n_rows, frame.index)
    if _is_data_frame(data):
        names = list(data.columns)
        _check_names(names, source, "DataFrame column")
        _check_rows(len(data), source, allow_empty)
        return Columns({name: data[name] for name in names}, len(data))
    if isinstance(data, Sequence) and not isinstance(data, str | bytes | bytearray):
        return _checked_records(data, source, allow_empty)
    hint = ""
    if hasattr(data, "to_numpy") and hasattr(data, "index"):
        hint = (
            "; a pandas Series is one column: for one respondent pass series.to_dict(), "
            "for several a DataFrame"
        )
    elif hasattr(data, "__next__"):
        hint = "; an iterator is read only once: pass a list"
    raise ArgumentError(f"{source}: response data must be {ACCEPTED}; got {_kind(data)}{hint}")


def unmasked(array: np.ndarray) -> np.ndarray:
    """A numpy masked array with its masked cells made 'no answer'; any other array as it is."""
    if not isinstance(array, np.ma.MaskedArray):
        return np.asarray(array)  # np.matrix and other subclasses become plain arrays
    if array.dtype.kind in "fiu":
        filled = np.array(array.data, dtype=np.float64)
        filled[np.ma.getmaskarray(array)] = np.nan
    else:  # (np.ma.filled(x, None) would fill with the dtype's default, '?' for objects)
        filled = np.array(array.data, dtype=object)
        filled[np.ma.getmaskarray(array)] = None
    return filled


def _checked_matrix(
    plan: ScoringPlan, array: np.ndarray, source: str, allow_empty: bool = False
) -> np.ndarray:
    expected = (
        f"one row per respondent and one column per item ({plan.n_items}: "
        f"{', '.join(plan.item_ids[:5])}{', ...' if plan.n_items > 5 else ''})"
    )
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = "; for one respondent use array.reshape(1, -1) or a dict of item -> answer"
        raise ArgumentError(
            f"{source}: a response array must be 2-D, {expected}; got a {array.ndim}-D "
            f"array of shape {array.shape}{hint}"
        )
    if array.shape[1] != plan.n_items:
        raise ArgumentError(
            f"{source}: a response array must have {expected}; got {array.shape[1]} "
            f"column(s) (shape {array.shape})"
        )
    if array.dtype.kind == "V":
        raise ArgumentError(
            f"{source}: a structured numpy array cannot be scored; pass a plain 2-D array "
            "or a DataFrame"
        )
    _check_rows(array.shape[0], source, allow_empty)
    return array


def _checked_mapping(data: Mapping[Any, Any], source: str, allow_empty: bool = False) -> Shape:
    # Whole-collection set operations: the kiosk path (one dict of 60 answers) pays ~2 us.
    if not _TEXT.issuperset(map(type, data)):
        _check_names(list(data), source, "column")  # a mapping's keys are unique already
    if _SCALAR_TYPES.issuperset(map(type, data.values())):  # one respondent, plain cells
        return Record(data)
    names, values = list(data), list(data.values())
    if not all(_is_column(value) for value in values):
        return Record(data)  # one respondent: a cell that is a list is an invalid answer
    lengths = {
        name: _length(name, value, source) for name, value in zip(names, values, strict=True)
    }
    counts = Counter(lengths.values())
    if len(counts) > 1:
        common = counts.most_common(1)[0][0]
        odd = [f"{name!r} has {n}" for name, n in lengths.items() if n != common]
        raise ArgumentError(
            f"{source}: every column needs one cell per respondent; most have {common} but "
            + ", ".join(odd[:5])
            + (f" and {len(odd) - 5} more" if len(odd) > 5 else "")
        )
    n_rows = next(iter(lengths.values()), 0)
    _check_rows(n_rows, source, allow_empty)
    return Columns(data, n_rows)


def _checked_records(data: Sequence[Any], source: str, allow_empty: bool = False) -> Columns:
    _check_rows(len(data), source, allow_empty)
    for position, record in enumerate(data):
        if not isinstance(record, Mapping):
            raise ArgumentError(
                f"{source}: a list of respondents must hold one dict per respondent; "
                f"element {position} is {_kind(record)}"
                + ("; for a table of numbers use a 2-D numpy array" if _is_column(record) else "")
            )
    names: dict[Any, None] = {}
    for record in data:
        names.update(dict.fromkeys(record))
    _check_names(list(names), source, "key")
    columns = {name: [record.get(name) for record in data] for name in names}
    return Columns(columns, len(data))


def _check_names(names: list[Any], source: str, what: str) -> None:
    """Column names are text (item ids), each given once."""
    odd = [name for name in names if not isinstance(name, str)]
    if odd:
        raise ArgumentError(
            f"{source}: {what} names must be text (item ids such as 'i1'); got "
            + ", ".join(f"{show_value(name)} ({type(name).__name__})" for name in odd[:5])
            + (f" and {len(odd) - 5} more" if len(odd) > 5 else "")
            + (
                "; a DataFrame made without column names numbers its columns: pass "
                "columns=[item ids], or use a 2-D numpy array"
                if what == "DataFrame column"
                else ""
            )
        )
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise ArgumentError(
            f"{source}: each {what} name may appear once; repeated: {_names(repeated)}"
        )


def check_frame_names(names: list[Any], source: str) -> None:
    """A data frame's column names are text, each given once."""
    _check_names(names, source, "DataFrame column")


def _check_rows(n_rows: int, source: str, allow_empty: bool = False) -> None:
    if n_rows == 0 and not allow_empty:
        raise ArgumentError(f"{source}: no respondents: 0 rows")


def _is_data_frame(data: Any) -> bool:
    return hasattr(data, "columns") and hasattr(data, "__getitem__") and hasattr(data, "__len__")


def _is_column(value: Any) -> bool:
    if isinstance(value, list | tuple | range) or arrow_array(value) is not None:
        return True
    if isinstance(value, np.ndarray):
        return value.ndim >= 1
    return hasattr(value, "to_numpy") and hasattr(value, "__len__")  # a pandas Series


def _length(name: Any, column: Any, source: str) -> int:
    if isinstance(column, np.ndarray) and column.ndim != 1:
        raise ArgumentError(
            f"{source}: column {name!r} must be 1-D (one cell per respondent); got shape "
            f"{column.shape}"
        )
    return len(column)


def _kind(value: Any) -> str:
    kind = type(value).__name__
    if isinstance(value, str | bytes | int | float) or value is None:
        return f"{kind} {show_value(value)}"
    return kind


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
