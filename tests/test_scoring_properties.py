"""Invariants of scoring, checked with hypothesis against a plain-Python reference scorer."""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import likert_instrument

from profdiag import score

CODES = (1, 2, 3, 4, 5)
# The module, not the function of the same name that profdiag._scoring exports.
scoring_module = importlib.import_module("profdiag._scoring.score")


@st.composite
def scale_setups(draw: Any) -> dict[str, Any]:
    n_items = draw(st.integers(1, 6))
    gaps = draw(st.sampled_from(["skip", "prorate", "impute"]))
    missing: dict[str, Any] = {"gaps": gaps, "min_answered": draw(st.integers(1, n_items))}
    if gaps == "impute":
        missing["impute_values"] = {
            f"i{k}": draw(st.sampled_from([1.0, 2.5, 3.0, 5.0])) for k in range(1, n_items + 1)
        }
    return {
        "n_items": n_items,
        "reverse": tuple(k for k in range(1, n_items + 1) if draw(st.booleans())),
        "weights": {k: draw(st.sampled_from([1.0, 0.5, 2.0, 3.0])) for k in range(1, n_items + 1)},
        "aggregation": draw(st.sampled_from(["sum", "mean"])),
        "missing": missing,
    }


def answers(n_items: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.sampled_from([*CODES, math.nan]), min_size=n_items, max_size=n_items)


def reference_score(setup: dict[str, Any], row: list[float]) -> float:
    """The definition, written out one item at a time."""
    keyed, weights, imputed_total = 0.0, 0.0, 0.0
    total_weight, answered = 0.0, 0
    for k, value in enumerate(row, start=1):
        weight = setup["weights"][k]
        total_weight += weight
        key = (lambda x: 6 - x) if k in setup["reverse"] else (lambda x: x)
        if math.isnan(value):
            stored = setup["missing"].get("impute_values", {}).get(f"i{k}")
            if stored is not None:
                imputed_total += weight * key(stored)
            continue
        answered += 1
        keyed += weight * key(value)
        weights += weight
    if answered < setup["missing"]["min_answered"]:
        return math.nan
    gaps, mean = setup["missing"]["gaps"], setup["aggregation"] == "mean"
    if gaps == "impute":
        total = keyed + imputed_total
        return total / total_weight if mean else total
    if mean:
        return keyed / weights
    return keyed * total_weight / weights if gaps == "prorate" else keyed


@settings(max_examples=300, deadline=None)
@given(setup=scale_setups(), data=st.data())
def test_kernel_matches_reference(setup: dict[str, Any], data: Any) -> None:
    instrument = likert_instrument(**setup)
    rows = data.draw(st.lists(answers(setup["n_items"]), min_size=1, max_size=8))
    result = score(instrument, np.array(rows, dtype=float))
    for r, row in enumerate(rows):
        expected = reference_score(setup, row)
        got = result.raw[r, 0]
        assert (math.isnan(expected) and math.isnan(got)) or abs(got - expected) < 1e-12
        assert result.answered[r, 0] == sum(not math.isnan(v) for v in row)


@settings(max_examples=100, deadline=None)
@given(setup=scale_setups(), data=st.data())
def test_row_permutation_permutes_scores(setup: dict[str, Any], data: Any) -> None:
    instrument = likert_instrument(**setup)
    rows = np.array(data.draw(st.lists(answers(setup["n_items"]), min_size=2, max_size=10)))
    order = np.array(data.draw(st.permutations(range(len(rows)))))
    straight = score(instrument, rows)
    permuted = score(instrument, rows[order])
    np.testing.assert_array_equal(permuted.raw, straight.raw[order])
    np.testing.assert_array_equal(permuted.status, straight.status[order])


@settings(max_examples=100, deadline=None)
@given(setup=scale_setups(), data=st.data())
def test_reversing_an_item_equals_reversing_its_answers(setup: dict[str, Any], data: Any) -> None:
    n_items = setup["n_items"]
    flipped_item = data.draw(st.integers(1, n_items))
    rows = np.array(data.draw(st.lists(answers(n_items), min_size=1, max_size=6)), dtype=float)
    flipped_setup = {**setup, "reverse": tuple(set(setup["reverse"]) ^ {flipped_item})}
    if setup["missing"]["gaps"] == "impute":
        values = dict(setup["missing"]["impute_values"])
        values[f"i{flipped_item}"] = 6 - values[f"i{flipped_item}"]
        flipped_setup["missing"] = {**setup["missing"], "impute_values": values}
    flipped_rows = rows.copy()
    flipped_rows[:, flipped_item - 1] = 6 - rows[:, flipped_item - 1]
    np.testing.assert_allclose(
        score(likert_instrument(**flipped_setup), flipped_rows).raw,
        score(likert_instrument(**setup), rows).raw,
        rtol=0,
        atol=1e-12,
    )


@settings(max_examples=50, deadline=None)
@given(setup=scale_setups(), data=st.data())
def test_blocks_on_threads_equal_one_by_one(setup: dict[str, Any], data: Any) -> None:
    instrument = likert_instrument(**setup)
    rows = np.array(data.draw(st.lists(answers(setup["n_items"]), min_size=5, max_size=40)))
    original = scoring_module.BLOCK_ROWS
    scoring_module.BLOCK_ROWS = 3  # force many blocks on several threads
    try:
        blocked = score(instrument, rows, workers=2)
    finally:
        scoring_module.BLOCK_ROWS = original
    singles = [score(instrument, {f"i{k + 1}": v for k, v in enumerate(row)}) for row in rows]
    np.testing.assert_array_equal(blocked.raw, np.vstack([s.raw for s in singles]))
    np.testing.assert_array_equal(blocked.answered, np.vstack([s.answered for s in singles]))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_lenient_invalid_cell_counts_as_missing_and_is_reported(data: Any) -> None:
    instrument = likert_instrument(4, aggregation="mean")
    rows = np.array(data.draw(st.lists(answers(4), min_size=1, max_size=6)), dtype=float)
    row = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.integers(0, 3))
    bad_value = data.draw(st.sampled_from([0.0, 6.0, 2.5, -1.0, 99.0]))
    spoiled = rows.copy()
    spoiled[row, column] = bad_value
    cleaned = rows.copy()
    cleaned[row, column] = np.nan
    lenient = score(instrument, spoiled, strict=False)
    np.testing.assert_array_equal(lenient.raw, score(instrument, cleaned).raw)
    assert [(p.row, p.column, p.value) for p in lenient.problems] == [
        (row, f"i{column + 1}", bad_value)
    ]
    assert lenient.row_has_problem.tolist() == [r == row for r in range(len(rows))]


def test_negative_codes_through_the_block_path() -> None:
    # codes -2..2 (values may be negative, so NaN cannot be filled by max(value, 0)),
    # item 2 reversed: -2+2-x = -x; enough rows for several blocks on worker threads
    instrument = likert_instrument(3, codes=(-2, -1, 0, 1, 2), reverse=(2,), aggregation="mean")
    rng = np.random.default_rng(7)
    rows = rng.integers(-2, 3, size=(3 * scoring_module.BLOCK_ROWS + 5, 3)).astype(float)
    rows[rng.random(rows.shape) < 0.1] = np.nan
    blocked = score(instrument, rows)
    keyed = rows * np.array([1.0, -1.0, 1.0])
    answered = (~np.isnan(keyed)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        expected = np.nansum(keyed, axis=1) / answered  # NaN (0/0) where nothing is answered
    np.testing.assert_allclose(blocked.raw[:, 0], expected, rtol=0, atol=1e-12)
