"""What scoring returns: raw scale scores with answered counts and a status per cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag.errors import CellProblem
from profdiag.scoring.plan import FloatArray, ScaleStatus


@dataclass(frozen=True)
class InstrumentRef:
    """Which instrument produced a score: id, version, the content hash of the definition
    as shipped, and the hash of the text overlay used with it, if any."""

    id: str
    version: str
    content_hash: str
    overlay_hash: str | None = None


@dataclass(frozen=True)
class ScoreResult:
    """Raw scores of N respondents on S scales, rows in input order.

    `raw[r, s]` is NaN exactly when `status[r, s]` is not OK. `problems` lists every input
    cell that was not a valid answer (lenient mode); row -1 marks a whole-column problem.
    """

    instrument: InstrumentRef
    scale_ids: tuple[str, ...]
    raw: FloatArray
    answered: np.ndarray
    status: np.ndarray
    row_ids: Sequence[Any]
    problems: tuple[CellProblem, ...]
    row_has_problem: np.ndarray

    def __len__(self) -> int:
        return int(self.raw.shape[0])

    def column(self, scale_id: str) -> FloatArray:
        return self.raw[:, self.scale_ids.index(scale_id)]

    def status_labels(self) -> np.ndarray:
        labels = np.array([status.label for status in ScaleStatus], dtype=object)
        named: np.ndarray = labels[self.status]
        return named
