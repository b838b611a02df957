"""Which variables an item analysis works on, compiled once from an instrument.

A scale entry is analysed as its keyed value, the number it adds to the scale: for a
linear entry `offset + sign * value` (sign -1 and offset min + max of the item's declared
range for reverse keying), for a lookup entry (forced-choice option scores, multiple-choice
credit) the points of the chosen option. Correlations do not depend on the offset, so a
linear item is one variable whatever its keying in different scales; a lookup entry is a
variable of its own (its points table). Weights are not used: psych's `alpha()` analyses
unit-weighted items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from profdiag._instrument.model import (
    BinaryFormat,
    Instrument,
    LikertFormat,
    MultipleChoiceFormat,
    NumericFormat,
)
from profdiag._scoring.plan import option_points

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class Variable:
    """One column of the analysed matrix: an item's value, or the points of its option."""

    item: int  # position of the item in the instrument
    points: tuple[float, ...] | None  # by option position; None: the item's value itself


@dataclass(frozen=True)
class Entry:
    """One item of one scale: keyed value = offset + sign * variable."""

    item_id: str
    item: int
    variable: int
    sign: float
    offset: float
    reverse: bool
    weight: float


@dataclass(frozen=True)
class ScaleLayout:
    scale_id: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Answers:
    """The answers an item can have, for response frequencies: each code as written and
    the value it has in the item-value matrix (the code, or the option's position)."""

    labels: tuple[str, ...]
    values: tuple[float, ...]
    correct: frozenset[str] | None  # multiple choice: the codes scored as correct ...
    credit: tuple[float, ...] | None  # ... and the credit of each option


@dataclass(frozen=True)
class AnalysisPlan:
    item_ids: tuple[str, ...]
    variables: tuple[Variable, ...]
    scales: tuple[ScaleLayout, ...]
    answers: dict[int, Answers | None]  # by item position, for the items of any scale
    counted_items: IntArray  # items whose answers are counted (they have codes or options)
    counted_values: FloatArray  # every value any counted item can take, sorted
    free_items: IntArray  # numeric items: no codes, their lowest and highest answers tracked
    # Counting answers by one bincount: cell value + value_bins[i] is the bin of the value,
    # max(that, missing_bins[i]) also sends NaN to a bin of its own; counts[i, j] of
    # counted_values[j] is bin value_columns[i, j] of item i's bins_per_item bins (the last
    # never used: values the item cannot take read it). None when values are far apart.
    value_bins: FloatArray | None
    missing_bins: FloatArray
    value_columns: IntArray
    bins_per_item: int
    counts_all_items: bool  # counted_items are all the instrument's items, in order
    linear_items: IntArray  # the item of each linear variable
    linear_items_in_order: bool  # linear_items are all the instrument's items, in order
    lowest: FloatArray  # (K,) the lowest value each variable can take (0: not known)
    # Every variable takes whole-number values at most `span` apart (inf: not so).
    whole_numbers: bool
    span: float

    @property
    def n_variables(self) -> int:
        return len(self.variables)

    @property
    def n_linear(self) -> int:
        """The first `n_linear` variables are item values; the rest are option points."""
        return sum(variable.points is None for variable in self.variables)


@lru_cache(maxsize=32)
def analysis_plan(instrument: Instrument) -> AnalysisPlan:
    keyed: list[tuple[str, list[tuple[int, tuple[float, ...] | None, Entry]]]] = []
    for scale in instrument.scales:
        entries = []
        for entry in scale.items:
            position = instrument.item_index[entry.item]
            item = instrument.items[position]
            table = option_points(instrument, item, entry.scores)
            points = None if table is None else tuple(float(p) for p in table)
            sign, offset = 1.0, 0.0
            if points is None and entry.reverse:
                value_range = instrument.item_range(item)
                assert value_range is not None, "checked when the instrument was validated"
                sign, offset = -1.0, value_range[0] + value_range[1]
            draft = Entry(item.id, position, -1, sign, offset, entry.reverse, entry.weight)
            entries.append((position, points, draft))
        keyed.append((scale.id, entries))
    # Linear variables first, in item order: the analysed matrix then starts with the item
    # columns as they come (often all of them, in order: no gather needed).
    keys = list(dict.fromkeys((p, t) for _, entries in keyed for p, t, _ in entries))
    keys.sort(key=lambda key: (key[1] is not None, key[0] if key[1] is None else 0))
    index = {key: v for v, key in enumerate(keys)}
    variables = [Variable(position, points) for position, points in keys]
    layouts = [
        ScaleLayout(
            scale_id,
            tuple(replace(e, variable=index[(p, t)]) for p, t, e in entries),
        )
        for scale_id, entries in keyed
    ]

    used = sorted({entry.item for layout in layouts for entry in layout.entries})
    answers = {position: _answers(instrument, position) for position in used}
    coded = {position: found for position, found in answers.items() if found is not None}
    values = sorted({value for found in coded.values() for value in found.values})
    linear_items = [variable.item for variable in variables if variable.points is None]
    n_items = len(instrument.items)
    possible = [_possible(variable, answers) for variable in variables]
    return AnalysisPlan(
        item_ids=tuple(item.id for item in instrument.items),
        variables=tuple(variables),
        scales=tuple(layouts),
        answers=answers,
        counted_items=np.array(list(coded), dtype=np.intp),
        counted_values=np.array(values, dtype=np.float64),
        free_items=np.array([p for p in used if answers[p] is None], dtype=np.intp),
        **_bins(list(coded.values()), values),
        counts_all_items=list(coded) == list(range(n_items)),
        linear_items=np.array(linear_items, dtype=np.intp),
        linear_items_in_order=linear_items == list(range(n_items)),
        lowest=np.array([0.0 if v is None else min(v) for v in possible]),
        whole_numbers=all(
            v is not None and all(float(x).is_integer() for x in v) for v in possible
        ),
        span=max((math.inf if v is None else max(v) - min(v) for v in possible), default=0.0),
    )


MAX_BINS_PER_ITEM = 64


def _possible(variable: Variable, answers: dict[int, Answers | None]) -> tuple[float, ...] | None:
    """The values a variable can take (None: any number within the item's bounds)."""
    if variable.points is not None:
        return variable.points
    found = answers[variable.item]
    return None if found is None else found.values


def _bins(coded: list[Answers], values: list[float]) -> dict[str, Any]:
    lows = [min(found.values) for found in coded]
    spans = [max(found.values) - low for found, low in zip(coded, lows, strict=True)]
    whole = all(float(v).is_integer() for v in values)
    width = int(max(spans, default=0)) + 3  # no answer, the values, one bin never used
    columns = np.full((len(coded), len(values)), width - 1, dtype=np.intp)
    for i, (found, low) in enumerate(zip(coded, lows, strict=True)):
        for value in found.values:
            columns[i, values.index(value)] = int(value - low) + 1
    first = np.arange(len(coded), dtype=np.float64) * width
    usable = whole and width <= MAX_BINS_PER_ITEM
    return {
        "value_bins": first - np.array(lows) + 1.0 if usable else None,
        "missing_bins": first,
        "value_columns": columns,
        "bins_per_item": width,
    }


def _answers(instrument: Instrument, position: int) -> Answers | None:
    item = instrument.items[position]
    fmt = instrument.format_of(item)
    if isinstance(fmt, LikertFormat | BinaryFormat):
        codes = fmt.codes
        return Answers(tuple(map(str, codes)), tuple(map(float, codes)), None, None)
    if isinstance(fmt, NumericFormat):
        return None
    labels = tuple(option.code for option in fmt.options)
    positions = tuple(float(p) for p in range(len(labels)))
    if not isinstance(fmt, MultipleChoiceFormat):
        return Answers(labels, positions, None, None)
    credit = option_points(instrument, item, None)
    assert credit is not None
    return Answers(labels, positions, frozenset(item.correct or ()), tuple(credit))
