"""Standard scores, norm group selection, tables, bands and uncertainty, worked by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from tests.conftest import likert_instrument

from profdiag import NormError, ResponseDataError, score, se_difference, standardize
from profdiag._instrument.model import ScaleNorm
from profdiag._norms.standard import critical_z, norm_scores
from profdiag.errors import ArgumentError

BANDS = {
    "basis": "raw",
    "levels": [
        {"from": 0, "code": "low", "label": {"en": "low"}},
        {"from": 3, "code": "medium", "label": {"en": "medium"}},
        {"from": 7, "code": "pronounced", "label": {"en": "pronounced"}},
    ],
}


def normed_instrument(**scale_extra: object):  # type: ignore[no-untyped-def]
    instrument = likert_instrument(
        2,
        codes=(0, 1, 2, 3, 4),
        norms=[
            {
                "id": "girls-9",
                "title": {"en": "girls, grade 9"},
                "source": "test",
                "sample_size": 100,
                "selector": {"sex": ["f"], "grade": [9]},
                "scales": {"S": {"mean": 4.0, "sd": 2.0}},
            },
            {
                "id": "boys-9",
                "title": {"en": "boys, grade 9"},
                "source": "test",
                "sample_size": 80,
                "selector": {"sex": ["m"], "grade": [9]},
                "scales": {
                    "S": {
                        "mean": 4.0,
                        "sd": 2.0,
                        "table": [
                            {"raw_min": 0, "raw_max": 2, "t": 35, "percentile": 10},
                            {"raw_min": 3, "raw_max": 8, "stanine": 7},
                        ],
                    }
                },
            },
        ],
    )
    document = instrument.model_dump(mode="json", by_alias=True, exclude_none=True)
    document["scales"][0].update(scale_extra)
    from profdiag._instrument import instrument_from_document

    return instrument_from_document(document)


def test_parametric_scores_by_hand() -> None:
    norm = ScaleNorm(mean=4.0, sd=2.0)
    scores = norm_scores(norm, np.array([4.0, 5.0, 8.0, 0.0, 4.5]))
    # z = (raw - 4)/2
    assert scores["z"].tolist() == [0.0, 0.5, 2.0, -2.0, 0.25]
    assert scores["t"].tolist() == [50.0, 55.0, 70.0, 30.0, 52.5]
    # stanine = round half up(2z + 5): 5, 6, 9, 1, 5.5 -> 6
    assert scores["stanine"].tolist() == [5, 6, 9, 1, 6]
    # sten = round half up(2z + 5.5): 5.5 -> 6, 6.5 -> 7, 9.5 -> 10, 1.5 -> 2, 6 -> 6
    assert scores["sten"].tolist() == [6, 7, 10, 2, 6]
    # percentile = 100 * Phi(z): Phi(0) = .5, Phi(2) = .97725
    assert scores["percentile"][0] == 50.0
    assert scores["percentile"][2] == pytest.approx(97.72498680518208, abs=1e-9)


def test_table_wins_per_metric_and_formula_fills_the_rest() -> None:
    norm = ScaleNorm.model_validate(
        {"mean": 4.0, "sd": 2.0, "table": [{"raw_min": 0, "raw_max": 2, "t": 35, "percentile": 10}]}
    )
    scores = norm_scores(norm, np.array([2.0, 6.0]))
    assert scores["t"].tolist() == [35.0, 60.0]  # table for raw 2; 50 + 10 * (6-4)/2 for raw 6
    assert scores["percentile"][0] == 10.0
    # stanine is not in the table: z follows the table's T 35 -> -1.5 -> round(2 * -1.5 + 5) = 2
    assert scores["z"].tolist() == [-1.5, 1.0]
    assert scores["stanine"][0] == 2.0


def test_percentile_only_table_gives_normalised_z() -> None:
    norm = ScaleNorm.model_validate(
        {
            "table": [
                {"raw_min": 0, "raw_max": 2, "percentile": 50},
                {"raw_min": 3, "raw_max": 5, "percentile": 97.72498680518208},
            ]
        }
    )
    scores = norm_scores(norm, np.array([1.0, 4.0, 9.0]))
    # PR 50 -> z 0 -> T 50, stanine 5; PR 97.725 -> z 2 -> T 70, stanine 9; raw 9: no row, no norm
    assert scores["z"][:2] == pytest.approx([0.0, 2.0], abs=1e-9)
    assert scores["t"][:2] == pytest.approx([50.0, 70.0], abs=1e-7)
    assert scores["stanine"][:2].tolist() == [5.0, 9.0]
    assert np.isnan(scores["t"][2])


def test_groups_chosen_per_row_by_attributes() -> None:
    instrument = normed_instrument()
    # raw sums (codes 0..4): 2+2 = 4, 3+4 = 7, 0+1 = 1
    result = score(instrument, np.array([[2, 2], [3, 4], [0, 1]], dtype=float))
    attributes = {"sex": ["ж", "m", "M"], "grade": [9, 9, "9"]}
    standard = standardize(instrument, result, attributes=attributes)
    assert standard.norm_group.tolist() == ["girls-9", "boys-9", "boys-9"]
    # row 0: z = 0 -> T 50, stanine 5; row 1: T from formula 50 + 10*(7-4)/2 = 65, stanine
    # from the table row 3..8 = 7; row 2: T 35 from the table, stanine from z = (1-4)/2 = -1.5
    # -> round(2 * -1.5 + 5) = 2
    assert standard.t[:, 0].tolist() == [50.0, 65.0, 35.0]
    assert standard.stanine[:, 0].tolist() == [5.0, 7.0, 2.0]
    assert standard.percentile[2, 0] == 10.0


def test_row_without_matching_group_gets_no_standard_score() -> None:
    instrument = normed_instrument()
    result = score(instrument, np.array([[2, 2]], dtype=float))
    standard = standardize(instrument, result, attributes={"sex": ["f"], "grade": [10]})
    assert standard.norm_group.tolist() == [None]
    assert math.isnan(standard.t[0, 0])


def test_named_group_and_unknown_group() -> None:
    instrument = normed_instrument()
    result = score(instrument, np.array([[2, 2]], dtype=float))
    assert standardize(instrument, result, norm_group="girls-9").t[0, 0] == 50.0
    with pytest.raises(NormError, match="no norm group 'adults'; it has: girls-9, boys-9"):
        standardize(instrument, result, norm_group="adults")


def test_bad_attribute_is_reported_with_row() -> None:
    instrument = normed_instrument()
    result = score(instrument, np.array([[2, 2], [1, 1]], dtype=float))
    with pytest.raises(ResponseDataError, match=r"row 1, column 'sex': got \"x\"; expected f or m"):
        standardize(instrument, result, attributes={"sex": ["f", "x"], "grade": [9, 9]})


def test_confidence_band_and_se_difference() -> None:
    instrument = normed_instrument(reliability={"value": 0.84, "source": "test"}, bands=BANDS)
    result = score(instrument, np.array([[2, 2], [4, 4]], dtype=float))
    standard = standardize(instrument, result, norm_group="girls-9", level=0.95)
    # SEM_T = 10 * sqrt(1 - .84) = 4; z(.975) = 1.959964; half width 7.839856
    half = 1.959963984540054 * 4.0
    assert standard.t_low[0, 0] == pytest.approx(50 - half, abs=1e-9)
    assert standard.t_high[0, 0] == pytest.approx(50 + half, abs=1e-9)
    # raw 4 -> medium (3 <= 4 < 7); raw 8 -> pronounced
    assert standard.band[:, 0].tolist() == ["medium", "pronounced"]
    assert critical_z(0.90) == pytest.approx(1.6448536269514722, abs=1e-12)
    # SE of a difference of a scale with itself: sqrt(4^2 + 4^2) = 5.656854
    assert se_difference(instrument, "S", "S") == pytest.approx(math.sqrt(32), abs=1e-12)


def test_halves_round_up_despite_floating_point() -> None:
    # (3.4 - 3.2) / 0.8 is 0.24999999999999994 in floating point but stands for 0.25:
    # stanine round(2 * 0.25 + 5) = round(5.5) = 6 with halves up
    norm = ScaleNorm(mean=3.2, sd=0.8)
    assert norm_scores(norm, np.array([3.4]))["stanine"].tolist() == [6.0]
    # (21.5 - 20) / 6 = 0.25 -> stanine 6; sten round(2 * 0.25 + 5.5) = 6
    scores = norm_scores(ScaleNorm(mean=20.0, sd=6.0), np.array([21.5]))
    assert scores["stanine"].tolist() == [6.0] and scores["sten"].tolist() == [6.0]


# --------------------------------------------------------------------------- boundary checks


def test_standardize_refuses_the_scores_of_another_instrument() -> None:
    # The review's case: scores of another instrument got T = 45 with no error.
    normed = normed_instrument()
    other = likert_instrument(2, codes=(0, 1, 2, 3, 4))  # the same items, no norms
    result = score(other, np.array([[2, 1]], dtype=float))
    with pytest.raises(ArgumentError) as caught:
        standardize(normed, result, norm_group="girls-9")
    message = str(caught.value)
    assert message.startswith("standardize: the scores come from instrument t 1.0.0 (sha256:")
    assert f"({result.instrument.content_hash[:19]}...), not from t 1.0.0 " in message
    assert f"({normed.content_hash[:19]}...) given here" in message
    # the right instrument works, and so does a copy of it with the same content
    same = normed.model_validate(normed.model_dump(by_alias=True))
    assert standardize(same, score(normed, np.array([[2, 2]], dtype=float))).level == 0.90


def test_standardize_refuses_another_id_or_version_even_with_the_same_content() -> None:
    normed = normed_instrument()
    result = score(normed, np.array([[2, 2]], dtype=float))
    for ref in (
        replace(result.instrument, id="other"),
        replace(result.instrument, version="2.0.0"),
    ):
        with pytest.raises(
            ArgumentError, match=r"the scores come from instrument (other|t 2\.0\.0)"
        ):
            standardize(normed, replace(result, instrument=ref), norm_group="girls-9")


def test_standardize_refuses_a_result_whose_shapes_do_not_fit() -> None:
    normed = normed_instrument()
    result = score(normed, np.array([[2, 2], [1, 1]], dtype=float))
    broken = replace(result, raw=result.raw[:, :0])
    with pytest.raises(
        ArgumentError, match=r"does not fit t 1\.0\.0: raw \(2, 0\), expected \(2, 1\)"
    ):
        standardize(normed, broken)
    with pytest.raises(ArgumentError, match=r"row_ids 3, expected 2"):
        standardize(normed, replace(result, row_ids=["a", "b", "c"]))
    with pytest.raises(ArgumentError, match=r"scale_ids \['X'\], expected \['S'\]"):
        standardize(normed, replace(result, scale_ids=("X",)))
    with pytest.raises(
        ArgumentError, match=r"needs the ScoreResult that score\(\) returned; got ndarray"
    ):
        standardize(normed, result.raw)  # type: ignore[arg-type]


def test_one_respondent_attributes_may_be_single_values() -> None:
    instrument = normed_instrument()
    result = score(instrument, {"i1": 2, "i2": 2})
    # today: "'sex' has 6 values for 1 rows" (the letters of "female")
    standard = standardize(instrument, result, attributes={"sex": "female", "grade": 9})
    assert standard.norm_group.tolist() == ["girls-9"]
    assert standard.t.tolist() == [[50.0]]
    for attributes in (
        {"sex": "м", "grade": "9"},
        {"sex": ["m"], "grade": [9]},
        {"sex": np.str_("m"), "grade": np.int64(9)},
        {"sex": "m", "grade": 9.0},
        {"sex": pd.Series(["M"]), "grade": pd.Series([9])},
    ):
        assert standardize(instrument, result, attributes=attributes).norm_group.tolist() == [
            "boys-9"
        ], attributes


def test_single_attribute_values_need_one_respondent() -> None:
    instrument = normed_instrument()
    result = score(instrument, np.array([[2, 2], [1, 1]], dtype=float))
    with pytest.raises(ArgumentError, match=r"'sex' is a single value \(\"f\"\) for 2 respondents"):
        standardize(instrument, result, attributes={"sex": "f", "grade": [9, 9]})
    with pytest.raises(ArgumentError, match=r"'grade' has 3 value\(s\) for 2 respondent\(s\)"):
        standardize(instrument, result, attributes={"sex": ["f", "m"], "grade": [9, 9, 9]})
    with pytest.raises(ArgumentError, match=r"unknown respondent attribute\(s\) 'gender'"):
        standardize(instrument, result, attributes={"gender": ["f", "m"]})


def age_instrument():  # type: ignore[no-untyped-def]
    return likert_instrument(
        2,
        norms=[
            {
                "id": "teens",
                "title": {"en": "teens"},
                "source": "test",
                "sample_size": 10,
                "selector": {"age": {"min": 14, "max": 16}},
                "scales": {"S": {"mean": 5.0, "sd": 2.0}},
            },
            {
                "id": "grade-1",
                "title": {"en": "grade 1"},
                "source": "test",
                "sample_size": 10,
                "selector": {"age": {"min": 0, "max": 8}, "grade": [1]},
                "scales": {"S": {"mean": 5.0, "sd": 2.0}},
            },
        ],
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("age", 121, "an age in completed years, a whole number from 0 to 120"),
        ("age", -1, "from 0 to 120"),
        ("age", 15.5, "from 0 to 120"),
        ("age", "15.5", "from 0 to 120"),
        ("age", "fifteen", "from 0 to 120"),
        ("age", True, "from 0 to 120"),
        ("age", math.inf, "from 0 to 120"),
        ("age", 10**400, "from 0 to 120"),
        ("age", {"years": 15}, "from 0 to 120"),
        ("grade", 0, "a school grade, a whole number from 1 to 12"),
        ("grade", 13, "from 1 to 12"),
        ("grade", "9th", "from 1 to 12"),
        ("sex", 1, "f or m"),
        ("sex", True, "f or m"),
        ("sex", "x", "f or m"),
    ],
    ids=lambda value: repr(value)[:20],
)
def test_attribute_values_are_checked_per_field(name: str, value: object, expected: str) -> None:
    instrument = age_instrument()
    result = score(instrument, {"i1": 2, "i2": 3})
    for attributes in ({name: value}, {name: [value]}):
        with pytest.raises(ResponseDataError) as caught:
            standardize(instrument, result, attributes=attributes)
        (problem,) = caught.value.problems
        assert (problem.row, problem.column) == (0, name)
        assert expected in problem.expected
        assert caught.value.source == "respondent attributes"


def test_attribute_problems_are_listed_with_their_rows() -> None:
    instrument = age_instrument()
    result = score(instrument, np.array([[2, 3]] * 4, dtype=float))
    with pytest.raises(ResponseDataError) as caught:
        standardize(
            instrument, result, attributes={"age": [15, 200, "x", 16], "grade": [1, 1, 1, 0]}
        )
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (1, "age", 200),
        (2, "age", "x"),
        (3, "grade", 0),
    ]


def test_ages_and_grades_at_their_limits_and_unknown_values() -> None:
    instrument = age_instrument()
    result = score(instrument, np.array([[2, 3]] * 6, dtype=float))
    ages = [0, 120, "15", None, pd.NA, ""]
    standard = standardize(
        instrument, result, attributes={"age": ages, "grade": [1, 12, 1, 1, 1, 1]}
    )
    # 0 in grade 1 -> grade-1; 120 and unknown ages match no group; "15" -> teens
    assert standard.norm_group.tolist() == ["grade-1", None, "teens", None, None, None]
    one = score(instrument, {"i1": 2, "i2": 3})
    assert standardize(instrument, one, attributes={"age": 15}).norm_group.tolist() == ["teens"]
    assert standardize(instrument, one, attributes={"age": None}).norm_group.tolist() == [None]
