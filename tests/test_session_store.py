"""The SQLite session store: durability settings, isolation, idempotent answers, export."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import profdiag
from profdiag import Battery, Respondent, SessionError, SessionStore
from profdiag._io.tables import write_table
from profdiag.cli._main import main

RIASEC = "profdiag-riasec-72"
APTITUDE = "profdiag-aptitude-sampler"
ANSWERED = 20  # per session on the threads


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def riasec() -> Battery:
    return Battery([profdiag.load_instrument(RIASEC)])


def _value(item: str) -> int:
    return int(item[1:]) % 5


def test_the_store_runs_in_wal_mode_with_full_synchronous_commits(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "k.db") as store:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_two_sessions_interleaved_stay_apart(tmp_path: Path, riasec: Battery) -> None:
    clock = Clock()
    with SessionStore(tmp_path / "k.db") as store:
        one = store.start(riasec, Respondent("a"), session_id="one", seed=1, clock=clock)
        two = store.start(riasec, Respondent("b"), session_id="two", seed=2, clock=clock)
        for _ in range(10):
            for session, shift in ((one, 0), (two, 1)):
                item = session.serve()
                assert item is not None
                clock.now += 1.5
                session.answer(item.instrument, item.item, (_value(item.item) + shift) % 5)
        for session_id, shift in (("one", 0), ("two", 1)):
            rows = store.answers(session_id)
            assert [row.seq for row in rows] == list(range(1, 11))
            assert [row.item for row in rows] == [f"r{k:02d}" for k in range(1, 11)]
            assert [row.value for row in rows] == [(_value(r.item) + shift) % 5 for r in rows]
            assert {row.response_ms for row in rows} == {1500}
        resumed = store.resume("two", riasec, clock=clock)
        assert resumed.to_json() == two.to_json()
        assert resumed.current == (RIASEC, "r11")


def test_sessions_on_threads_share_one_store(tmp_path: Path, riasec: Battery) -> None:
    errors: list[BaseException] = []
    with SessionStore(tmp_path / "k.db") as store:

        def run(session_id: str) -> None:
            try:
                session = store.start(riasec, Respondent(session_id), session_id=session_id)
                for _ in range(ANSWERED):
                    item = session.serve()
                    assert item is not None
                    session.answer(item.instrument, item.item, _value(item.item), seq=item.seq)
                session.finish()
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=run, args=(f"t{k}",)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(store.session_ids(status="finished")) == ["t0", "t1", "t2", "t3"]
        for k in range(4):
            rows = store.answers(f"t{k}")
            assert [row.seq for row in rows] == list(range(1, ANSWERED + 1))
            assert [row.item for row in rows] == [f"r{j:02d}" for j in range(1, ANSWERED + 1)]
            assert [event.kind for event in store.events(f"t{k}")] == ["start", "finish"]


def test_a_retried_answer_is_stored_once(tmp_path: Path, riasec: Battery) -> None:
    with SessionStore(tmp_path / "k.db") as store:
        session = store.start(riasec, Respondent("a"), session_id="s")
        item = session.serve()
        assert item is not None
        first = session.answer(RIASEC, "r01", 3, seq=item.seq)
        again = session.answer(RIASEC, "r01", "3", seq=item.seq)  # the same answer, retried
        assert again.duplicate and not first.duplicate
        assert (again.seq, again.value, again.response_ms) == (first.seq, 3, first.response_ms)
        with pytest.raises(SessionError) as conflict:
            session.answer(RIASEC, "r01", 4, seq=item.seq)
        assert conflict.value.reason == "sequence"
        # after a restart the retry is still recognised
        resumed = store.resume("s", riasec)
        assert resumed.answer(RIASEC, "r01", 3, seq=1).duplicate
        assert len(store.answers("s")) == 1


def test_the_key_refuses_a_second_row_for_a_sequence_number(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "k.db") as store:
        store._db.execute("INSERT INTO sessions VALUES ('s', 'open', 0, '{}', 'now', 'now')")
        row = ("s", 1, RIASEC, "r01", "1", 10, 0.0, "now")
        store._db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
        with pytest.raises(sqlite3.IntegrityError):
            store._db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)


def test_an_action_that_cannot_be_saved_changes_nothing(tmp_path: Path, riasec: Battery) -> None:
    store = SessionStore(tmp_path / "k.db")
    session = store.start(riasec, Respondent("a", given_name="Алиса"), session_id="s")
    session.serve()
    before = session.to_json()
    store.close()
    with pytest.raises(profdiag.OutputError) as error:
        session.answer(RIASEC, "r01", 2)
    assert "Алиса" not in str(error.value)
    assert session.to_json() == before and session.next_seq == 1


def test_a_session_id_is_stored_once(tmp_path: Path, riasec: Battery) -> None:
    with SessionStore(tmp_path / "k.db") as store:
        store.start(riasec, Respondent("a"), session_id="s")
        with pytest.raises(profdiag.ArgumentError, match="already holds"):
            store.start(riasec, Respondent("b"), session_id="s")
        with pytest.raises(profdiag.ArgumentError, match="no stored session"):
            store.resume("nope", riasec)


def test_timeouts_and_finishes_are_events(tmp_path: Path) -> None:
    clock = Clock()
    battery = Battery([profdiag.load_instrument(APTITUDE)])
    with SessionStore(tmp_path / "k.db") as store:
        session = store.start(battery, Respondent("a"), session_id="s", clock=clock)
        session.serve()
        clock.now = 400
        assert session.serve().item == "va01"  # type: ignore[union-attr]
        session.finish()
        events = [(e.kind, e.scale) for e in store.events("s")]
        assert events == [("start", None), ("timeout", "number_series"), ("finish", None)]
        assert store.resume("s", battery).finished


def test_export_is_a_table_profdiag_score_reads(tmp_path: Path) -> None:
    clock = Clock()
    apt = profdiag.load_instrument(APTITUDE)
    battery = Battery([apt])
    correct = {item.id: item.correct[0] for item in apt.items if item.correct}
    with SessionStore(tmp_path / "k.db") as store:
        for k, (person, solved) in enumerate(
            [(Respondent("p1", age=15, sex="f", given_name="Алиса"), 12), (Respondent("p2"), 3)]
        ):
            session = store.start(battery, person, session_id=f"s{k}", clock=clock)
            while (item := session.serve()) is not None:
                clock.now += 2
                right = int(item.item[2:]) <= solved
                value = correct[item.item] if right else ("a" if correct[item.item] != "a" else "b")
                session.answer(item.instrument, item.item, value)
            session.finish()
        store.start(battery, Respondent("p3"), session_id="open", clock=clock)  # not finished
        table = store.export(battery, APTITUDE)
    items = [item.id for item in apt.items]
    assert table.header == [
        "id",
        "sex",
        "age",
        "grade",
        *items,
        *(i + ".ms" for i in items),
        "number_series.seconds",
        "verbal_analogies.seconds",
        "spatial.seconds",
    ]
    rows = table.rows()
    assert [row["id"] for row in rows] == ["p1", "p2"]
    assert rows[0]["ns01"] == "c" and rows[0]["ns01.ms"] == 2000 and rows[0]["age"] == 15
    assert rows[0]["number_series.seconds"] == 24.0
    assert "Алиса" not in repr(table)
    path = tmp_path / "export.csv"
    write_table(path, table.header, table.columns, {})
    written = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert written[1]["grade"] == "" and written[1]["ns01"] == "c"
    result = CliRunner().invoke(main, ["score", APTITUDE, str(path)])
    assert result.exit_code == 0, result.output
    scores = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["number_series"] for row in scores] == ["12.0", "3.0"]
    assert [row["spatial"] for row in scores] == ["12.0", "3.0"]
    assert scores[0]["number_series.time_used"] == str(24 / 360)


def test_two_objects_of_one_session_cannot_overwrite_each_other(
    tmp_path: Path, riasec: Battery
) -> None:
    with SessionStore(tmp_path / "k.db") as store:
        store.start(riasec, Respondent("a"), session_id="s")
        first, second = store.resume("s", riasec), store.resume("s", riasec)
        first.serve()
        first.answer(RIASEC, "r01", 1)
        before = second.to_json()
        with pytest.raises(SessionError) as stale:
            second.serve()
        assert stale.value.reason == "stale" and second.to_json() == before
        assert [row.value for row in store.answers("s")] == [1]
        assert store.resume("s", riasec).current == (RIASEC, "r02")
