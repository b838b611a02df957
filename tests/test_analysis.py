"""`profdiag.analyze`: a scale worked by hand, properties, and bad input explained."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import profdiag
from profdiag import ArgumentError, ResponseDataError, analyze


def instrument(
    scales: dict[str, list[str]],
    n_items: int,
    codes: tuple[int, ...] = (1, 2, 3, 4, 5),
    shifted: dict[str, int] | None = None,
) -> profdiag.Instrument:
    """Items i1..iN on `codes` (or on codes + shift for the items in `shifted`); scale
    entries '-iK' are reverse keyed."""
    shifted = shifted or {}
    formats = {"base": {"type": "likert", "codes": list(codes)}}
    for shift in set(shifted.values()):
        formats[f"plus{shift}"] = {"type": "likert", "codes": [c + shift for c in codes]}
    document = {
        "format": "profdiag-instrument/1",
        "id": "analysis-test",
        "version": "1.0.0",
        "title": {"en": "test"},
        "description": {"en": "test"},
        "authors": ["profdiag"],
        "licence": {"name": "CC0-1.0"},
        "source": {"citation": "tests/test_analysis.py"},
        "text_status": {"en": "not_shipped"},
        "response_formats": formats,
        "items": [
            {
                "id": f"i{k}",
                "format": f"plus{shifted[f'i{k}']}" if f"i{k}" in shifted else "base",
            }
            for k in range(1, n_items + 1)
        ],
        "scales": [
            {
                "id": scale_id,
                "title": {"en": scale_id},
                "items": [
                    {"item": entry.lstrip("-"), "reverse": entry.startswith("-")}
                    for entry in entries
                ],
            }
            for scale_id, entries in scales.items()
        ],
    }
    return profdiag.parse_instrument(json.dumps(document))


# ----------------------------------------------------------------------- worked by hand

# Four respondents, three five-point items, i3 reverse keyed (keyed value 6 - x).
#   i1: 1 2 3 4   i2: 2 1 4 3   i3 raw: 5 3 2 4 -> keyed 1 3 4 2
# Every item has mean 2.5 and variance 5/3; deviations i1 (-1.5 -.5 .5 1.5),
# i2 (-.5 -1.5 1.5 .5), i3 keyed (-1.5 .5 1.5 -.5). Covariances (divisor n - 1 = 3):
#   C12 = (.75 + .75 + .75 + .75) / 3 = 1, C13 = (2.25 - .25 + .75 - .75) / 3 = 2/3,
#   C23 = (.75 - .75 + 2.25 - .25) / 3 = 2/3.
# 1'C1 = 3 * 5/3 + 2 * (1 + 2/3 + 2/3) = 29/3, tr C = 5.
HAND = np.array([[1, 2, 5], [2, 1, 3], [3, 4, 2], [4, 3, 4]], dtype=float)
C = [[Fraction(5, 3), Fraction(1), Fraction(2, 3)],
     [Fraction(1), Fraction(5, 3), Fraction(2, 3)],
     [Fraction(2, 3), Fraction(2, 3), Fraction(5, 3)]]  # fmt: skip


def test_three_item_scale_by_hand() -> None:
    analysis = analyze(instrument({"s": ["i1", "i2", "-i3"]}, 3), HAND)
    scale = analysis.scale("s")
    # alpha = k/(k-1) (1 - tr C / 1'C1) = 3/2 (1 - 15/29) = 21/29
    assert scale["raw_alpha"] == pytest.approx(21 / 29, abs=1e-12)
    # r12 = 1 / (5/3) = .6, r13 = r23 = .4: 1'R1 = 3 + 2 * 1.4 = 5.8
    # std alpha = 3/2 (1 - 3/5.8) = 21/29 (equal variances); average r = 2.8 / 6 = 7/15
    assert scale["std_alpha"] == pytest.approx(21 / 29, abs=1e-12)
    assert scale["average_r"] == pytest.approx(7 / 15, abs=1e-12)
    assert scale["signal_noise"] == pytest.approx(3 * (7 / 15) / (1 - 7 / 15), abs=1e-12)  # 21/8
    assert scale["median_r"] == pytest.approx(0.4, abs=1e-12)
    # smc: i1 on (i2, i3): (.36 + .16 - 2 * .6 * .4 * .4) / (1 - .16) = 41/105, i2 the same,
    # i3 on (i1, i2): (.16 + .16 - 2 * .6 * .16) / (1 - .36) = 1/5; G6 = 1 - (3 - 103/105) / 5.8
    assert scale["g6_smc"] == pytest.approx(1 - (3 - 103 / 105) / 5.8, abs=1e-12)  # 397/609
    # Totals (mean of the keyed items): 4/3, 2, 11/3, 3: mean 2.5, variance (116/36) / 3
    assert scale["mean"] == pytest.approx(2.5, abs=1e-12)
    assert scale["sd"] == pytest.approx(math.sqrt(29 / 27), abs=1e-12)
    # alpha se: sqrt(Q / n), Q = 2k^2 / ((k-1)^2 (1'C1)^3) * (1'C1 (tr C^2 + (tr C)^2)
    #                                                          - 2 tr C 1'C^2 1)
    cc = [[sum(C[i][m] * C[m][j] for m in range(3)) for j in range(3)] for i in range(3)]
    total, trace = Fraction(29, 3), Fraction(5)
    q = (Fraction(18) / (4 * total**3)) * (
        total * (sum(cc[i][i] for i in range(3)) + trace**2) - 2 * trace * sum(map(sum, cc))
    )
    assert scale["alpha_se"] == pytest.approx(math.sqrt(q / 4), abs=1e-12)
    # Feldt 95%: 1 - (1 - alpha) F(.975 / .025; 3, 6); from printed F tables
    # F.975(3, 6) = 6.5988, F.025(3, 6) = 1 / F.975(6, 3) = 1 / 14.735
    assert scale.alpha_ci is not None and scale.alpha_ci.level == 0.95
    assert scale.alpha_ci.lower == pytest.approx(1 - (8 / 29) * 6.5988, abs=1e-4)
    assert scale.alpha_ci.upper == pytest.approx(1 - (8 / 29) / 14.735, abs=1e-4)

    i1, i2, i3 = scale.items
    # r.drop(i1) = (colsum - C11) / sqrt(C11 (1'C1 - 2 colsum + C11)) = (5/3) / sqrt(5/3 * 14/3)
    assert i1["r_drop"] == pytest.approx(5 / math.sqrt(70), abs=1e-12)
    # raw r(i1) = cov(i1, total) / sd sd: (10/9) / sqrt(5/3 * 29/27) = 10 / sqrt(145)
    assert i1["raw_r"] == pytest.approx(10 / math.sqrt(145), abs=1e-12)
    # alpha without i1: 2 (1 - (10/3) / (14/3)) = 4/7; without i3: 2 (1 - (10/3) / (16/3)) = 3/4
    assert i1["alpha_if_dropped"] == pytest.approx(4 / 7, abs=1e-12)
    assert i2["alpha_if_dropped"] == pytest.approx(4 / 7, abs=1e-12)
    assert i3["alpha_if_dropped"] == pytest.approx(3 / 4, abs=1e-12)
    # std.r = colsum(R) / sqrt(1'R1): i1 (1 + .6 + .4) / sqrt(5.8), i3 (1 + .4 + .4) / sqrt(5.8)
    assert i1["std_r"] == pytest.approx(2 / math.sqrt(5.8), abs=1e-12)
    assert i3["std_r"] == pytest.approx(1.8 / math.sqrt(5.8), abs=1e-12)
    # r.cor: the same with smc on the diagonal: (41/105 + 1) / sqrt(103/105 + 2.8)
    assert i1["r_cor"] == pytest.approx((41 / 105 + 1) / math.sqrt(103 / 105 + 2.8), abs=1e-12)
    # Items: the keyed mean (i3: 6 - 3.5), sd, frequencies of the raw answers
    assert (i3.n, i3.reverse, i3["mean"], i3["sd"]) == (4, True, 2.5, pytest.approx(1.2909944))
    assert i3.frequencies == {"1": 0.0, "2": 0.25, "3": 0.25, "4": 0.25, "5": 0.25}
    assert i3.missing == 0.0 and i3.note is None
    assert scale["omega_h"] is None and len(scale.notes) == 1
    assert scale.notes[0].startswith("omega needs at least 6 items with variance")


def test_missing_answers_pairwise_by_hand() -> None:
    """Covariances over the respondents who answered both items (R's pairwise)."""
    data = np.array([[1, 2], [2, 1], [3, 4], [4, 3], [5, np.nan]])
    scale = analyze(instrument({"s": ["i1", "i2"]}, 2), data).scale("s")
    i1, i2 = scale.items
    assert (i1.n, i2.n, i2.missing) == (5, 4, pytest.approx(0.2))
    # i1's variance over its 5 answers is 2.5; C12 over the first four rows is 1; i2's is 5/3
    assert i1["sd"] == pytest.approx(math.sqrt(2.5), abs=1e-12)
    # alpha = 2 (1 - (2.5 + 5/3) / (2.5 + 5/3 + 2))
    assert scale["raw_alpha"] == pytest.approx(2 * (1 - (2.5 + 5 / 3) / (2.5 + 5 / 3 + 2)))
    # The fifth respondent's total is i1 alone (5): totals 1.5 1.5 3.5 3.5 5
    assert scale["mean"] == pytest.approx(3.0, abs=1e-12)
    assert [i1["alpha_if_dropped"], i2["alpha_if_dropped"]] == [None, None]


def test_multiple_choice_difficulty_and_distractors() -> None:
    document: dict[str, Any] = json.loads(instrument({"s": ["i1"]}, 1).model_dump_json())
    document["response_formats"] = {
        "abc": {"type": "multiple_choice", "options": [{"code": c} for c in "abc"]}
    }
    document["items"] = [
        {"id": "q1", "format": "abc", "correct": ["b"], "partial_credit": {"c": 0.5}},
        {"id": "q2", "format": "abc", "correct": ["a"]},
    ]
    document["scales"][0]["items"] = [{"item": "q1"}, {"item": "q2"}]
    test = profdiag.parse_instrument(json.dumps(document))
    data = {"q1": ["b", "b", "c", "a", ""], "q2": ["a", "b", "a", "c", "a"]}
    q1, q2 = analyze(test, data).scale("s").items
    # q1 answered by 4: b b c a -> credit 1 1 .5 0, difficulty 2.5 / 4
    assert q1.difficulty == pytest.approx(0.625) and q1["mean"] == pytest.approx(0.625)
    assert q1.distractors == {"a": 0.25, "c": 0.25} and q1.missing == pytest.approx(0.2)
    assert q2.difficulty == pytest.approx(0.6) and q2.distractors == {"b": 0.2, "c": 0.2}
    assert q2.frequencies == {"a": 0.6, "b": 0.2, "c": 0.2}


def test_omega_of_a_hierarchical_structure_by_hand() -> None:
    """Nine items, three group factors of three (loadings .7), factors correlated .5:
    R = L Phi L' with ones on the diagonal. Schmid-Leiman: general loadings
    .7 sqrt(.5) each, uniquenesses 1 - .49 = .51. 1'R1 = 9 + 18 * .49 + 54 * .245 = 31.05;
    omega_h = (9 * .7 sqrt(.5))^2 / 31.05 = 19.845 / 31.05, omega_t = (31.05 - 9 * .51) / 31.05."""
    from profdiag._psychometrics.omega import omega

    loadings = np.kron(np.eye(3), np.full((3, 1), 0.7))
    phi = np.full((3, 3), 0.5) + 0.5 * np.eye(3)
    r = loadings @ phi @ loadings.T
    np.fill_diagonal(r, 1.0)
    found = omega(r)
    assert found.omega_h == pytest.approx(19.845 / 31.05, abs=1e-4)
    assert found.omega_total == pytest.approx((31.05 - 9 * 0.51) / 31.05, abs=1e-4)
    assert found.reversed == () and found.converged


def test_omega_on_a_bundled_instrument() -> None:
    """Ten-item scales get omega; omega_h <= omega_total <= 1; a six-or-more-item scale
    keyed against its data is reported with the items psych's omega() reverses."""
    ipip = profdiag.load_instrument("ipip-bfm-50")
    rng = np.random.default_rng(3)
    trait = rng.normal(size=(600, 1))
    signs = np.array(
        [-1.0 if entry.reverse else 1.0 for scale in ipip.scales for entry in scale.items]
    )
    order = [ipip.item_index[entry.item] for scale in ipip.scales for entry in scale.items]
    keyed = np.empty(50)
    keyed[order] = signs
    answers = np.clip(np.round(3 + keyed * trait + rng.normal(size=(600, 50))), 1, 5)
    scale = analyze(ipip, answers).scale("extraversion")
    omega_h, omega_total = scale["omega_h"], scale["omega_total"]
    assert omega_h is not None and omega_total is not None
    assert 0 < omega_h <= omega_total <= 1
    assert not any(note.startswith("omega: reversed") for note in scale.notes)
    against = answers.copy()
    first = ipip.item_index[ipip.scales[0].items[0].item]
    against[:, first] = 6 - against[:, first]  # answered the other way round
    notes = analyze(ipip, against).scale("extraversion").notes
    assert any(
        note.startswith("omega: reversed") and ipip.items[first].id in note for note in notes
    )


# ----------------------------------------------------------------------- properties

LIKERT = st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, math.nan])


@st.composite
def responses(draw: st.DrawFn, n_items: int = 4) -> np.ndarray:
    n_rows = draw(st.integers(6, 30))
    cells = draw(st.lists(LIKERT, min_size=n_rows * n_items, max_size=n_rows * n_items))
    data = np.array(cells).reshape(n_rows, n_items)
    assume(_well_conditioned(data))
    return data


def _well_conditioned(data: np.ndarray) -> bool:
    """Every pair of items has at least 5 rows answered on both, with both varying there:
    the statistics are then defined, and sums in another order agree to 1e-9. (Degenerate
    data are tested on their own: constant and unanswered items, one-item scales.)"""
    for a in range(data.shape[1]):
        for b in range(a + 1, data.shape[1]):
            both = ~np.isnan(data[:, a]) & ~np.isnan(data[:, b])
            if both.sum() < 5 or np.ptp(data[both, a]) == 0 or np.ptp(data[both, b]) == 0:
                return False
    return True


def assert_same(a: Any, b: Any, path: str = "$") -> None:
    """Equal structures; numbers to 1e-9 (sums in another order round differently)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{k}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-9), path
    else:
        assert a == b, path


SCALES = {"s": ["i1", "-i2", "i3"], "t": ["i3", "i4"]}


def _scales(data: np.ndarray, scales: dict[str, list[str]] = SCALES, **kwargs: Any) -> Any:
    result = analyze(instrument(scales, 4, **kwargs), data).as_dict()
    return result["scales"], result["intercorrelations"]


@settings(max_examples=40, deadline=None)
@given(responses(), st.randoms(use_true_random=False))
def test_rows_in_any_order_give_the_same_analysis(data: np.ndarray, random: Any) -> None:
    order = list(range(len(data)))
    random.shuffle(order)
    assert_same(_scales(data), _scales(data[order]))


@settings(max_examples=40, deadline=None)
@given(responses(), st.permutations(["i1", "-i2", "i3"]))
def test_items_in_any_order_within_a_scale_give_the_same_analysis(
    data: np.ndarray, order: list[str]
) -> None:
    (first, _), (second, _) = _scales(data), _scales(data, {"s": order, "t": ["i3", "i4"]})
    items = second["s"].pop("items")
    second["s"]["items"] = {key: items[key] for key in first["s"]["items"]}
    words = [
        sorted(" ".join(s["s"].pop("notes")).replace(",", " ").split()) for s in (first, second)
    ]
    assert words[0] == words[1]  # the notes name the items in the scale's order
    assert_same(first["s"], second["s"])


@settings(max_examples=40, deadline=None)
@given(responses())
def test_reversing_an_item_twice_changes_nothing(data: np.ndarray) -> None:
    """Keying i2 the other way in the definition and mirroring its answers (6 - x) gives
    the same keyed values: every statistic is unchanged; only the reverse flag and the
    frequencies of the raw codes (mirrored) differ."""
    mirrored = data.copy()
    mirrored[:, 1] = 6 - mirrored[:, 1]
    before = _scales(data)
    after = _scales(mirrored, {"s": ["i1", "i2", "i3"], "t": ["i3", "i4"]})
    item, mirrored_item = before[0]["s"]["items"]["i2"], after[0]["s"]["items"]["i2"]
    assert (item.pop("reverse"), mirrored_item.pop("reverse")) == (True, False)
    frequencies, mirrored_frequencies = item.pop("frequencies"), mirrored_item.pop("frequencies")
    if frequencies is not None:
        assert frequencies == {
            code: mirrored_frequencies[str(6 - int(code))] for code in frequencies
        }
    assert_same(before, after)


@settings(max_examples=40, deadline=None)
@given(responses(), st.integers(-50, 50).filter(lambda shift: shift != 0))
def test_a_constant_added_to_an_item_leaves_correlations_unchanged(
    data: np.ndarray, shift: int
) -> None:
    """i3 answered on codes + shift (its format says so): every correlation made from the
    item covariances, and alpha, stays; i3's mean moves by the shift. raw_r correlates an
    item with each respondent's mean of the answered items, which with missing answers is
    not a linear function of i3, so it is compared on complete data only."""
    moved = data.copy()
    moved[:, 2] += shift
    before = _scales(data)
    after = _scales(moved, shifted={"i3": shift})
    correlational = ("raw_alpha", "std_alpha", "g6_smc", "average_r", "median_r", "alpha_se")
    for scale_id in ("s", "t"):
        for key in correlational:
            assert_same(before[0][scale_id][key], after[0][scale_id][key])
        for item_id, item in before[0][scale_id]["items"].items():
            other = after[0][scale_id]["items"][item_id]
            for key in ("std_r", "r_cor", "r_drop", "sd", "alpha_if_dropped", "n"):
                assert_same(item[key], other[key])
            columns = [int(i[1:]) - 1 for i in before[0][scale_id]["items"]]
            if not np.isnan(data[:, columns]).any():
                assert_same(item["raw_r"], other["raw_r"])
            if item_id == "i3" and item["mean"] is not None:
                assert other["mean"] == pytest.approx(item["mean"] + shift, abs=1e-9)
    assert_same(before[1], after[1])


# ----------------------------------------------------------------------- bad input


def test_a_one_item_scale_says_it_has_no_alpha() -> None:
    data = np.array([[1, 2], [2, 3], [4, 4], [5, 1]], dtype=float)
    scale = analyze(instrument({"one": ["i1"]}, 2), data).scale("one")
    assert scale["raw_alpha"] is None and scale.alpha_ci is None
    assert any(
        "alpha needs at least two items with variance; this scale has 1" in n for n in scale.notes
    )
    item = scale.items[0]
    assert item.n == 4 and item["mean"] == 3.0 and item["raw_r"] is None
    assert scale["mean"] == 3.0  # the totals are the item itself


def test_a_constant_item_is_left_out_and_explained() -> None:
    data = np.array([[1, 2, 3], [2, 3, 3], [4, 4, 3], [5, 1, 3], [3, 3, np.nan]])
    scale = analyze(instrument({"s": ["i1", "i2", "-i3"]}, 3), data).scale("s")
    assert (scale.n_items, scale.n_items_analysed) == (3, 2)
    constant = scale.item("i3")
    assert constant.note is not None and "no variance (every keyed answer is 3)" in constant.note
    assert constant["raw_r"] is None and constant["sd"] == 0.0 and constant.n == 4
    assert any("left out of alpha" in note and "i3" in note for note in scale.notes)
    two = analyze(instrument({"s": ["i1", "i2"]}, 3), data).scale("s")
    assert scale["raw_alpha"] == two["raw_alpha"] is not None  # alpha of the other two
    assert scale["mean"] == two["mean"]  # and their totals


def test_an_item_nobody_answered_is_left_out_and_explained() -> None:
    data = np.array([[1, 2, np.nan], [2, 3, np.nan], [4, 4, np.nan], [5, 1, np.nan]])
    scale = analyze(instrument({"s": ["i1", "i2", "i3"]}, 3), data).scale("s")
    empty = scale.item("i3")
    assert empty.n == 0 and empty.missing == 1.0 and empty.frequencies is None
    assert empty["mean"] is None and empty.note is not None and "no respondent" in empty.note
    assert scale.n_items_analysed == 2 and scale["raw_alpha"] is not None


def test_a_scale_of_constant_items_has_no_alpha_and_no_nan_in_json() -> None:
    data = np.array([[3, 3, 1], [3, 3, 2], [3, 3, 5]], dtype=float)
    analysis = analyze(instrument({"s": ["i1", "i2"], "t": ["i3", "i1"]}, 3), data)
    text = analysis.to_json()  # allow_nan=False: would raise on NaN
    document = json.loads(text)
    assert document["scales"]["s"]["raw_alpha"] is None
    assert document["scales"]["s"]["mean"] is None
    assert document["intercorrelations"]["raw"][0] == [None, None]
    assert "NaN" not in text and "Infinity" not in text


def test_invalid_cells_stop_strict_and_are_reported_lenient() -> None:
    test = instrument({"s": ["i1", "i2"]}, 2)
    data = np.array([[1, 2], [7, 3], [4, 4], [5, 1]], dtype=float)
    with pytest.raises(ResponseDataError) as caught:
        analyze(test, data, source="answers.csv")
    assert "answers.csv" in str(caught.value)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (1, "i1", 7.0)
    lenient = analyze(test, data, strict=False)
    assert len(lenient.problems) == 1 and lenient.scale("s").item("i1").n == 3


def test_invalid_cells_in_text_columns_too() -> None:
    test = instrument({"s": ["i1", "i2"]}, 2)
    with pytest.raises(ResponseDataError):
        analyze(test, {"i1": ["1", "x", "3"], "i2": ["2", "2", "1"]})


@pytest.mark.parametrize("level", [0.0, 1.0, math.nan, "high"])
def test_a_level_outside_zero_to_one_is_refused(level: Any) -> None:
    with pytest.raises(ArgumentError, match="level"):
        analyze(instrument({"s": ["i1", "i2"]}, 2), np.ones((3, 2)), level=level)


def test_no_rows_is_refused() -> None:
    with pytest.raises(ArgumentError):
        analyze(instrument({"s": ["i1", "i2"]}, 2), np.empty((0, 2)))


def test_large_arrays_in_blocks_on_threads_equal_one_block() -> None:
    """Blocks of rows on two threads and on one give the same analysis."""
    rng = np.random.default_rng(5)
    data = rng.integers(1, 6, size=(10_000, 4)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    test = instrument(SCALES, 4)
    one = analyze(test, data, workers=1).as_dict()
    two = analyze(test, data, workers=2).as_dict()
    assert_same(one, two)
    as_text = analyze(test, {f"i{k + 1}": list(data[:, k]) for k in range(4)}).as_dict()
    assert_same(one, as_text)
