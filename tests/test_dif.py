"""DIF screening (`analyze(..., dif_by=...)`, `profdiag analyze --dif-by`): hand-worked
cases, parity with R's mantelhaen.test, properties, and the command line."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import profdiag
from profdiag._io import read_table
from profdiag._psychometrics.dif import (
    ets_class,
    mantel_haenszel,
    polytomous,
    zwick_class,
)
from profdiag.cli import main
from profdiag.errors import ArgumentError

DATA = Path(__file__).parent / "data" / "dif"
INSTRUMENT = DATA / "dif.json"
RESPONSES = DATA / "responses.csv"


# --- hand-worked Mantel-Haenszel ----------------------------------------------------
#
# Three strata of the rest score, 30 reference and 30 focal respondents in each:
#   stratum   reference right A / wrong B   focal right C / wrong D     N
#   rest 0         10 / 20                       5 / 25                60
#   rest 1         20 / 10                      10 / 20                60
#   rest 2         25 /  5                      15 / 15                60
# alpha_MH = sum(A D / N) / sum(B C / N) = (250 + 400 + 375) / (100 + 100 + 75) = 1025/275
#          = 41/11 = 3.727273
# MH D-DIF = -2.35 ln(41/11) = -2.35 * 1.315677 = -3.091841 (the item is harder for the focal
#            group: it favours the reference group)
# E(A) = n_R m_1 / N = 30*15/60 + 30*30/60 + 30*40/60 = 7.5 + 15 + 20 = 42.5; sum A = 55
# Var(A) = n_R n_F m_1 m_0 / (N^2 (N - 1)) = (607500 + 810000 + 720000) / (3600 * 59)
#        = 2137500 / 212400 = 10.063559
# chi-square = (|55 - 42.5| - 0.5)^2 / 10.063559 = 144 / 10.063559 = 14.309054
# Robins-Breslow-Greenland, with P = (A + D)/N, Q = (B + C)/N, R = A D/N, S = B C/N:
#   sum P R = (35*250 + 40*400 + 40*375) / 3600 = 39750/3600 = 11.041667
#   sum (P S + Q R) = (35*100 + 25*250 + 40*100 + 20*400 + 40*75 + 20*375) / 3600 = 8.958333
#   sum Q S = (25*100 + 20*100 + 20*75) / 3600 = 6000/3600 = 1.666667
#   R = 17.083333, S = 4.583333
#   Var(ln alpha) = 11.041667/(2 R^2) + 8.958333/(2 R S) + 1.666667/(2 S^2)
#                 = 0.018917 + 0.057206 + 0.039669 = 0.115793
#   SE(D) = 2.35 * sqrt(0.115793) = 0.799666
# Class: p < 0.05, |D| = 3.09 >= 1.5 and (3.09 - 1) / 0.80 = 2.62 > 1.645: C.
HAND_TABLE = [  # (A, B, C, D) by stratum
    (10, 20, 5, 25),
    (20, 10, 10, 20),
    (25, 5, 15, 15),
]


def _mh_counts() -> tuple[np.ndarray, np.ndarray]:
    reference = np.array([[[b, a] for a, b, _, _ in HAND_TABLE]])  # (1 item, 3 strata, 2)
    focal = np.array([[[d, c] for _, _, c, d in HAND_TABLE]])
    return reference, focal


def test_mantel_haenszel_by_hand() -> None:
    found = mantel_haenszel(*_mh_counts())
    assert found["alpha_mh"][0] == pytest.approx(41 / 11, rel=1e-12)
    assert found["mh_d_dif"][0] == pytest.approx(-2.35 * math.log(41 / 11), rel=1e-12)
    assert found["mh_d_dif"][0] == pytest.approx(-3.091841, abs=1e-6)
    assert found["mh_chi_square"][0] == pytest.approx(144 / (2137500 / 212400), rel=1e-12)
    variance = (
        (39750 / 3600) / (2 * (1025 / 60) ** 2)
        + (32250 / 3600) / (2 * (1025 / 60) * (275 / 60))
        + (6000 / 3600) / (2 * (275 / 60) ** 2)
    )
    assert variance == pytest.approx(0.115793, abs=1e-6)
    assert found["mh_d_dif_se"][0] == pytest.approx(2.35 * math.sqrt(variance), rel=1e-12)
    assert found["p_value"][0] < 0.001
    d_dif, se, p = (float(found[k][0]) for k in ("mh_d_dif", "mh_d_dif_se", "p_value"))
    assert ets_class(d_dif, se, p) == "C"


def _hand_instrument() -> profdiag.Instrument:
    """Three binary items in one scale: the rest score of b1 is b2 + b3 (0, 1 or 2)."""
    document = json.loads(INSTRUMENT.read_text(encoding="utf-8"))
    document["items"] = [{"id": f"h{i}", "format": "yesno"} for i in (1, 2, 3)]
    document["scales"] = [
        {
            "id": "H",
            "title": {"en": "H"},
            "aggregation": "sum",
            "items": [{"item": f"h{i}"} for i in (1, 2, 3)],
        }
    ]
    from profdiag._instrument import instrument_from_document

    return instrument_from_document(document)


def _hand_rows() -> dict[str, list[Any]]:
    """Respondents that give HAND_TABLE for h1 (rest 0: h2 = h3 = 0; rest 1: h2 = 1,
    h3 = 0; rest 2: both 1), plus rows that must be left out and counted."""
    rows: dict[str, list[Any]] = {"h1": [], "h2": [], "h3": [], "group": []}
    rest_items = [(0, 0), (1, 0), (1, 1)]
    for (a, b, c, d), (h2, h3) in zip(HAND_TABLE, rest_items, strict=True):
        for group, right, wrong in (("ref", a, b), ("foc", c, d)):
            for answer in [1] * right + [0] * wrong:
                for name, value in (("h1", answer), ("h2", h2), ("h3", h3), ("group", group)):
                    rows[name].append(value)
    extra = [  # h1 missing; h3 missing (no rest score); no group at all
        (None, 1, 1, "ref"),
        (None, 0, 0, "foc"),
        (1, 1, None, "foc"),
        (0, 1, 1, None),
        (1, 0, 0, " "),
    ]
    for h1, h2, h3, group in extra:
        for name, value in (("h1", h1), ("h2", h2), ("h3", h3), ("group", group)):
            rows[name].append(value)
    return rows


def test_analyze_reproduces_the_hand_worked_table() -> None:
    analysis = profdiag.analyze(
        _hand_instrument(), _hand_rows(), dif_by="group", dif_reference="ref"
    )
    assert analysis.dif is not None
    assert analysis.dif.groups == {"foc": 92, "ref": 91} and analysis.dif.n_no_group == 2
    comparison = analysis.dif.comparison("foc")
    assert comparison.reference == "ref"
    item = comparison.scale("H").item("h1")
    assert (item.n_reference, item.n_focal, item.n_strata) == (90, 90, 3)
    assert (item.n_missing, item.n_not_scorable, item.n_unmatched) == (2, 1, 0)
    assert item.kind == "dichotomous"
    assert item["alpha_mh"] == pytest.approx(41 / 11, rel=1e-12)
    assert item["mh_chi_square"] == pytest.approx(144 / (2137500 / 212400), rel=1e-12)
    assert item.dif_class == "C" and item.favours == "reference"
    document = json.loads(analysis.to_json())["dif"]
    assert document["by"] == "group" and document["reference"] == "ref"
    keys = document["comparisons"][0]["scales"]["H"]["items"]["h1"]
    assert list(keys) == [
        "type",
        "n_reference",
        "n_focal",
        "n_missing",
        "n_not_scorable",
        "n_unmatched",
        "n_strata",
        "alpha_mh",
        "mh_d_dif",
        "mh_d_dif_se",
        "mh_chi_square",
        "p_value",
        "class",
        "favours",
    ]


def test_the_reference_group_of_two_is_the_larger() -> None:
    rows = _hand_rows()
    rows["group"] = ["x" if g == "foc" else g for g in rows["group"]]  # x: 92, ref: 91
    analysis = profdiag.analyze(_hand_instrument(), rows, dif_by="group")
    assert analysis.dif is not None and analysis.dif.reference == "x"
    item = analysis.dif.comparison("ref").scale("H").item("h1")
    assert item["alpha_mh"] == pytest.approx(11 / 41, rel=1e-12)  # the groups swapped
    assert item.favours == "focal"


# --- ETS classes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d_dif", "se", "p_value", "expected"),
    [
        (-0.99, 0.1, 1e-9, "A"),  # |D| < 1
        (-2.5, 0.3, 0.05, "A"),  # not significant (p = 0.05 is not < 0.05)
        (1.0, 0.1, 0.001, "B"),  # |D| = 1, significant
        (-1.49, 0.1, 0.001, "B"),  # below 1.5
        (-1.6, 0.5, 0.001, "B"),  # (1.6 - 1) / 0.5 = 1.2: not significantly above 1
        (1.5, 0.3, 0.001, "C"),  # (1.5 - 1) / 0.3 = 1.67 > 1.645
        (-1.5, 0.304, 0.001, "B"),  # (1.5 - 1) / 0.304 = 1.645 (just below)
        (None, 0.1, 0.001, None),
    ],
)
def test_ets_class(d_dif: float | None, se: float, p_value: float, expected: str | None) -> None:
    assert ets_class(d_dif, se, p_value) == expected


@pytest.mark.parametrize(
    ("ratio", "p_value", "expected"),
    [
        (0.17, 0.001, "AA"),
        (-0.1701, 0.001, "BB"),
        (0.25, 0.001, "BB"),
        (-0.2501, 0.001, "CC"),
        (0.9, 0.05, "AA"),
        (None, 0.001, None),
    ],
)
def test_zwick_class(ratio: float | None, p_value: float, expected: str | None) -> None:
    assert zwick_class(ratio, p_value) == expected


# --- hand-worked Liu-Agresti, SMD and Mantel --------------------------------------------
#
# Items scored 0, 1, 2; two strata of 10 reference and 10 focal respondents (N = 20):
#   stratum 1: reference [2, 3, 5], focal [4, 4, 2]
#   stratum 2: reference [1, 2, 7], focal [2, 3, 5]
# Splits "above 0" and "above 1"; a/b reference above/not, c/d focal above/not:
#   s1 above 0: a 8 b 2 c 6 d 4 -> ad/N 1.6,  bc/N 0.6;  above 1: a 5 b 5 c 2 d 8 -> 2, 0.5
#   s2 above 0: a 9 b 1 c 8 d 2 -> 0.9,  0.4;           above 1: a 7 b 3 c 5 d 5 -> 1.75, 0.75
#   psi_LA = (1.6 + 2 + 0.9 + 1.75) / (0.6 + 0.5 + 0.4 + 0.75) = 6.25 / 2.25 = 25/9
# SMD: focal means 0.8, 1.3; reference means 1.3, 1.6; weights 10/20 each:
#   0.5 (0.8 - 1.3) + 0.5 (1.3 - 1.6) = -0.4
# Mantel: F = 8 + 13 = 21; E = 10/20 * 21 + 10/20 * 29 = 25;
#   V = 100 / (400 * 19) * [(20 * 35 - 21^2) + (20 * 53 - 29^2)] = (259 + 219) / 76
#   chi-square = 16 / (478/76) = 2.543933, p = 0.111 -> AA (not significant)
# Item SD over all 40: counts [9, 12, 19], mean 1.25, sum of squares 25.5, SD sqrt(25.5/39)
LA_REFERENCE = np.array([[[2, 3, 5], [1, 2, 7]]])
LA_FOCAL = np.array([[[4, 4, 2], [2, 3, 5]]])
SCORES = np.array([[0.0, 1.0, 2.0]])


def test_liu_agresti_smd_and_mantel_by_hand() -> None:
    found = polytomous(LA_REFERENCE, LA_FOCAL, SCORES)
    assert found["la_odds_ratio"][0] == pytest.approx(25 / 9, rel=1e-12)
    assert found["smd"][0] == pytest.approx(-0.4, rel=1e-12)
    assert found["mantel_chi_square"][0] == pytest.approx(16 / (478 / 76), rel=1e-12)
    assert found["item_sd"][0] == pytest.approx(math.sqrt(25.5 / 39), rel=1e-12)
    assert found["smd_over_sd"][0] == pytest.approx(-0.4 / math.sqrt(25.5 / 39), rel=1e-12)
    assert zwick_class(float(found["smd_over_sd"][0]), float(found["p_value"][0])) == "AA"


def test_liu_agresti_on_two_categories_is_mantel_haenszel() -> None:
    reference, focal = _mh_counts()
    found = polytomous(reference, focal, np.array([[0.0, 1.0]]))
    assert found["la_odds_ratio"][0] == pytest.approx(41 / 11, rel=1e-12)


counts = st.lists(st.integers(0, 30), min_size=4, max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=5))
def test_swapping_the_groups_inverts_the_odds_ratios(strata: list[Any]) -> None:
    reference = np.array([[r for r, _ in strata]])
    focal = np.array([[f for _, f in strata]])
    scores = np.array([[1.0, 2.0, 3.0, 4.0]])
    forward = polytomous(reference, focal, scores)
    backward = polytomous(focal, reference, scores)
    psi = forward["la_odds_ratio"][0]
    if np.isfinite(psi) and psi > 0:
        assert backward["la_odds_ratio"][0] == pytest.approx(1 / psi, rel=1e-9)
        assert backward["la_log_odds_ratio_se"][0] == pytest.approx(
            forward["la_log_odds_ratio_se"][0], rel=1e-9, nan_ok=True
        )
    chi = forward["mantel_chi_square"][0]
    if np.isfinite(chi):
        assert backward["mantel_chi_square"][0] == pytest.approx(chi, rel=1e-9)
    mh_forward = mantel_haenszel(reference[..., :2], focal[..., :2])
    mh_backward = mantel_haenszel(focal[..., :2], reference[..., :2])
    d_dif = mh_forward["mh_d_dif"][0]
    if np.isfinite(d_dif):
        assert mh_backward["mh_d_dif"][0] == pytest.approx(-d_dif, rel=1e-9, abs=1e-12)
        assert mh_backward["mh_d_dif_se"][0] == pytest.approx(
            mh_forward["mh_d_dif_se"][0], rel=1e-9, nan_ok=True
        )


def test_liu_agresti_standard_error_matches_the_spread_of_estimates() -> None:
    """400 replicated data sets (on the items axis) with a true cumulative odds ratio of
    exp(0.4): the mean standard error is close to the standard deviation of ln(psi)."""
    rng = np.random.default_rng(5)
    replicates, strata = 400, 4
    cuts = np.array([-1.0, 0.0, 1.0])

    def category_probabilities(location: float) -> np.ndarray:
        above = 1 / (1 + np.exp(-(location - cuts)))  # P(Y > c)
        return -np.diff(np.concatenate([[1.0], above, [0.0]]))

    reference = np.empty((replicates, strata, 4), dtype=np.int64)
    focal = np.empty_like(reference)
    for k, level in enumerate(np.linspace(-1, 1, strata)):
        reference[:, k] = rng.multinomial(150, category_probabilities(level + 0.4), replicates)
        focal[:, k] = rng.multinomial(100, category_probabilities(level), replicates)
    found = polytomous(reference, focal, np.tile([1.0, 2.0, 3.0, 4.0], (replicates, 1)))
    logs = found["la_log_odds_ratio"]
    assert abs(logs.mean() - 0.4) < 0.02
    assert found["la_log_odds_ratio_se"].mean() == pytest.approx(logs.std(ddof=1), rel=0.1)


# --- parity with R ---------------------------------------------------------------------


def _reference_rows() -> list[dict[str, str]]:
    with (DATA / "expected.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _analysed() -> dict[str, Any]:
    instrument = profdiag.load_instrument(INSTRUMENT)
    columns = read_table(RESPONSES).columns
    found = {}
    for by, reference in (("sex", "m"), ("grade", "8")):
        analysis = profdiag.analyze(
            instrument,
            columns,
            id_column="id",
            other_columns=["sex", "grade"],
            dif_by=by,
            dif_reference=reference,
        )
        found[by] = analysis.dif
    return found


def test_parity_with_r_mantelhaen_test() -> None:
    """tests/data/dif/make_reference.R: mantelhaen.test (alpha, corrected chi-square, its
    p-value, the RBG standard error of ln alpha behind its confidence interval) for the
    binary and multiple-choice items; Mantel's chi-square, SMD, item SD and the Liu-Agresti
    estimate for the four-point items; counts of respondents and strata."""
    found = _analysed()
    rows = _reference_rows()
    assert len(rows) == 420
    for row in rows:
        comparison = found[row["by"]].comparison(row["focal"])
        assert comparison.reference == row["reference"]
        item = comparison.scale(row["scale"]).item(row["item"])
        statistic, expected = row["statistic"], float(row["value"])
        if statistic in ("n_reference", "n_focal", "n_strata"):
            assert getattr(item, statistic) == expected, row
            continue
        value = item["mh_d_dif_se"] / 2.35 if statistic == "log_alpha_se" else item[statistic]
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), row


def test_planted_items_are_flagged_and_no_others() -> None:
    """make_reference.R plants DIF against girls on b05 and l04 and for them on m04; the
    groups also differ in ability (impact), which matching on the rest score absorbs."""
    found = _analysed()
    sex = found["sex"].comparison("f")
    assert [(s, i.item_id, i.dif_class, i.favours) for s, i in sex.flagged()] == [
        ("BIN", "b05", "C", "reference"),
        ("MC", "m04", "C", "focal"),
        ("LIK", "l04", "CC", "reference"),
    ]
    for comparison in found["grade"].comparisons:  # grade: nothing planted
        assert comparison.flagged() == []


# --- no DIF, planted DIF: simulation through analyze ------------------------------------


def _simulated(n: int, seed: int, planted: float) -> dict[str, list[Any]]:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    ability = rng.normal(size=n) - 0.5 * group  # impact: the focal group is weaker
    columns: dict[str, list[Any]] = {"group": np.where(group == 1, "foc", "ref").tolist()}
    for j in range(8):
        shift = planted * group if j == 4 else 0.0
        right = rng.random(n) < 1 / (1 + np.exp(-(1.5 * (ability - (j - 3.5) / 3) - shift)))
        columns[f"b{j + 1:02d}"] = right.astype(int).tolist()
    for j in range(6):
        latent = 0.7 * ability + 0.7 * rng.normal(size=n) - (planted * 0.5 * group if j == 2 else 0)
        if j == 1:
            latent = -latent
        columns[f"l{j + 1:02d}"] = (np.digitize(latent, [-0.8, 0.0, 0.8]) + 1).tolist()
    return columns


def _instrument_without_mc() -> profdiag.Instrument:
    from profdiag._instrument import instrument_from_document

    document = json.loads(INSTRUMENT.read_text(encoding="utf-8"))
    document["items"] = [i for i in document["items"] if not i["id"].startswith("m")]
    document["scales"] = [s for s in document["scales"] if s["id"] != "MC"]
    return instrument_from_document(document)


def test_without_dif_items_are_mostly_in_class_a() -> None:
    instrument = _instrument_without_mc()
    classes = []
    for seed in range(5):
        analysis = profdiag.analyze(instrument, _simulated(3000, seed, 0.0), dif_by="group")
        assert analysis.dif is not None
        classes += [i.dif_class for s in analysis.dif.comparisons[0].scales for i in s.items]
    assert len(classes) == 70
    negligible = sum(c in ("A", "AA") for c in classes)
    assert negligible >= 0.9 * len(classes), classes
    assert "C" not in classes and "CC" not in classes


def test_a_planted_item_is_flagged_c() -> None:
    analysis = profdiag.analyze(
        _instrument_without_mc(), _simulated(3000, 11, 1.5), dif_by="group", dif_reference="ref"
    )
    assert analysis.dif is not None
    comparison = analysis.dif.comparison("foc")
    assert comparison.scale("BIN").item("b05").dif_class == "C"
    assert comparison.scale("BIN").item("b05").favours == "reference"
    assert comparison.scale("LIK").item("l03").dif_class == "CC"


# --- arguments and tables ------------------------------------------------------------


def test_grouping_errors() -> None:
    instrument = _hand_instrument()
    rows = _hand_rows()
    with pytest.raises(ArgumentError, match="no column 'sex'"):
        profdiag.analyze(instrument, rows, dif_by="sex")
    constant = {**rows, "group": ["a"] * len(rows["h1"])}
    with pytest.raises(ArgumentError, match="has only 'a'"):
        profdiag.analyze(instrument, constant, dif_by="group")
    three = {**rows, "group": ["abc"[i % 3] for i in range(len(rows["h1"]))]}
    with pytest.raises(ArgumentError, match="3 groups"):
        profdiag.analyze(instrument, three, dif_by="group")
    with pytest.raises(ArgumentError, match="'z' is not a value"):
        profdiag.analyze(instrument, three, dif_by="group", dif_reference="z")
    many = {**rows, "group": [str(i) for i in range(len(rows["h1"]))]}
    with pytest.raises(ArgumentError, match="185 different values"):
        profdiag.analyze(instrument, many, dif_by="group", dif_reference="1")
    with pytest.raises(ArgumentError, match="one per respondent"):
        profdiag.analyze(instrument, rows, other_columns=["group"], dif_by=["a", "b"])


def test_more_than_two_groups_compare_each_with_the_reference() -> None:
    rows = _hand_rows()
    rows["group"] = [g if i % 5 else "other" for i, g in enumerate(rows["group"])]  # a third group
    analysis = profdiag.analyze(_hand_instrument(), rows, dif_by="group", dif_reference="ref")
    assert analysis.dif is not None
    assert [(c.reference, c.focal) for c in analysis.dif.comparisons] == [
        ("ref", "foc"),
        ("ref", "other"),
    ]


def test_groups_given_as_a_sequence_with_a_numeric_array() -> None:
    instrument = _hand_instrument()
    rows = _hand_rows()
    keep = [i for i, g in enumerate(rows["group"]) if g in ("ref", "foc")]
    matrix = np.array(
        [[np.nan if rows[n][i] is None else rows[n][i] for n in ("h1", "h2", "h3")] for i in keep],
        dtype=float,
    )
    groups = np.array([1 if rows["group"][i] == "ref" else 2 for i in keep])
    analysis = profdiag.analyze(instrument, matrix, dif_by=groups, dif_reference="1")
    assert analysis.dif is not None and analysis.dif.by == "dif_by"
    item = analysis.dif.comparison("2").scale("H").item("h1")
    assert item["alpha_mh"] == pytest.approx(41 / 11, rel=1e-12)


def test_dif_table_lists_every_item() -> None:
    analysis = profdiag.analyze(
        _hand_instrument(), _hand_rows(), dif_by="group", dif_reference="ref"
    )
    tables = analysis.csv_tables()
    rows = list(csv.DictReader(tables["dif"].splitlines()))
    assert [row["item"] for row in rows] == ["h1", "h2", "h3"]
    h1 = rows[0]
    assert (h1["reference"], h1["focal"], h1["scale"], h1["class"]) == ("ref", "foc", "H", "C")
    assert float(h1["alpha_mh"]) == pytest.approx(41 / 11, rel=1e-12)
    assert h1["la_odds_ratio"] == "" and h1["favours"] == "reference"
    plain = profdiag.analyze(_hand_instrument(), _hand_rows(), other_columns=["group"])
    assert "dif" not in plain.csv_tables()


# --- command line ----------------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stderr


def test_cli_writes_the_dif_table_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    code, err = run(
        "analyze", INSTRUMENT, RESPONSES, "--out", out, "--dif-by", "sex", "--dif-reference", "m"
    )
    assert code == 0, err
    assert "DIF by sex, focal 'f' vs reference 'm': 3 item(s) in B/C" in err
    assert "BIN b05: C, MH D-DIF" in err and "LIK l04: CC, SMD/SD" in err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["dif"]["groups"] == {"f": 659, "m": 821}
    assert document["dif"]["no_group"] == 20
    with (tmp_path / "a.dif.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20
    b05 = next(row for row in rows if row["item"] == "b05")
    item = document["dif"]["comparisons"][0]["scales"]["BIN"]["items"]["b05"]
    assert float(b05["mh_d_dif"]) == item["mh_d_dif"] and b05["class"] == item["class"] == "C"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dif-by", "language"], "has no column 'language'"),
        (["--dif-by", "grade"], "3 groups ('7', '8', '9')"),
        (["--dif-by", "grade", "--dif-reference", "10"], "'10' is not a value"),
        (["--dif-reference", "m"], "needs --dif-by"),
    ],
)
def test_cli_errors_are_one_message(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "a.json"
    code, err = run("analyze", INSTRUMENT, RESPONSES, "--out", out, *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_cli_constant_column(tmp_path: Path) -> None:
    data = tmp_path / "one-group.csv"
    lines = RESPONSES.read_text(encoding="utf-8").splitlines()
    data.write_text(
        "\n".join([lines[0]] + [line.replace('"f"', '"m"') for line in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    code, err = run("analyze", INSTRUMENT, data, "--dif-by", "sex")
    assert code == 2
    assert "the grouping column 'sex' has only 'm'" in err and "Traceback" not in err
    assert "--dif-reference" not in err


def test_double_precision_counts_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    single = _analysed()
    monkeypatch.setattr("profdiag._psychometrics.dif.SINGLE_PRECISION_BINS", 0)
    double = _analysed()
    for by in ("sex", "grade"):
        assert single[by] == double[by]


def test_codes_with_gaps_give_the_same_odds_ratios_and_classes() -> None:
    """Four-point items coded 0, 2, 4, 6 instead of 1..4: the strata and the splits are
    the same, the SMD doubles, Mantel's chi-square and SMD/SD do not change."""
    from profdiag._instrument import instrument_from_document

    document = json.loads(INSTRUMENT.read_text(encoding="utf-8"))
    document["response_formats"]["agree4"]["codes"] = [0, 2, 4, 6]
    document["items"] = [i for i in document["items"] if i["id"].startswith("l")]
    document["scales"] = [s for s in document["scales"] if s["id"] == "LIK"]
    spread = instrument_from_document(document)
    columns = read_table(RESPONSES).columns
    likert = {name: columns[name] for name in columns if name.startswith("l")}
    recoded = {
        name: [None if v in (None, "") else 2 * (int(v) - 1) for v in cells]
        for name, cells in likert.items()
    }
    sex = list(columns["sex"])
    gapped = profdiag.analyze(spread, {**recoded, "sex": sex}, dif_by="sex", dif_reference="m")
    original = _analysed()["sex"].comparison("f").scale("LIK")
    assert gapped.dif is not None
    for item in gapped.dif.comparison("f").scale("LIK").items:
        before = original.item(item.item_id)
        assert item.dif_class == before.dif_class and item.n_strata == before.n_strata
        assert item["la_odds_ratio"] == pytest.approx(before["la_odds_ratio"], rel=1e-12)
        assert item["mantel_chi_square"] == pytest.approx(before["mantel_chi_square"], rel=1e-9)
        assert item["smd"] == pytest.approx(2 * before["smd"], rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["f", "m", " m", "", "10", "9", "ru"]), min_size=1, max_size=30))
def test_group_codes_agree_whatever_the_column_type(cells: list[str]) -> None:
    """A numpy array (np.unique), a list (Arrow) and a CSV-read Arrow column give the same
    groups: trimmed text, empty cells without a group, numbers in numeric order."""
    import pyarrow as pa

    from profdiag._arrow import ArrowColumn
    from profdiag._psychometrics.dif import group_codes

    as_list = group_codes(cells, len(cells), "g")
    as_array = group_codes(np.array(cells), len(cells), "g")
    as_arrow = group_codes(ArrowColumn(pa.chunked_array([pa.array(cells)])), len(cells), "g")
    for codes, labels in (as_array, as_arrow):
        assert labels == as_list[1] and codes.tolist() == as_list[0].tolist()
    labels = as_list[1]
    assert "" not in labels and " m" not in labels
    numbers = [label for label in labels if label.isdigit()]
    assert numbers == sorted(numbers, key=int) and labels[: len(numbers)] == numbers
    expected = [labels.index(c.strip()) if c.strip() else -1 for c in cells]
    assert as_list[0].tolist() == expected


def test_importing_profdiag_does_not_load_scipy_stats() -> None:
    """DIF's p-values need scipy.stats (about a second to import under load): loaded on
    first use, so that scoring and reports start as fast as before."""
    import subprocess
    import sys

    code = "import sys, profdiag; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
