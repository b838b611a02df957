"""Adaptive sections in a session: the golden choice of items, stopping by SE and by time,
skips, the refusals at build time, results (theta = score_theta), export, and a kill -9
mid-section in the store."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import profdiag
from profdiag import (
    ArgumentError,
    Battery,
    BatteryEntry,
    CatRules,
    Respondent,
    Session,
    SessionError,
    SessionStore,
)
from profdiag._io.tables import write_table
from profdiag._irt.cat import AdaptiveTest
from profdiag._session.adaptive import section_seed
from profdiag.cli import main

RIASEC = "profdiag-riasec-72"
# id, a, b: one sharp item in the middle, two easy and two hard ones
TINY = [("e1", 1.0, -2.0), ("e2", 1.0, -1.0), ("m", 2.0, 0.0), ("h1", 1.0, 1.0), ("h2", 1.0, 2.0)]


class Clock:
    def __init__(self, now: float = 500.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def tiny_bank(
    params: list[tuple[str, float, float]] | None = None,
    *,
    limit: int | None = None,
    extra: bool = False,
    areas: bool = False,
) -> profdiag.Instrument:
    """A right/wrong item bank with texts; `extra` adds an item without IRT parameters,
    `areas` two scales (easy e*, hard h* and m) that become content areas."""
    params = params or TINY
    items: list[dict[str, Any]] = [
        {"id": i, "format": "yn", "text": {"en": f"Question {i}"},
         "irt": {"model": "2pl", "a": a, "b": b}}
        for i, a, b in params
    ]  # fmt: skip
    if extra:
        items.append({"id": "x", "format": "yn", "text": {"en": "Not calibrated"}})
    scale: dict[str, Any] = {
        "id": "total",
        "title": {"en": "Total"},
        "items": [{"item": item["id"]} for item in items],
    }
    if limit is not None:
        scale["time_limit_seconds"] = limit
    scales = [scale]
    if areas:
        scales = [
            {"id": "easy", "title": {"en": "Easy"},
             "items": [{"item": i} for i, _, _ in params if i.startswith("e")]},
            {"id": "hard", "title": {"en": "Hard"},
             "items": [{"item": i} for i, _, _ in params if not i.startswith("e")]},
        ]  # fmt: skip
    document = {
        "format": "profdiag-instrument/1", "id": "tiny", "version": "1.0",
        "title": {"en": "Tiny bank"}, "description": {"en": "A tiny bank."}, "authors": ["us"],
        "licence": {"name": "CC0-1.0"}, "source": {"citation": "us"},
        "text_status": {"en": "original"}, "response_formats": {"yn": {"type": "binary"}},
        "items": items, "scales": scales,
    }  # fmt: skip
    return profdiag.parse_instrument(json.dumps(document), source="<tiny>")


def _eap(answers: dict[str, int]) -> tuple[float, float]:
    """EAP and posterior SD on 61 nodes over [-6, 6] under N(0, 1), written out here."""
    nodes = np.linspace(-6, 6, 61)
    posterior = np.exp(-0.5 * nodes**2)
    for item, a, b in TINY:
        if item in answers:
            p = 1 / (1 + np.exp(-a * (nodes - b)))
            posterior = posterior * (p if answers[item] == 1 else 1 - p)
    posterior /= posterior.sum()
    mean = float(posterior @ nodes)
    return mean, math.sqrt(float(posterior @ nodes**2) - mean**2)


def _most_informative(answers: dict[str, int]) -> str:
    theta, _ = _eap(answers)
    information = {}
    for item, a, b in TINY:
        if item not in answers:
            p = 1 / (1 + math.exp(-a * (theta - b)))
            information[item] = a * a * p * (1 - p)
    return max(information, key=lambda item: information[item])


def _session(
    entry: BatteryEntry, *, clock: Clock | None = None, seed: int = 3, **rules: Any
) -> Session:
    battery = Battery([entry, profdiag.load_instrument(RIASEC)], **rules)
    return Session.start(battery, Respondent("p-1", age=15), seed=seed, clock=clock or Clock())


def _take(session: Session, answers: dict[str, int]) -> list[str]:
    """Answer the adaptive section's items from `answers` until it moves on."""
    served = []
    while (item := session.serve()) is not None and item.instrument == "tiny":
        served.append(item.item)
        session.answer("tiny", item.item, answers[item.item], seq=item.seq)
    return served


def test_the_first_item_is_the_sharpest_and_the_second_follows_the_answer() -> None:
    # at theta 0 "m" (a = 2) gives information 1.0 against at most 0.20 for the others;
    # after a right answer the EAP is about +0.6 and "h1" gives the most, after a wrong one
    # about -0.6 and "e2" does (computed below without profdiag).
    assert _most_informative({}) == "m"
    assert _most_informative({"m": 1}) == "h1"
    assert _most_informative({"m": 0}) == "e2"
    assert _eap({"m": 1})[0] == pytest.approx(-_eap({"m": 0})[0])
    assert 0.5 < _eap({"m": 1})[0] < 0.7
    for first, second in ((1, "h1"), (0, "e2")):
        session = _session(BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.1)))
        item = session.serve()
        assert item is not None and (item.item, item.position) == ("m", 1)
        session.answer("tiny", "m", first, seq=item.seq)
        assert session.current == ("tiny", second)
        # every further item is the most informative one at the hand-computed EAP
        given = {"m": first}
        while (current := session.current) is not None and current[0] == "tiny":
            assert current[1] == _most_informative(given)
            given[current[1]] = 1
            session.serve()
            session.answer("tiny", current[1], 1)
        assert len(given) == 5  # SE 0.1 is out of reach: the pool ran out
        assert session._section(0)["end"] == "pool"


def test_the_section_stops_at_the_se_target_and_the_battery_goes_on() -> None:
    answers = {"m": 1, "h1": 0, "e2": 1, "h2": 0, "e1": 1}
    # the SE after each answer in the order the bank chooses them, by hand
    order = _take(_session(BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.01))), answers)
    ses = [_eap({item: answers[item] for item in order[: k + 1]})[1] for k in range(5)]
    target = (ses[1] + ses[2]) / 2  # between the SE after two and after three answers
    assert ses[1] > target >= ses[2]
    session = _session(BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=target)))
    assert session.progress().instruments[0].total == 5  # the upper bound, while running
    assert session.progress().instruments[0].adaptive
    assert _take(session, answers) == order[:3]
    assert session.current == (RIASEC, "r01")
    progress = session.progress()
    assert (progress.instruments[0].answered, progress.instruments[0].total) == (3, 3)
    item = session.serve()
    assert item is not None and (item.position, item.total) == (4, 75)
    states = {item: status for instrument, item, status, *_ in session.item_states()}
    assert sorted(states[i] for i in ("e1", "e2", "m", "h1", "h2")) == [
        "answered", "answered", "answered", "not_selected", "not_selected"
    ]  # fmt: skip
    assert session._section(0)["end"] == "se"


def test_max_items_bounds_the_items_served() -> None:
    session = _session(BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.01, max_items=2)))
    assert session.progress().total == 2 + 72
    assert len(_take(session, dict.fromkeys(["e1", "e2", "m", "h1", "h2"], 1))) == 2
    assert session._section(0)["end"] == "max_items"


def test_a_skipped_item_is_not_answered_and_not_chosen_again() -> None:
    entry = BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.01, max_items=4))
    session = _session(entry, allow_skip=True)
    session.serve()
    session.answer("tiny", "m", 1)
    session.serve()
    session.skip("tiny", "h1")
    # the estimate is still the one after "m" alone: of the items left, h2 is the most
    # informative at about +0.6
    assert session.current == ("tiny", "h2")
    theta, se = _eap({"m": 1})
    cat = session._section(0)["cat"]
    assert cat["administered"] == [2] and cat["responses"] == [1]
    session.serve()
    session.answer("tiny", "h2", 0)
    session.serve()
    session.answer(*session.current or ("", ""), 1)  # type: ignore[arg-type]
    # four served (one skipped): max_items counts what the person saw
    assert session.current == (RIASEC, "r01")
    assert session.progress().instruments[0].skipped == 1
    session.finish()
    result = session.results().adaptive["tiny"]
    assert result.n_items == 3 and "h1" in result.items and result.end == "max_items"
    assert (theta, se) != (result.theta, result.theta_se)


def test_going_back_is_refused_in_an_adaptive_section() -> None:
    # the battery allows back; the adaptive entry takes no back (it inherits None)
    session = _session(BatteryEntry(tiny_bank(), adaptive=CatRules()), allow_back=True)
    session.serve()
    session.answer("tiny", "m", 1)
    item = session.serve()
    assert item is not None and not item.can_back
    with pytest.raises(SessionError, match="adaptive section") as error:
        session.back()
    assert error.value.reason == "back_not_allowed"
    with pytest.raises(SessionError) as error:  # the earlier answer cannot be changed
        session.answer("tiny", "m", 0)
    assert error.value.reason == "not_current"


def test_a_time_limit_ends_the_section_on_the_server() -> None:
    clock = Clock()
    entry = BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.01), max_seconds=30)
    session = _session(entry, clock=clock)
    item = session.serve()
    assert item is not None and (item.subtest, item.seconds_left) == ("adaptive", 30.0)
    clock.now += 10
    session.answer("tiny", "m", 1)
    item = session.serve()
    assert item is not None and item.seconds_left == 20.0
    clock.now += 20  # at the limit exactly: still in time
    session.answer("tiny", item.item, 0)
    item = session.serve()
    assert item is not None
    clock.now += 0.5
    with pytest.raises(SessionError) as error:
        session.answer("tiny", item.item, 1)
    assert error.value.reason == "time_up"
    assert session.current == (RIASEC, "r01")
    states = {item: status for _, item, status, *_ in session.item_states()}
    assert states[item.item] == "not_reached"
    assert sorted(states[i] for i in ("e1", "e2", "m", "h1", "h2")).count("not_selected") == 2
    assert session._section(0)["end"] == "time"


def test_a_serve_after_the_deadline_closes_the_section_and_a_timed_scale_sets_the_limit() -> None:
    clock = Clock()
    session = _session(BatteryEntry(tiny_bank(limit=40), adaptive=CatRules()), clock=clock)
    item = session.serve()
    assert item is not None and (item.subtest, item.seconds_left) == ("total", 40.0)
    clock.now += 41
    item = session.serve()
    assert item is not None and item.item == "r01"
    assert session._section(0)["end"] == "time"
    assert session._state["subtests"]["0/total"] == [0.0, 40.0, True]


def test_an_item_without_irt_parameters_is_not_in_the_pool() -> None:
    entry = BatteryEntry(tiny_bank(extra=True), adaptive=CatRules(se_target=0.01))
    session = _session(entry)
    assert session.progress().instruments[0].total == 5
    assert sorted(_take(session, dict.fromkeys(["e1", "e2", "m", "h1", "h2"], 0))) == sorted(
        item for item, _, _ in TINY
    )
    states = {item: status for _, item, status, *_ in session.item_states()}
    assert states["x"] == "not_selected"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (lambda: BatteryEntry(profdiag.load_instrument(RIASEC), adaptive=CatRules()),
         "none of its 72 items has IRT parameters"),
        (lambda: BatteryEntry(tiny_bank(), adaptive=CatRules(), shuffle=True),
         "blocks and shuffle do not apply"),
        (lambda: BatteryEntry(tiny_bank(), adaptive=CatRules(),
                              blocks=[["e1", "e2", "m"], ["h1", "h2"]]),
         "blocks and shuffle do not apply"),
        (lambda: BatteryEntry(tiny_bank(), adaptive=CatRules(), allow_back=True),
         "going back is not possible in an adaptive section"),
        (lambda: BatteryEntry(tiny_bank(), max_seconds=60), "max_seconds is the time limit"),
        (lambda: BatteryEntry(tiny_bank(), adaptive=CatRules(), max_seconds=0),
         "max_seconds is a number above 0"),
        (lambda: BatteryEntry(tiny_bank(), adaptive={"se_target": 0.3}),
         "adaptive is a CatRules"),
        (lambda: BatteryEntry(tiny_bank(), adaptive=CatRules(exposure=np.ones(3))),
         "exposure has 3 values; the pool has 5"),
    ],
)  # fmt: skip
def test_a_battery_refuses_an_adaptive_section_that_cannot_work(entry: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        Battery([entry()])


def test_an_adaptive_section_with_several_timed_subtests_needs_max_seconds() -> None:
    document = json.loads(json.dumps(_tiny_document_with_two_subtests()))
    bank = profdiag.parse_instrument(json.dumps(document), source="<two>")
    with pytest.raises(ArgumentError, match="give the section's limit as max_seconds"):
        Battery([BatteryEntry(bank, adaptive=CatRules())])
    battery = Battery([BatteryEntry(bank, adaptive=CatRules(), max_seconds=90)])
    assert battery.parts[0].adaptive is not None and battery.parts[0].adaptive.limit == 90


def _tiny_document_with_two_subtests() -> dict[str, Any]:
    bank = tiny_bank()
    ids = [item.id for item in bank.items]
    document = bank.model_dump(mode="json", by_alias=True, exclude_none=True)
    document["scales"] = [
        {"id": "first", "title": {"en": "A"}, "time_limit_seconds": 30,
         "items": [{"item": i} for i in ids[:3]]},
        {"id": "second", "title": {"en": "B"}, "time_limit_seconds": 30,
         "items": [{"item": i} for i in ids[3:]]},
    ]  # fmt: skip
    return document


@pytest.mark.parametrize("areas", [False, True])
def test_the_session_chooses_what_adaptive_test_chooses_with_the_sections_seed(
    areas: bool,
) -> None:
    # randomesque 3 draws at every step: the session's choices are AdaptiveTest's, run
    # with the seed drawn from the session's seed, for the same answers (with content
    # areas from the scales: easy and hard items alternate as their shares ask)
    rules = CatRules(se_target=0.01, randomesque=3)
    answers = {"e1": 1, "e2": 1, "m": 0, "h1": 1, "h2": 0}
    orders = set()
    for seed in range(6):
        bank = tiny_bank(areas=areas)
        session = _session(BatteryEntry(bank, adaptive=rules), seed=seed)
        order = _take(session, answers)
        test = AdaptiveTest.from_instrument(bank, rules, seed=section_seed(seed, 0))
        assert (test.rules.content_areas is not None) == areas
        expected = []
        while not test.finished:
            index = test.next_item()
            expected.append(test.item_ids[index])
            test.answer(index, answers[test.item_ids[index]])
        assert order == expected
        assert session._section(0)["cat"]["draws"] == test.draws == 5
        orders.add(tuple(order))
        if areas:  # "hard" holds 3 of 5: hard, easy, hard, easy, hard
            assert [item.startswith("e") for item in order] == [False, True, False, True, False]
    assert len(orders) > 1


def test_results_give_theta_as_score_theta_does_and_the_export_carries_it(
    tmp_path: Path,
) -> None:
    battery = Battery([BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.72))])
    answers = {"m": 1, "h1": 1, "h2": 0, "e2": 1, "e1": 1}
    with SessionStore(tmp_path / "kiosk.db") as store:
        session = store.start(battery, Respondent("r-1", age=15, sex="f"), seed=8)
        given = _take(session, answers)
        session.finish()
        results = session.results()
        table = store.export(battery, "tiny")
    found = results.adaptive["tiny"]
    record = {item: (answers[item] if item in given else None) for item, _, _ in TINY}
    theta = profdiag.score_theta(tiny_bank(), record)
    standard = theta.standard_scores(0.90)
    assert found.theta == pytest.approx(float(theta.theta[0]), abs=1e-12)
    assert found.theta_se == pytest.approx(float(theta.standard_error[0]), abs=1e-12)
    assert (found.theta, found.theta_se) == pytest.approx(_eap(record_given(record)), abs=1e-9)
    assert found.t == pytest.approx(50 + 10 * found.theta)
    assert (found.t_low, found.t_high) == pytest.approx(
        (float(standard.t_low[0, 0]), float(standard.t_high[0, 0]))
    )
    assert found.n_items == len(given) and list(found.items) == given and found.end == "se"
    assert found.theta_se <= 0.72 and len(given) == 3
    # in the profile, the scale that holds the whole pool carries theta's T and band
    (scale,) = results.profile.instruments[0].scales
    assert results.profile.instruments[0].norm_group == "irt-theta"
    assert (scale.z, scale.t, scale.t_low, scale.t_high) == pytest.approx(
        (found.theta, found.t, found.t_low, found.t_high)
    )
    assert scale.answered == len(given)
    row = table.rows()[0]
    assert table.header[-3:] == ["theta", "theta_se", "n_items"]
    assert row["theta"] == found.theta and row["theta_se"] == found.theta_se
    assert row["n_items"] == len(given)
    for item, _, _ in TINY:
        assert row[item] == (str(answers[item]) if item in given else None)
    # profdiag score reads the export and carries theta through
    definition = tmp_path / "tiny.json"
    definition.write_text(tiny_bank().model_dump_json(by_alias=True, exclude_none=True))
    write_table(tmp_path / "export.csv", table.header, table.columns, {})
    scored = CliRunner().invoke(main, ["score", str(definition), str(tmp_path / "export.csv")])
    assert scored.exit_code == 0, scored.output
    (out,) = list(csv.DictReader(io.StringIO(scored.stdout)))
    assert float(out["theta"]) == found.theta
    assert float(out["total"]) == sum(answers[item] for item in given)


def record_given(record: dict[str, Any]) -> dict[str, int]:
    return {item: value for item, value in record.items() if value is not None}


def test_a_kill_9_mid_section_resumes_at_the_same_next_item(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    battery = Battery([BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.01, randomesque=2))])
    answers = {"m": 0, "h1": 1, "h2": 1, "e2": 0, "e1": 1}
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        store = SessionStore(path)
        session = store.start(battery, Respondent("k-1"), session_id="s", seed=11)
        for _ in range(2):
            item = session.serve()
            assert item is not None
            session.answer("tiny", item.item, answers[item.item], seq=item.seq)
        os.write(write, json.dumps(session.current).encode())
        os.close(write)
        os.kill(os.getpid(), signal.SIGKILL)
    os.close(write)
    acknowledged = json.loads(os.read(read, 1000).decode())
    os.close(read)
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    with SessionStore(path) as store:
        session = store.resume("s", battery)
        assert list(session.current or ()) == acknowledged
        assert [a.item for a in store.answers("s")] == session._section(0)["items"][:2]
        rest = _take(session, answers)
    straight = Session.start(battery, Respondent("k-1"), session_id="s", seed=11)
    assert _take(straight, answers) == session._section(0)["items"][:2] + rest


def test_a_battery_with_an_adaptive_section_gives_a_profile_and_a_pdf() -> None:
    session = _session(BatteryEntry(tiny_bank(), adaptive=CatRules(se_target=0.75)))
    _take(session, {"m": 1, "h1": 0, "e2": 1, "h2": 0, "e1": 1})
    while (item := session.serve()) is not None:
        session.answer(item.instrument, item.item, int(item.item[1:]) % 5)
    session.finish()
    results = session.results(catalogue=profdiag.load_catalogue())
    assert [p.instrument_id for p in results.profile.instruments] == ["tiny", RIASEC]
    assert results.profile.instruments[0].scales[0].t == pytest.approx(results.adaptive["tiny"].t)
    assert results.pdf().startswith(b"%PDF")


def test_a_damaged_adaptive_state_is_refused_on_resume() -> None:
    session = _session(BatteryEntry(tiny_bank(), adaptive=CatRules()))
    session.serve()
    session.answer("tiny", "m", 1)
    again = Session.from_json(session.to_json(), session.battery)
    assert again.current == session.current == ("tiny", "h1")

    def damaged(change: Any) -> str:
        state = json.loads(session.to_json())
        change(state)
        return json.dumps(state)

    for change in (
        lambda state: state.pop("adaptive"),
        lambda state: state["adaptive"]["0"].pop("cat"),
        lambda state: state["adaptive"]["0"]["items"].append("nobody"),
    ):
        with pytest.raises(ArgumentError, match="damaged"):
            Session.from_json(damaged(change), session.battery)
