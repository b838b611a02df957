"""Errors written for people: each names where (file, JSON path, row/column), what was seen
and what was expected."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_MAX_SHOWN_VALUE = 80


class _Nothing:
    """The value 'seen' where a required field or column was absent."""

    def __repr__(self) -> str:
        return "nothing"


NOTHING: Any = _Nothing()


def show_value(value: Any) -> str:
    """A short, unambiguous rendering of a value, written as JSON would write it."""
    if value is NOTHING:
        return "nothing"
    try:
        text = json.dumps(value, ensure_ascii=False, default=_as_json)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_SHOWN_VALUE:
        text = text[: _MAX_SHOWN_VALUE - 3] + "..."
    return text


def _as_json(value: Any) -> Any:
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    return str(value)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(location: Sequence[str | int]) -> str:
    """Render a location such as ('scales', 0, 'items') as a JSONPath: $.scales[0].items.
    Keys that are not plain names are quoted: $.norms[0].scales['energy.total']."""
    path = "$"
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            path += f".{part}"
        else:
            path += "[" + json.dumps(part, ensure_ascii=False).replace('"', "'") + "]"
    return path


class ProfdiagError(Exception):
    """Base class of every error profdiag raises on purpose."""


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing wrong in an instrument (or overlay, keys) definition."""

    path: str
    value: Any
    expected: str

    def describe(self) -> str:
        return f"{self.path}: got {show_value(self.value)}; expected {self.expected}"


class DocumentError(ProfdiagError):
    """A JSON document (profiles, a catalogue, thresholds, an overlay) is malformed. Lists
    every problem found, each with its JSON path, not just the first."""

    what = "the document"

    def __init__(self, source: str, problems: Sequence[DefinitionProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [f"{source}: {len(self.problems)} problem(s) in {self.what}"]
        lines += [f"  {problem.describe()}" for problem in self.problems]
        super().__init__("\n".join(lines))


class MappingError(DocumentError):
    """A mapping file (archive columns and value recodings) is malformed."""

    what = "the mapping"


class InstrumentError(DocumentError):
    """An instrument definition is malformed. Lists every problem found, not just the first."""

    what = "the definition"


@dataclass(frozen=True)
class CellProblem:
    """One response cell that could not be used. ``row`` counts data rows from 0."""

    row: int
    column: str
    value: Any
    expected: str

    def describe(self) -> str:
        where = f"row {self.row}, " if self.row >= 0 else ""  # -1: the file or a column
        return (
            f"{where}column {self.column!r}: got {show_value(self.value)}; expected {self.expected}"
        )


class ResponseDataError(ProfdiagError):
    """Response data broke the rules in strict mode (or cannot be read at all)."""

    def __init__(self, source: str, problems: Sequence[CellProblem], total: int | None = None):
        self.source = source
        self.problems = tuple(problems)
        self.total = len(self.problems) if total is None else total
        shown = self.problems[:20]
        lines = [f"{source}: {self.total} problem(s) in the response data"]
        lines += [f"  {problem.describe()}" for problem in shown]
        if self.total > len(shown):
            lines.append(f"  ... and {self.total - len(shown)} more")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:  # pickled between Dask processes
        return (type(self), (self.source, self.problems, self.total))


class NormError(ProfdiagError):
    """No norm group fits, or the one asked for does not exist."""


class ArgumentError(ProfdiagError, ValueError):
    """A library function was called with arguments it cannot use: a result from another
    instrument, attributes of the wrong length, an unsupported input type or shape."""


class MissingExtraError(ProfdiagError, ImportError):
    """A file format needs a package from one of profdiag's optional extras that is not
    installed; the message names the extra to install."""


class OutputError(ProfdiagError):
    """An output could not be written (missing or read-only folder, full disk, an output
    that would replace an input, a path that is not a regular file). The previous file, if
    any, is left as it was."""


class ReportError(ProfdiagError):
    """A report could not be rendered: a template with a syntax error, a template that tried
    something the sandbox refuses, or one that ran past its time or memory limit."""


class SessionError(ProfdiagError):
    """A session refused an action: an answer that is not one of the item's codes, an item
    that is not the current one, a finished session, a subtest whose time ran out, a
    retried sequence number with other content. `reason` says which, for a program (a
    kiosk maps it to a page); the message says it for a person and never holds the
    respondent's name."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)
