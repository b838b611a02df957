"""IRT: calibration against published estimates, parameter recovery, theta scoring checked
by independent integration, item fit, the bank format and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import profdiag
from profdiag._irt.fit import summed_score_distribution
from profdiag._irt.models import (
    ItemBank,
    ItemParameters,
    category_probabilities,
    item_information,
)
from profdiag._irt.quadrature import normal_quadrature
from profdiag._irt.theta import estimate_theta
from profdiag.errors import ArgumentError, InstrumentError, ResponseDataError

DATA = Path(__file__).parent / "data" / "irt"
LSAT_ITEMS = [f"Q{k}" for k in range(1, 6)]

# Rizopoulos, D. (2006). ltm: An R package for latent variable modelling and item response
# theory analyses. Journal of Statistical Software 17(5), LSAT example (the same data as
# psych's lsat6, Bock & Lieberman 1970): 2PL by marginal ML, 21 Gauss-Hermite points.
LTM_LSAT_B = [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236]
LTM_LSAT_A = [0.8254, 0.7229, 0.8905, 0.6886, 0.6575]
LTM_LSAT_SE_B = [0.8669, 0.3073, 0.0997, 0.4341, 0.8700]
LTM_LSAT_SE_A = [0.2581, 0.1867, 0.2326, 0.1852, 0.2100]
LTM_LSAT_LOGLIK = -2466.653
# ltm's factor.scores (empirical Bayes = posterior mode) for four response patterns.
LTM_LSAT_MAP = {
    (0, 0, 0, 0, 0): (-1.895, 0.795),
    (0, 0, 0, 0, 1): (-1.479, 0.796),
    (1, 1, 0, 1, 1): (-0.022, 0.827),
    (1, 1, 1, 1, 1): (0.606, 0.855),
}


@pytest.fixture(scope="module")
def lsat() -> np.ndarray:
    return np.loadtxt(DATA / "lsat6.csv", delimiter=",", skiprows=1)


@pytest.fixture(scope="module")
def lsat_fit(lsat: np.ndarray) -> profdiag.Calibration:
    return profdiag.calibrate(lsat, "2pl", items=LSAT_ITEMS)


def test_lsat_estimates_equal_the_published_ones(lsat_fit: profdiag.Calibration) -> None:
    assert lsat_fit.converged
    assert lsat_fit.log_likelihood == pytest.approx(LTM_LSAT_LOGLIK, abs=1e-3)
    slopes = [item.a for item in lsat_fit.bank.items]
    difficulties = [item.b[0] for item in lsat_fit.bank.items]
    # The remaining differences come from the quadrature (ltm: 21 Gauss-Hermite points).
    np.testing.assert_allclose(slopes, LTM_LSAT_A, atol=1e-3)
    np.testing.assert_allclose(difficulties, LTM_LSAT_B, atol=3e-3)
    errors = np.array(lsat_fit.standard_errors)
    np.testing.assert_allclose(errors[:, 0], LTM_LSAT_SE_A, atol=1e-3)
    np.testing.assert_allclose(errors[:, 1], LTM_LSAT_SE_B, atol=2e-3)


def test_lsat_map_scores_equal_ltm(lsat_fit: profdiag.Calibration) -> None:
    patterns = np.array(list(LTM_LSAT_MAP), dtype=np.int64)
    estimates = estimate_theta(lsat_fit.bank, patterns, "map")
    expected = np.array(list(LTM_LSAT_MAP.values()))
    np.testing.assert_allclose(estimates.theta, expected[:, 0], atol=3e-3)
    np.testing.assert_allclose(estimates.standard_error, expected[:, 1], atol=3e-3)


def _simulate_graded(rng: np.random.Generator, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    theta = rng.standard_normal(n)
    star = 1 / (1 + np.exp(-a[None, :, None] * (theta[:, None, None] - b[None, :, :])))
    return (rng.random((n, a.size, 1)) < star).sum(axis=2).astype(np.float64)


def test_grm_recovers_known_parameters() -> None:
    rng = np.random.default_rng(20261130)
    a = rng.uniform(0.8, 2.2, 8)
    b = np.sort(rng.normal(0, 1, (8, 3)), axis=1)
    data = _simulate_graded(rng, 4000, a, b)
    fit = profdiag.calibrate(data, "grm", items=[f"i{k}" for k in range(8)], standard_errors=False)
    assert fit.converged
    estimated_a = np.array([item.a for item in fit.bank.items])
    estimated_b = np.array([item.b for item in fit.bank.items])
    assert np.sqrt(np.mean((estimated_a - a) ** 2)) < 0.1
    assert np.sqrt(np.mean((estimated_b - b) ** 2)) < 0.1


def test_3pl_recovers_known_parameters_with_its_prior() -> None:
    rng = np.random.default_rng(7)
    n_items, n = 15, 8000
    a = rng.uniform(1.0, 2.0, n_items)
    b = rng.uniform(-1.5, 1.5, n_items)
    c = np.full(n_items, 0.2)
    theta = rng.standard_normal(n)
    p = c + (1 - c) / (1 + np.exp(-a * (theta[:, None] - b)))
    data = (rng.random((n, n_items)) < p).astype(np.float64)
    names = [f"i{k}" for k in range(n_items)]
    fit = profdiag.calibrate(data, "3pl", items=names, standard_errors=False)
    assert fit.converged
    assert np.sqrt(np.mean((np.array([i.b[0] for i in fit.bank.items]) - b) ** 2)) < 0.2
    assert np.sqrt(np.mean((np.array([i.a for i in fit.bank.items]) - a) ** 2)) < 0.3
    assert abs(np.mean([i.c for i in fit.bank.items]) - 0.2) < 0.05


def test_eap_equals_independent_integration() -> None:
    items = (
        ItemParameters("2pl", 1.3, (-0.4,)),
        ItemParameters("grm", 0.9, (-1.0, 0.2, 1.4)),
        ItemParameters("3pl", 1.7, (0.5,), 0.18),
    )
    bank = ItemBank(items)
    pattern = np.array([[1, 2, 0]])

    def likelihood(theta: float) -> float:
        return math.prod(
            float(category_probabilities(item, np.array([theta]))[k, 0])
            for item, k in zip(items, pattern[0], strict=True)
        ) * math.exp(-0.5 * theta * theta)

    mass = integrate.quad(likelihood, -10, 10, epsabs=1e-13)[0]
    mean = integrate.quad(lambda t: t * likelihood(t), -10, 10, epsabs=1e-13)[0] / mass
    second = integrate.quad(lambda t: t * t * likelihood(t), -10, 10, epsabs=1e-13)[0] / mass
    eap = estimate_theta(bank, pattern, "eap", normal_quadrature(201, 8.0))
    assert eap.theta[0] == pytest.approx(mean, abs=1e-6)
    assert eap.standard_error[0] == pytest.approx(math.sqrt(second - mean**2), abs=1e-6)


def test_a_gap_is_the_same_as_an_item_left_out() -> None:
    full = ItemBank((ItemParameters("2pl", 1.0, (0.0,)), ItemParameters("2pl", 2.0, (1.0,))))
    first_only = ItemBank(full.items[:1])
    for method in ("eap", "map"):
        gap = estimate_theta(full, np.array([[1, -1]]), method)  # type: ignore[arg-type]
        alone = estimate_theta(first_only, np.array([[1]]), method)  # type: ignore[arg-type]
        assert gap.theta[0] == pytest.approx(alone.theta[0], abs=1e-9)
        assert gap.n_answered[0] == 1
    nothing = estimate_theta(full, np.array([[-1, -1]]), "eap")
    assert nothing.theta[0] == pytest.approx(0.0, abs=1e-12)
    assert nothing.standard_error[0] == pytest.approx(1.0, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(0.3, 3.0),
    thresholds=st.lists(st.floats(-3, 3), min_size=1, max_size=5, unique=True),
    theta=st.floats(-4, 4),
)
def test_probabilities_sum_to_one_and_information_matches_its_definition(
    a: float, thresholds: list[float], theta: float
) -> None:
    thresholds = sorted(thresholds)
    if min(np.diff(thresholds), default=1.0) < 1e-3:
        return
    item = ItemParameters("grm", a, tuple(thresholds))
    nodes = np.array([theta - 1e-5, theta, theta + 1e-5])
    p = category_probabilities(item, nodes)
    assert p.sum(axis=0) == pytest.approx(np.ones(3), abs=1e-9)
    slope = (p[:, 2] - p[:, 0]) / 2e-5
    by_definition = float((slope**2 / p[:, 1]).sum())
    assert item_information(item, np.array([theta]))[0] == pytest.approx(by_definition, rel=1e-4)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=6, max_size=6))
def test_theta_rises_with_each_right_answer_on_equal_items(pattern: list[int]) -> None:
    bank = ItemBank(tuple(ItemParameters("2pl", 1.2, (0.0,)) for _ in range(6)))
    wrong = [k for k, x in enumerate(pattern) if x == 0]
    if not wrong:
        return
    better = list(pattern)
    better[wrong[0]] = 1
    for method in ("eap", "map"):
        scores = estimate_theta(bank, np.array([pattern, better]), method)  # type: ignore[arg-type]
        assert scores.theta[1] > scores.theta[0]


def test_map_is_where_the_posterior_peaks() -> None:
    bank = ItemBank(
        (ItemParameters("grm", 1.4, (-1.0, 0.0, 1.0)), ItemParameters("3pl", 1.1, (0.3,), 0.2))
    )
    pattern = np.array([[2, 1]])
    mode = estimate_theta(bank, pattern, "map").theta[0]
    grid = np.linspace(mode - 0.01, mode + 0.01, 2001)
    log_posterior = (
        np.log(category_probabilities(bank.items[0], grid)[2])
        + np.log(category_probabilities(bank.items[1], grid)[1])
        - 0.5 * grid**2
    )
    assert grid[np.argmax(log_posterior)] == pytest.approx(mode, abs=2e-5)


def test_lord_wingersky_gives_the_summed_score_distribution() -> None:
    # Two dichotomous items with P = 0.3 and 0.6 at one node: P(S=0) = 0.28,
    # P(S=1) = 0.3*0.4 + 0.7*0.6 = 0.54, P(S=2) = 0.18.
    items = [np.array([[0.7], [0.3]]), np.array([[0.4], [0.6]])]
    np.testing.assert_allclose(summed_score_distribution(items)[:, 0], [0.28, 0.54, 0.18])


def _two_pl_data(seed: int, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal(n)
    a, b = rng.uniform(0.8, 2.0, 9), np.linspace(-1.5, 1.5, 9)
    data = (rng.random((n, 9)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))).astype(float)
    return data, theta


def test_item_fit_p_values_are_not_small_when_the_model_holds() -> None:
    p_values = []
    for seed in range(3):
        data, _ = _two_pl_data(seed)
        fit = profdiag.calibrate(
            data, "2pl", items=[f"i{k}" for k in range(9)], standard_errors=False
        )
        p_values += [item.p_value for item in fit.item_fit if item is not None]
    assert len(p_values) == 27
    assert sum(p < 0.01 for p in p_values) <= 2  # 0.27 expected by chance
    assert np.median(p_values) > 0.2


def test_item_fit_flags_an_item_the_model_does_not_describe() -> None:
    data, theta = _two_pl_data(11, 5000)
    # the last item is answered right in the middle of the scale only: not monotone in theta
    rng = np.random.default_rng(12)
    data[:, 8] = (rng.random(theta.size) < np.where(np.abs(theta) < 0.7, 0.85, 0.15)).astype(float)
    fit = profdiag.calibrate(data, "2pl", items=[f"i{k}" for k in range(9)], standard_errors=False)
    p_values = [item.p_value for item in fit.item_fit if item is not None]
    assert len(p_values) == 9
    assert p_values[8] < 1e-6 and p_values[8] == min(p_values)


def test_a_calibration_becomes_a_valid_bank_that_scores(
    lsat_fit: profdiag.Calibration, lsat: np.ndarray
) -> None:
    bank = lsat_fit.to_instrument("lsat6-bank", "LSAT section 6")
    assert [item.irt.model for item in bank.items if item.irt] == ["2pl"] * 5
    scores = profdiag.score_theta(bank, {name: lsat[:, k] for k, name in enumerate(LSAT_ITEMS)})
    direct = estimate_theta(lsat_fit.bank, lsat.astype(np.int64), "eap")
    np.testing.assert_allclose(scores.theta, direct.theta, atol=1e-5)  # rounded parameters
    standard = scores.standard_scores(level=0.90)
    np.testing.assert_allclose(standard.t[:, 0], 50 + 10 * scores.theta)
    half = 1.6448536269514722 * 10 * scores.standard_error
    np.testing.assert_allclose(standard.t_high[:, 0] - standard.t[:, 0], half)


def _bank_definition(irt: dict[str, object], fmt: dict[str, object]) -> str:
    return json.dumps(
        {
            "format": "profdiag-instrument/1",
            "id": "b",
            "version": "1.0",
            "title": {"en": "B"},
            "description": {"en": "B"},
            "authors": ["us"],
            "licence": {"name": "CC0-1.0"},
            "source": {"citation": "us"},
            "text_status": {"en": "not_shipped"},
            "response_formats": {"f": fmt},
            "items": [{"id": "q", "format": "f", "irt": irt}],
            "scales": [{"id": "s", "title": {"en": "S"}, "items": [{"item": "q"}]}],
        }
    )


LIKERT5 = {"type": "likert", "codes": [1, 2, 3, 4, 5]}


@pytest.mark.parametrize(
    ("irt", "fmt", "path", "words"),
    [
        ({"model": "grm", "a": 1, "b": [0, 1]}, LIKERT5, "$.items[0].irt.b", "4 thresholds"),
        ({"model": "2pl", "a": 1, "b": 0}, LIKERT5, "$.items[0].irt.model", "dichotomous"),
        ({"model": "grm", "a": 1, "b": [1, 0, 2, 3]}, LIKERT5, "$.items[0].irt", "increasing"),
        ({"model": "2pl", "a": 1, "b": 0, "c": 0.2}, {"type": "binary"}, "$.items[0].irt", "3pl"),
        ({"model": "2pl", "a": 0, "b": 0}, {"type": "binary"}, "$.items[0].irt", "other than 0"),
        ({"model": "2pl", "a": 1, "b": 99}, {"type": "binary"}, "$.items[0].irt.b", "20"),
    ],
)
def test_bad_irt_parameters_are_named_by_json_path(
    irt: dict[str, object], fmt: dict[str, object], path: str, words: str
) -> None:
    with pytest.raises(InstrumentError) as caught:
        profdiag.parse_instrument(_bank_definition(irt, fmt), source="bank.json")
    message = str(caught.value)
    assert "bank.json" in message and path in message and words in message


def test_calibration_refuses_what_it_cannot_use() -> None:
    with pytest.raises(ArgumentError, match=r"'q2'.*at least two different answers"):
        profdiag.calibrate({"q1": [0, 1, 1], "q2": [1, 1, 1]}, "2pl")
    with pytest.raises(ArgumentError, match=r"'q1'.*two response codes"):
        profdiag.calibrate({"q1": [0, 1, 2], "q2": [1, 0, 1]}, "2pl")
    with pytest.raises(ResponseDataError) as caught:
        profdiag.calibrate({"q1": [0, "x", 1], "q2": [1, 0, 1]}, "2pl", source="a.csv")
    assert "a.csv" in str(caught.value) and "row 1, column 'q1'" in str(caught.value)
    assert '"x"' in str(caught.value)
    with pytest.raises(ArgumentError, match=r"'q1'.*at most 20 different"):
        profdiag.calibrate({"q1": list(range(30)), "q2": [0, 1] * 15}, "grm")
    with pytest.raises(ArgumentError, match="IRT model"):
        profdiag.calibrate({"q1": [0, 1]}, "rasch")  # type: ignore[arg-type]


def test_score_theta_needs_a_bank() -> None:
    with pytest.raises(ArgumentError, match=r"IRT parameters.*found none"):
        profdiag.score_theta(profdiag.load_instrument("ipip-bfm-50"), {"E1": 3})


def _run(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from profdiag.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_calibrates_a_bank_and_scores_theta(tmp_path: Path) -> None:
    bank, diagnostics = tmp_path / "bank.json", tmp_path / "diag.json"
    code, _, err = _run(
        "irt", "calibrate", str(DATA / "lsat6.csv"), "--out", str(bank),
        "--diagnostics", str(diagnostics), "--bank-id", "lsat6",
    )  # fmt: skip
    assert code == 0, err
    assert "calibrated 5 items (2pl) on 1000 respondents" in err
    definition = profdiag.load_instrument(bank)
    assert definition.id == "lsat6" and all(item.irt for item in definition.items)
    report = json.loads(diagnostics.read_text())
    assert report["items"]["Q3"]["standard_errors"]["b1"] == pytest.approx(0.0997, abs=2e-3)
    assert report["items"]["Q1"]["s_x2"]["df"] >= 1
    code, out, err = _run("irt", "theta", str(bank), str(DATA / "lsat6.csv"), "--method", "map")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "id,theta,se,t,n_answered" and len(lines) == 1001
    assert float(lines[1].split(",")[1]) == pytest.approx(-1.895, abs=3e-3)


def test_cli_names_a_bad_cell_without_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id,q1,q2\n1,0,1\n2,1,x\n3,1,0\n", encoding="utf-8")
    code, _, err = _run("irt", "calibrate", str(data), "--out", str(tmp_path / "b.json"))
    assert code == 1
    assert "Traceback" not in err
    assert "data row 2 (line 3), column 'q2'" in err and '"x"' in err
    assert not (tmp_path / "b.json").exists()


def test_irt_theta_never_writes_over_its_bank(tmp_path: Path) -> None:
    bank = tmp_path / "bank.json"
    code, _, err = _run("irt", "calibrate", str(DATA / "lsat6.csv"), "--out", str(bank))
    assert code == 0, err
    before = bank.read_bytes()
    code, _, err = _run("irt", "theta", str(bank), str(DATA / "lsat6.csv"), "--out", str(bank))
    assert code == 1 and "is the input file" in err and "Traceback" not in err
    assert bank.read_bytes() == before


def test_irt_calibrate_refuses_diagnostics_over_the_bank(tmp_path: Path) -> None:
    bank = tmp_path / "bank.json"
    code, _, err = _run(
        "irt", "calibrate", str(DATA / "lsat6.csv"), "--out", str(bank), "--diagnostics", str(bank)
    )
    assert code == 2 and "--diagnostics" in err and not bank.exists()
