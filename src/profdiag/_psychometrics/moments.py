"""Pairwise-complete sums over all respondents, accumulated block by block.

Each block of rows becomes Z = [Y | M]: Y holds the analysed variables minus a shift (0
where unanswered) and M whether each was answered. One product Z'Z then holds, for every
pair of variables, the number of respondents who answered both, the sums of each over
those respondents and the sum of their products: all that pairwise covariances need
(R's `cov(use = "pairwise")`). Per scale, the respondent's total (the mean of the
answered keyed items) enters a second product with Z for item-total correlations. No
loop over respondents; blocks run on worker threads, BLAS one thread each.

The shifts only reduce rounding (covariances do not depend on them); they are whole
numbers, so that sums of whole-number answers stay exact.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from profdiag._psychometrics.variables import AnalysisPlan, FloatArray

BLOCK_ROWS = 4_096
# Whole numbers at most this far from 0 give sums of at most BLOCK_ROWS products (or
# squares) below 2^24, which float32 holds exactly (single precision runs twice as fast).
EXACT_SPAN = math.isqrt(2**24 // BLOCK_ROWS)
BlockValues = Callable[[int, int], FloatArray]
"""Item values (rows x items, NaN = no answer) of rows start..stop, already validated."""


@dataclass(frozen=True)
class TotalsLayout:
    """How each scale's total is formed from the analysed variables Z = [Y | M]:
    keyed sum = Z @ weights[:, :S], answered count = Z @ weights[:, S:]."""

    weights: FloatArray  # (2K, 2S)
    shift: FloatArray  # (S,) subtracted from each total

    @property
    def n_scales(self) -> int:
        return int(self.shift.shape[0])


@dataclass
class Moments:
    gram: FloatArray  # (2K, 2K) Z'Z
    squares: FloatArray  # (K, K) (Y*Y)'M: sums of squares over those who answered both
    cross: FloatArray  # (2S, 2K) [T | T^2]'Z, T the shifted totals (0 where none)
    totals: FloatArray  # (3, S): respondents with a total, sum of T, sum of T^2
    counts: FloatArray  # (counted items, counted values) answers of each value
    low: FloatArray  # (free items,) lowest answer seen (NaN: none)
    high: FloatArray  # (free items,)

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.gram + other.gram,
            self.squares + other.squares,
            self.cross + other.cross,
            self.totals + other.totals,
            self.counts + other.counts,
            np.fmin(self.low, other.low),
            np.fmax(self.high, other.high),
        )


def variable_shifts(plan: AnalysisPlan, values: FloatArray) -> FloatArray:
    """A whole number near each variable's mean in `values` (a first block of rows), or its
    lowest value; so each shifted value is within the variable's span of 0."""
    k = plan.n_variables
    z = _block_z(plan, values, np.zeros(k))
    y, counts = z[:, :k], z[:, k:].sum(axis=0)
    sums = y.sum(axis=0)
    shifts: FloatArray = np.round(np.divide(sums, counts, out=plan.lowest.copy(), where=counts > 0))
    return shifts


def totals_layout(
    plan: AnalysisPlan, shifts: FloatArray, included: list[list[bool]], values: FloatArray
) -> TotalsLayout:
    """Each scale's total: the mean of the answered keyed values of its `included` entries;
    its shift is the mean total in `values` (a first block of rows)."""
    k, s = plan.n_variables, len(plan.scales)
    weights = np.zeros((2 * k, 2 * s))
    for column, (scale, use) in enumerate(zip(plan.scales, included, strict=True)):
        for entry, wanted in zip(scale.entries, use, strict=True):
            if wanted:
                v = entry.variable
                weights[v, column] += entry.sign
                weights[k + v, column] += entry.offset + entry.sign * shifts[v]
                weights[k + v, s + column] += 1.0
    z = _block_z(plan, values, shifts)
    totals, present = _totals(z, TotalsLayout(weights, np.zeros(s)))
    counts = present.sum(axis=0)
    sums = np.where(present, totals, 0.0).sum(axis=0)
    shift = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return TotalsLayout(weights, shift)


def accumulate(
    plan: AnalysisPlan,
    shifts: FloatArray,
    layout: TotalsLayout,
    n_rows: int,
    block_values: BlockValues,
    workers: int | None = None,
) -> Moments:
    """The sums over all rows, block by block on worker threads."""
    buffers = threading.local()

    def block(start: int) -> Moments:
        values = block_values(start, min(start + BLOCK_ROWS, n_rows))
        workspace = getattr(buffers, "workspace", None)
        if workspace is None:
            workspace = buffers.workspace = Workspace(plan)
        return block_moments(plan, shifts, layout, values, workspace)

    starts = range(0, n_rows, BLOCK_ROWS)
    threads = min(workers or os.cpu_count() or 1, len(starts))
    with threadpool_limits(limits=1, user_api="blas"):
        if threads <= 1:
            parts = [block(start) for start in starts]
        else:
            with ThreadPoolExecutor(threads) as pool:
                parts = list(pool.map(block, starts))
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


class Workspace:
    """Block-sized buffers one thread reuses (fresh ones per block cost page faults)."""

    def __init__(self, plan: AnalysisPlan, rows: int = BLOCK_ROWS) -> None:
        self.z = np.empty((rows, 2 * plan.n_variables))
        self.z32 = np.empty((rows, 2 * plan.n_variables), dtype=np.float32)
        self.y = np.empty((rows, plan.n_variables))
        self.missing = np.empty((rows, plan.n_variables), dtype=bool)
        self.bins = np.empty((rows, plan.counted_items.size))


def block_moments(
    plan: AnalysisPlan,
    shifts: FloatArray,
    layout: TotalsLayout,
    values: FloatArray,
    workspace: Workspace | None = None,
) -> Moments:
    if workspace is None:
        workspace = Workspace(plan, values.shape[0])
    z = _block_z(plan, values, shifts, workspace)
    totals, present = _totals(z, layout)
    t = np.where(present, totals - layout.shift, 0.0)
    tt = np.hstack([t, t * t])
    free = values[:, plan.free_items]
    k = plan.n_variables
    if plan.whole_numbers and plan.span <= EXACT_SPAN:
        z32 = workspace.z32[: values.shape[0]]
        np.copyto(z32, z, casting="same_kind")
        y32 = z32[:, :k]
        gram = (z32.T @ z32).astype(np.float64)
        squares = ((y32 * y32).T @ z32[:, k:]).astype(np.float64)
    else:
        y = z[:, :k]
        gram = z.T @ z
        squares = (y * y).T @ z[:, k:]
    return Moments(
        gram=gram,
        squares=squares,
        cross=tt.T @ z,
        totals=np.vstack([present.sum(axis=0), t.sum(axis=0), (t * t).sum(axis=0)]),
        counts=_counts(plan, values, workspace),
        low=np.fmin.reduce(free, axis=0, initial=np.nan) if free.size else np.full(0, np.nan),
        high=np.fmax.reduce(free, axis=0, initial=np.nan) if free.size else np.full(0, np.nan),
    )


def _counts(plan: AnalysisPlan, values: FloatArray, workspace: Workspace) -> FloatArray:
    """Answers of each value per counted item: one bincount over the block, each cell's
    bin being its item's first bin plus its value's rank (unanswered: a bin of their own)."""
    n_items, n_values = plan.counted_items.size, plan.counted_values.size
    counted = values if plan.counts_all_items else values[:, plan.counted_items]
    if plan.value_bins is None:  # values far apart or not whole: one comparison each
        counts = np.empty((n_items, n_values))
        for j, value in enumerate(plan.counted_values):
            counts[:, j] = np.count_nonzero(counted == value, axis=0)
        return counts
    bins = workspace.bins[: values.shape[0]]
    np.add(counted, plan.value_bins, out=bins)
    np.fmax(bins, plan.missing_bins, out=bins)  # NaN (no answer) -> the item's own bin
    width = plan.bins_per_item
    found = np.bincount(bins.astype(np.intp).ravel(), minlength=n_items * width)
    by_item = found.reshape(n_items, width).astype(np.float64)
    by_item[:, -1] = 0.0
    return by_item[np.arange(n_items)[:, None], plan.value_columns]


def _totals(z: FloatArray, layout: TotalsLayout) -> tuple[FloatArray, np.ndarray]:
    s = layout.n_scales
    sums_counts = z @ layout.weights
    counts = sums_counts[:, s:]
    present = counts > 0
    totals = np.divide(sums_counts[:, :s], counts, out=np.zeros_like(counts), where=present)
    return totals, present


def _block_z(
    plan: AnalysisPlan, values: FloatArray, shifts: FloatArray, workspace: Workspace | None = None
) -> FloatArray:
    """Z = [Y | M]: the shifted variables (0 where unanswered) and 1.0 where answered.
    Y is made in a contiguous buffer first: strided element-wise passes cost 4x more."""
    n_rows, k, linear = values.shape[0], plan.n_variables, plan.n_linear
    if workspace is None:
        workspace = Workspace(plan, n_rows)
    y = workspace.y[:n_rows]
    missing = workspace.missing[:n_rows]
    if plan.linear_items_in_order:
        np.subtract(values, shifts[:linear], out=y[:, :linear] if linear < k else y)
    else:
        y[:, :linear] = values[:, plan.linear_items]
        y[:, :linear] -= shifts[:linear]
    for v in range(linear, k):
        variable = plan.variables[v]
        positions = values[:, variable.item]
        chosen = np.where(np.isnan(positions), 0, positions).astype(np.intp)
        points = np.asarray(variable.points) - shifts[v]
        y[:, v] = np.where(np.isnan(positions), np.nan, points[chosen])
    np.isnan(y, out=missing)
    np.putmask(y, missing, 0.0)
    z = workspace.z[:n_rows]
    z[:, :k] = y
    np.logical_not(missing, out=z[:, k:], casting="unsafe")
    return z
