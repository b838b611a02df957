"""The crash-safe session store: SQLite (WAL, synchronous=FULL) on the kiosk's disk.

Every change of a session is one transaction: the answer row (if any), the event row (if
any) and the session's new state, committed before the session's action returns. So an
acknowledged answer survives a kill -9 or a power cut, and a half-done action leaves no
trace. Answers are keyed by (session id, sequence number): a client's retry of an answer
under the same number is recognised by the session and never written twice, and the key
would refuse it if it were.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from profdiag._session.battery import Battery
from profdiag._session.engine import ANSWERED, Clock, Session
from profdiag._session.model import Respondent, Step
from profdiag.errors import ArgumentError, OutputError, SessionError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    state TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    item TEXT NOT NULL,
    value TEXT NOT NULL,
    response_ms INTEGER,
    elapsed REAL NOT NULL,
    server_time TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL,
    seq INTEGER,
    instrument TEXT,
    item TEXT,
    scale TEXT,
    elapsed REAL NOT NULL,
    server_time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_session ON events (session_id);
"""
ADAPTIVE_COLUMNS = ("theta", "theta_se", "n_items")  # an adaptive section's EAP, SE, items
_EVENTS = frozenset({"start", "finish", "timeout", "skip", "back"})
MS_SUFFIX = ".ms"


@dataclass(frozen=True)
class StoredAnswer:
    session_id: str
    seq: int
    instrument: str
    item: str
    value: Any
    response_ms: int | None
    elapsed: float
    server_time: str


@dataclass(frozen=True)
class StoredEvent:
    session_id: str
    kind: str
    seq: int | None
    instrument: str | None
    item: str | None
    scale: str | None
    elapsed: float
    server_time: str


@dataclass(frozen=True)
class ExportTable:
    """Finished sessions' answers to one instrument, one row per session, in the layout
    `profdiag score` reads: ``id``, ``sex``, ``age``, ``grade``, one column per item (the
    answer's code, empty where not answered), ``<item>.ms`` (response times in ms) and, for
    timed subtests, ``<scale>.seconds``; for an adaptive section also ``theta``,
    ``theta_se`` (EAP and its SE from the answers given) and ``n_items`` (items answered).
    Write it with the table writers."""

    instrument: str
    header: list[str]
    columns: list[list[Any]]

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(self.header, row, strict=True)) for row in zip(*self.columns, strict=True)]


class SessionStore:
    """Sessions, answers and events in one SQLite file, safe against a kill -9 at any moment.

    The database runs in WAL mode with ``synchronous=FULL``; every action of a session it
    started or resumed is committed before the action returns. One connection is shared
    by the threads of a process under a lock, so sessions served from several threads are
    isolated from each other. Each saved state carries a revision number: a Session object
    working on a state that another one (or another process) has changed since is refused
    (reason "stale") and writes nothing.

    Parameters
    ----------
    path
        The database file (made if missing).

    Raises
    ------
    OutputError
        The file cannot be opened or is not a session store.

    Examples
    --------
    >>> import profdiag, tempfile, pathlib
    >>> folder = tempfile.mkdtemp()
    >>> battery = profdiag.Battery([profdiag.load_instrument("onet-ip-sf-60")])
    >>> with profdiag.SessionStore(pathlib.Path(folder) / "kiosk.db") as store:
    ...     session = store.start(battery, profdiag.Respondent("a1"), session_id="s1", seed=1)
    ...     receipt = session.answer("onet-ip-sf-60", session.serve().item, 4)
    ...     [(a.item, a.value, a.seq) for a in store.answers("s1")]
    [('ip01', 4, 1)]
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise OutputError(f"{self.path}: cannot open the session store ({error})") from None

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (every acknowledged action is already on disk)."""
        with self._lock:
            self._db.close()

    # --- sessions -----------------------------------------------------------------------

    def start(
        self,
        battery: Battery,
        respondent: Respondent,
        *,
        session_id: str | None = None,
        seed: int | None = None,
        clock: Clock | None = None,
    ) -> Session:
        """A new session, recorded here: each of its actions is committed before it returns.

        Parameters
        ----------
        battery, respondent, session_id, seed, clock
            As for `Session.start`.

        Returns
        -------
        Session

        Raises
        ------
        ArgumentError
            A session with this id is already stored.
        OutputError
            The database cannot be written.
        """
        return Session.start(
            battery, respondent, session_id=session_id, seed=seed, clock=clock, journal=self
        )

    def resume(self, session_id: str, battery: Battery, *, clock: Clock | None = None) -> Session:
        """A stored session, exactly where its last committed action left it.

        Parameters
        ----------
        session_id
            Its id.
        battery
            The battery it was started with (checked).
        clock
            As for `Session.start`.

        Returns
        -------
        Session

        Raises
        ------
        ArgumentError
            No session with this id, or another battery.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None:
            raise ArgumentError(f"no stored session with the id {session_id!r}")
        return Session.from_json(row[0], battery, clock=clock, journal=self)

    def session_ids(self, status: str | None = None) -> list[str]:
        """Stored sessions' ids in the order they were started; `status` "open" or
        "finished" keeps those only."""
        query = "SELECT id FROM sessions"
        parameters: tuple[str, ...] = ()
        if status is not None:
            query, parameters = query + " WHERE status = ?", (status,)
        with self._lock:
            return [row[0] for row in self._db.execute(query + " ORDER BY rowid", parameters)]

    def answers(self, session_id: str) -> list[StoredAnswer]:
        """Every answer recorded for a session (a changed answer is a new row), by sequence
        number."""
        with self._lock:
            rows = self._db.execute(
                "SELECT session_id, seq, instrument, item, value, response_ms, elapsed, "
                "server_time FROM answers WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        return [
            StoredAnswer(row[0], row[1], row[2], row[3], json.loads(row[4]), *row[5:])
            for row in rows
        ]

    def events(self, session_id: str) -> list[StoredEvent]:
        """A session's events (start, skip, back, timeout, finish) in order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT session_id, kind, seq, instrument, item, scale, elapsed, server_time "
                "FROM events WHERE session_id = ? ORDER BY id",
                (session_id,),
            ).fetchall()
        return [StoredEvent(*row) for row in rows]

    # --- the journal --------------------------------------------------------------------

    def record(self, session_id: str, step: Step, state: dict[str, Any]) -> None:
        """Commit one change of a session (called by the session before it takes effect)."""
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        text = json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._write(session_id, step, state["status"], state["revision"], text, now)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                raise ArgumentError(
                    f"session {session_id!r}: the store already holds this session or this "
                    "sequence number"
                ) from None
            except sqlite3.Error as error:
                raise OutputError(
                    f"{self.path}: session {session_id!r} could not be saved ({error})"
                ) from None

    def _write(
        self, session_id: str, step: Step, status: str, revision: int, text: str, now: str
    ) -> None:
        db = self._db
        if step.kind == "start":
            db.execute(
                "INSERT INTO sessions (id, status, revision, state, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, status, revision, text, now, now),
            )
        else:
            changed = db.execute(
                "UPDATE sessions SET status = ?, revision = ?, state = ?, updated = ? "
                "WHERE id = ? AND revision = ?",
                (status, revision, text, now, session_id, revision - 1),
            ).rowcount
            if changed != 1:
                raise SessionError(
                    "stale",
                    f"session {session_id!r} was changed by another Session object or process "
                    "since this one was loaded (or is not stored); resume it again",
                )
        if step.kind == "answer":
            assert step.seq is not None and step.instrument is not None and step.item is not None
            db.execute(
                "INSERT INTO answers (session_id, seq, instrument, item, value, response_ms, "
                "elapsed, server_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    step.seq,
                    step.instrument,
                    step.item,
                    json.dumps(step.value, ensure_ascii=False),
                    step.response_ms,
                    step.elapsed,
                    now,
                ),
            )
        if step.kind in _EVENTS:
            db.execute(
                "INSERT INTO events (session_id, kind, seq, instrument, item, scale, elapsed, "
                "server_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    step.kind,
                    step.seq,
                    step.instrument,
                    step.item,
                    step.scale,
                    step.elapsed,
                    now,
                ),
            )

    # --- export -------------------------------------------------------------------------

    def export(self, battery: Battery, instrument: str) -> ExportTable:
        """Finished sessions' answers to `instrument` as a table `profdiag score` reads.

        Parameters
        ----------
        battery
            The battery the sessions ran (sessions of another battery are left out).
        instrument
            The id of one of its instruments.

        Returns
        -------
        ExportTable
            One row per finished session, in the order they were started: ``id`` (the
            respondent's), ``sex``, ``age``, ``grade``, the items, ``<item>.ms``,
            ``<scale>.seconds``. Never the given name.

        Raises
        ------
        ArgumentError
            The instrument is not in the battery.
        """
        from profdiag._session.results import adaptive_result, instrument_times

        k = battery.part(instrument)
        if k is None:
            raise ArgumentError(f"{instrument!r} is not an instrument of the battery")
        definition = battery.parts[k].instrument
        items = [item.id for item in definition.items]
        timed = [scale.id for scale in definition.scales if scale.time_limit_seconds is not None]
        header = ["id", "sex", "age", "grade", *items, *(i + MS_SUFFIX for i in items)]
        header += [scale + ".seconds" for scale in timed]
        adaptive = battery.parts[k].adaptive is not None
        if adaptive:
            header += list(ADAPTIVE_COLUMNS)
        columns: list[list[Any]] = [[] for _ in header]
        fingerprint = json.dumps(battery.fingerprint(), sort_keys=True)
        with self._lock:
            states = [
                row[0]
                for row in self._db.execute(
                    "SELECT state FROM sessions WHERE status = 'finished' ORDER BY rowid"
                )
            ]
        for text in states:
            if json.dumps(json.loads(text)["battery"], sort_keys=True) != fingerprint:
                continue
            session = Session.from_json(text, battery, clock=lambda: 0.0)
            person = session.respondent
            cells: dict[str, Any] = {"id": person.id, "sex": person.sex}
            cells.update(age=person.age, grade=person.grade)
            for part_id, item, status, value, ms in session.item_states():
                if part_id == instrument:
                    cells[item] = _cell(value) if status == ANSWERED else None
                    cells[item + MS_SUFFIX] = ms if status == ANSWERED else None
            _, subtests = instrument_times(session)[instrument]
            cells.update({scale + ".seconds": subtests[scale] for scale in timed})
            if adaptive:
                found = adaptive_result(session, k)
                cells.update(theta=found.theta, theta_se=found.theta_se, n_items=found.n_items)
            for column, name in zip(columns, header, strict=True):
                column.append(cells.get(name))
        return ExportTable(instrument, header, columns)


def _cell(value: Any) -> Any:
    return value if isinstance(value, str) else str(value)
