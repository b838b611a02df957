"""Parity of `profdiag.analyze` with R psych 2.2.9's `alpha()` (and `scoreItems` for the
scale intercorrelations), to 1e-9, on every statistic psych also reports.

The reference values in tests/data/psych-alpha/ were produced once by make_reference.R
there (R 4.2.2, psych 2.2.9); R is not needed to run these tests. The data: 400
respondents, five-point items with about 7% missing answers, two empty answer sheets, a
respondent with no answer on one scale, reverse-keyed items (one item forward in one scale
and reversed in another), a two-item scale, a 12-item scale for omega; multiple-choice
items (one with partial credit) and binary items, one of them reverse-keyed. omega()
(psych's defaults: three factors, minres, oblimin, Schmid-Leiman) is compared to 1e-3, as
issue 11 asks.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from profdiag import analyze, load_instrument

DATA = Path(__file__).parent / "data" / "psych-alpha"
TOLERANCE = 1e-9
OMEGA_TOLERANCE = 1e-3  # issue 11: omega() to 1e-3 (an iterative fit; measured: at most 2.1e-6)
INSTRUMENTS = ("likert", "choice")

SCALE_KEYS = {
    "raw_alpha": "raw_alpha",
    "std.alpha": "std_alpha",
    "G6(smc)": "g6_smc",
    "average_r": "average_r",
    "S/N": "signal_noise",
    "ase": "alpha_se",
    "median_r": "median_r",
    "mean": "mean",
    "sd": "sd",
}
OMEGA_KEYS = {"omega_h": "omega_h", "omega.tot": "omega_total"}  # scales of 6+ items
ITEM_KEYS = {
    "n": "n",
    "raw.r": "raw_r",
    "std.r": "std_r",
    "r.cor": "r_cor",
    "r.drop": "r_drop",
    "mean": "mean",
    "sd": "sd",
    "alpha_if_dropped": "alpha_if_dropped",
}
# Keys of profdiag's output that psych does not report, and why they need no R value.
NOT_FROM_PSYCH = {
    "scale": {"n_items", "n_items_analysed", "notes", "items", "alpha_ci"},  # ci: below
    "item": {"reverse", "note", "frequencies", "difficulty", "distractors"},  # freq: below
}
Reference = dict[tuple[str, str, str], float]  # (scale, item or '', statistic) -> value


def _reference() -> dict[str, Reference]:
    found: dict[str, Reference] = defaultdict(dict)
    with (DATA / "expected.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["scale"], row["item"], row["statistic"])
            found[row["instrument"]][key] = float(row["value"])
    return found


def _analysis(name: str) -> dict[str, object]:
    instrument = load_instrument(DATA / f"{name}.json")
    with (DATA / f"{name}-responses.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = {column: [row[column] for row in rows] for column in rows[0]}
    analysis = analyze(instrument, columns, id_column="id")
    assert analysis.n_respondents == 400 and not analysis.problems
    document: dict[str, object] = analysis.as_dict()
    return document


REFERENCE = _reference()
ANALYSES = {name: _analysis(name) for name in INSTRUMENTS}


def _differences(name: str) -> dict[str, float]:
    """The largest absolute difference from psych per output key (checked and counted)."""
    reference, document = REFERENCE[name], ANALYSES[name]
    scales: dict[str, dict[str, object]] = document["scales"]  # type: ignore[assignment]
    largest: dict[str, float] = defaultdict(float)
    compared: set[tuple[str, str, str]] = set()

    def compare(
        key: tuple[str, str, str], ours: object, label: str, tolerance: float = TOLERANCE
    ) -> None:
        assert key in reference, key
        assert isinstance(ours, int | float), (key, ours)
        difference = abs(float(ours) - reference[key])
        assert difference <= tolerance, (name, key, ours, reference[key])
        largest[label] = max(largest[label], difference)
        compared.add(key)

    for scale_id, scale in scales.items():
        for psych_key, key in SCALE_KEYS.items():
            compare((scale_id, "", psych_key), scale[key], key)
        for psych_key, key in OMEGA_KEYS.items():
            if (scale_id, "", psych_key) in reference:
                compare((scale_id, "", psych_key), scale[key], key, OMEGA_TOLERANCE)
            else:  # fewer than 6 items: no omega, and a note says why
                assert scale[key] is None and any("omega needs" in n for n in scale["notes"])  # type: ignore[attr-defined]
        interval = scale["alpha_ci"]
        assert isinstance(interval, dict) and interval["method"] == "feldt"
        assert interval["level"] == 0.95
        compare((scale_id, "", "feldt_lower"), interval["lower"], "alpha_ci.lower")
        compare((scale_id, "", "feldt_upper"), interval["upper"], "alpha_ci.upper")
        assert (
            set(scale)
            == set(SCALE_KEYS.values()) | set(OMEGA_KEYS.values()) | NOT_FROM_PSYCH["scale"]
        )
        items: dict[str, dict[str, object]] = scale["items"]  # type: ignore[assignment]
        for item_id, item in items.items():
            for psych_key, key in ITEM_KEYS.items():
                if key == "alpha_if_dropped" and len(items) == 2:
                    continue  # psych's number there is not an alpha: see the test below
                compare((scale_id, item_id, psych_key), item[key], key)
            frequencies: dict[str, float] = item["frequencies"]  # type: ignore[assignment]
            for code, share in frequencies.items():
                if (scale_id, item_id, f"freq:{code}") in reference:
                    compare((scale_id, item_id, f"freq:{code}"), share, "frequencies")
                else:  # a code nobody in the scale chose: psych has no column for it
                    assert share == 0.0, (scale_id, item_id, code)
            compare((scale_id, item_id, "freq:miss"), item["missing"], "missing")
            assert set(item) <= set(ITEM_KEYS.values()) | {"missing"} | NOT_FROM_PSYCH["item"]

    correlations: dict[str, list[list[float | None]]] = document["intercorrelations"]  # type: ignore[assignment]
    order: list[str] = correlations["scales"]  # type: ignore[assignment]
    for a, first in enumerate(order):
        for b, second in enumerate(order):
            if a != b:
                compare((first, second, "cor"), correlations["raw"][a][b], "intercorrelations.raw")
                compare(
                    (first, second, "corrected"),
                    correlations["corrected"][a][b],
                    "intercorrelations.corrected",
                )
    skipped = {key for key in reference if key[2] == "alpha_if_dropped"} - compared
    assert set(reference) - compared == skipped, set(reference) - compared - skipped
    return dict(largest)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_statistic_equals_psych(name: str) -> None:
    largest = _differences(name)
    assert max(value for key, value in largest.items() if not key.startswith("omega")) <= TOLERANCE
    assert {"raw_alpha", "raw_r", "frequencies", "intercorrelations.corrected"} <= set(largest)
    assert {"omega_h", "omega_total"} <= set(largest)


def test_multiple_choice_difficulty_and_distractors() -> None:
    """Difficulty is the mean credit (psych's item mean of the scored items, partial credit
    included); distractors are the wrong options' shares of the answered."""
    reference = REFERENCE["choice"]
    scales: dict[str, dict[str, dict[str, dict[str, object]]]] = ANALYSES["choice"]["scales"]  # type: ignore[assignment]
    instrument = load_instrument(DATA / "choice.json")
    for item_id, item in scales["MC"]["items"].items():
        difficulty = item["difficulty"]
        assert isinstance(difficulty, float)
        assert abs(difficulty - reference[("MC", item_id, "mean")]) <= TOLERANCE
        correct = set(instrument.items[instrument.item_index[item_id]].correct or ())
        distractors: dict[str, float] = item["distractors"]  # type: ignore[assignment]
        assert set(distractors) == set("abcd") - correct
        for code, share in distractors.items():
            assert abs(share - reference.get(("MC", item_id, f"freq:{code}"), 0.0)) <= TOLERANCE
    assert "difficulty" not in scales["BIN"]["items"]["b01"]


def test_two_item_scale_has_no_alpha_if_dropped_where_psych_prints_a_ratio() -> None:
    """psych 2.2.9 reports, for a two-item scale, C12 / C22 as 'raw_alpha' with item 1
    dropped (and C12 / C11 for item 2); one item has no alpha, so profdiag says null."""
    reference = REFERENCE["likert"]
    scale: dict[str, object] = ANALYSES["likert"]["scales"]["D"]  # type: ignore[index]
    items: dict[str, dict[str, object]] = scale["items"]  # type: ignore[assignment]
    assert [item["alpha_if_dropped"] for item in items.values()] == [None, None]
    assert any("alpha_if_dropped is null" in note for note in scale["notes"])  # type: ignore[attr-defined]
    with (DATA / "likert-responses.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    both = [(float(r["it04"]), float(r["it12"])) for r in rows if r["it04"] and r["it12"]]
    c12 = float(np.cov(np.array(both).T)[0, 1])
    var04 = float(np.var([float(r["it04"]) for r in rows if r["it04"]], ddof=1))
    var12 = float(np.var([float(r["it12"]) for r in rows if r["it12"]], ddof=1))
    assert math.isclose(reference[("D", "it04", "alpha_if_dropped")], c12 / var12, abs_tol=1e-12)
    assert math.isclose(reference[("D", "it12", "alpha_if_dropped")], c12 / var04, abs_tol=1e-12)
