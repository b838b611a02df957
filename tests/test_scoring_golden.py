"""Scoring cases worked out by hand: each expected value's arithmetic is in its comment."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.conftest import build, likert_instrument

from profdiag import ResponseDataError, ScaleStatus, score


def one(instrument, answers, **options):  # type: ignore[no-untyped-def]
    result = score(instrument, answers, **options)
    return float(result.raw[0, 0]), int(result.answered[0, 0]), int(result.status[0, 0])


def test_sum_with_reverse_keying_uses_declared_range() -> None:
    # codes 1..5, i2 reversed: 4 + (1+5-2) + 3 + 5 = 4 + 4 + 3 + 5 = 16
    instrument = likert_instrument(reverse=(2,))
    assert one(instrument, {"i1": 4, "i2": 2, "i3": 3, "i4": 5}) == (16.0, 4, 0)


def test_reverse_keying_on_zero_based_codes() -> None:
    # codes 0..4, i1 reversed: (0+4-0) + 1 + 2 + 3 = 10
    instrument = likert_instrument(codes=(0, 1, 2, 3, 4), reverse=(1,))
    assert one(instrument, {"i1": 0, "i2": 1, "i3": 2, "i4": 3})[0] == 10.0


def test_weighted_mean_of_answered() -> None:
    # weights 2,1,1,1; i4 missing: (2*5 + 1*3 + 1*1) / (2+1+1) = 14/4 = 3.5
    instrument = likert_instrument(aggregation="mean", weights={1: 2.0})
    assert one(instrument, {"i1": 5, "i2": 3, "i3": 1, "i4": None}) == (3.5, 3, 0)


def test_prorated_sum() -> None:
    # answered 4, 2, 3 (i4 missing): sum 9 over 3 of 4 items -> 9 * 4/3 = 12
    instrument = likert_instrument(missing={"gaps": "prorate"})
    assert one(instrument, {"i1": 4, "i2": 2, "i3": 3, "i4": None})[0] == pytest.approx(
        12.0, abs=1e-12
    )


def test_sum_skip_counts_answered_only() -> None:
    # 4 + 2 + 3 = 9, the missing i4 contributes nothing
    instrument = likert_instrument()
    assert one(instrument, {"i1": 4, "i2": 2, "i3": 3, "i4": None})[0] == 9.0


def test_impute_stored_value_is_reverse_keyed_like_an_answer() -> None:
    # stored raw 2 for i2, reversed: 6-2 = 4; sum = 5 + 4 + 1 + 1 = 11; mean = 11/4 = 2.75
    missing = {"gaps": "impute", "impute_values": {"i1": 3, "i2": 2, "i3": 3, "i4": 3}}
    instrument = likert_instrument(reverse=(2,), missing=missing)
    assert one(instrument, {"i1": 5, "i2": None, "i3": 1, "i4": 1})[0] == 11.0
    as_mean = likert_instrument(reverse=(2,), missing=missing, aggregation="mean")
    assert one(as_mean, {"i1": 5, "i2": None, "i3": 1, "i4": 1})[0] == 2.75


def test_minimum_answered_count_and_fraction() -> None:
    by_count = likert_instrument(missing={"min_answered": 3})
    # 2 answered < 3 -> not scored
    raw, answered, status = one(by_count, {"i1": 4, "i2": 2, "i3": None, "i4": None})
    assert math.isnan(raw) and answered == 2 and status == ScaleStatus.TOO_FEW_ANSWERED
    # fraction 0.75 of 4 items = 3 required; 3 answered -> scored 4+2+1 = 7
    by_fraction = likert_instrument(missing={"min_answered_fraction": 0.75})
    assert one(by_fraction, {"i1": 4, "i2": 2, "i3": 1, "i4": None}) == (7.0, 3, 0)
    # fraction 0.7 of 4 = 2.8 -> 3 required (rounded up); 2 answered is too few
    ceil_fraction = likert_instrument(missing={"min_answered_fraction": 0.7})
    assert one(ceil_fraction, {"i1": 4, "i2": 2, "i3": None, "i4": None})[2] == 1


def test_nothing_answered_is_never_a_score() -> None:
    instrument = likert_instrument(
        missing={"gaps": "impute", "impute_values": {f"i{k}": 3 for k in range(1, 5)}}
    )
    raw, answered, status = one(instrument, {"i1": None, "i2": None, "i3": None, "i4": None})
    assert math.isnan(raw) and answered == 0 and status == ScaleStatus.TOO_FEW_ANSWERED


def _forced_choice():  # type: ignore[no-untyped-def]
    # Two pairs; option "а" of pair 1 and "б" of pair 2 score for X, the others for Y.
    options = [{"code": "а", "aliases": ["a", "1"]}, {"code": "б", "aliases": ["b", "2"]}]
    return build(
        response_formats={"pair": {"type": "forced_choice", "options": options}},
        items=[{"id": "p1", "format": "pair"}, {"id": "p2", "format": "pair"}],
        scales=[
            {
                "id": "X",
                "title": {"en": "X"},
                "items": [{"item": "p1", "scores": {"а": 1}}, {"item": "p2", "scores": {"б": 1}}],
            },
            {
                "id": "Y",
                "title": {"en": "Y"},
                "items": [{"item": "p1", "scores": {"б": 1}}, {"item": "p2", "scores": {"а": 1}}],
            },
        ],
    )


@pytest.mark.parametrize(
    ("p1", "p2", "x", "y"),
    [
        ("а", "б", 2.0, 0.0),  # both keyed to X
        ("a", "a", 1.0, 1.0),  # Latin spelling of а: p1 -> X, p2 -> Y
        ("2", "1", 0.0, 2.0),  # numeric spellings: б for p1 -> Y, а for p2 -> Y
        (2, 2, 1.0, 1.0),  # numbers: p1 б -> Y, p2 б -> X
    ],
)
def test_forced_choice_option_scores(p1: object, p2: object, x: float, y: float) -> None:
    result = score(_forced_choice(), {"p1": p1, "p2": p2})
    assert result.raw.tolist() == [[x, y]]


def test_multiple_choice_correct_and_partial_credit() -> None:
    options = [{"code": c} for c in "abcd"]
    instrument = build(
        response_formats={"mc": {"type": "multiple_choice", "options": options}},
        items=[
            {"id": "m1", "format": "mc", "correct": ["b"], "partial_credit": {"c": 0.5}},
            {"id": "m2", "format": "mc", "correct": ["a", "d"]},
            {"id": "m3", "format": "mc", "correct": ["c"]},
        ],
        scales=[
            {
                "id": "N",
                "title": {"en": "N"},
                "items": [{"item": "m1"}, {"item": "m2"}, {"item": "m3"}],
            }
        ],
    )
    # m1 c = 0.5, m2 d = 1 (either a or d is right), m3 a = 0 -> 1.5
    assert score(instrument, {"m1": "c", "m2": "d", "m3": "a"}).raw.tolist() == [[1.5]]
    # m1 b = 1, m2 b = 0, m3 missing -> 1
    assert score(instrument, {"m1": "b", "m2": "b", "m3": ""}).raw.tolist() == [[1.0]]


def test_numeric_items_within_range() -> None:
    instrument = build(
        response_formats={"n": {"type": "numeric", "min": 0, "max": 10, "integer": True}},
        items=[{"id": "a", "format": "n"}, {"id": "b", "format": "n"}],
        scales=[
            {
                "id": "T",
                "title": {"en": "T"},
                "items": [{"item": "a"}, {"item": "b", "reverse": True}],
            }
        ],
    )
    # 7 + (0 + 10 - 3) = 14
    assert score(instrument, {"a": 7, "b": "3"}).raw.tolist() == [[14.0]]
    with pytest.raises(
        ResponseDataError, match=r"column 'b': got 3.5; expected a whole number from 0 up to 10"
    ):
        score(instrument, {"a": 7, "b": 3.5})


def test_missing_codes_count_as_no_answer() -> None:
    instrument = build(
        response_formats={
            "lk": {"type": "likert", "codes": [1, 2, 3], "missing_codes": ["9", "DK"]}
        },
        items=[{"id": "a", "format": "lk"}, {"id": "b", "format": "lk"}],
        scales=[
            {
                "id": "S",
                "title": {"en": "S"},
                "aggregation": "mean",
                "items": [{"item": "a"}, {"item": "b"}],
            }
        ],
    )
    result = score(instrument, np.array([[3.0, 9.0], [1.0, 2.0]]))
    assert result.raw[:, 0].tolist() == [3.0, 1.5]
    assert result.answered[:, 0].tolist() == [1, 2]
    assert score(instrument, {"a": "DK", "b": "2"}).raw.tolist() == [[2.0]]


def test_same_scores_from_every_input_shape() -> None:
    instrument = likert_instrument(reverse=(3,), aggregation="mean")
    rows = [
        {"i1": 1, "i2": 2, "i3": 3, "i4": 4},
        {"i1": 5, "i2": None, "i3": 1, "i4": 2},
    ]
    matrix = np.array([[1, 2, 3, 4], [5, np.nan, 1, 2]], dtype=float)
    text = np.array([["1", "2", "3", "4"], ["5", "", "1", "2"]], dtype=object)
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    # (1 + 2 + 3 + 4)/4 = 2.5 ; (5 + 5 + 2)/3 = 4
    expected = [[2.5], [4.0]]
    for data in (rows, matrix, text, columns):
        assert score(instrument, data).raw.tolist() == expected
    pandas = pytest.importorskip("pandas")
    assert score(instrument, pandas.DataFrame(rows)).raw.tolist() == expected


def test_numeric_missing_code_is_no_answer_in_every_input_shape() -> None:
    instrument = build(
        response_formats={"n": {"type": "numeric", "min": 0, "max": 20, "missing_codes": ["99"]}},
        items=[{"id": "a", "format": "n"}, {"id": "b", "format": "n"}],
        scales=[{"id": "T", "title": {"en": "T"}, "items": [{"item": "a"}, {"item": "b"}]}],
    )
    # 99 means no answer: the sum is 5 alone, with 1 answered
    for data in ({"a": 5, "b": 99}, [{"a": "5", "b": "99"}], np.array([[5.0, 99.0]])):
        result = score(instrument, data)
        assert result.raw.tolist() == [[5.0]] and result.answered.tolist() == [[1]]
