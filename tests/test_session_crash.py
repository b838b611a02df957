"""Fault injection: kill -9 a process that is running sessions against the store, at random
moments, many times; every acknowledged answer must be stored exactly once, and each
session must resume at its first unanswered item.

The child process is forked from the test (so it starts in a millisecond, with profdiag
already imported). It runs several sessions interleaved, one answer each in turn, and
writes an acknowledgement line for an answer only after the store call has returned. After
each restart it first retries the last acknowledged answer of each session with the same
sequence number, as a kiosk client would after a lost reply: that must be recognised as a
duplicate. The parent kills it with SIGKILL after a random delay (seeded), checks the
database, and starts it again.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

import profdiag
from profdiag import Battery, Respondent, SessionStore

SESSIONS = [f"s{k:02d}" for k in range(4)]
KILLS = 50
ROUND_SEED = 20261130
CHILD_RETRY_FAILED = 3


def _battery() -> Battery:
    return Battery([profdiag.load_instrument("profdiag-riasec-72")])


def _value(session_id: str, item: str) -> int:
    return (sum(map(ord, session_id + item)) * 7) % 5


def _acks(path: Path) -> list[tuple[str, int, str, int]]:
    if not path.exists():
        return []
    lines = path.read_text().split("\n")[:-1]  # a line without its newline was cut short
    acks = []
    for line in lines:
        session_id, seq, item, value = line.split("\t")
        acks.append((session_id, int(seq), item, json.loads(value)))
    return acks


def _child(db: Path, ack_path: Path, battery: Battery) -> None:
    """Runs in the forked child; never returns (os._exit)."""
    code = 1
    try:
        store = SessionStore(db)
        last_ack: dict[str, tuple[int, str, int]] = {}
        for session_id, seq, item, value in _acks(ack_path):
            last_ack[session_id] = (seq, item, value)
        stored = set(store.session_ids())
        sessions = []
        for k, session_id in enumerate(SESSIONS):
            if session_id in stored:
                session = store.resume(session_id, battery)
            else:
                person = Respondent(session_id, age=14 + k % 4, sex="fm"[k % 2])
                session = store.start(battery, person, session_id=session_id, seed=k)
            if session_id in last_ack:
                seq, item, value = last_ack[session_id]
                receipt = session.answer("profdiag-riasec-72", item, value, seq=seq)
                if not receipt.duplicate:
                    os._exit(CHILD_RETRY_FAILED)
            if not session.finished:
                sessions.append(session)
        ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        while sessions:
            for session in list(sessions):
                served = session.serve()
                if served is None:
                    session.finish()
                    sessions.remove(session)
                    continue
                value = _value(session.id, served.item)
                receipt = session.answer(served.instrument, served.item, value, seq=served.seq)
                line = f"{session.id}\t{receipt.seq}\t{served.item}\t{json.dumps(value)}\n"
                os.write(ack, line.encode())
        code = 0
    finally:
        os._exit(code)


def _check(db: Path, ack_path: Path, battery: Battery) -> int:
    """Every acknowledged answer stored once with its value; state and answers agree; each
    open session is at its first unanswered item. Returns the number of answers stored."""
    acks = _acks(ack_path)
    SessionStore(db).close()  # the child may have been killed before it made the tables
    with contextlib.closing(sqlite3.connect(db)) as plain:
        rows = plain.execute("SELECT session_id, seq, item, value FROM answers").fetchall()
        per_key = plain.execute(
            "SELECT session_id, seq, COUNT(*) FROM answers GROUP BY session_id, seq "
            "HAVING COUNT(*) > 1"
        ).fetchall()
        per_item = plain.execute(
            "SELECT session_id, item, COUNT(*) FROM answers GROUP BY session_id, item "
            "HAVING COUNT(*) > 1"
        ).fetchall()
    assert per_key == [] and per_item == [], (per_key, per_item)
    stored = {(s, seq): (item, json.loads(value)) for s, seq, item, value in rows}
    for session_id, seq, item, value in acks:
        assert stored.get((session_id, seq)) == (item, value), (session_id, seq)
    assert len(acks) == len({(s, seq) for s, seq, _, _ in acks})  # no answer acked twice
    with SessionStore(db) as store:
        for session_id in store.session_ids():
            session = store.resume(session_id, battery)
            states = session.item_states()
            answered = {item: value for _, item, status, value, _ in states if status == "answered"}
            in_table = {item: value for (s, _), (item, value) in stored.items() if s == session_id}
            assert answered == in_table, session_id
            if not session.finished:
                first_open = next(
                    (k for k, state in enumerate(states) if state[2] != "answered"), None
                )
                expected = None if first_open is None else states[first_open][:2]
                assert session.current == expected, session_id
                if first_open is not None:  # all answered but not finished: nothing is open
                    assert all(state[2] == "unseen" for state in states[first_open:])
    return len(rows)


def _longest_delay(path: Path, battery: Battery) -> float:
    """How long a child may live: a start-up allowance plus about six answers at this
    machine's commit speed, so that about half of the answers are written under fire and
    the rest by the last run, on a slow disk or a fast one."""
    with SessionStore(path) as store:
        session = store.start(battery, Respondent("calibration"))
        started = time.monotonic()
        for _ in range(10):
            served = session.serve()
            assert served is not None
            session.answer(served.instrument, served.item, 0)
        step = (time.monotonic() - started) / 10
    return 0.02 + 6 * step


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_kill_9_at_random_moments_loses_no_acknowledged_answer_and_duplicates_none(
    tmp_path: Path,
) -> None:
    db, ack_path = tmp_path / "kiosk.db", tmp_path / "acks.tsv"
    battery = _battery()
    rng = random.Random(ROUND_SEED)
    longest = _longest_delay(tmp_path / "calibration.db", battery)
    kills = rounds = 0
    stored_before = 0
    started = time.monotonic()
    while kills < KILLS:
        rounds += 1
        assert rounds < 4 * KILLS, "the children finish before they can be killed"
        pid = os.fork()
        if pid == 0:
            _child(db, ack_path, battery)
        time.sleep(rng.uniform(0.0, longest))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            kills += 1
        else:
            assert os.WEXITSTATUS(status) == 0, f"child failed with {os.WEXITSTATUS(status)}"
        stored = _check(db, ack_path, battery)
        assert stored >= stored_before  # nothing committed ever disappears
        stored_before = stored
    seconds = time.monotonic() - started
    print(f"kills {kills}, rounds {rounds}, stored {stored_before}, {seconds:.1f} s, {longest=}")
    assert 0 < stored_before < len(SESSIONS) * 72, "the kills must land while answers are written"
    pid = os.fork()  # the last run, not killed: every session finishes
    if pid == 0:
        _child(db, ack_path, battery)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert _check(db, ack_path, battery) == len(SESSIONS) * 72
    with SessionStore(db) as store:
        assert store.session_ids(status="finished") == SESSIONS
        for session_id in SESSIONS:
            session = store.resume(session_id, battery)
            answers = session.answers()["profdiag-riasec-72"]
            assert answers == {item: _value(session_id, item) for item in answers}
            kinds = [event.kind for event in store.events(session_id)]
            assert kinds == ["start", "finish"]
    assert time.monotonic() - started < 120
