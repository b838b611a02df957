"""Compile an Instrument once into the arrays the scoring kernel works on.

Every item becomes a column of an item-value matrix V (respondents x items, NaN = no
answer). An item's value is its code for Likert, binary and numeric items and its option
position for categorical ones. A scale entry then contributes either linearly,
weight * (a + b * value) with b = -1 for reverse keying, or through a lookup table indexed
by option position (forced-choice option scores, multiple-choice credit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from profdiag._instrument.model import (
    MAX_MAGNITUDE,
    BinaryFormat,
    GapHandling,
    Instrument,
    Item,
    LikertFormat,
    MultipleChoiceFormat,
    MultipleSelectFormat,
    NominalFormat,
    NumericFormat,
    Scale,
    TextFormat,
)
from profdiag._instrument.semantics import parse_number

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


class ScaleStatus(IntEnum):
    OK = 0
    TOO_FEW_ANSWERED = 1

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class ItemCoding:
    """How raw input values for one item become its value (or 'missing', or a problem)."""

    item_id: str
    spellings: dict[str, float]  # text input -> value
    numbers: dict[float, float]  # numeric input accepted as a code -> value
    missing_spellings: frozenset[str]
    numeric_codes: FloatArray  # numeric input accepted as codes, sorted ...
    numeric_values: FloatArray  # ... and the value each stands for
    free_numeric: bool  # numeric item: any number within [low, high] (integral if integer)
    low: float
    high: float
    integer: bool
    expected: str  # for error messages

    @cached_property
    def text_values(self) -> dict[Any, float]:
        """Exact text spellings and missing-value spellings (and None) -> value or NaN."""
        table: dict[Any, float] = dict(self.spellings)
        table.update(dict.fromkeys(self.missing_spellings, math.nan))
        table[None] = math.nan
        return table

    @property
    def identity_range(self) -> bool:
        """Numeric input is valid iff within [low, high] (and integral): the fast path."""
        if self.free_numeric:  # its only codes are missing-value codes, e.g. 9 = no answer
            return self.numeric_codes.size == 0
        codes = self.numeric_codes
        return (
            codes.size > 0
            and bool(np.array_equal(codes, self.numeric_values))
            and bool(np.array_equal(codes, np.arange(codes[0], codes[-1] + 1)))
        )


@dataclass(frozen=True)
class SurveyItem:
    """A nominal, multiple-select or text item: validated before scoring (see
    `profdiag._scoring.survey`), its answers kept as categories or text. Its column of the
    item-value matrix then holds the option's position (nominal), the number of options
    chosen (multiple select) or 1 for an answer (text), and no scale reads it."""

    item_id: str
    position: int  # the item's column in the item-value matrix
    kind: str  # "nominal", "multiple_select" or "text"
    codes: tuple[str, ...]  # option codes, in order (none for text)
    tokens: dict[str, int]  # code or alias -> option position (multiple select)
    exclusive: frozenset[int]  # options chosen alone (multiple select)
    max_selected: int | None
    delimiter: str
    max_length: int  # text
    missing_spellings: frozenset[str]
    coding: ItemCoding  # nominal: how the input is read (codes, aliases, missing codes)

    @property
    def indicator_columns(self) -> tuple[str, ...]:
        """Multiple select: the one-column-per-option names, "<item>.<code>"."""
        return tuple(f"{self.item_id}.{code}" for code in self.codes)


@dataclass(frozen=True)
class ScoringPlan:
    instrument_id: str
    instrument_version: str
    content_hash: str
    overlay_hash: str | None
    item_ids: tuple[str, ...]
    item_id_set: frozenset[str]
    scale_ids: tuple[str, ...]
    codings: tuple[ItemCoding, ...]
    # Fast validation of numeric input for items whose codes are a contiguous integer range.
    range_items: BoolArray  # (I,)
    range_low: FloatArray  # (I,)
    range_high: FloatArray  # (I,)
    range_integer: BoolArray  # (I,)
    uniform_range: bool  # every item has the same range
    nonnegative: bool  # every valid item value is >= 0
    # Linear contributions: filled @ slope + (per scale) offset of the answered items
    slope: FloatArray  # (I, S)
    # Lookup contributions: entry e reads item entry_item[e], table row e, into entry_weight[e]
    entry_item: IntArray  # (E,)
    entry_table: FloatArray  # (E, K) points per option position
    entry_weight: FloatArray  # (E, S)
    # Per-item terms summed over a respondent's answered items, by one matrix product:
    # answered terms = term_totals - missing @ terms. Column blocks: offset, count, and
    # weight and imputed value only where they differ from count / are used at all.
    terms: FloatArray  # (I, T)
    term_totals: FloatArray  # (T,)
    offset_columns: slice
    count_columns: slice
    weight_columns: slice
    imputed_columns: slice | None
    total_weight: FloatArray  # (S,)
    required: FloatArray  # (S,) minimum answered items
    # raw = numerator / denominator, denominator = where(uses_answered_weight, wsum * k, k)
    impute_gaps: BoolArray  # (S,)
    uses_answered_weight: BoolArray  # (S,)
    denominator_factor: FloatArray  # (S,)
    # The lowest and highest raw score each scale can take (reverse keying maps an item's
    # range onto itself; a lookup entry spans its lowest to its highest points).
    scale_ranges: tuple[tuple[float, float], ...]
    survey_items: tuple[SurveyItem, ...] = ()
    # float32 copies of `terms` and `slope` where single precision gives the same sums
    # exactly (integer weights, small totals; see `_exact_in_float32`), else None: float32
    # products are about twice as fast and give bit-identical scores.
    terms32: np.ndarray | None = None
    slope32: np.ndarray | None = None

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_scales(self) -> int:
        return len(self.scale_ids)


@lru_cache(maxsize=64)
def compile_plan(instrument: Instrument) -> ScoringPlan:
    items = instrument.items
    scales = instrument.scales
    n_items, n_scales = len(items), len(scales)
    codings = tuple(_coding(instrument, item) for item in items)

    slope = np.zeros((n_items, n_scales))
    offset = np.zeros((n_items, n_scales))
    count = np.zeros((n_items, n_scales))
    weights = np.zeros((n_items, n_scales))
    imputed = np.zeros((n_items, n_scales))
    entry_items: list[int] = []
    entry_tables: list[list[float]] = []
    entry_weights: list[tuple[int, float]] = []
    total_weight = np.zeros(n_scales)
    lowest = np.zeros(n_scales)
    highest = np.zeros(n_scales)

    for s, scale in enumerate(scales):
        for entry in scale.items:
            i = instrument.item_index[entry.item]
            item = items[i]
            weight = entry.weight
            weights[i, s] += weight
            count[i, s] += 1.0
            total_weight[s] += weight
            table = option_points(instrument, item, entry.scores)
            span = (codings[i].low, codings[i].high) if table is None else (min(table), max(table))
            lowest[s] += weight * span[0]
            highest[s] += weight * span[1]
            if table is None:
                a, b = _linear_key(instrument, item, entry.reverse)
                slope[i, s] += weight * b
                offset[i, s] += weight * a
                stored = scale.missing.impute_values.get(item.id)
                if stored is not None:
                    imputed[i, s] += weight * (a + b * stored)
            else:
                entry_items.append(i)
                entry_tables.append(table)
                entry_weights.append((s, weight))

    width = max((len(table) for table in entry_tables), default=1)
    entry_table = np.zeros((len(entry_tables), width))
    entry_weight = np.zeros((len(entry_tables), n_scales))
    for e, (table, (s, weight)) in enumerate(zip(entry_tables, entry_weights, strict=True)):
        entry_table[e, : len(table)] = table
        entry_weight[e, s] = weight

    impute_gaps, uses_wsum, factor = _aggregation_rules(scales, total_weight)
    blocks = [offset, count]
    if not np.array_equal(weights, count):
        blocks.append(weights)
    if impute_gaps.any():
        blocks.append(imputed)
    terms = np.hstack(blocks)

    def columns(block: int) -> slice:
        return slice(block * n_scales, (block + 1) * n_scales)

    return ScoringPlan(
        terms32=_exact_in_float32(terms, np.ones(n_items)),
        slope32=_slope32(codings, slope),
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        content_hash=instrument.scoring_hash,
        overlay_hash=instrument.overlay_hash,
        item_ids=tuple(item.id for item in items),
        item_id_set=frozenset(item.id for item in items),
        scale_ids=tuple(scale.id for scale in scales),
        codings=codings,
        range_items=np.array([coding.identity_range for coding in codings], dtype=bool),
        range_low=np.array([coding.low for coding in codings]),
        range_high=np.array([coding.high for coding in codings]),
        range_integer=np.array([coding.integer for coding in codings], dtype=bool),
        uniform_range=len({(coding.low, coding.high) for coding in codings}) == 1,
        nonnegative=all(coding.low >= 0 for coding in codings),
        slope=slope,
        entry_item=np.array(entry_items, dtype=np.intp),
        entry_table=entry_table,
        entry_weight=entry_weight,
        terms=terms,
        term_totals=terms.sum(axis=0),
        offset_columns=columns(0),
        count_columns=columns(1),
        weight_columns=columns(2) if len(blocks) > 2 and blocks[2] is weights else columns(1),
        imputed_columns=columns(len(blocks) - 1) if impute_gaps.any() else None,
        total_weight=total_weight,
        required=np.array([s.missing.required(len(s.items)) for s in scales], dtype=float),
        impute_gaps=impute_gaps,
        uses_answered_weight=uses_wsum,
        denominator_factor=factor,
        scale_ranges=tuple(
            (float(low / total), float(high / total))
            if scale.aggregation == "mean"
            else (float(low), float(high))
            for scale, low, high, total in zip(scales, lowest, highest, total_weight, strict=True)
        ),
        survey_items=tuple(
            _survey_item(instrument, item, position)
            for position, item in enumerate(items)
            if instrument.is_survey_item(item)
        ),
    )


def _survey_item(instrument: Instrument, item: Item, position: int) -> SurveyItem:
    fmt = instrument.format_of(item)
    options = getattr(fmt, "options", ())
    return SurveyItem(
        item_id=item.id,
        position=position,
        kind=fmt.type,
        codes=tuple(option.code for option in options),
        tokens={
            spelling: k
            for k, option in enumerate(options)
            for spelling in (option.code, *option.aliases)
        },
        exclusive=frozenset(k for k, option in enumerate(options) if option.exclusive),
        max_selected=getattr(fmt, "max_selected", None),
        delimiter=getattr(fmt, "delimiter", ";"),
        max_length=getattr(fmt, "max_length", 0),
        missing_spellings=frozenset(fmt.missing_codes) | {""},
        coding=_coding(instrument, item, survey_input=True),
    )


def _aggregation_rules(
    scales: tuple[Scale, ...], total_weight: FloatArray
) -> tuple[BoolArray, BoolArray, FloatArray]:
    """Per scale: whether gaps are imputed, and how the denominator is formed.

    mean, skip or prorate: answered weight      sum, skip or impute: 1
    mean, impute:          total weight         sum, prorate:        answered / total weight
    """
    impute = np.array([s.missing.gaps == GapHandling.IMPUTE for s in scales], dtype=bool)
    is_mean = np.array([s.aggregation == "mean" for s in scales], dtype=bool)
    prorate = np.array([s.missing.gaps == GapHandling.PRORATE for s in scales], dtype=bool)
    uses_wsum = (is_mean & ~impute) | (~is_mean & prorate)
    factor = np.ones(len(scales))
    factor[~is_mean & prorate] = 1.0 / total_weight[~is_mean & prorate]
    factor[is_mean & impute] = total_weight[is_mean & impute]
    return impute, uses_wsum, factor


def _linear_key(instrument: Instrument, item: Item, reverse: bool) -> tuple[float, float]:
    """(a, b) so that the keyed value is a + b * value."""
    if not reverse:
        return 0.0, 1.0
    value_range = instrument.item_range(item)
    assert value_range is not None, "checked when the instrument was validated"
    return value_range[0] + value_range[1], -1.0


def option_points(
    instrument: Instrument, item: Item, scores: dict[str, float] | None
) -> list[float] | None:
    """Points per option position for a lookup entry; None for a linear entry."""
    fmt = instrument.format_of(item)
    options = getattr(fmt, "options", None)
    if options is None:
        return None
    if scores is not None:
        return [scores.get(option.code, 0.0) for option in options]
    assert isinstance(fmt, MultipleChoiceFormat)
    correct = set(item.correct or ())
    return [
        1.0 if option.code in correct else item.partial_credit.get(option.code, 0.0)
        for option in options
    ]


def _number_spellings(value: float) -> list[str]:
    spellings = [repr(float(value))]
    if float(value).is_integer():
        spellings.append(str(int(value)))
    return spellings


def _coding(instrument: Instrument, item: Item, *, survey_input: bool = False) -> ItemCoding:
    """How an item's input becomes its value. A nominal item's own column of the
    item-value matrix receives option positions already read from the input (see
    SurveyItem), so its coding is the identity on 0..K-1 unless `survey_input`."""
    fmt = instrument.format_of(item)
    missing = frozenset(fmt.missing_codes) | {""}
    spellings: dict[str, float] = {}
    numeric: dict[float, float] = {}
    if isinstance(fmt, NominalFormat) and not survey_input:
        for position in range(len(fmt.options)):
            numeric[float(position)] = float(position)
        low, high, integer, free = 0.0, float(len(fmt.options) - 1), True, False
        expected = f"an option position, 0 to {len(fmt.options) - 1}"
    elif isinstance(fmt, LikertFormat | BinaryFormat):
        for code in fmt.codes:
            numeric[float(code)] = float(code)
        low, high, integer, free = float(fmt.codes[0]), float(fmt.codes[-1]), True, False
        expected = "one of the codes " + ", ".join(str(code) for code in fmt.codes)
    elif isinstance(fmt, MultipleSelectFormat | TextFormat):
        # Checked before scoring (see SurveyItem); the matrix holds a count, or 1 for text.
        top = len(fmt.options) if isinstance(fmt, MultipleSelectFormat) else 1
        first = 0 if isinstance(fmt, MultipleSelectFormat) else 1
        for code in range(first, top + 1):
            numeric[float(code)] = float(code)
        low, high, integer, free = float(first), float(top), True, False
        expected = (
            f"a number of options chosen, 0 to {top}"
            if isinstance(fmt, MultipleSelectFormat)
            else "1 for a text answer"
        )
    elif isinstance(fmt, NumericFormat):
        # An absent bound stands for the largest magnitude a definition may use.
        low = fmt.min if fmt.min is not None else -MAX_MAGNITUDE
        high = fmt.max if fmt.max is not None else MAX_MAGNITUDE
        integer, free = fmt.integer, True
        expected = "a whole number" if integer else "a number"
        expected += f" from {low:g} up to {high:g}"
    else:
        for position, option in enumerate(fmt.options):
            for spelling in (option.code, *option.aliases):
                spellings[spelling] = float(position)
                number = parse_number(spelling)
                if number is not None and math.isfinite(number):  # numeric spellings, e.g. "1"
                    numeric[number] = float(position)
        low, high, integer, free = 0.0, float(len(fmt.options) - 1), True, False
        codes = ", ".join(
            option.code + (f" ({'/'.join(option.aliases)})" if option.aliases else "")
            for option in fmt.options
        )
        expected = f"one of the options {codes}"
    for number, value in numeric.items():
        for spelling in _number_spellings(number):
            spellings.setdefault(spelling, value)
    for spelling in missing:
        numeric_missing = parse_number(spelling)
        if numeric_missing is not None and math.isfinite(numeric_missing):
            numeric.setdefault(numeric_missing, math.nan)
    ordered = sorted(numeric)
    return ItemCoding(
        item_id=item.id,
        spellings=spellings,
        numbers=numeric,
        missing_spellings=missing,
        numeric_codes=np.array(ordered, dtype=float),
        numeric_values=np.array([numeric[c] for c in ordered], dtype=float),
        free_numeric=free,
        low=low,
        high=high,
        integer=integer,
        expected=expected + " (or empty for no answer)",
    )


def _slope32(codings: tuple[ItemCoding, ...], slope: FloatArray) -> np.ndarray | None:
    """float32 slopes for blocks of whole numbers within the items' ranges, if exact."""
    if not all(coding.identity_range and coding.integer for coding in codings):
        return None
    largest = np.array([max(abs(coding.low), abs(coding.high)) for coding in codings])
    return _exact_in_float32(slope, largest)


def _exact_in_float32(weights: FloatArray, largest: FloatArray) -> np.ndarray | None:
    """`weights` as float32 when every product of integer values at most `largest` (per
    item) with them sums exactly in single precision: integer weights and column totals
    below 2**24. None otherwise."""
    if weights.size == 0 or not np.all(np.isfinite(largest)):
        return None
    if not np.array_equal(weights, np.round(weights)):
        return None
    if float((np.abs(weights) * largest[:, None]).sum(axis=0).max()) >= 2**24:
        return None
    return weights.astype(np.float32)
