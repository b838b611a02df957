"""Adaptive testing: selection by information, exposure control, content balancing,
stopping, exact resumption, simulation and its command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import profdiag
from profdiag._irt.models import ItemBank, ItemParameters, item_information
from profdiag.errors import ArgumentError


def _bank(size: int = 60, seed: int = 5) -> ItemBank:
    rng = np.random.default_rng(seed)
    items = []
    for k in range(size):
        if k % 3 == 0:
            items.append(
                ItemParameters("3pl", float(rng.uniform(0.8, 2)), (float(rng.normal()),), 0.2)
            )
        elif k % 3 == 1:
            items.append(ItemParameters("2pl", float(rng.uniform(0.8, 2)), (float(rng.normal()),)))
        else:
            thresholds = tuple(float(x) for x in np.sort(rng.normal(0, 1, 3)))
            items.append(ItemParameters("grm", float(rng.uniform(0.8, 2)), thresholds))
    return ItemBank(tuple(items))


def _answer(test: profdiag.AdaptiveTest, item: int, rng: np.random.Generator) -> int:
    return int(rng.integers(0, test.bank.items[item].n_categories))


def test_the_item_chosen_is_the_most_informative_at_the_estimate() -> None:
    bank = _bank()
    test = profdiag.AdaptiveTest(bank, profdiag.CatRules(se_target=0.01, max_items=8))
    rng = np.random.default_rng(1)
    while not test.finished:
        theta = np.array([test.theta])
        information = [
            -np.inf if i in test.administered else item_information(item, theta)[0]
            for i, item in enumerate(bank.items)
        ]
        chosen = test.next_item()
        assert chosen == int(np.argmax(information))
        test.answer(chosen, _answer(test, chosen, rng))
    assert len(test.administered) == 8


def test_it_stops_at_the_standard_error_target() -> None:
    bank = ItemBank(tuple(ItemParameters("2pl", 2.0, (b / 10,)) for b in range(-20, 21)))
    test = profdiag.AdaptiveTest(bank, profdiag.CatRules(se_target=0.45, max_items=40))
    while not test.finished:
        item = test.next_item()
        test.answer(item, 1 if bank.items[item].b[0] < 0.3 else 0)
    assert test.standard_error <= 0.45
    shorter = profdiag.AdaptiveTest(bank, profdiag.CatRules(se_target=0.45, max_items=40))
    for item, category in zip(test.administered[:-1], test.responses[:-1], strict=True):
        shorter.answer(item, category)
    assert shorter.standard_error > 0.45  # it stopped at the first item that reached it
    with pytest.raises(ArgumentError, match="finished"):
        test.next_item()


@settings(max_examples=15, deadline=None)
@given(cut=st.integers(0, 12), seed=st.integers(0, 10_000), randomesque=st.integers(1, 4))
def test_a_saved_test_resumes_exactly(cut: int, seed: int, randomesque: int) -> None:
    bank = _bank(40)
    exposure = np.linspace(0.3, 1.0, bank.size)
    rules = profdiag.CatRules(
        se_target=0.2, max_items=12, randomesque=randomesque, exposure=exposure
    )
    answers = np.random.default_rng(seed)
    straight = profdiag.AdaptiveTest(bank, rules, seed=seed)
    interrupted = profdiag.AdaptiveTest(bank, rules, seed=seed)
    for step in range(12):
        if step == cut:
            state = json.loads(json.dumps(interrupted.to_state()))
            interrupted = profdiag.AdaptiveTest.from_state(bank, rules, state)
        if straight.finished:
            break
        item = straight.next_item()
        assert interrupted.next_item() == item
        category = _answer(straight, item, answers)
        straight.answer(item, category)
        interrupted.answer(item, category)
    assert interrupted.administered == straight.administered
    assert interrupted.theta == pytest.approx(straight.theta, abs=1e-12)


def test_content_areas_get_their_shares() -> None:
    bank = _bank(40)
    areas = tuple("verbal" if k < 10 else "numeric" for k in range(40))
    rules = profdiag.CatRules(
        se_target=0.01, max_items=10, content_areas=areas,
        content_targets={"verbal": 0.5, "numeric": 0.5},
    )  # fmt: skip
    test = profdiag.AdaptiveTest(bank, rules)
    rng = np.random.default_rng(3)
    while not test.finished:
        item = test.next_item()
        test.answer(item, _answer(test, item, rng))
    given = [areas[item] for item in test.administered]
    assert given.count("verbal") == given.count("numeric") == 5
    running = [given[: k + 1].count("verbal") for k in range(10)]
    assert all(abs(2 * v - (k + 1)) <= 1 for k, v in enumerate(running))  # balanced throughout


def test_sympson_hetter_keeps_exposure_near_the_target() -> None:
    from profdiag._irt.simulate import sympson_hetter

    bank = _bank(80)
    rules = profdiag.CatRules(se_target=0.35, max_items=15)
    free = profdiag.simulate_cat(bank, 600, rules, seed=2)
    k = sympson_hetter(bank, rules, 0.25, 600, iterations=10, seed=10)
    controlled = profdiag.simulate_cat(
        bank, 600,
        profdiag.CatRules(se_target=0.35, max_items=15, exposure=k), seed=2,
    )  # fmt: skip
    assert free.summary()["max_exposure"] > 0.6
    assert controlled.summary()["max_exposure"] <= 0.25 + 0.06
    assert controlled.summary()["rmse"] < free.summary()["rmse"] + 0.1


def test_simulation_reports_length_precision_and_bands() -> None:
    bank = _bank(120)
    loose = profdiag.simulate_cat(bank, 500, profdiag.CatRules(se_target=0.5, max_items=40), seed=4)
    tight = profdiag.simulate_cat(bank, 500, profdiag.CatRules(se_target=0.3, max_items=40), seed=4)
    assert tight.summary()["mean_items"] > loose.summary()["mean_items"]
    assert tight.summary()["rmse"] < loose.summary()["rmse"]
    assert abs(tight.summary()["bias"]) < 0.05
    bands = tight.by_theta()
    assert sum(band["n"] for band in bands) == 500
    assert all(set(band) >= {"mean_items", "mean_se", "rmse", "bias"} for band in bands)
    met = tight.standard_error <= 0.3
    assert np.all(tight.n_items[~met] == 40)  # whoever did not reach the target ran out


def _run(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from profdiag.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _write_bank(path: Path, size: int = 30) -> None:
    bank = _bank(size)
    items = []
    for k, item in enumerate(bank.items):
        irt: dict[str, object] = {"model": item.model, "a": item.a}
        irt["b"] = list(item.b) if item.model == "grm" else item.b[0]
        if item.model == "3pl":
            irt["c"] = item.c
        items.append({"id": f"q{k}", "format": "grm" if item.model == "grm" else "yn", "irt": irt})
    scales = [
        {
            "id": "verbal",
            "title": {"en": "V"},
            "items": [{"item": f"q{k}"} for k in range(0, size, 2)],
        },
        {
            "id": "numeric",
            "title": {"en": "N"},
            "items": [{"item": f"q{k}"} for k in range(1, size, 2)],
        },
    ]
    path.write_text(
        json.dumps(
            {
                "format": "profdiag-instrument/1", "id": "bank", "version": "1.0",
                "title": {"en": "Bank"}, "description": {"en": "Test bank."}, "authors": ["us"],
                "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
                "text_status": {"en": "not_shipped"},
                "response_formats": {"yn": {"type": "binary"},
                                     "grm": {"type": "likert", "codes": [1, 2, 3, 4]}},
                "items": items, "scales": scales,
            }
        ),
        encoding="utf-8",
    )  # fmt: skip


def test_cat_simulate_command(tmp_path: Path) -> None:
    bank, out = tmp_path / "bank.json", tmp_path / "sim.json"
    _write_bank(bank)
    code, _, err = _run(
        "cat", "simulate", str(bank), "--persons", "300", "--se", "0.4", "--max-items", "12",
        "--max-exposure", "0.5", "--seed", "3", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out.read_text())
    assert set(document["summary"]) == {"mean_items", "rmse", "bias", "max_exposure"}
    assert document["summary"]["mean_items"] <= 12
    assert document["settings"]["content_areas"] == {"verbal": 0.5, "numeric": 0.5}
    assert len(document["exposure"]) == 30 and len(document["sympson_hetter"]) == 30
    again = tmp_path / "again.json"
    _run("cat", "simulate", str(bank), "--persons", "300", "--se", "0.4", "--max-items", "12",
         "--max-exposure", "0.5", "--seed", "3", "--out", str(again))  # fmt: skip
    assert again.read_text() == out.read_text()  # the seed makes it repeatable


def test_cat_simulate_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    code, _, err = _run("cat", "simulate", "ipip-bfm-50")
    assert code == 1 and "found none" in err and "Traceback" not in err
    bank = tmp_path / "bank.json"
    _write_bank(bank)
    code, _, err = _run("cat", "simulate", str(bank), "--min-items", "9", "--max-items", "5")
    assert code == 2 and "--min-items" in err


def test_cat_simulate_never_writes_over_its_bank(tmp_path: Path) -> None:
    bank = tmp_path / "bank.json"
    _write_bank(bank)
    before = bank.read_bytes()
    code, _, err = _run("cat", "simulate", str(bank), "--persons", "10", "--out", str(bank))
    assert code == 1 and "is the input file" in err and "Traceback" not in err
    assert bank.read_bytes() == before
