"""What `analyze` returns, and its JSON form (the keys tools rely on).

A statistic that cannot be computed is None (JSON null), never NaN, and the scale's
`notes` (or the item's `note`) say why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from profdiag._psychometrics.dif import DifAnalysis
from profdiag._psychometrics.variables import FloatArray
from profdiag._scoring.result import InstrumentRef
from profdiag.errors import CellProblem

METHOD = (
    "Classical item analysis following R psych 2.2.9 alpha(): pairwise-complete covariances "
    "of the keyed items (reverse keying with each item's declared range); scale mean and sd "
    "of each respondent's mean of the answered keyed items; see docs/analysis.md"
)
SCALE_STATISTICS = (
    "raw_alpha",
    "std_alpha",
    "g6_smc",
    "average_r",
    "signal_noise",
    "alpha_se",
    "median_r",
    "mean",
    "sd",
    "omega_h",
    "omega_total",
)
ITEM_STATISTICS = ("raw_r", "std_r", "r_cor", "r_drop", "mean", "sd", "alpha_if_dropped")


def number(value: float | None) -> float | None:
    """A finite float, or None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class ItemAnalysis:
    item_id: str
    reverse: bool
    n: int
    statistics: dict[str, float | None]  # ITEM_STATISTICS
    frequencies: dict[str, float] | None  # answer code -> share of the answered
    missing: float  # share of all respondents who did not answer
    difficulty: float | None = None  # multiple choice: mean credit of the answered
    distractors: dict[str, float] | None = None  # multiple choice: wrong option -> share
    note: str | None = None

    def __getitem__(self, statistic: str) -> float | None:
        return self.statistics[statistic]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n": self.n, "reverse": self.reverse}
        out.update(self.statistics)
        out["frequencies"] = self.frequencies
        out["missing"] = self.missing
        if self.difficulty is not None or self.distractors is not None:
            out["difficulty"] = self.difficulty
            out["distractors"] = self.distractors
        if self.note is not None:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class ConfidenceInterval:
    method: str
    level: float
    lower: float | None
    upper: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "level": self.level,
            "lower": self.lower,
            "upper": self.upper,
        }


@dataclass(frozen=True)
class ScaleAnalysis:
    scale_id: str
    n_items: int  # items of the scale
    n_items_analysed: int  # items with variance, on which alpha is computed
    statistics: dict[str, float | None]  # SCALE_STATISTICS
    alpha_ci: ConfidenceInterval | None
    items: tuple[ItemAnalysis, ...]
    notes: tuple[str, ...]

    def __getitem__(self, statistic: str) -> float | None:
        return self.statistics[statistic]

    def item(self, item_id: str) -> ItemAnalysis:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n_items": self.n_items,
            "n_items_analysed": self.n_items_analysed,
        }
        out.update(self.statistics)
        out["alpha_ci"] = None if self.alpha_ci is None else self.alpha_ci.as_dict()
        out["notes"] = list(self.notes)
        out["items"] = {item.item_id: item.as_dict() for item in self.items}
        return out


@dataclass(frozen=True)
class Intercorrelations:
    """Correlations between the scales' unit-weighted keyed composites, from the pairwise
    item covariances (psych's `scoreItems(impute = "none")$cor`), and the same divided by
    sqrt(alpha_a * alpha_b) (corrected for attenuation). Ones on both diagonals."""

    scale_ids: tuple[str, ...]
    raw: FloatArray
    corrected: FloatArray

    def as_dict(self) -> dict[str, Any]:
        return {
            "scales": list(self.scale_ids),
            "raw": _matrix(self.raw),
            "corrected": _matrix(self.corrected),
        }


def _matrix(values: np.ndarray) -> list[list[float | None]]:
    return [[number(value) for value in row] for row in values.tolist()]


@dataclass(frozen=True)
class Analysis:
    """Item and scale analysis of one instrument on one data set (see `analyze`)."""

    instrument: InstrumentRef
    n_respondents: int
    level: float
    scales: tuple[ScaleAnalysis, ...]
    intercorrelations: Intercorrelations
    problems: tuple[CellProblem, ...]
    dif: DifAnalysis | None = None  # with analyze(..., dif_by=...)

    def scale(self, scale_id: str) -> ScaleAnalysis:
        for scale in self.scales:
            if scale.scale_id == scale_id:
                return scale
        raise KeyError(scale_id)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "instrument": {
                "id": self.instrument.id,
                "version": self.instrument.version,
                "content_hash": self.instrument.content_hash,
                "overlay_hash": self.instrument.overlay_hash,
            },
            "method": METHOD,
            "respondents": self.n_respondents,
            "invalid_cells": len(self.problems),
            "confidence_level": self.level,
            "scales": {scale.scale_id: scale.as_dict() for scale in self.scales},
            "intercorrelations": self.intercorrelations.as_dict(),
        }
        if self.dif is not None:
            out["dif"] = self.dif.as_dict()
        return out

    def csv_tables(self) -> dict[str, str]:
        """The analysis as CSV texts for spreadsheets, by table name: 'scales', 'items',
        'intercorrelations' and, with DIF screening, 'dif' (empty cells where the JSON
        has null)."""
        from profdiag._psychometrics.tables import csv_tables  # imports this module

        return csv_tables(self)

    def to_json(self) -> str:
        """The analysis as JSON text (no NaN: a value that cannot be computed is null)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
