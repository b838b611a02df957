"""Speed and accuracy on timed subtests (scales with a time limit).

For each timed scale and respondent: items attempted, the share of attempted items answered
correctly (accuracy), the share of the scale's items attempted, and, when the time used is
known, items per minute and the share of the time limit used. These are descriptions, not
normed scores: the bundled samplers have no norms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag.errors import CellProblem, ResponseDataError
from profdiag.instrument.model import Instrument
from profdiag.scoring.plan import FloatArray
from profdiag.scoring.result import ScoreResult

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
    seconds: Mapping[str, Sequence[Any]] | None = None,
) -> SpeedAccuracy:
    """`seconds` maps a timed scale's id to the seconds each respondent spent on it."""
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


def _seconds(
    scale_ids: tuple[str, ...], seconds: Mapping[str, Sequence[Any]], n_rows: int
) -> FloatArray:
    used = np.full((n_rows, len(scale_ids)), np.nan)
    problems = []
    for t, scale_id in enumerate(scale_ids):
        cells = seconds.get(scale_id)
        if cells is None:
            continue
        for row, cell in enumerate(cells):
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            try:
                value = float(cell)
            except (TypeError, ValueError):
                value = np.nan
            if not value >= 0:
                problems.append(
                    CellProblem(
                        row,
                        scale_id + SECONDS_SUFFIX,
                        cell,
                        "the seconds spent, a number 0 or more",
                    )
                )
                continue
            used[row, t] = value
    if problems:
        raise ResponseDataError("time columns", problems)
    return used
