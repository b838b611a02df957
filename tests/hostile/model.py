"""The corpus's vocabulary: a case, what it expects, a run, and how a run is judged.

A case is a `profdiag` command line, the files it needs (written by a small generator into
a fresh folder at test time), and what must happen: the exit code, short fragments of the
message on stderr, and checks on the outputs. Every case also requires that no Python
traceback reaches stderr, that the process does not die from an uncaught exception, that
no file that existed before the run (inputs, previous outputs) is changed unless the run
succeeded and the case allows it, and that no PDF written contains forbidden text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hostile.runner import Run

# How a run is classified (the columns of scripts/hostile_review.py's table).
CLEAN_ERROR = "clean_error"  # expected failure: right exit code, message names what it should
CORRECT_SUCCESS = "correct_success"  # expected success and the outputs are right
TRACEBACK = "traceback"  # a Python traceback, an uncaught exception, or a crash
SILENT = "silent_wrong"  # wrong output, lost data, bad input accepted, an input overwritten
LEAK = "leak"  # forbidden content (a local file outside the allowed folders) in an output
HANG = "hang"  # still running at the time limit
WRONG_ERROR = "wrong_error"  # a clean message, but a wrong exit code or without the details
SKIPPED = "skipped"  # cannot be tried here (e.g. read-only folders need root or chmod)
SETUP_ERROR = "setup_error"  # the case itself could not be prepared (a bug in the corpus)

KINDS = (CLEAN_ERROR, CORRECT_SUCCESS, TRACEBACK, SILENT, LEAK, HANG, WRONG_ERROR)
PASSING = frozenset({CLEAN_ERROR, CORRECT_SUCCESS})
# When a run has several problems, the most serious names it.
SEVERITY = (LEAK, TRACEBACK, HANG, SILENT, WRONG_ERROR)

SUCCESS = frozenset({0})
BAD_DATA = frozenset({1})
USAGE = frozenset({2})
# Output paths that cannot be used: the issue asks for 1 or 2 without choosing.
OUTPUT_PROBLEM = frozenset({1, 2})


@dataclass(frozen=True)
class AnyOf:
    """A stderr fragment given in several acceptable spellings."""

    options: tuple[str | re.Pattern[str], ...]


Fragment = str | re.Pattern[str] | AnyOf


def one_of(*options: str | re.Pattern[str]) -> AnyOf:
    return AnyOf(tuple(options))


def at_line(line: int) -> re.Pattern[str]:
    """The place of a data row, as a file line (the header is line 1) or a data row number
    (counted from 1 after the header), whichever wording the message uses."""
    return re.compile(rf"\b(line {line}|row {line - 1}|row {line})\b", re.IGNORECASE)


def fragment_found(fragment: Fragment, text: str) -> bool:
    if isinstance(fragment, AnyOf):
        return any(fragment_found(option, text) for option in fragment.options)
    if isinstance(fragment, re.Pattern):
        return fragment.search(text) is not None
    return fragment.casefold() in text.casefold()


def describe_fragment(fragment: Fragment) -> str:
    if isinstance(fragment, AnyOf):
        return " or ".join(describe_fragment(option) for option in fragment.options)
    if isinstance(fragment, re.Pattern):
        return f"/{fragment.pattern}/"
    return repr(fragment)


@dataclass(frozen=True)
class Problem:
    kind: str
    text: str


Check = Callable[["Run"], list[Problem]]
Setup = Callable[[Path], Any]
Driver = Callable[["Case", list[str], Path], "Run"]


def _nothing(folder: Path) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """One hostile input or fault. `args` may name files as "{d}/name" (the case's folder)."""

    id: str
    category: str
    args: tuple[str, ...]
    exit: frozenset[int]
    setup: Setup = _nothing
    stderr: tuple[Fragment, ...] = ()  # checked when the run fails with an expected code
    checks: tuple[Check, ...] = ()
    out: str | None = None  # an output that must not appear when the run fails
    may_change: tuple[str, ...] = ()  # files that existed before and a success may replace
    driver: Driver | None = None  # None: in-process with click's CliRunner
    timeout: float = 60.0
    note: str = ""
    requires: Callable[[], str | None] | None = None  # a reason to skip, or None
    # Runs until its time limit where the code does not stop it (a runaway template): the
    # pytest runner starts such cases early, in the background.
    background: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", self.id):
            raise ValueError(f"case id {self.id!r}: lower-case letters, digits, '.', '-'")
        if not self.exit:
            raise ValueError(f"case {self.id}: no exit code expected")


def expand(text: str, folder: Path) -> str:
    return text.replace("{d}", str(folder))


@dataclass
class Outcome:
    case_id: str
    category: str
    kind: str
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    exit_code: int | None = None

    @property
    def passed(self) -> bool:
        return self.kind in PASSING

    def explain(self) -> str:
        lines = [f"{self.case_id} [{self.category}]: {self.kind} (exit {self.exit_code})"]
        lines += [f"  {problem.kind}: {problem.text}" for problem in self.problems]
        return "\n".join(lines)


def classify(problems: Sequence[Problem], exit_code: int | None) -> str:
    for kind in SEVERITY:
        if any(problem.kind == kind for problem in problems):
            return kind
    return CORRECT_SUCCESS if exit_code == 0 else CLEAN_ERROR
