"""The session engine: golden runs, order, timing, navigation rules, validation, resume."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import profdiag
from profdiag import Battery, BatteryEntry, Respondent, Session, SessionError

RIASEC = "profdiag-riasec-72"
APTITUDE = "profdiag-aptitude-sampler"
LETTERS = "RIASEC"
LIKES = {"R": 4, "I": 3, "A": 2, "S": 1, "E": 0, "C": 0}


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _riasec_value(item: str) -> int:
    return LIKES[LETTERS[(int(item[1:]) - 1) % 6]]  # r01 R, r02 I, ... as the key cycles


def _start(battery: Battery, clock: Clock, **person: Any) -> Session:
    return Session.start(battery, Respondent("p-1", **person), seed=5, clock=clock)


def test_a_fixed_order_run_serves_the_instrument_order_and_scores_by_hand() -> None:
    clock = Clock()
    session = _start(Battery([profdiag.load_instrument(RIASEC)]), clock, age=15)
    served, receipts = [], []
    while (item := session.serve()) is not None:
        served.append(item.item)
        assert item.position == len(served) and item.total == 72 and item.seq == len(served)
        clock.now += 2.5
        receipts.append(session.answer(item.instrument, item.item, _riasec_value(item.item)))
        clock.now += 0.5
    assert served == [f"r{k:02d}" for k in range(1, 73)]
    assert {receipt.response_ms for receipt in receipts} == {2500}
    assert [receipt.seq for receipt in receipts] == list(range(1, 73))
    assert session.progress().answered == 72 and session.complete and not session.finished
    assert session.finish().finished
    results = session.results()
    # 12 items per area: R 12 x 4, I 12 x 3, A 12 x 2, S 12 x 1, E and C 0
    assert results.scores[RIASEC].raw.tolist() == [[48.0, 36.0, 24.0, 12.0, 0.0, 0.0]]
    assert results.profile.instruments[0].code == "RIA"
    assert results.profile.respondent == "p-1" and results.profile.age == 15


def test_shuffled_blocks_follow_the_seed_and_stay_within_their_blocks() -> None:
    onet = profdiag.load_instrument("onet-ip-sf-60")
    ids = [item.id for item in onet.items]
    battery = Battery([BatteryEntry(onet, blocks=[ids[:30], ids[30:]], shuffle=True)])
    clock = Clock()
    session = Session.start(battery, Respondent("p-2"), seed=42, clock=clock)
    served = []
    while (item := session.serve()) is not None:
        served.append(item.item)
        assert item.notice == onet.licence.notice and item.notice is not None  # O*NET's
        session.answer(item.instrument, item.item, int(item.item[2:]) % 5)
    # golden: the order seed 42 gives (random.Random("42:<entry>:<block>").shuffle)
    assert served[:8] == ["ip03", "ip24", "ip23", "ip16", "ip05", "ip15", "ip12", "ip27"]
    assert served[30:35] == ["ip33", "ip58", "ip36", "ip43", "ip42"]
    assert sorted(served[:30]) == ids[:30] and sorted(served[30:]) == ids[30:]
    assert [slot.item for slot in battery.order(42)] == served
    assert [slot.item for slot in battery.order(43)] != served
    session.finish()
    by_dict = profdiag.score(onet, {item: int(item[2:]) % 5 for item in ids})
    assert session.results().scores[onet.id].raw.tolist() == by_dict.raw.tolist()


def test_the_server_enforces_a_subtests_time_limit_with_the_injected_clock() -> None:
    clock = Clock(50.0)
    apt = profdiag.load_instrument(APTITUDE)
    session = _start(Battery([apt]), clock)
    first = session.serve()
    assert first is not None and first.subtest == "number_series" and first.seconds_left == 360
    clock.now += 10
    session.answer(APTITUDE, "ns01", "c")  # correct
    second = session.serve()
    assert second is not None and second.seconds_left == 350
    clock.now = 50.0 + 360  # exactly at the deadline: still in time
    assert session.answer(APTITUDE, "ns02", "b").response_ms == 350_000
    session.serve()
    clock.now += 0.5  # past the deadline
    with pytest.raises(SessionError) as refused:
        session.answer(APTITUDE, "ns03", "d")
    assert refused.value.reason == "time_up" and "number_series" in str(refused.value)
    states = {item: status for _, item, status, _, _ in session.item_states()}
    assert [states[f"ns{k:02d}"] for k in range(1, 13)] == ["answered"] * 2 + ["not_reached"] * 10
    assert session.current == (APTITUDE, "va01")
    with pytest.raises(SessionError, match="time") as late:
        session.answer(APTITUDE, "ns04", "a")
    assert late.value.reason == "time_up"
    # the next subtest's clock starts when its first item is served
    assert session.serve().seconds_left == 360  # type: ignore[union-attr]
    clock.now += 400  # no answer at all: serving closes the subtest and moves on
    nxt = session.serve()
    assert nxt is not None and nxt.item == "sp01"
    session.finish()
    timing = {t.scale: t for t in session.results().profile.instruments[0].timing}
    assert timing["number_series"].attempted == 2 and timing["number_series"].time_used == 1.0
    assert timing["verbal_analogies"].attempted == 0
    assert timing["spatial"].time_used == 0.0  # served and finished at once


def test_no_back_and_no_skip_unless_the_battery_allows_them() -> None:
    clock = Clock()
    session = _start(Battery([profdiag.load_instrument(RIASEC)]), clock)
    item = session.serve()
    assert item is not None and not item.can_back and not item.can_skip
    with pytest.raises(SessionError) as skipped:
        session.skip(RIASEC, "r01")
    assert skipped.value.reason == "skip_not_allowed"
    session.answer(RIASEC, "r01", 1)
    session.serve()
    with pytest.raises(SessionError) as back:
        session.back()
    assert back.value.reason == "back_not_allowed"
    with pytest.raises(SessionError) as changed:
        session.answer(RIASEC, "r01", 2)  # served before, but going back is not allowed
    assert changed.value.reason == "not_current" and "r02" in str(changed.value)


def test_back_and_skip_where_allowed() -> None:
    clock = Clock()
    riasec, onet = profdiag.load_instrument(RIASEC), profdiag.load_instrument("onet-ip-sf-60")
    battery = Battery(
        [
            BatteryEntry(
                riasec, blocks=[[i.id for i in riasec.items[:3]], [i.id for i in riasec.items[3:]]]
            ),
            onet,
        ],
        allow_back=True,
        allow_skip=True,
    )
    session = _start(battery, clock)
    for value in (1, 2):
        item = session.serve()
        assert item is not None
        session.answer(item.instrument, item.item, value)
    assert session.serve().can_back  # type: ignore[union-attr]
    assert session.back().item == "r02"
    again = session.serve()
    assert again is not None and again.item == "r02" and again.answer == 2
    clock.now += 1
    assert session.answer(RIASEC, "r02", 3).response_ms == 1000
    assert session.answer(RIASEC, "r01", 4).response_ms is None  # changed in place
    assert session.current == (RIASEC, "r03")
    session.serve()
    session.skip(RIASEC, "r03")
    answers = session.answers()[RIASEC]
    assert (answers["r01"], answers["r02"], answers["r03"]) == (4, 3, None)
    for _ in range(69):  # skip the rest of the first instrument
        item = session.serve()
        assert item is not None
        session.skip(item.instrument, item.item)
    first_onet = session.serve()
    assert first_onet is not None and first_onet.instrument == "onet-ip-sf-60"
    assert not first_onet.can_back
    with pytest.raises(SessionError, match="previous instrument"):
        session.back()
    progress = session.progress()
    assert (progress.answered, progress.instruments[0].skipped) == (2, 70)


def test_going_back_never_reenters_a_subtest_that_is_over() -> None:
    clock = Clock()
    session = _start(Battery([profdiag.load_instrument(APTITUDE)], allow_back=True), clock)
    for k in range(1, 13):
        session.serve()
        session.answer(APTITUDE, f"ns{k:02d}", "a")
        if k == 2:
            session.serve()
            session.back()  # within the running subtest: allowed
            assert session.current == (APTITUDE, "ns02")
            session.serve()
            session.answer(APTITUDE, "ns02", "b")
    item = session.serve()
    assert item is not None and item.item == "va01" and not item.can_back
    with pytest.raises(SessionError) as back:
        session.back()
    assert back.value.reason == "back_not_allowed"
    with pytest.raises(SessionError) as late_change:
        session.answer(APTITUDE, "ns01", "c")
    assert late_change.value.reason == "not_current"  # the subtest is over


def test_answers_are_checked_at_the_boundary() -> None:
    clock = Clock()
    battery = Battery([profdiag.load_instrument(APTITUDE), profdiag.load_instrument(RIASEC)])
    session = _start(battery, clock, given_name="Алиса")
    with pytest.raises(SessionError) as unserved:
        session.answer(APTITUDE, "ns01", "a")
    assert unserved.value.reason == "not_served"
    session.serve()
    for value in ("z", "а", 1, True, None, "C"):
        with pytest.raises(SessionError) as bad:
            session.answer(APTITUDE, "ns01", value)
        message = str(bad.value)
        assert bad.value.reason == "invalid_value"
        assert "ns01" in message and "a, b, c, d, e" in message, message
    with pytest.raises(SessionError) as other:
        session.answer(APTITUDE, "ns05", "a")
    assert other.value.reason == "not_current" and "ns01" in str(other.value)
    with pytest.raises(SessionError) as unknown:
        session.answer(APTITUDE, "zz99", "a")
    assert unknown.value.reason == "unknown_item"
    with pytest.raises(SessionError) as ahead:
        session.answer(APTITUDE, "ns01", "a", seq=5)
    assert ahead.value.reason == "sequence"
    assert session.answer(APTITUDE, "ns01", "a", seq=1).seq == 1
    assert session.answer(APTITUDE, "ns01", "a", seq=1).duplicate
    with pytest.raises(SessionError) as reused:
        session.answer(APTITUDE, "ns01", "b", seq=1)
    assert reused.value.reason == "sequence"
    # Likert codes: the number or its digits, nothing else
    riasec = profdiag.load_instrument(RIASEC)
    other_session = _start(Battery([riasec]), clock)
    other_session.serve()
    for value in (5, "5", -1, 2.5, "2.0", "9"):
        with pytest.raises(SessionError, match=r"r01: got .*; expected one of the codes 0, 1, 2"):
            other_session.answer(RIASEC, "r01", value)
    assert other_session.answer(RIASEC, "r01", "2").value == 2
    session.finish()
    for action in (session.serve, lambda: session.answer(APTITUDE, "ns02", "a"), session.finish):
        with pytest.raises(SessionError) as finished:
            action()
        assert finished.value.reason == "finished"
        assert "Алиса" not in str(finished.value)


def test_a_given_name_never_appears_in_an_error() -> None:
    with pytest.raises(profdiag.ArgumentError) as error:
        Respondent("p", given_name="Василиса" * 50)
    assert "Василиса" not in str(error.value) and "400 characters" in str(error.value)
    with pytest.raises(profdiag.ArgumentError, match="age"):
        Respondent("p", age=200, given_name="Василиса")
    with pytest.raises(profdiag.ArgumentError, match="stage"):
        Respondent("p", stage="grade10")  # type: ignore[arg-type]


def _ddo_overlay() -> profdiag.TextOverlay:
    ddo = profdiag.load_instrument("klimov-ddo")
    texts = {
        str(k): {"options": {"а": {"ru": f"Вариант {k}а"}, "б": {"ru": f"Вариант {k}б"}}}
        for k in range(1, 21)
    }
    return profdiag.TextOverlay.model_validate(
        {
            "format": "profdiag-overlay/1",
            "instrument": "klimov-ddo",
            "instrument_version": ddo.version,
            "source": {"citation": "a licensed manual"},
            "licence": {"name": "licensed"},
            "text_status": {"ru": "original"},
            "items": texts,
        }
    )


def test_a_key_only_instrument_needs_its_overlay() -> None:
    ddo = profdiag.load_instrument("klimov-ddo")
    with pytest.raises(profdiag.ArgumentError, match="klimov-ddo: 20 of 20 items have no text"):
        Battery([ddo])
    session = _start(Battery([BatteryEntry(ddo, overlay=_ddo_overlay())]), Clock())
    item = session.serve()
    assert item is not None and item.text is None
    assert [(c.code, c.label.ru if c.label else None) for c in item.choices] == [
        ("а", "Вариант 1а"),
        ("б", "Вариант 1б"),
    ]
    while (item := session.serve()) is not None:  # every pair: option а (nature on pair 1)
        session.answer(item.instrument, item.item, "а")
    session.finish()
    profile = session.results().profile.instruments[0]
    assert profile.overlay_hash == _ddo_overlay().content_hash
    expected = profdiag.score(ddo, {str(k): "а" for k in range(1, 21)})
    assert session.results().scores["klimov-ddo"].raw.tolist() == expected.raw.tolist()


def test_batteries_refuse_what_a_session_could_not_administer() -> None:
    apt = profdiag.load_instrument(APTITUDE)
    ids = [item.id for item in apt.items]
    with pytest.raises(profdiag.ArgumentError, match="leave out 1 item"):
        Battery([BatteryEntry(apt, blocks=[ids[:-1]])])
    with pytest.raises(profdiag.ArgumentError, match="in block 0 and in block 1"):
        Battery([BatteryEntry(apt, blocks=[ids, ids[:1]])])
    with pytest.raises(profdiag.ArgumentError, match="timed subtest 'number_series' must be"):
        Battery([BatteryEntry(apt, blocks=[ids], shuffle=True)])  # subtests mixed in one block
    with pytest.raises(profdiag.ArgumentError, match="twice"):
        Battery([apt, apt])
    whole = Battery([BatteryEntry(apt, blocks=[ids[:12], ids[12:24], ids[24:]], shuffle=True)])
    order = [slot.item for slot in whole.order(3)]
    assert sorted(order[:12]) == ids[:12] and order[:12] != ids[:12]


def test_a_finished_session_gives_a_profile_and_a_pdf() -> None:
    clock = Clock()
    session = _start(
        Battery([profdiag.load_instrument(RIASEC)]),
        clock,
        age=15,
        stage="grade9",
        given_name="Алиса",
        sex="f",
    )
    with pytest.raises(SessionError) as early:
        session.results()
    assert early.value.reason == "not_finished"
    while (item := session.serve()) is not None:
        clock.now += 3
        session.answer(item.instrument, item.item, _riasec_value(item.item))
    session.finish()
    results = session.results(catalogue=profdiag.load_catalogue())
    assert results.profile.given_name == "Алиса" and results.profile.stage == "grade9"
    assert results.profile.matches  # a clear RIA profile gets occupations
    assert results.pdf()[:4] == b"%PDF"


def test_a_session_finished_before_any_answer_still_gives_a_profile() -> None:
    battery = Battery([profdiag.load_instrument(RIASEC), profdiag.load_instrument(APTITUDE)])
    session = _start(battery, Clock(), age=15, sex="m", grade=9)
    session.finish()
    assert session.progress().instruments[1].not_reached == 36
    results = session.results(catalogue=profdiag.load_catalogue())
    assert {scale.status for scale in results.profile.instruments[0].scales} == {"too_few_answered"}
    assert results.profile.matching is not None
    assert results.profile.matching.withheld == "not_scored"


# --- exact resume (property) -----------------------------------------------------------

ACTIONS = st.one_of(
    st.just(("serve",)),
    st.tuples(st.just("answer"), st.sampled_from("abcdez"), st.integers(-2, 0)),
    st.just(("skip",)),
    st.just(("back",)),
    st.tuples(st.just("tick"), st.floats(0, 200, allow_nan=False)),
    st.just(("retry",)),
    st.just(("finish",)),
)
_PROPERTY_BATTERY: list[Battery] = []


def _property_battery() -> Battery:
    if not _PROPERTY_BATTERY:
        apt = profdiag.load_instrument(APTITUDE)
        ids = [item.id for item in apt.items]
        entry = BatteryEntry(apt, blocks=[ids[:12], ids[12:24], ids[24:]], shuffle=True)
        _PROPERTY_BATTERY.append(Battery([entry], allow_back=True, allow_skip=True))
    return _PROPERTY_BATTERY[0]


def _run(session: Session, clock: Clock, actions: list[tuple[Any, ...]]) -> list[Any]:
    outcomes: list[Any] = []
    for action in actions:
        try:
            outcomes.append(_do(session, clock, action))
        except SessionError as error:
            outcomes.append(("refused", error.reason, str(error)))
    return outcomes


def _do(session: Session, clock: Clock, action: tuple[Any, ...]) -> Any:
    kind = action[0]
    if kind == "tick":
        clock.now += action[1]
        return None
    if kind == "serve":
        return session.serve()
    if kind == "back":
        return session.back().to_dict()
    if kind == "finish":
        return session.finish().to_dict()
    states = session.item_states()
    current = session.current
    position = next((k for k, s in enumerate(states) if s[:2] == current), len(states))
    if kind == "skip":
        if current is None:
            return None
        return session.skip(*current).to_dict()
    if kind == "retry":
        receipts = [r for r in session._state["receipts"] if r["action"] == "answer"]
        if not receipts:
            return None
        last = receipts[-1]
        return session.answer(last["instrument"], last["item"], last["value"], seq=last["seq"])
    target = position + action[2]
    if not 0 <= target < len(states):
        return None
    return session.answer(states[target][0], states[target][1], action[1]).to_dict()


@settings(max_examples=60, deadline=None)
@given(actions=st.lists(ACTIONS, max_size=80), cut=st.integers(0, 80), seed=st.integers(0, 9))
def test_saving_and_resuming_at_any_point_changes_nothing(
    actions: list[tuple[Any, ...]], cut: int, seed: int
) -> None:
    _resume_anywhere(_property_battery(), actions, cut, seed)


# an adaptive section (randomesque and Sympson-Hetter draws, a time limit) before the
# shuffled subtests; answers also take the bank's codes 0 and 1
ADAPTIVE_ACTIONS = st.one_of(
    ACTIONS, st.tuples(st.just("answer"), st.sampled_from("01"), st.integers(-2, 0))
)


def _adaptive_property_battery() -> Battery:
    if len(_PROPERTY_BATTERY) < 2:
        from tests.test_session_adaptive import tiny_bank

        rules = profdiag.CatRules(
            se_target=0.72, max_items=4, randomesque=2, exposure=np.array([1, 0.5, 0.5, 1, 0.7])
        )
        apt = profdiag.load_instrument(APTITUDE)
        ids = [item.id for item in apt.items]
        entries = [
            BatteryEntry(tiny_bank(extra=True), adaptive=rules, max_seconds=150),
            BatteryEntry(apt, blocks=[ids[:12], ids[12:24], ids[24:]], shuffle=True),
        ]
        _property_battery()
        _PROPERTY_BATTERY.append(Battery(entries, allow_back=True, allow_skip=True))
    return _PROPERTY_BATTERY[1]


@settings(max_examples=60, deadline=None)
@given(
    actions=st.lists(ADAPTIVE_ACTIONS, max_size=80),
    cut=st.integers(0, 80),
    seed=st.integers(0, 9),
)
def test_saving_and_resuming_an_adaptive_section_at_any_point_changes_nothing(
    actions: list[tuple[Any, ...]], cut: int, seed: int
) -> None:
    _resume_anywhere(_adaptive_property_battery(), actions, cut, seed)


def _resume_anywhere(battery: Battery, actions: list[tuple[Any, ...]], cut: int, seed: int) -> None:
    person = Respondent("p-9", age=16, given_name="Ёжик")
    whole_clock = Clock()
    whole = Session.start(battery, person, session_id="s", seed=seed, clock=whole_clock)
    expected = _run(whole, whole_clock, actions)

    clock = Clock()
    first = Session.start(battery, person, session_id="s", seed=seed, clock=clock)
    cut = min(cut, len(actions))
    outcomes = _run(first, clock, actions[:cut])
    resumed = Session.from_json(first.to_json(), battery, clock=clock)
    assert resumed.to_json() == first.to_json()
    outcomes += _run(resumed, clock, actions[cut:])
    assert outcomes == expected
    assert resumed.to_json() == whole.to_json()


def test_resuming_needs_the_same_battery() -> None:
    session = _start(Battery([profdiag.load_instrument(RIASEC)]), Clock())
    with pytest.raises(profdiag.ArgumentError, match="another battery"):
        Session.from_json(
            session.to_json(), Battery([profdiag.load_instrument(RIASEC)], allow_back=True)
        )
    with pytest.raises(profdiag.ArgumentError, match="not a saved session"):
        Session.from_json("{}", session.battery)
    with pytest.raises(profdiag.ArgumentError, match="not JSON"):
        Session.from_json("{", session.battery)
    for damage in ("slots", "t0", "receipts"):
        state = json.loads(session.to_json())
        del state[damage]
        with pytest.raises(profdiag.ArgumentError, match="damaged"):
            Session.from_json(json.dumps(state), session.battery)


def test_a_clock_that_went_back_resumes_from_the_last_recorded_time() -> None:
    clock = Clock(5000.0)
    battery = Battery([profdiag.load_instrument(APTITUDE)])
    session = _start(battery, clock)
    session.serve()
    clock.now += 100
    session.answer(APTITUDE, "ns01", "c")
    rebooted = Clock(3.0)  # a monotonic clock after a restart of the machine
    again = Session.from_json(session.to_json(), battery, clock=rebooted)
    assert again.serve().seconds_left == 260  # type: ignore[union-attr]
