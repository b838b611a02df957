"""The session engine: one person, one battery, one item at a time.

A session's whole state is plain data (`to_json`), so it can be saved after every action
and resumed exactly. Each action works on a copy of the state; the copy is handed to the
journal (the store commits it) and becomes the session's state only when that returns, so
an action that fails to be recorded leaves the session as it was.

Times are session seconds: readings of the injected clock (``time.monotonic`` by default,
which keeps counting across a process restart) minus the reading at the start. A resumed
session whose clock reads earlier than the last recorded time (the machine restarted) goes
on from that last time: the minutes the machine was off are not counted.
"""

from __future__ import annotations

import copy
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from profdiag._instrument.model import (
    BinaryFormat,
    Instrument,
    Item,
    LikertFormat,
    NumericFormat,
)
from profdiag._instrument.semantics import parse_number
from profdiag._session.adaptive import category, new_section, next_step, record_answer
from profdiag._session.battery import Battery, Part, Slot
from profdiag._session.model import (
    Choice,
    InstrumentProgress,
    Progress,
    Receipt,
    Respondent,
    ServedItem,
    Step,
    finite_number,
)
from profdiag.errors import ArgumentError, SessionError, show_value

if TYPE_CHECKING:
    from profdiag._profile.model import Session as SessionFacts
    from profdiag._profile.occupations import OccupationCatalogue
    from profdiag._session.results import SessionResults

SESSION_TAG = "profdiag-session/1"
Clock = Callable[[], float]

UNSEEN, ANSWERED, SKIPPED, NOT_REACHED = "unseen", "answered", "skipped", "not_reached"
NOT_SELECTED = "not_selected"  # an adaptive section's item that it did not choose
_STATE_KEYS = (
    "session_id",
    "respondent",
    "seed",
    "t0",
    "last",
    "position",
    "serving_since",
    "next_seq",
    "status",
    "slots",
    "subtests",
    "receipts",
    "finished_at",
    "revision",
)


class Journal(Protocol):
    """Where a session records each change before it takes effect (the store)."""

    def record(self, session_id: str, step: Step, state: dict[str, Any]) -> None: ...


class Session:
    """One respondent taking a battery, one item at a time.

    Start one with `Session.start` (in memory) or `SessionStore.start` (every action
    committed to SQLite before it returns). Then, until `serve` returns None: `serve`
    the current item, and `answer` it (or `skip` it, or go `back`, where the battery
    allows); then `finish` and take the `results`.

    Each action takes the sequence number ``seq`` that the served item carries; a retry of
    an action with the number it was recorded under returns the first receipt (with
    ``duplicate=True``) and records nothing. Without ``seq`` the next number is used.

    Examples
    --------
    >>> import profdiag
    >>> battery = profdiag.Battery([profdiag.load_instrument("profdiag-riasec-72")])
    >>> ticks = iter(range(0, 10_000, 2))
    >>> session = profdiag.Session.start(
    ...     battery, profdiag.Respondent("k-001", age=15), seed=7, clock=lambda: next(ticks))
    >>> item = session.serve()
    >>> item.item, [choice.code for choice in item.choices], item.seq
    ('r01', ['0', '1', '2', '3', '4'], 1)
    >>> session.answer(item.instrument, item.item, "3", seq=item.seq).response_ms
    2000
    >>> session.answer(item.instrument, item.item, "3", seq=item.seq).duplicate  # a retry
    True
    >>> session.answer(item.instrument, item.item, "4", seq=item.seq)
    Traceback (most recent call last):
      ...
    profdiag.errors.SessionError: sequence number 1 was used for another action ...
    >>> session.progress().answered, session.progress().total
    (1, 72)
    """

    def __init__(
        self,
        battery: Battery,
        state: dict[str, Any],
        clock: Clock,
        journal: Journal | None = None,
    ) -> None:
        self._battery = battery
        self._spans: list[tuple[int, int]] = []
        start = 0
        for part in battery.parts:
            self._spans.append((start, len(part.instrument.items)))
            start += len(part.instrument.items)
        self._state = state
        self._arrange()
        self._clock = clock
        self._journal = journal
        self._lock = threading.RLock()

    # --- life cycle ---------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        battery: Battery,
        respondent: Respondent,
        *,
        session_id: str | None = None,
        seed: int | None = None,
        clock: Clock | None = None,
        journal: Journal | None = None,
    ) -> Session:
        """A new session of `battery` for `respondent`.

        Parameters
        ----------
        battery
            What to administer.
        respondent
            Who takes it.
        session_id
            The session's id (default: a random one).
        seed
            Draws the order of shuffled blocks and the seeds of adaptive sections (default:
            a random one, saved with the state).
        clock
            Seconds from a monotonic clock (default `time.monotonic`); tests inject one.
        journal
            Where each change is recorded before it takes effect (`SessionStore` passes
            itself).

        Returns
        -------
        Session
            Open, with its first item current (not yet served).

        Raises
        ------
        ArgumentError
            A battery or respondent of the wrong type, a seed that is not a whole number.

        Examples
        --------
        >>> import profdiag
        >>> battery = profdiag.Battery([profdiag.load_instrument("onet-ip-sf-60")])
        >>> session = profdiag.Session.start(battery, profdiag.Respondent("a1"), seed=1)
        >>> session.serve().item
        'ip01'
        """
        if not isinstance(battery, Battery):
            raise ArgumentError(f"battery: got {type(battery).__name__}; expected a Battery")
        if not isinstance(respondent, Respondent):
            raise ArgumentError(
                f"respondent: got {type(respondent).__name__}; expected a Respondent"
            )
        if seed is None:
            seed = secrets.randbits(63)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ArgumentError(f"seed: got {show_value(seed)}; expected a whole number")
        clock = clock or time.monotonic
        total = sum(len(part.instrument.items) for part in battery.parts)
        sections = {
            str(k): new_section(seed, k)
            for k, part in enumerate(battery.parts)
            if part.adaptive is not None
        }
        state: dict[str, Any] = {
            "format": SESSION_TAG,
            "session_id": session_id or secrets.token_hex(8),
            "respondent": respondent.to_dict(),
            "seed": seed,
            "battery": battery.fingerprint(),
            "t0": float(clock()),
            "last": 0.0,
            "position": 0,
            "serving_since": None,
            "next_seq": 1,
            "status": "open",
            "slots": [[UNSEEN, None, None, None, None] for _ in range(total)],
            "subtests": {},
            "receipts": [],
            "finished_at": None,
            "revision": 0,
        }
        if sections:
            state["adaptive"] = sections
        session = cls(battery, state, clock, journal)
        session._enter(state, 0.0)
        session._arrange()
        with session._lock:
            session._commit(copy.deepcopy(state), Step("start", None))
        return session

    @classmethod
    def from_json(
        cls,
        text: str,
        battery: Battery,
        *,
        clock: Clock | None = None,
        journal: Journal | None = None,
    ) -> Session:
        """A session saved with `to_json`, ready to go on where it stopped.

        Parameters
        ----------
        text
            What `to_json` returned.
        battery
            The same battery (checked: instruments, versions, hashes, blocks and rules).
        clock, journal
            As for `start`.

        Returns
        -------
        Session
            In exactly the state it was saved in.

        Raises
        ------
        ArgumentError
            The text is not a saved session, or the battery is not the one it was run with.

        Examples
        --------
        >>> import profdiag
        >>> battery = profdiag.Battery([profdiag.load_instrument("onet-ip-sf-60")])
        >>> session = profdiag.Session.start(battery, profdiag.Respondent("a1"), seed=1)
        >>> session.answer("onet-ip-sf-60", session.serve().item, 4).seq
        1
        >>> again = profdiag.Session.from_json(session.to_json(), battery)
        >>> again.to_json() == session.to_json(), again.serve().item
        (True, 'ip02')
        """
        try:
            state = json.loads(text)
        except (TypeError, ValueError):
            raise ArgumentError("not a saved session: the text is not JSON") from None
        if not isinstance(state, dict) or state.get("format") != SESSION_TAG:
            raise ArgumentError(f"not a saved session: expected format {SESSION_TAG!r}")
        if state.get("battery") != battery.fingerprint():
            raise ArgumentError(
                f"session {state.get('session_id')!r} was run with another battery (its "
                "instruments, versions, texts, blocks or rules differ); resume it with the "
                "battery it was started with"
            )
        clock = clock or time.monotonic
        try:
            missing = [key for key in _STATE_KEYS if key not in state]
            for k, part in enumerate(battery.parts):
                if part.adaptive is not None:
                    section = state["adaptive"][str(k)]
                    missing += [key for key in ("items", "end", "cat") if key not in section]
            session = cls(battery, state, clock, journal) if not missing else None
            if session is None or len(state["slots"]) != len(session._order):
                raise KeyError("slots")
            now, last = float(clock()), float(state["last"])
            if now - float(state["t0"]) < last:  # another clock (a restart): go on from last
                state["t0"] = now - last
        except (KeyError, TypeError, ValueError):
            raise ArgumentError(
                f"session {state.get('session_id')!r}: the saved state is damaged"
            ) from None
        return session

    def to_json(self) -> str:
        """The whole state as JSON text (keys sorted): what `from_json` resumes from.

        Returns
        -------
        str
            JSON; it holds the respondent's data, given name included.
        """
        with self._lock:
            return _dumps(self._state)

    # --- reading ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return str(self._state["session_id"])

    @property
    def battery(self) -> Battery:
        return self._battery

    @property
    def respondent(self) -> Respondent:
        return Respondent(**self._state["respondent"])

    @property
    def finished(self) -> bool:
        return bool(self._state["status"] == "finished")

    @property
    def complete(self) -> bool:
        """True when no item is left to serve (the session can be finished)."""
        return bool(self._state["position"] >= len(self._order))

    @property
    def current(self) -> tuple[str, str] | None:
        """(instrument, item) of the current item, without serving it; None when none is
        left. (`serve` also closes a subtest whose time ran out; this only reads.)"""
        position = self._state["position"]
        if self.finished or position >= len(self._order):
            return None
        slot = self._order[position]
        return self._battery.parts[slot.part].id, slot.item

    @property
    def pending_subtest(self) -> tuple[str, str, float] | None:
        """(instrument, scale, time limit in seconds) of the timed subtest the current item
        opens, while its clock has not started (a page shows its instructions before
        `serve` starts the clock); None otherwise."""
        with self._lock:
            position = self._state["position"]
            if self.finished or position >= len(self._order):
                return None
            slot = self._order[position]
            if slot.timed_scale is None:
                return None
            subtest = self._subtest(slot.part, slot.timed_scale)
            if subtest is not None and subtest[0] is not None:
                return None
            part = self._battery.parts[slot.part]
            limit = part.instrument.scale(slot.timed_scale).time_limit_seconds
            return part.id, slot.timed_scale, float(limit or 0)

    def expire(self) -> None:
        """Close the current timed subtest if its time has run out, as `serve` does first,
        without serving the next item (a page can then show `pending_subtest`'s
        instructions before the next subtest's clock starts)."""
        with self._lock:
            if not self.finished:
                self._expire()

    @property
    def next_seq(self) -> int:
        return int(self._state["next_seq"])

    def progress(self) -> Progress:
        """Answered items of all, overall and per instrument.

        For an adaptive section (``adaptive=True``) ``total`` is an upper bound while it
        runs (the most items it can serve: max_items or the pool's size) and the number it
        served once it has ended; its items not chosen are counted nowhere.

        Returns
        -------
        Progress
        """
        with self._lock:
            counts = [[0, 0, 0, 0] for _ in self._battery.parts]
            for slot, (status, *_) in zip(self._order, self._state["slots"], strict=True):
                row = counts[slot.part]
                row[3] += 1
                if status in (ANSWERED, SKIPPED, NOT_REACHED):
                    row[(ANSWERED, SKIPPED, NOT_REACHED).index(status)] += 1
            for k, row in enumerate(counts):
                row[3] = self._part_total(k)
            parts = tuple(
                InstrumentProgress(
                    part.id, answered, skipped, missed, total, part.adaptive is not None
                )
                for part, (answered, skipped, missed, total) in zip(
                    self._battery.parts, counts, strict=True
                )
            )
            return Progress(sum(p.answered for p in parts), sum(p.total for p in parts), parts)

    def answers(self) -> dict[str, dict[str, Any]]:
        """Instrument id -> item id -> answer (None where not answered)."""
        with self._lock:
            table: dict[str, dict[str, Any]] = {part.id: {} for part in self._battery.parts}
            for slot, cell in zip(self._order, self._state["slots"], strict=True):
                table[self._battery.parts[slot.part].id][slot.item] = (
                    cell[1] if cell[0] == ANSWERED else None
                )
            return table

    def item_states(self) -> list[tuple[str, str, str, Any, int | None]]:
        """Per item in serving order: instrument, item, status (unseen, answered, skipped,
        not_reached; not_selected: an adaptive section did not choose it), answer, response
        time in ms. An adaptive section lists the items it chose first, in order."""
        with self._lock:
            return [
                (self._battery.parts[s.part].id, s.item, cell[0], cell[1], cell[2])
                for s, cell in zip(self._order, self._state["slots"], strict=True)
            ]

    # --- actions ------------------------------------------------------------------------

    def serve(self) -> ServedItem | None:
        """The current item, marked as shown now (its response time and, for the first item
        of a timed subtest, the subtest's time start here; serving it again does not reset
        them). Closes a subtest whose time has run out first.

        Returns
        -------
        ServedItem or None
            None when no item is left (`finish` the session).

        Raises
        ------
        SessionError
            The session is finished (reason "finished").
        """
        with self._lock:
            self._refuse_if_finished()
            now = self._expire()
            state = self._state
            position = state["position"]
            if position >= len(self._order):
                return None
            if state["serving_since"] is None:
                new = copy.deepcopy(state)
                new["serving_since"] = now
                cell = new["slots"][position]
                if cell[3] is None:
                    cell[3] = now
                slot = self._order[position]
                if slot.timed_scale is not None:
                    subtest = new["subtests"].setdefault(_subtest_key(slot), [None, None, False])
                    if subtest[0] is None:
                        subtest[0] = now
                part = self._battery.parts[slot.part]
                self._commit(new, Step("serve", None, part.id, slot.item, elapsed=now))
            return self._served(position, now)

    def answer(self, instrument: str, item: str, value: Any, *, seq: int | None = None) -> Receipt:
        """Record an answer to the current item (or, where the battery allows going back,
        change the answer to an item served before).

        Parameters
        ----------
        instrument, item
            Which item (as `serve` named it).
        value
            One of the item's codes: an option code ("а"), a Likert or binary code as a
            number or its digits (4 or "4"), a number within a numeric item's bounds.
        seq
            The sequence number from the served item (default: the next one).

        Returns
        -------
        Receipt
            The recorded answer with its response time in ms (from serving to now).

        Raises
        ------
        SessionError
            reason "invalid_value" (a code the item's format does not have: the message
            names the item, the value and the allowed codes), "not_current" (not the current
            item, and not one the respondent may go back to), "not_served", "time_up" (the
            subtest's time ran out: the answer is not recorded and the subtest is closed),
            "finished", "sequence" (a number ahead, or one used for another action).
        """
        return self._act("answer", instrument, item, value, seq)

    def skip(self, instrument: str, item: str, *, seq: int | None = None) -> Receipt:
        """Move on from the current item without answering it (where the battery allows).

        Parameters
        ----------
        instrument, item
            The current item.
        seq
            The sequence number from the served item.

        Returns
        -------
        Receipt

        Raises
        ------
        SessionError
            reason "skip_not_allowed", "not_current", "time_up", "finished", "sequence".
        """
        return self._act("skip", instrument, item, None, seq)

    def back(self, *, seq: int | None = None) -> Receipt:
        """Go back to the item before the current one (where the battery allows: within
        the same instrument, never into a subtest that is over).

        Parameters
        ----------
        seq
            The sequence number from the served item.

        Returns
        -------
        Receipt

        Raises
        ------
        SessionError
            reason "back_not_allowed", "finished", "sequence".
        """
        return self._act("back", None, None, None, seq)

    def finish(self, *, seq: int | None = None) -> Receipt:
        """End the session: items not answered or skipped are recorded as not reached.
        Afterwards every action is refused.

        Parameters
        ----------
        seq
            The next sequence number.

        Returns
        -------
        Receipt

        Raises
        ------
        SessionError
            reason "finished" (already), "sequence".
        """
        return self._act("finish", None, None, None, seq)

    def results(
        self,
        *,
        catalogue: OccupationCatalogue | None = None,
        facts: SessionFacts | None = None,
        level: float = 0.90,
    ) -> SessionResults:
        """Scores, standard scores and the profile of a finished session.

        Parameters
        ----------
        catalogue
            Occupations to match (`load_catalogue()`); None: the profile lists none.
        facts
            The testing session's facts printed on the report (date, counsellor,
            organisation), a `profdiag._profile.model.Session`.
        level
            Confidence level of the T bands.

        Returns
        -------
        SessionResults
            Per instrument the ScoreResult, and the Profile; ``pdf()`` renders a report.

        Raises
        ------
        SessionError
            The session is not finished (reason "not_finished").
        """
        from profdiag._session.results import session_results

        with self._lock:
            if not self.finished:
                raise SessionError(
                    "not_finished", f"session {self.id!r} is not finished; finish it first"
                )
            return session_results(self, catalogue=catalogue, facts=facts, level=level)

    # --- internals ----------------------------------------------------------------------

    def _act(
        self, action: str, instrument: str | None, item: str | None, value: Any, seq: int | None
    ) -> Receipt:
        with self._lock:
            state = self._state
            if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int)):
                raise SessionError("sequence", f"seq: got {show_value(seq)}; expected a number")
            if seq is not None and seq < state["next_seq"]:
                return self._retry(seq, action, instrument, item, value)
            if seq is not None and seq > state["next_seq"]:
                raise SessionError(
                    "sequence",
                    f"sequence number {seq} is ahead of the session, which expects "
                    f"{state['next_seq']}",
                )
            self._refuse_if_finished()
            now = self._expire()
            number = int(self._state["next_seq"])
            if action == "answer":
                assert instrument is not None and item is not None
                return self._answer(number, instrument, item, value, now)
            if action == "skip":
                assert instrument is not None and item is not None
                return self._skip(number, instrument, item, now)
            if action == "back":
                return self._back(number, now)
            return self._finish(number, now)

    def _answer(self, seq: int, instrument: str, item_id: str, value: Any, now: float) -> Receipt:
        k = self._slot_of(instrument, item_id)
        slot = self._order[k]
        part = self._battery.parts[slot.part]
        checked = checked_value(part.instrument, part.item(item_id), value)
        state = self._state
        cell = state["slots"][k]
        self._refuse_if_timed_out(slot, cell)
        position = state["position"]
        new = copy.deepcopy(state)
        new_cell = new["slots"][k]
        if k == position:
            if state["serving_since"] is None:
                raise SessionError(
                    "not_served",
                    f"{instrument} item {item_id} has not been served yet; serve it first",
                )
            response_ms = _ms(now - state["serving_since"])
            new_cell[0], new_cell[1], new_cell[2], new_cell[4] = ANSWERED, checked, response_ms, now
            plan = part.adaptive
            if plan is not None:
                answer = category(part.instrument, plan, item_id, checked)
                record_answer(new["adaptive"][str(slot.part)], plan, item_id, answer)
            self._advance(new, now)
        elif (
            k < position
            and cell[0] in (ANSWERED, SKIPPED)
            and part.allow_back
            and not self._subtest_over(slot)
        ):
            response_ms = None  # changed without being served again: no response time
            new_cell[0], new_cell[1], new_cell[2], new_cell[4] = ANSWERED, checked, response_ms, now
        else:
            message = self._not_current(instrument, item_id)
            if self._subtest_over(slot):
                message += f"; the timed subtest {slot.timed_scale!r} is over"
            raise SessionError("not_current", message)
        receipt = Receipt(seq, "answer", instrument, item_id, checked, response_ms, False)
        step = Step("answer", seq, instrument, item_id, checked, response_ms, now)
        self._commit(_with_receipt(new, receipt), step)
        return receipt

    def _skip(self, seq: int, instrument: str, item_id: str, now: float) -> Receipt:
        k = self._slot_of(instrument, item_id)
        slot = self._order[k]
        part = self._battery.parts[slot.part]
        self._refuse_if_timed_out(slot, self._state["slots"][k])
        if k != self._state["position"]:
            raise SessionError("not_current", self._not_current(instrument, item_id))
        if not part.allow_skip:
            raise SessionError(
                "skip_not_allowed", f"{instrument}: items may not be skipped in this battery"
            )
        new = copy.deepcopy(self._state)
        cell = new["slots"][k]
        if cell[0] != ANSWERED:  # after going back, skipping keeps the earlier answer
            cell[0] = SKIPPED
        self._advance(new, now)
        receipt = Receipt(seq, "skip", instrument, item_id, None, None, False)
        self._commit(
            _with_receipt(new, receipt), Step("skip", seq, instrument, item_id, elapsed=now)
        )
        return receipt

    def _back(self, seq: int, now: float) -> Receipt:
        state = self._state
        position = state["position"]
        refusal = self._back_refusal(position)
        if refusal:
            raise SessionError("back_not_allowed", refusal)
        target = self._order[position - 1]
        part = self._battery.parts[target.part]
        new = copy.deepcopy(state)
        new["position"] = position - 1
        new["serving_since"] = None
        receipt = Receipt(seq, "back", part.id, target.item, None, None, False)
        self._commit(
            _with_receipt(new, receipt), Step("back", seq, part.id, target.item, elapsed=now)
        )
        return receipt

    def _back_refusal(self, position: int) -> str | None:
        if position == 0:
            return "this is the first item: there is nothing to go back to"
        target = self._order[position - 1]
        part = self._battery.parts[target.part]
        if part.adaptive is not None:
            return f"{part.id}: going back is not possible in an adaptive section"
        if not part.allow_back:
            return f"{part.id}: going back is not allowed in this battery"
        if position < len(self._order):
            current = self._order[position]
            if current.part != target.part:
                return "going back into the previous instrument is not allowed"
            if current.timed_scale != target.timed_scale:
                return "going back across the start of a timed subtest is not allowed"
        if target.timed_scale is not None:
            subtest = self._state["subtests"].get(_subtest_key(target))
            if subtest is not None and subtest[1] is not None:
                return f"the timed subtest {target.timed_scale!r} is over"
        return None

    def _finish(self, seq: int, now: float) -> Receipt:
        new = copy.deepcopy(self._state)
        for k, section in new.get("adaptive", {}).items():
            if section["end"] is None:
                self._close_section(new, int(k), "finish", now)
        for cell in new["slots"]:
            if cell[0] == UNSEEN:
                cell[0] = NOT_REACHED
        for subtest in new["subtests"].values():
            if subtest[0] is not None and subtest[1] is None:
                subtest[1] = now
        new["status"] = "finished"
        new["finished_at"] = now
        new["serving_since"] = None
        receipt = Receipt(seq, "finish", None, None, None, None, True)
        self._commit(_with_receipt(new, receipt), Step("finish", seq, elapsed=now))
        return receipt

    def _advance(self, new: dict[str, Any], now: float) -> None:
        """Move past the current item; a timed subtest whose last item this was is over."""
        position = new["position"]
        slot = self._order[position]
        new["position"] = position + 1
        new["serving_since"] = None
        if self._battery.parts[slot.part].adaptive is not None:
            self._choose(new, slot.part, now)
            return
        following = self._order[position + 1] if position + 1 < len(self._order) else None
        if slot.timed_scale is not None and (
            following is None
            or following.part != slot.part
            or following.timed_scale != slot.timed_scale
        ):
            new["subtests"][_subtest_key(slot)][1] = now
        self._enter(new, now)

    def _enter(self, new: dict[str, Any], now: float) -> None:
        """At the next unchosen place of an adaptive section: choose its item, or end the
        section (its items not chosen are not selected) and go on to the next part."""
        position = new["position"]
        if position >= len(self._order):
            return
        k = self._order[position].part
        plan = self._battery.parts[k].adaptive
        if plan is None:
            return
        section = new["adaptive"][str(k)]
        if section["end"] is None and position == self._spans[k][0] + len(section["items"]):
            self._choose(new, k, now)

    def _choose(self, new: dict[str, Any], k: int, now: float) -> None:
        """Choose adaptive section `k`'s next item, or end the section and enter the next."""
        plan = self._battery.parts[k].adaptive
        assert plan is not None
        section = new["adaptive"][str(k)]
        start, _ = self._spans[k]
        served = zip(section["items"], new["slots"][start:], strict=False)
        skipped = {item for item, cell in served if cell[0] == SKIPPED}
        end = next_step(section, plan, skipped)
        if end is not None:
            self._close_section(new, k, end, now)
            self._enter(new, now)

    def _close_section(self, new: dict[str, Any], k: int, end: str, now: float) -> None:
        """End adaptive section `k`: a chosen item not answered is not reached, the items
        not chosen are not selected, and the next item is the one after the section."""
        section = new["adaptive"][str(k)]
        start, n = self._spans[k]
        chosen = len(section["items"])
        for p in range(start, start + n):
            cell = new["slots"][p]
            if cell[0] == UNSEEN:
                cell[0] = NOT_REACHED if p < start + chosen else NOT_SELECTED
        section["end"] = end
        plan = self._battery.parts[k].adaptive
        assert plan is not None
        subtest = new["subtests"].get(f"{k}/{plan.timed_key}")
        if subtest is not None and subtest[0] is not None and subtest[1] is None:
            subtest[1] = now
        if start <= new["position"] < start + n:
            new["position"] = start + n
            new["serving_since"] = None

    def _expire(self) -> float:
        """Now in session seconds; first closes the current subtest if its time ran out: its
        items not answered or skipped are not reached, and the next item comes after it."""
        now = self._now()
        state = self._state
        position = state["position"]
        if position >= len(self._order):
            return now
        slot = self._order[position]
        if slot.timed_scale is None:
            return now
        subtest = state["subtests"].get(_subtest_key(slot))
        if subtest is None or subtest[0] is None or subtest[1] is not None:
            return now
        part = self._battery.parts[slot.part]
        limit = self._limit(slot)
        if now - subtest[0] <= limit:
            return now
        new = copy.deepcopy(state)
        if part.adaptive is not None:
            new["subtests"][_subtest_key(slot)][1:] = [subtest[0] + limit, True]
            self._close_section(new, slot.part, "time", now)
            self._enter(new, now)
            step = Step("timeout", None, part.id, elapsed=now, scale=slot.timed_scale)
            self._commit(new, step)
            return now
        end = position
        while (
            end < len(self._order)
            and self._order[end].part == slot.part
            and self._order[end].timed_scale == slot.timed_scale
        ):
            if new["slots"][end][0] == UNSEEN:
                new["slots"][end][0] = NOT_REACHED
            end += 1
        new["position"] = end
        new["serving_since"] = None
        new["subtests"][_subtest_key(slot)][1:] = [subtest[0] + limit, True]
        self._enter(new, now)
        self._commit(new, Step("timeout", None, part.id, elapsed=now, scale=slot.timed_scale))
        return now

    def _now(self) -> float:
        return max(float(self._clock()) - float(self._state["t0"]), float(self._state["last"]))

    def _commit(self, new: dict[str, Any], step: Step) -> None:
        new["last"] = max(new["last"], step.elapsed)
        new["revision"] = self._state["revision"] + 1 if step.kind != "start" else 0
        if self._journal is not None:
            self._journal.record(new["session_id"], step, new)
        self._state = new
        if "adaptive" in new:  # a fixed order never changes
            self._arrange()

    def _arrange(self) -> None:
        """The order of items for the current state (adaptive sections: the chosen ones
        first) and where each item is in it."""
        sections = self._state.get("adaptive", {})
        chosen = {int(k): section["items"] for k, section in sections.items()}
        self._order: list[Slot] = self._battery.order(self._state["seed"], chosen)
        self._index = {
            (self._battery.parts[s.part].id, s.item): k for k, s in enumerate(self._order)
        }

    def _part_total(self, k: int) -> int:
        """A part's number of items; for an adaptive section the most it can serve, and
        once it has ended the number it served."""
        plan = self._battery.parts[k].adaptive
        if plan is None:
            return self._spans[k][1]
        section = self._state["adaptive"][str(k)]
        return len(section["items"]) if section["end"] is not None else plan.cap

    def _limit(self, slot: Slot) -> float:
        part = self._battery.parts[slot.part]
        if part.adaptive is not None and part.adaptive.limit is not None:
            return part.adaptive.limit
        assert slot.timed_scale is not None
        limit = part.instrument.scale(slot.timed_scale).time_limit_seconds
        assert limit is not None
        return float(limit)

    def _retry(
        self, seq: int, action: str, instrument: str | None, item: str | None, value: Any
    ) -> Receipt:
        if seq < 1:
            raise SessionError("sequence", f"seq: got {seq}; sequence numbers start at 1")
        stored = dict(self._state["receipts"][seq - 1])
        names_item = action in ("answer", "skip")
        same = stored["action"] == action and (
            not names_item or (stored["instrument"], stored["item"]) == (instrument, item)
        )
        if same and action == "answer":
            assert instrument is not None and item is not None
            entry = self._battery.parts[self._order[self._slot_of(instrument, item)].part]
            same = checked_value(entry.instrument, entry.item(item), value) == stored["value"]
        if not same:
            what = " ".join(
                str(word) for word in (stored["action"], stored["item"]) if word is not None
            )
            if stored["action"] == "answer":
                what += f" = {show_value(stored['value'])}"
            raise SessionError(
                "sequence",
                f"sequence number {seq} was used for another action ({what}); the session "
                f"expects {self._state['next_seq']}",
            )
        stored["duplicate"] = True
        return Receipt(**stored)

    def _slot_of(self, instrument: str, item: str) -> int:
        k = self._index.get((instrument, item))
        if k is None:
            if self._battery.part(instrument) is None:
                raise SessionError(
                    "unknown_item", f"{show_value(instrument)} is not an instrument of the battery"
                )
            raise SessionError(
                "unknown_item", f"{instrument}: {show_value(item)} is not one of its items"
            )
        return k

    def _not_current(self, instrument: str, item: str) -> str:
        position = self._state["position"]
        if position >= len(self._order):
            current = "no item is current (all were served; finish the session)"
        else:
            slot = self._order[position]
            current = f"the current item is {self._battery.parts[slot.part].id} {slot.item}"
        return f"{instrument} item {item} is not the current item; {current}"

    def _subtest_over(self, slot: Slot) -> bool:
        if slot.timed_scale is None:
            return False
        subtest = self._state["subtests"].get(_subtest_key(slot))
        return subtest is not None and subtest[1] is not None

    def _refuse_if_finished(self) -> None:
        if self._state["status"] == "finished":
            raise SessionError("finished", f"session {self.id!r} is finished")

    def _refuse_if_timed_out(self, slot: Slot, cell: list[Any]) -> None:
        if slot.timed_scale is None:
            return
        subtest = self._state["subtests"].get(_subtest_key(slot))
        if subtest is not None and subtest[2]:
            part = self._battery.parts[slot.part]
            raise SessionError(
                "time_up",
                f"the time for subtest {slot.timed_scale!r} of {part.id} ran out "
                f"({self._limit(slot):g} s); "
                f"item {slot.item} can no longer be answered",
            )

    def _served(self, position: int, now: float) -> ServedItem:
        slot = self._order[position]
        part = self._battery.parts[slot.part]
        item = part.item(slot.item)
        fmt = part.instrument.format_of(item)
        cell = self._state["slots"][position]
        seconds_left = None
        if slot.timed_scale is not None:
            started = self._state["subtests"][_subtest_key(slot)][0]
            seconds_left = max(0.0, started + self._limit(slot) - now)
        before = sum(self._part_total(k) for k in range(slot.part))
        return ServedItem(
            instrument=part.id,
            item=slot.item,
            position=before + position - self._spans[slot.part][0] + 1,
            total=sum(self._part_total(k) for k in range(len(self._battery.parts))),
            text=item.text,
            kind=fmt.type,
            choices=_choices(part, item),
            minimum=getattr(fmt, "min", None),
            maximum=getattr(fmt, "max", None),
            answer=cell[1] if cell[0] == ANSWERED else None,
            can_back=self._back_refusal(position) is None,
            can_skip=part.allow_skip,
            subtest=slot.timed_scale,
            seconds_left=seconds_left,
            seq=int(self._state["next_seq"]),
            title=part.instrument.title,
            notice=part.instrument.licence.notice,
        )

    # for results and the store
    def _slots(self) -> list[tuple[Slot, list[Any]]]:
        return list(zip(self._order, self._state["slots"], strict=True))

    def _section(self, part: int) -> dict[str, Any]:
        found: dict[str, Any] = self._state["adaptive"][str(part)]
        return found

    def _subtest(self, part: int, scale: str) -> list[Any] | None:
        found: list[Any] | None = self._state["subtests"].get(f"{part}/{scale}")
        return found


def _subtest_key(slot: Slot) -> str:
    return f"{slot.part}/{slot.timed_scale}"


def _with_receipt(new: dict[str, Any], receipt: Receipt) -> dict[str, Any]:
    new["receipts"].append(receipt.to_dict())
    new["next_seq"] = receipt.seq + 1
    return new


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _dumps(state: dict[str, Any]) -> str:
    return json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _choices(part: Part, item: Item) -> tuple[Choice, ...]:
    fmt = part.instrument.format_of(item)
    if isinstance(fmt, LikertFormat | BinaryFormat):
        return tuple(Choice(str(code), fmt.labels.get(str(code))) for code in fmt.codes)
    options = getattr(fmt, "options", ())
    return tuple(
        Choice(option.code, item.option_texts.get(option.code, option.label)) for option in options
    )


def allowed_codes(instrument: Instrument, item: Item) -> list[str]:
    fmt = instrument.format_of(item)
    if isinstance(fmt, LikertFormat | BinaryFormat):
        return [str(code) for code in fmt.codes]
    return [option.code for option in getattr(fmt, "options", ())]


def checked_value(instrument: Instrument, item: Item, value: Any) -> Any:
    """`value` as the item's answer (an int code, an option code, a number), or a
    SessionError naming the item, the value and what the format accepts."""
    fmt = instrument.format_of(item)
    where = f"{instrument.id} item {item.id}"
    if isinstance(fmt, NumericFormat):
        number = value if finite_number(value) else None
        if isinstance(value, str):
            number = parse_number(value)
        low = -1e9 if fmt.min is None else fmt.min
        high = 1e9 if fmt.max is None else fmt.max
        if (
            number is None
            or not math.isfinite(number)
            or not low <= number <= high
            or (fmt.integer and number != int(number))
        ):
            kind = "a whole number" if fmt.integer else "a number"
            raise SessionError(
                "invalid_value",
                f"{where}: got {show_value(value)}; expected {kind} from {low:g} to {high:g}",
            )
        return int(number) if fmt.integer else float(number)
    codes = allowed_codes(instrument, item)
    if isinstance(fmt, LikertFormat | BinaryFormat):
        if isinstance(value, int) and not isinstance(value, bool) and value in fmt.codes:
            return value
        if isinstance(value, str) and value in codes:
            return int(value)
    elif isinstance(value, str) and value in codes:
        return value
    raise SessionError(
        "invalid_value",
        f"{where}: got {show_value(value)}; expected one of the codes {', '.join(codes)}",
    )
