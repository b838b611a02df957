"""Parity with R psych's `scoreItems` (psych 2.2.9, R 4.2.2), to 1e-9.

The reference values in tests/data/psych/ were produced once by make_reference.R there;
R is not needed to run these tests. profdiag differs from psych in one intended way: a
scale with no answered item is not scored (status too_few_answered), where psych gives
NaN (means, impute "none"), 0 (totals, impute "none") or a score imputed from nothing
(impute "mean" / "median").
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from pathlib import Path
from typing import Literal

import numpy as np
import pytest

from profdiag import ScaleStatus, score
from profdiag._instrument.keys_import import PsychImpute, instrument_from_keys

DATA = Path(__file__).parent / "data" / "psych"
TOLERANCE = 1e-9
MINIMUM, MAXIMUM = 1, 5
# Respondent id -> the scale whose items make_reference.R blanked out entirely.
ENGINEERED = {"7": "A", "23": "B", "41": "C"}

Aggregation = Literal["mean", "sum"]
COMBINATIONS = [
    pytest.param(
        impute, aggregation, id=f"{impute}-{'means' if aggregation == 'mean' else 'totals'}"
    )
    for impute in ("none", "mean", "median")
    for aggregation in ("mean", "sum")
]


def _read_csv(path: Path) -> dict[str, list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, path
    return {name: [row[name] for row in rows] for name in rows[0]}


def _keys() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = json.loads((DATA / "keys.json").read_text(encoding="utf-8"))
    return keys


def _scale_ids() -> list[str]:
    return list(_keys())


def _responses() -> dict[str, list[str]]:
    """Columns as the csv module reads them: 'id' plus one per item, '' = no answer."""
    return _read_csv(DATA / "responses.csv")


def _expected(impute: PsychImpute, aggregation: Aggregation) -> tuple[list[str], np.ndarray]:
    """psych's scores (N x S, keys' scale order) and the respondent ids they belong to."""
    kind = "means" if aggregation == "mean" else "totals"
    columns = _read_csv(DATA / f"expected-{impute}-{kind}.csv")
    values = np.array([[float(cell) for cell in columns[scale]] for scale in _keys()]).T
    return columns["id"], values


def _scored(
    impute: PsychImpute, aggregation: Aggregation
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """profdiag's ids, raw scores and statuses for the reference data."""
    responses = _responses()
    instrument = instrument_from_keys(
        _keys(),
        minimum=MINIMUM,
        maximum=MAXIMUM,
        aggregation=aggregation,
        missing=impute,
        impute_sample=responses,
        instrument_id=f"psych-parity-{impute}-{aggregation}",
    )
    result = score(instrument, responses, id_column="id")
    assert result.scale_ids == tuple(_keys())
    assert not result.problems
    return [str(row_id) for row_id in result.row_ids], result.raw, result.status


@pytest.mark.parametrize(("impute", "aggregation"), COMBINATIONS)
def test_scores_match_psych(impute: PsychImpute, aggregation: Aggregation) -> None:
    ids, raw, status = _scored(impute, aggregation)
    expected_ids, expected = _expected(impute, aggregation)
    assert ids == expected_ids

    ok = status == ScaleStatus.OK
    assert np.isfinite(expected[ok]).all()
    np.testing.assert_allclose(raw[ok], expected[ok], rtol=0, atol=TOLERANCE)

    declined = {
        (ids[row], _scale_ids()[column]) for row, column in zip(*np.nonzero(~ok), strict=True)
    }
    assert declined == set(ENGINEERED.items())
    assert (status[~ok] == ScaleStatus.TOO_FEW_ANSWERED).all()
    assert np.isnan(raw[~ok]).all()


def _psych_from_nothing(impute: PsychImpute, aggregation: Aggregation, scale: str) -> float:
    """psych's score, impute "mean"/"median", for a respondent with no answer on `scale`:
    every item's column mean / median, keyed."""
    responses = _responses()
    statistic = statistics.fmean if impute == "mean" else statistics.median
    keyed = []
    for entry in _keys()[scale]:
        answers = [float(cell) for cell in responses[entry.removeprefix("-")] if cell != ""]
        value = statistic(answers)
        keyed.append(MINIMUM + MAXIMUM - value if entry.startswith("-") else value)
    total = math.fsum(keyed)
    return total / len(keyed) if aggregation == "mean" else total


@pytest.mark.parametrize(("impute", "aggregation"), COMBINATIONS)
def test_psych_scores_scales_with_no_answer(impute: PsychImpute, aggregation: Aggregation) -> None:
    """The intended difference, pinned down: where profdiag declines, psych still reports
    NaN (means, no imputation), 0 (totals, no imputation) or every item imputed."""
    ids, raw, _ = _scored(impute, aggregation)
    expected_ids, expected = _expected(impute, aggregation)
    assert ids == expected_ids
    for respondent, scale in ENGINEERED.items():
        row, column = ids.index(respondent), _scale_ids().index(scale)
        assert math.isnan(raw[row, column])  # profdiag: too_few_answered
        psych = float(expected[row, column])
        if impute == "none" and aggregation == "mean":
            assert math.isnan(psych)
        elif impute == "none":
            assert psych == 0.0
        else:
            from_nothing = _psych_from_nothing(impute, aggregation, scale)
            assert psych == pytest.approx(from_nothing, rel=0, abs=TOLERANCE)


# Reverse keying must use the declared 1..5 (6 - x), not the observed range. Observed
# values 2..4 have the same min + max as 1..5, so that case only tells the declared range
# from a per-item observed range ('b' is only ever 3 or 4); the 2..3 case tells it from the
# range observed over the whole data set, which is what psych falls back to without min/max.
REVERSE_CASES = [
    pytest.param({"a": [2, 4, 3], "b": [4, 3, 4]}, [2.0, 3.5, 2.5], id="observed-2-to-4"),
    pytest.param({"a": [2, 3], "b": [3, 2]}, [2.5, 3.5], id="observed-2-to-3"),
]


@pytest.mark.parametrize(("data", "means"), REVERSE_CASES)
@pytest.mark.parametrize("aggregation", ["mean", "sum"])
def test_reverse_keying_uses_declared_range(
    data: dict[str, list[int]], means: list[float], aggregation: Aggregation
) -> None:
    instrument = instrument_from_keys(
        {"s": ["a", "-b"]}, minimum=MINIMUM, maximum=MAXIMUM, aggregation=aggregation
    )
    result = score(instrument, data)
    expected = [m * 2 if aggregation == "sum" else m for m in means]
    np.testing.assert_allclose(result.column("s"), expected, rtol=0, atol=TOLERANCE)
