"""Errors written for people: each names where (file, JSON path, row/column), what was seen
and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_MAX_SHOWN_VALUE = 80


def show_value(value: Any) -> str:
    """A short, unambiguous rendering of a value for an error message."""
    text = repr(value)
    if len(text) > _MAX_SHOWN_VALUE:
        text = text[: _MAX_SHOWN_VALUE - 3] + "..."
    return text


def json_path(location: Sequence[str | int]) -> str:
    """Render a location such as ('scales', 0, 'items') as a JSONPath: $.scales[0].items."""
    path = "$"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
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


class InstrumentError(ProfdiagError):
    """An instrument definition is malformed. Lists every problem found, not just the first."""

    def __init__(self, source: str, problems: Sequence[DefinitionProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [f"{source}: {len(self.problems)} problem(s) in the instrument definition"]
        lines += [f"  {problem.describe()}" for problem in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CellProblem:
    """One response cell that could not be used. ``row`` counts data rows from 0."""

    row: int
    column: str
    value: Any
    expected: str

    def describe(self) -> str:
        return (
            f"row {self.row}, column {self.column!r}: got {show_value(self.value)}; "
            f"expected {self.expected}"
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


class NormError(ProfdiagError):
    """No norm group fits, or the one asked for does not exist."""
