"""Standard scores, norm group selection, tables, bands and uncertainty, worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.conftest import likert_instrument

from profdiag import NormError, ResponseDataError, score, se_difference, standardize
from profdiag.instrument.model import ScaleNorm
from profdiag.norms.standard import critical_z, norm_scores

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
    from profdiag.instrument import instrument_from_document

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
