"""The vectorised scoring kernel: item values in, raw scale scores out.

One code path for one respondent and for a million: two matrix products and a handful of
element-wise operations over a block of respondents, never a loop over respondents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from profdiag._scoring.plan import FloatArray, ScaleStatus, ScoringPlan


@dataclass(frozen=True)
class KernelOutput:
    raw: FloatArray  # (N, S), NaN where the scale could not be scored
    answered: np.ndarray  # (N, S) int32 items answered
    status: np.ndarray  # (N, S) int8 ScaleStatus codes

    @classmethod
    def empty(cls, n_rows: int, n_scales: int) -> KernelOutput:
        return cls(
            np.empty((n_rows, n_scales)),
            np.empty((n_rows, n_scales), dtype=np.int32),
            np.empty((n_rows, n_scales), dtype=np.int8),
        )

    def rows(self, start: int, stop: int) -> KernelOutput:
        return KernelOutput(
            self.raw[start:stop], self.answered[start:stop], self.status[start:stop]
        )


@dataclass(frozen=True)
class Split:
    """An item-value matrix split into where answers are missing and the values with 0 there."""

    missing: np.ndarray  # (N, I) bool
    filled: FloatArray  # (N, I)
    # every filled value is a whole number within its item's range (checked by the caller)
    integral: bool = False

    @classmethod
    def of(
        cls, values: FloatArray, workspace: Workspace | None = None, nonnegative: bool = False
    ) -> Split:
        """`nonnegative`: every value is known to be >= 0, so max(value, 0), which is 0 for
        NaN, fills in one pass."""
        if workspace is None:
            missing = np.isnan(values)
            return cls(missing, np.where(missing, 0.0, values))
        n_rows = values.shape[0]
        missing = workspace.missing[:n_rows]
        if n_rows == 1 and not missing.flags.c_contiguous:
            # numpy 2.4's isnan writes a one-row bool output with a wide row stride (a
            # column-major buffer's first row) to the wrong cells: compute, then copy.
            missing[...] = np.isnan(values)
        else:
            np.isnan(values, out=missing)
        filled = workspace.filled[:n_rows]
        if nonnegative:
            np.fmax(values, 0.0, out=filled)
        else:
            np.copyto(filled, values)
            np.putmask(filled, missing, 0.0)
        return cls(missing, filled)


class Workspace:
    """Block-sized buffers for one worker thread, allocated once and reused block after block.

    Fresh multi-megabyte temporaries for every block cost page faults that made the archive
    path about a quarter slower (measured: 0.163 s -> 0.132 s for 1M x 60)."""

    def __init__(self, rows: int, items: int, order: Literal["C", "F"] = "C") -> None:
        # order "F" for blocks made column by column (data frames): every pass then runs
        # along columns, as the block does.
        self.missing = np.empty((rows, items), dtype=bool, order=order)
        self.filled = np.empty((rows, items), order=order)
        self.scratch = np.empty((rows, items), order=order)
        self.missing_as_float = np.empty((rows, items), order=order)
        self.missing32 = np.empty((rows, items), dtype=np.float32, order=order)
        self.filled32 = np.empty((rows, items), dtype=np.float32, order=order)


def score_values(
    plan: ScoringPlan,
    values: FloatArray,
    out: KernelOutput | None = None,
    split: Split | None = None,
    workspace: Workspace | None = None,
) -> KernelOutput:
    """Score a validated item-value matrix (N x I, NaN = no answer) into `out`; `split` may
    pass in `Split.of(values)` when the caller already made it."""
    n_rows = values.shape[0]
    if out is None:
        out = KernelOutput.empty(n_rows, plan.n_scales)
    split = split or Split.of(values, workspace, plan.nonnegative)
    missing, filled = split.missing, split.filled
    if workspace is None:
        missing_as_float = missing.astype(np.float64)
        answered_terms = plan.term_totals - missing_as_float @ plan.terms
    elif plan.terms32 is not None:
        missing32 = workspace.missing32[:n_rows]
        np.copyto(missing32, missing)
        answered_terms = plan.term_totals - missing32 @ plan.terms32
    else:
        missing_as_float = workspace.missing_as_float[:n_rows]
        np.copyto(missing_as_float, missing)
        answered_terms = plan.term_totals - missing_as_float @ plan.terms

    if workspace is not None and split.integral and plan.slope32 is not None:
        filled32 = workspace.filled32[:n_rows]
        np.copyto(filled32, filled, casting="same_kind")
        numerator = (filled32 @ plan.slope32).astype(np.float64)
    else:
        numerator = filled @ plan.slope
    numerator += answered_terms[:, plan.offset_columns]
    if plan.entry_item.size:
        positions = filled[:, plan.entry_item].astype(np.intp)
        points = plan.entry_table[np.arange(plan.entry_item.size), positions]
        points[missing[:, plan.entry_item]] = 0.0
        numerator += points @ plan.entry_weight
    if plan.imputed_columns is not None:
        gaps = plan.term_totals[plan.imputed_columns] - answered_terms[:, plan.imputed_columns]
        numerator += np.where(plan.impute_gaps, gaps, 0.0)

    answered_count = answered_terms[:, plan.count_columns]
    denominator = np.where(
        plan.uses_answered_weight,
        answered_terms[:, plan.weight_columns] * plan.denominator_factor,
        plan.denominator_factor,
    )
    scorable = answered_count >= plan.required - 0.5
    out.raw.fill(np.nan)
    np.divide(numerator, denominator, out=out.raw, where=scorable)
    np.rint(answered_count, out=answered_count)
    out.answered[...] = answered_count
    out.status[...] = ScaleStatus.TOO_FEW_ANSWERED
    out.status[scorable] = ScaleStatus.OK
    return out
