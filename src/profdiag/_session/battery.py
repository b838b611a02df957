"""A battery: the instruments a session administers, in order, and how.

Each entry is an instrument (with its text overlay where the texts are licensed), its item
blocks (presented in the declared order; with `shuffle`, each block's items in an order
drawn from the session's seed) and its navigation rules. A battery refuses, when it is
built, whatever a session could not administer: an instrument without item texts, blocks
that do not cover each item once, a timed subtest whose items would not be served together.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from profdiag._instrument.model import Instrument, Item
from profdiag._instrument.overlay import TextOverlay, apply_overlay
from profdiag._irt.cat import CatRules
from profdiag._session.adaptive import AdaptivePlan, adaptive_plan
from profdiag.errors import ArgumentError

BATTERY_TAG = "profdiag-battery/1"


@dataclass(frozen=True)
class BatteryEntry:
    """One instrument of a battery and how it is administered.

    Parameters
    ----------
    instrument
        The instrument (`load_instrument`).
    overlay
        Its licensed item texts (`load_overlay`), for an instrument shipped without them.
    blocks
        Item ids in blocks, each item exactly once; blocks are served in this order. By
        default the items in the instrument's order, one block per timed subtest.
    shuffle
        Serve each block's items in a random order drawn from the session's seed (the
        same seed gives the same order, so a resumed session goes on exactly).
    allow_back, allow_skip
        Whether the respondent may go back to an item already served (and change the
        answer), and move on without answering; None: the battery's setting.
    norm_group
        The norm group for every respondent; None: chosen by age, sex and grade.
    adaptive
        Run the instrument as an adaptive section with these rules (`CatRules`): its items
        with IRT parameters are the pool, and each next item is chosen by `AdaptiveTest`
        from the answers given so far (see docs/sessions.md). No blocks, no shuffle, no
        going back.
    max_seconds
        The adaptive section's time limit in seconds (default: the limit of a timed scale
        that holds every pool item, if there is one).
    """

    instrument: Instrument
    overlay: TextOverlay | None = None
    blocks: Sequence[Sequence[str]] | None = None
    shuffle: bool = False
    allow_back: bool | None = None
    allow_skip: bool | None = None
    norm_group: str | None = None
    adaptive: CatRules | None = None
    max_seconds: float | None = None


@dataclass(frozen=True)
class Part:
    """A battery entry as administered: the instrument with texts, checked blocks, rules."""

    instrument: Instrument
    blocks: tuple[tuple[str, ...], ...]
    shuffle: bool
    allow_back: bool
    allow_skip: bool
    norm_group: str | None
    timed: dict[str, str] = field(default_factory=dict)  # item id -> its timed scale's id
    adaptive: AdaptivePlan | None = None

    @property
    def id(self) -> str:
        return self.instrument.id

    def item(self, item_id: str) -> Item:
        return self.instrument.items[self.instrument.item_index[item_id]]

    def fingerprint(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "instrument": self.instrument.id,
            "version": self.instrument.version,
            "scoring_hash": self.instrument.scoring_hash,
            "overlay_hash": self.instrument.overlay_hash,
            "blocks": [list(block) for block in self.blocks],
            "shuffle": self.shuffle,
            "allow_back": self.allow_back,
            "allow_skip": self.allow_skip,
            "norm_group": self.norm_group,
        }
        if self.adaptive is not None:
            found["adaptive"] = self.adaptive.fingerprint()
        return found


@dataclass(frozen=True)
class Slot:
    """One place in a session's order of items."""

    part: int  # index of the battery entry
    item: str
    timed_scale: str | None  # the timed subtest the item belongs to


class Battery:
    """An ordered list of instruments to administer in one session.

    Parameters
    ----------
    entries
        Instruments (administered with the battery's rules) or `BatteryEntry` objects.
    allow_back, allow_skip
        The rules for entries that do not set their own (default: neither).

    Raises
    ------
    ArgumentError
        An instrument without item texts (a key-only instrument needs its overlay), an
        instrument twice, blocks that do not list each item exactly once, or a timed
        subtest whose items are not whole, consecutive blocks.
        An adaptive entry that cannot run: no items with IRT parameters, blocks or
        shuffle, allow_back=True, timed subtests that do not each hold the whole pool
        (give max_seconds), rules that do not fit the pool; max_seconds without adaptive.

    Examples
    --------
    >>> import profdiag
    >>> battery = profdiag.Battery([profdiag.load_instrument("profdiag-riasec-72")])
    >>> len(battery.order(seed=1)), battery.parts[0].allow_back
    (72, False)
    >>> profdiag.Battery([profdiag.load_instrument("klimov-ddo")])
    Traceback (most recent call last):
      ...
    profdiag.errors.ArgumentError: klimov-ddo: 20 of 20 items have no text ...
    """

    def __init__(
        self,
        entries: Sequence[Instrument | BatteryEntry],
        *,
        allow_back: bool = False,
        allow_skip: bool = False,
    ) -> None:
        if not entries:
            raise ArgumentError("a battery needs at least one instrument")
        parts: list[Part] = []
        for given in entries:
            entry = BatteryEntry(given) if isinstance(given, Instrument) else given
            if not isinstance(entry, BatteryEntry):
                raise ArgumentError(
                    f"a battery entry is an Instrument or a BatteryEntry; got "
                    f"{type(entry).__name__}"
                )
            part = _part(entry, allow_back, allow_skip)
            if any(other.id == part.id for other in parts):
                raise ArgumentError(f"{part.id}: the instrument is in the battery twice")
            parts.append(part)
        self.parts: tuple[Part, ...] = tuple(parts)

    def fingerprint(self) -> list[dict[str, Any]]:
        """What a saved session must find again when it is resumed: each instrument's id,
        version and hashes, its blocks and rules."""
        return [part.fingerprint() for part in self.parts]

    def part(self, instrument_id: str) -> int | None:
        return next((k for k, part in enumerate(self.parts) if part.id == instrument_id), None)

    def order(self, seed: int, chosen: Mapping[int, Sequence[str]] | None = None) -> list[Slot]:
        """Every item of the battery in the order a session with this seed serves them. An
        adaptive section's items are the ones `chosen` so far (by part), then the others in
        the instrument's order."""
        slots: list[Slot] = []
        for k, part in enumerate(self.parts):
            if part.adaptive is not None:
                first = list((chosen or {}).get(k, ()))
                taken = set(first)
                rest = [item.id for item in part.instrument.items if item.id not in taken]
                slots += [Slot(k, item, part.timed.get(item)) for item in first + rest]
                continue
            for b, block in enumerate(part.blocks):
                items = list(block)
                if part.shuffle:
                    random.Random(f"{seed}:{k}:{b}").shuffle(items)
                slots += [Slot(k, item, part.timed.get(item)) for item in items]
        return slots


def _part(entry: BatteryEntry, allow_back: bool, allow_skip: bool) -> Part:
    instrument = entry.instrument
    if not isinstance(instrument, Instrument):
        raise ArgumentError(
            f"BatteryEntry.instrument: got {type(instrument).__name__}; expected an Instrument"
        )
    if entry.overlay is not None:
        instrument = apply_overlay(instrument, entry.overlay, f"overlay of {instrument.id}")
    unreadable = [item.id for item in instrument.items if not _readable(instrument, item)]
    if unreadable:
        shown = ", ".join(unreadable[:5]) + (", ..." if len(unreadable) > 5 else "")
        raise ArgumentError(
            f"{instrument.id}: {len(unreadable)} of {len(instrument.items)} items have no "
            f"text ({shown}), so they cannot be shown to a respondent; the instrument ships "
            "its key only: add the texts from your licensed manual with a text overlay "
            "(BatteryEntry(instrument, overlay=load_overlay(path)))"
        )
    if entry.adaptive is not None:
        return _adaptive_part(entry, instrument, allow_skip)
    if entry.max_seconds is not None:
        raise ArgumentError(
            f"{instrument.id}: max_seconds is the time limit of an adaptive section; this "
            "entry is not adaptive (time a fixed instrument with its scales' time limits)"
        )
    timed: dict[str, str] = {}
    for scale in instrument.scales:
        if scale.time_limit_seconds is None:
            continue
        for scale_item in scale.items:
            if scale_item.item in timed:
                raise ArgumentError(
                    f"{instrument.id}: item {scale_item.item!r} is in two timed subtests "
                    f"({timed[scale_item.item]!r} and {scale.id!r}); a session times each "
                    "item in one subtest only"
                )
            timed[scale_item.item] = scale.id
    blocks = (
        _checked_blocks(instrument, entry.blocks)
        if entry.blocks is not None
        else _default_blocks(instrument, timed)
    )
    _check_timed_blocks(instrument, blocks, timed)
    return Part(
        instrument=instrument,
        blocks=blocks,
        shuffle=bool(entry.shuffle),
        allow_back=allow_back if entry.allow_back is None else bool(entry.allow_back),
        allow_skip=allow_skip if entry.allow_skip is None else bool(entry.allow_skip),
        norm_group=entry.norm_group,
        timed=timed,
    )


def _adaptive_part(entry: BatteryEntry, instrument: Instrument, allow_skip: bool) -> Part:
    """An adaptive section: one block in the instrument's order, never shuffled, no back."""
    where = f"{instrument.id} (adaptive section)"
    if entry.blocks is not None or entry.shuffle:
        raise ArgumentError(
            f"{where}: blocks and shuffle do not apply to an adaptive section, whose items "
            "are chosen one at a time from the answers; leave them out"
        )
    if entry.allow_back:
        raise ArgumentError(
            f"{where}: going back is not possible in an adaptive section (each item is "
            "chosen from the answers before it); set allow_back to False or leave it out"
        )
    plan = adaptive_plan(instrument, entry.adaptive, entry.max_seconds)
    timed = {item.id: plan.timed_key for item in instrument.items} if plan.timed_key else {}
    return Part(
        instrument=instrument,
        blocks=(tuple(item.id for item in instrument.items),),
        shuffle=False,
        allow_back=False,
        allow_skip=allow_skip if entry.allow_skip is None else bool(entry.allow_skip),
        norm_group=entry.norm_group,
        timed=timed,
        adaptive=plan,
    )


def _readable(instrument: Instrument, item: Item) -> bool:
    """An item can be shown when it has a text, or a text for each of its options."""
    if item.text is not None:
        return True
    options = getattr(instrument.format_of(item), "options", ())
    return bool(options) and all(option.code in item.option_texts for option in options)


def _default_blocks(instrument: Instrument, timed: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """The instrument's order, cut where the timed subtest changes."""
    blocks: list[list[str]] = []
    previous: object = object()
    for item in instrument.items:
        subtest = timed.get(item.id)
        if not blocks or subtest != previous:
            blocks.append([])
        blocks[-1].append(item.id)
        previous = subtest
    return tuple(tuple(block) for block in blocks)


def _checked_blocks(
    instrument: Instrument, blocks: Sequence[Sequence[str]]
) -> tuple[tuple[str, ...], ...]:
    if isinstance(blocks, str) or not all(
        isinstance(block, Sequence) and not isinstance(block, str) for block in blocks
    ):
        raise ArgumentError(f"{instrument.id}: blocks are lists of item ids")
    checked = tuple(tuple(block) for block in blocks)
    seen: dict[str, int] = {}
    for number, block in enumerate(checked):
        if not block:
            raise ArgumentError(f"{instrument.id}: block {number} is empty")
        for item_id in block:
            if item_id not in instrument.item_index:
                raise ArgumentError(
                    f"{instrument.id}: block {number} lists {item_id!r}, which is not an item "
                    "of the instrument"
                )
            if item_id in seen:
                raise ArgumentError(
                    f"{instrument.id}: item {item_id!r} is in block {seen[item_id]} and in "
                    f"block {number}; each item belongs to one block"
                )
            seen[item_id] = number
    missing = [item.id for item in instrument.items if item.id not in seen]
    if missing:
        raise ArgumentError(
            f"{instrument.id}: the blocks leave out {len(missing)} item(s) "
            f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); "
            "every item belongs to one block"
        )
    return checked


def _check_timed_blocks(
    instrument: Instrument, blocks: tuple[tuple[str, ...], ...], timed: dict[str, str]
) -> None:
    """A timed subtest must be whole, consecutive blocks, so its items are served together
    whatever the shuffle."""
    for scale_id in dict.fromkeys(timed.values()):
        members = {item for item, scale in timed.items() if scale == scale_id}
        inside = [k for k, block in enumerate(blocks) if members & set(block)]
        whole = all(set(blocks[k]) <= members for k in inside)
        consecutive = inside == list(range(inside[0], inside[-1] + 1))
        if not (whole and consecutive):
            raise ArgumentError(
                f"{instrument.id}: the timed subtest {scale_id!r} must be whole, consecutive "
                "blocks (its items served together, with no other item between them); "
                f"its items are in block(s) {inside}"
            )
