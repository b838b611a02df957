"""What a session shows and returns: the respondent, the served item, receipts, progress."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from profdiag._instrument.model import LocalizedText
from profdiag.errors import ArgumentError, show_value

Stage = Literal["grade9", "grade11", "adult_without_profession", "adult_with_profession"]
STAGES: tuple[str, ...] = (
    "grade9",
    "grade11",
    "adult_without_profession",
    "adult_with_profession",
)
_ID_LIMIT = 200
_NAME_LIMIT = 300


@dataclass(frozen=True)
class Respondent:
    """Who takes a session: what profiles and norm groups need.

    Parameters
    ----------
    id
        The respondent's (or the session's) identifier, printed as the profile's
        respondent; 1-200 characters.
    age
        Completed years (0-120), chooses the norm group and whom the report speaks to.
    sex
        "f" or "m", for norm groups.
    grade
        School grade 1-12, for norm groups.
    stage
        "grade9", "grade11", "adult_without_profession" or "adult_with_profession".
    given_name
        How the report greets the person. Personal data: it goes into the profile only,
        never into a message or an error.

    Raises
    ------
    ArgumentError
        A value outside the ranges above (the message never repeats the given name).
    """

    id: str
    age: int | None = None
    sex: Literal["f", "m"] | None = None
    grade: int | None = None
    stage: Stage | None = None
    given_name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not 0 < len(self.id) <= _ID_LIMIT:
            raise ArgumentError(
                f"Respondent.id: got {show_value(self.id)}; expected a text of 1-{_ID_LIMIT} "
                "characters"
            )
        _whole("age", self.age, 0, 120)
        _whole("grade", self.grade, 1, 12)
        if self.sex not in (None, "f", "m"):
            raise ArgumentError(f"Respondent.sex: got {show_value(self.sex)}; expected f or m")
        if self.stage is not None and self.stage not in STAGES:
            raise ArgumentError(
                f"Respondent.stage: got {show_value(self.stage)}; expected one of "
                + ", ".join(STAGES)
            )
        name = self.given_name
        if name is not None and (not isinstance(name, str) or len(name) > _NAME_LIMIT):
            what = f"a text of {len(name)} characters" if isinstance(name, str) else "not a text"
            raise ArgumentError(
                f"Respondent.given_name: got {what}; expected a text of at most "
                f"{_NAME_LIMIT} characters"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def attributes(self) -> dict[str, list[Any]]:
        """The norm-selecting attributes that are known, one value each."""
        known = {"sex": self.sex, "age": self.age, "grade": self.grade}
        return {name: [value] for name, value in known.items() if value is not None}


def _whole(name: str, value: Any, low: int, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ArgumentError(
            f"Respondent.{name}: got {show_value(value)}; expected a whole number from {low} "
            f"to {high}"
        )


@dataclass(frozen=True)
class Choice:
    """One answer a respondent can give: the code to send back and its text."""

    code: str
    label: LocalizedText | None


@dataclass(frozen=True)
class ServedItem:
    """The item to show, with everything a page needs to render it.

    ``seq`` is the sequence number the next action must carry (a retry with the same number
    is recognised and not recorded twice). ``choices`` is empty for a numeric item, which
    takes a number within ``minimum``..``maximum``. ``seconds_left`` counts down a timed
    subtest (None when the item is not timed). ``notice`` is the instrument's licence
    notice, which must be shown wherever its texts are (O*NET's, for example).
    ``position`` and ``total`` count an adaptive section by the items it serves: ``total``
    is an upper bound while a section runs (see `Session.progress`).
    """

    instrument: str
    item: str
    position: int  # 1-based, in the whole battery
    total: int
    text: LocalizedText | None
    kind: str  # the response format's type: likert, binary, numeric, ...
    choices: tuple[Choice, ...]
    minimum: float | None
    maximum: float | None
    answer: Any  # the answer given before (after going back), else None
    can_back: bool
    can_skip: bool
    subtest: str | None
    seconds_left: float | None
    seq: int
    title: LocalizedText | None = None  # the instrument's title
    notice: LocalizedText | None = None  # its licence notice: show it with the texts


@dataclass(frozen=True)
class Receipt:
    """What an action did. ``duplicate`` is True when the action was a retry of one already
    recorded under the same sequence number: nothing was recorded again."""

    seq: int
    action: Literal["answer", "skip", "back", "finish"]
    instrument: str | None
    item: str | None
    value: Any
    response_ms: int | None
    finished: bool
    duplicate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InstrumentProgress:
    instrument: str
    answered: int
    skipped: int
    not_reached: int
    total: int  # for an adaptive section: the most it can serve (an upper bound) until it ends
    adaptive: bool = False


@dataclass(frozen=True)
class AdaptiveResult:
    """An adaptive section's result: theta (EAP under N(0, 1)) with its standard error, T =
    50 + 10 theta with its band T +- z * 10 SE at `level`, the items answered, the items
    served in order, and why the section ended ("se", "max_items", "pool", "time",
    "finish")."""

    instrument: str
    theta: float
    theta_se: float
    t: float
    t_low: float
    t_high: float
    level: float
    n_items: int
    items: tuple[str, ...]
    end: str | None


@dataclass(frozen=True)
class Progress:
    """Answered items of all, overall and per instrument."""

    answered: int
    total: int
    instruments: tuple[InstrumentProgress, ...]

    @property
    def fraction(self) -> float:
        return self.answered / self.total if self.total else 1.0


@dataclass(frozen=True)
class Step:
    """One change of a session's state, as its journal (the store) records it."""

    kind: Literal["start", "serve", "answer", "skip", "back", "timeout", "finish"]
    seq: int | None
    instrument: str | None = None
    item: str | None = None
    value: Any = None
    response_ms: int | None = None
    elapsed: float = 0.0  # session seconds when it happened
    scale: str | None = None  # the subtest a timeout closed


def finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
