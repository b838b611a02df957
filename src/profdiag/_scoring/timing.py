"""Speed and accuracy on timed subtests (scales with a time limit).

For each timed scale and respondent: items attempted, the share of attempted items answered
correctly (accuracy), the share of the scale's items attempted, and, when the time used is
known, items per minute and the share of the time limit used. These are descriptions, not
normed scores: the bundled samplers have no norms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag._instrument.model import Instrument
from profdiag._instrument.semantics import parse_number
from profdiag._scoring.encode import as_array, is_no_answer
from profdiag._scoring.plan import FloatArray
from profdiag._scoring.result import ScoreResult, check_result_of
from profdiag.errors import ArgumentError, CellProblem, ResponseDataError, show_value

SECONDS_SUFFIX = ".seconds"


@dataclass(frozen=True)
class SpeedAccuracy:
    scale_ids: tuple[str, ...]  # the timed scales, in instrument order
    attempted: np.ndarray  # (N, T) items answered
    accuracy: FloatArray  # (N, T) correct / attempted; NaN when nothing was attempted
    completion: FloatArray  # (N, T) attempted / items in the scale
    items_per_minute: FloatArray  # (N, T) NaN when the time is unknown
    time_used: FloatArray  # (N, T) seconds / time limit; NaN when the time is unknown

    def metric(self, name: str) -> np.ndarray:
        value: np.ndarray = getattr(self, name)
        return value


def timed_scales(instrument: Instrument) -> list[str]:
    return [scale.id for scale in instrument.scales if scale.time_limit_seconds is not None]


def speed_accuracy(
    instrument: Instrument,
    result: ScoreResult,
    seconds: Mapping[str, Any] | None = None,
) -> SpeedAccuracy:
    """Speed and accuracy on each timed scale of `instrument`.

    Parameters
    ----------
    instrument
        The instrument `result` was scored with (checked).
    result
        What `score()` returned.
    seconds
        A timed scale's id -> the seconds each respondent spent on it (a sequence of one
        per respondent; a single value for one respondent). Empty = unknown.

    Raises
    ------
    ArgumentError
        For a result of another instrument, seconds for a scale that is not timed, or the
        wrong number of times.
    ResponseDataError
        For times that are negative, infinite or not numbers, each named by row and column
        ("<scale>.seconds").
    """
    check_result_of(instrument, result, "speed_accuracy")
    scale_ids = tuple(timed_scales(instrument))
    columns = [result.scale_ids.index(scale_id) for scale_id in scale_ids]
    attempted = result.answered[:, columns]
    correct = result.raw[:, columns]
    sizes = np.array([len(instrument.scale(s).items) for s in scale_ids], dtype=float)
    limits = np.array([instrument.scale(s).time_limit_seconds or np.nan for s in scale_ids])
    used = _seconds(scale_ids, seconds or {}, len(result))
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.where(attempted > 0, correct / attempted, np.nan)
        per_minute = np.where(used > 0, attempted / (used / 60.0), np.nan)
    return SpeedAccuracy(
        scale_ids=scale_ids,
        attempted=attempted,
        accuracy=accuracy,
        completion=attempted / sizes,
        items_per_minute=per_minute,
        time_used=used / limits,
    )


def _seconds(scale_ids: tuple[str, ...], seconds: Mapping[str, Any], n_rows: int) -> FloatArray:
    if not isinstance(seconds, Mapping):
        raise ArgumentError(
            f"seconds must map a timed scale's id to times; got {type(seconds).__name__}"
        )
    unknown = [str(name) for name in seconds if name not in scale_ids]
    if unknown:
        raise ArgumentError(
            f"seconds given for {', '.join(map(repr, unknown))}, which "
            + ("is not a timed scale" if len(unknown) == 1 else "are not timed scales")
            + f"; the timed scales are: {', '.join(scale_ids) if scale_ids else 'none'}"
        )
    used = np.full((n_rows, len(scale_ids)), np.nan)
    problems: list[CellProblem] = []
    for t, scale_id in enumerate(scale_ids):
        cells = seconds.get(scale_id)
        if cells is not None:
            used[:, t] = seconds_column(cells, n_rows, scale_id + SECONDS_SUFFIX, problems)
    if problems:
        raise ResponseDataError("time columns", problems)
    return used


def seconds_column(cells: Any, n_rows: int, column: str, problems: list[CellProblem]) -> FloatArray:
    """Times in seconds, one per respondent (a single value will do for one), as floats:
    NaN where unknown (None, NaN, empty text, pandas NA). A time that is negative, infinite
    or not a number is added to `problems` with its row and `column`, and counts as unknown.

    Raises
    ------
    ArgumentError
        When there are not `n_rows` times.
    """
    if isinstance(cells, str | bytes | int | float | np.generic) or cells is None:
        if n_rows != 1:
            raise ArgumentError(
                f"{column}: a single time ({show_value(cells)}) for {n_rows} respondents; "
                "give one per respondent"
            )
        cells = [cells]
    array = as_array(cells)
    if array.ndim != 1:
        raise ArgumentError(
            f"{column}: one time per respondent (1-D); got an array of shape {array.shape}"
        )
    if len(array) != n_rows:
        raise ArgumentError(
            f"{column}: {len(array)} time(s) for {n_rows} respondent(s); give one per respondent"
        )
    if array.dtype.kind in "fiu":  # numbers already: checked as a whole
        values = array.astype(np.float64)
        bad = ~np.isnan(values) & ~((values >= 0) & np.isfinite(values))
    else:
        values = np.full(n_rows, np.nan)
        bad = np.zeros(n_rows, dtype=bool)
        for row, cell in enumerate(array):
            number = _seconds_cell(cell)
            if number is None:
                bad[row] = True
            else:
                values[row] = number
    problems += [
        CellProblem(int(bad_row), column, _shown(array[bad_row]), _EXPECTED)
        for bad_row in np.flatnonzero(bad)
    ]
    values[bad] = np.nan
    return values


_EXPECTED = "the seconds spent, a finite number 0 or more (or empty if unknown)"


def _seconds_cell(cell: Any) -> float | None:
    """A time's value (NaN = unknown), or None when it is not a time."""
    if is_no_answer(cell):
        return np.nan
    if isinstance(cell, str):
        text = cell.strip()
        if not text or text.upper() in ("NA", "NAN"):
            return np.nan
        number = parse_number(text)
    elif isinstance(cell, bool | np.bool_) or not isinstance(
        cell, int | float | np.integer | np.floating
    ):
        return None
    else:
        try:
            number = float(cell)
        except OverflowError:
            return None
    if number is None or not (number >= 0 and math.isfinite(number)):
        return None
    return number


def _shown(cell: Any) -> Any:
    return cell.item() if isinstance(cell, np.generic) else cell
