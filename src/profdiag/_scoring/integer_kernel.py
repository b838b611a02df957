"""Integer answer codes scored as they are stored, without a float64 item matrix.

pandas' nullable integers, Arrow integers with nulls (Parquet, polars) and integer numpy
arrays hold each answer as a small integer and, beside it, where answers are missing.
When every item is a range of whole-number codes scored linearly with whole-number
weights (Likert and binary items: interest inventories, personality markers), every
quantity the kernel needs is a sum of small integers per respondent. This module computes
them column by column in single bytes, then turns them into scores with one small
single-precision product, whose sums are exact; the scores are bit-identical to
`kernel.score_values` on the same answers as float64 (tested).

Items are put in groups that enter every scale the same way (the same row of the plan's
`slope` and `terms` and the same lowest code `low`). For each group g and respondent:

    C_g = sum over the answered items j of g of (x_j - low)    codes from 0, uint8
    V_g = number of answered items of g among columns that can be missing      uint8

With u_g the group's columns that cannot be missing, A_g = V_g + u_g items answered, the
sum of its answers is C_g + low * A_g and what the kernel needs is linear in C, V and 1:

    filled @ slope      = sum_g slope_g * (C_g + low_g * (V_g + u_g))
    answered terms      = sum_g terms_g * (V_g + u_g)
    numerator           = filled @ slope + answered offset terms

A group has at most 255 // (high - low) items, so neither counter can overflow a byte.
Validation is part of the pass: (x - low) is computed modulo 2**bits and zeroed where
missing, so an answered code below `low` wraps to a large number and one maximum per
column checks both ends of the range. A block with any code out of range is handed back
to the general path, which names every bad cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from profdiag._scoring.frames import NumericSource
from profdiag._scoring.kernel import KernelOutput
from profdiag._scoring.plan import FloatArray, ScoringPlan

# Rows per block: the per-column numpy calls are ~1 us each, so blocks must be long for
# them not to matter; 65,536 one-byte cells per column still stay in the cache.
INTEGER_BLOCK_ROWS = 65_536
# A thread's buffers grow with the number of item groups; fewer rows per block keep them
# within this (an instrument of 300 items in 300 groups would otherwise need 160 MB).
_WORKSPACE_BYTES = 16 * 2**20
_FEWEST_ROWS = 4_096
_BYTE = 255
_EXACT_FLOAT32 = 2**24


@dataclass(frozen=True)
class _Group:
    items: tuple[int, ...]
    low: int
    slope: FloatArray  # (S,)
    terms: FloatArray  # (T,)


@dataclass(frozen=True)
class IntegerLayout:
    """How a plan's items are summed in bytes: the groups, each item's highest code and code
    span, and per block the matrix from the counters [C; V; 1] to the kernel's sums."""

    groups: tuple[_Group, ...]
    high: np.ndarray  # (I,) int64
    span: np.ndarray  # (I,) int64: high - low
    # rows of `weights`: numerator (S), answered count (S), answered weight (S, if distinct)
    weights: np.ndarray  # (R, 2G + 1) float32
    separate_weight: bool
    plain_denominator: bool  # every scale divides by its answered weight, factor 1
    required: np.ndarray  # (S, 1) float64: required - 0.5, as the kernel compares
    uses_answered_weight: np.ndarray  # (S, 1) bool
    denominator_factor: np.ndarray  # (S, 1) float64

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def block_rows(self, most: int) -> int:
        """Rows per block, at most `most`, whose buffers fit the workspace budget."""
        per_row = 2 * self.n_groups + 4 * (2 * self.n_groups + 1) + 4 * int(self.weights.shape[0])
        return max(min(most, _WORKSPACE_BYTES // per_row), min(most, _FEWEST_ROWS))


def integer_layout(plan: ScoringPlan, can_be_missing: Sequence[bool]) -> IntegerLayout | None:
    """The byte-summing layout of `plan` for columns of which `can_be_missing[j]` may hold
    missing cells, or None when the plan is not linear in whole-number codes and weights
    (lookup tables, imputed gaps, survey items, non-integer weights, wide code ranges) or
    its sums could exceed what single precision holds exactly."""
    if plan.entry_item.size or plan.imputed_columns is not None or plan.survey_items:
        return None
    if plan.n_items == 0 or plan.n_scales == 0:
        return None
    if not all(coding.identity_range and coding.integer for coding in plan.codings):
        return None
    low, high = plan.range_low, plan.range_high
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        return None
    span = high - low
    if np.any(span > _BYTE) or np.any(span < 0) or np.any(np.abs(low) > _EXACT_FLOAT32):
        return None
    if not (_whole(plan.slope) and _whole(plan.terms)):
        return None
    groups = _groups(plan, low.astype(np.int64), span.astype(np.int64))
    unmasked = np.array(
        [sum(not can_be_missing[j] for j in group.items) for group in groups], dtype=float
    )
    weights, separate = _weights(plan, groups, unmasked)
    if not _exact(weights, groups, span):
        return None
    return IntegerLayout(
        groups=groups,
        high=high.astype(np.int64),
        span=span.astype(np.int64),
        weights=weights.astype(np.float32),
        separate_weight=separate,
        plain_denominator=bool(
            plan.uses_answered_weight.all() and np.all(plan.denominator_factor == 1.0)
        ),
        required=(plan.required - 0.5)[:, None],
        uses_answered_weight=plan.uses_answered_weight[:, None],
        denominator_factor=plan.denominator_factor[:, None],
    )


def _whole(array: FloatArray) -> bool:
    return bool(np.all(np.isfinite(array)) and np.array_equal(array, np.round(array)))


def _groups(plan: ScoringPlan, low: np.ndarray, span: np.ndarray) -> tuple[_Group, ...]:
    """Items with the same slope row, terms row and lowest code, split so that a group's
    code sum fits in a byte."""
    by_key: dict[tuple[bytes, bytes, int], list[int]] = {}
    for j in range(plan.n_items):
        key = (plan.slope[j].tobytes(), plan.terms[j].tobytes(), int(low[j]))
        by_key.setdefault(key, []).append(j)
    groups: list[_Group] = []
    for members in by_key.values():
        first = members[0]
        capacity = _BYTE // max(int(span[members].max()), 1)
        for start in range(0, len(members), capacity):
            groups.append(
                _Group(
                    tuple(members[start : start + capacity]),
                    int(low[first]),
                    plan.slope[first],
                    plan.terms[first],
                )
            )
    return tuple(groups)


def _weights(
    plan: ScoringPlan, groups: tuple[_Group, ...], unmasked: FloatArray
) -> tuple[np.ndarray, bool]:
    """The (R, 2G + 1) map from the counters [C; V; 1] to numerator, answered count and
    (where the plan keeps it apart) answered weight."""
    n_groups, n_scales = len(groups), plan.n_scales
    slope = np.array([group.slope for group in groups])  # (G, S)
    terms = np.array([group.terms for group in groups])  # (G, T)
    low = np.array([group.low for group in groups], dtype=float)[:, None]
    separate = plan.weight_columns != plan.count_columns
    blocks = [plan.offset_columns, plan.count_columns]
    if separate:
        blocks.append(plan.weight_columns)
    weights = np.zeros((len(blocks) * n_scales, 2 * n_groups + 1))
    for b, columns in enumerate(blocks):
        rows = slice(b * n_scales, (b + 1) * n_scales)
        per_answer = terms[:, columns]  # (G, S): per answered item of the group
        if b == 0:  # the numerator: keyed values plus the answered items' offsets
            weights[rows, :n_groups] = slope.T
            per_answer = per_answer + slope * low
        weights[rows, n_groups : 2 * n_groups] = per_answer.T
        weights[rows, -1] = per_answer.T @ unmasked
    return weights, separate


def _exact(weights: np.ndarray, groups: tuple[_Group, ...], span: FloatArray) -> bool:
    """Whether every row's sum stays below 2**24 in magnitude for any counters."""
    n_groups = len(groups)
    largest = np.ones(2 * n_groups + 1)
    for g, group in enumerate(groups):
        largest[g] = len(group.items) * float(span[list(group.items)].max())
        largest[n_groups + g] = len(group.items)
    return bool((np.abs(weights) @ largest).max() < _EXACT_FLOAT32)


class IntegerWorkspace:
    """Buffers for one worker thread, reused block after block."""

    def __init__(self, layout: IntegerLayout, rows: int, widest: np.dtype) -> None:
        n_groups = layout.n_groups
        self.counters = np.empty((2 * n_groups, rows), dtype=np.uint8)
        self.inputs = np.empty((2 * n_groups + 1, rows), dtype=np.float32)
        self.inputs[-1] = 1.0
        self.codes = np.empty(rows, dtype=np.uint8)
        self.wide_codes = np.empty(rows, dtype=widest)
        self.answered = np.empty(rows, dtype=bool)


def integer_columns_fit(plan: ScoringPlan, sources: Sequence[NumericSource | None]) -> bool:
    """Every item has a column of integers (any width, signed or not) whose type holds the
    item's whole range of codes, which the modular range check relies on."""
    if len(sources) != plan.n_items:
        return False
    for source, low, high in zip(sources, plan.range_low, plan.range_high, strict=True):
        if source is None or source.data.dtype.kind not in "iu":
            return False
        limits = np.iinfo(source.data.dtype)
        if not limits.min <= low <= high <= limits.max:
            return False
    return True


def widest_unsigned(sources: Sequence[NumericSource | None]) -> np.dtype:
    widths = [source.data.dtype.itemsize for source in sources if source is not None]
    return np.dtype(f"u{max(widths, default=1)}")


def score_integer_block(
    layout: IntegerLayout,
    columns: Sequence[NumericSource],
    first: int,
    out: KernelOutput,
    workspace: IntegerWorkspace,
) -> bool:
    """Score the rows of `columns` from `first` on, as many as `out` has, into `out`;
    False, with `out` untouched, when some answered code is outside its item's range."""
    n_rows = out.raw.shape[0]
    if not _count(layout, columns, first, first + n_rows, workspace):
        return False
    n_groups = layout.n_groups
    inputs = workspace.inputs[:, :n_rows]
    np.copyto(inputs[: 2 * n_groups], workspace.counters[:, :n_rows])
    sums = layout.weights @ inputs  # (R, n): exact whole numbers
    n_scales = out.raw.shape[1]
    numerator = sums[:n_scales]
    count = sums[n_scales : 2 * n_scales]
    weight = sums[2 * n_scales :] if layout.separate_weight else count
    raw = out.raw.T
    with np.errstate(divide="ignore", invalid="ignore"):
        if layout.plain_denominator:
            np.divide(numerator, weight, out=raw, dtype=np.float64)
        else:
            denominator = np.where(
                layout.uses_answered_weight,
                weight.astype(np.float64) * layout.denominator_factor,
                layout.denominator_factor,
            )
            np.divide(numerator.astype(np.float64), denominator, out=raw)
    scorable = count >= layout.required
    if not scorable.all():
        np.copyto(raw, np.nan, where=~scorable)
    np.copyto(out.answered.T, count, casting="unsafe")
    np.logical_not(scorable, out=out.status.T.view(np.bool_))
    return True


def _count(
    layout: IntegerLayout,
    sources: Sequence[NumericSource],
    start: int,
    stop: int,
    workspace: IntegerWorkspace,
) -> bool:
    """Fill the counters C and V of rows [start, stop); False at the first code out of
    range."""
    n_rows = stop - start
    n_groups = layout.n_groups
    counters = workspace.counters[:, :n_rows]
    counters.fill(0)
    codes = workspace.codes[:n_rows]
    for g, group in enumerate(layout.groups):
        code_sum, answered_count = counters[g], counters[n_groups + g]
        for j in group.items:
            source = sources[j]
            answered = _answered(source, start, stop, workspace.answered[:n_rows])
            values = source.data[start:stop]
            column = _codes(values, group.low, int(layout.high[j]), workspace, codes)
            if answered is not None:
                np.multiply(column, answered, out=column)
            if int(column.max()) > layout.span[j]:
                return False
            if column is not codes:
                np.copyto(codes, column, casting="unsafe")
            np.add(code_sum, codes, out=code_sum)
            if answered is not None:
                np.add(answered_count, answered, out=answered_count)
    return True


def _answered(
    source: NumericSource, start: int, stop: int, buffer: np.ndarray
) -> np.ndarray | None:
    """Rows [start, stop) as 1 (answered) or 0 (missing), uint8; None when none can be
    missing."""
    if source.mask is not None:
        np.logical_not(source.mask[start:stop], out=buffer)
        return buffer.view(np.uint8)
    if source.validity is not None:
        first = source.offset + start
        bits = np.unpackbits(
            source.validity[first // 8 : (source.offset + stop + 7) // 8], bitorder="little"
        )
        skip = first % 8
        return bits[skip : skip + stop - start]
    return None


def _codes(
    values: np.ndarray, low: int, high: int, workspace: IntegerWorkspace, codes: np.ndarray
) -> np.ndarray:
    """(values - low) modulo 2**bits as unsigned integers: codes from 0 for answers within
    range, large numbers for answers below `low`. One-byte values are shifted as they are;
    wider ones whose every cell lies in the 256 integers up to `high` are cut to their low
    byte first (which then tells them apart), others shifted in their own width."""
    if values.dtype.itemsize == 1:
        np.subtract(values.view(np.uint8), np.uint8(low % 256), out=codes)
        return codes
    if high - _BYTE <= int(values.min()) and int(values.max()) <= high:
        np.copyto(codes, values, casting="unsafe")
        np.subtract(codes, np.uint8(low % 256), out=codes)
        return codes
    unsigned = np.dtype(f"u{values.dtype.itemsize}")
    out = workspace.wide_codes.view(unsigned)[: values.shape[0]]
    np.subtract(values.view(unsigned), unsigned.type(low % (1 << (8 * unsigned.itemsize))), out=out)
    return out
