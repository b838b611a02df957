"""Checks on what a run wrote: rows out = rows in, scores equal to a direct computation,
one PDF per profile, files left as they were. Each returns the problems it found."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

import profdiag
from hostile.model import SILENT, Check, Problem
from hostile.runner import Run

Answers = Sequence[Mapping[str, int | None]]


def on_success(check: Callable[[Run], list[Problem]]) -> Check:
    """A check that applies only when the run exited with 0."""

    def checked(run: Run) -> list[Problem]:
        if not run.ended_normally or run.exit_code != 0:
            return []
        return check(run)

    return checked


def read_score_table(run: Run, where: str | None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a score output (CSV or JSON; a file, or stdout when None).
    Raises ValueError when it cannot be read as one."""
    if where is None:
        text = run.stdout
        as_json = False
    else:
        path = run.path(where)
        if not path.is_file():
            raise ValueError(f"{path.name} was not written")
        text = path.read_text(encoding="utf-8")
        as_json = path.suffix.lower() == ".json"
    if as_json:
        document = json.loads(text)
        records = document["respondents"]
        header = list(records[0]) if records else []
        return header, [[_json_cell(record.get(name)) for name in header] for record in records]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise ValueError("the output is empty")
    if not text.endswith("\n"):
        raise ValueError("the output does not end with a line end (truncated?)")
    return rows[0], rows[1:]


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


@lru_cache(maxsize=8)
def instrument(instrument_id: str) -> profdiag.Instrument:
    return profdiag.load_instrument(instrument_id)


def expected_raw(instrument_id: str, answers: Answers) -> tuple[tuple[str, ...], np.ndarray]:
    """Raw scale scores computed directly with the library (None = no answer)."""
    definition = instrument(instrument_id)
    if not answers:  # the library refuses to score nothing; the CLI writes an empty table
        scale_ids = tuple(scale.id for scale in definition.scales)
        return scale_ids, np.empty((0, len(scale_ids)))
    columns = {item.id: [record.get(item.id) for record in answers] for item in definition.items}
    result = profdiag.score(definition, columns)
    return result.scale_ids, result.raw


def score_output(
    where: str | None,
    *,
    rows: int | None = None,
    ids: Sequence[str] | None = None,
    answers: Answers | None = None,
    instrument_id: str = "ipip-bfm-50",
    id_column: str | None = None,
) -> Check:
    """On success: the score table has `rows` rows, the ids in order, and each scale's raw
    score equals the direct computation on `answers`."""

    def check(run: Run) -> list[Problem]:
        try:
            header, table = read_score_table(run, where)
        except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as error:
            return [Problem(SILENT, f"score output unreadable: {error}")]
        problems = []
        expected_rows = rows if rows is not None else (len(answers) if answers else None)
        if expected_rows is not None and len(table) != expected_rows:
            problems.append(Problem(SILENT, f"{expected_rows} rows in, {len(table)} rows out"))
            return problems
        if id_column is not None and (not header or header[0] != id_column):
            problems.append(Problem(SILENT, f"first column {header[:1]}, expected {id_column!r}"))
        if ids is not None:
            seen = [row[0] if row else "" for row in table]
            if seen != list(ids):
                wrong = next(k for k, (a, b) in enumerate(zip(seen, ids, strict=True)) if a != b)
                problems.append(
                    Problem(
                        SILENT, f"id of row {wrong + 1}: {seen[wrong]!r}, expected {ids[wrong]!r}"
                    )
                )
        if answers is not None:
            problems += _compare_scores(header, table, instrument_id, answers)
        problems += _non_finite(header, table)
        return problems

    return on_success(check)


def _compare_scores(
    header: list[str], table: list[list[str]], instrument_id: str, answers: Answers
) -> list[Problem]:
    scale_ids, raw = expected_raw(instrument_id, answers)
    problems = []
    for s, scale_id in enumerate(scale_ids):
        if scale_id not in header:
            return [Problem(SILENT, f"no column {scale_id!r} in the output")]
        column = header.index(scale_id)
        for r, row in enumerate(table):
            cell = row[column] if column < len(row) else ""
            want = float(raw[r, s])
            if math.isnan(want):
                ok = cell == ""
            else:
                try:
                    ok = math.isclose(float(cell), want, rel_tol=1e-9, abs_tol=1e-12)
                except ValueError:
                    ok = False
            if not ok:
                problems.append(
                    Problem(SILENT, f"row {r + 1}, {scale_id}: got {cell!r}, expected {want!r}")
                )
                if len(problems) >= 5:
                    return problems
    return problems


def _non_finite(header: list[str], table: list[list[str]]) -> list[Problem]:
    """A number that is not one (inf, nan) has no place in a score table (the first
    column is the respondent id, which may be any text)."""
    for row_number, row in enumerate(table, 1):
        for name, cell in zip(header[1:], row[1:], strict=False):
            if cell.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
                return [Problem(SILENT, f"row {row_number}, {name}: {cell!r} in the output")]
    return []


def column_values(where: str | None, column: str, expected: Sequence[str]) -> Check:
    """On success: the output's `column` holds exactly `expected`, row by row."""

    def check(run: Run) -> list[Problem]:
        try:
            header, table = read_score_table(run, where)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            return [Problem(SILENT, f"score output unreadable: {error}")]
        if column not in header:
            return [Problem(SILENT, f"no column {column!r} in the output")]
        k = header.index(column)
        seen = [row[k] if k < len(row) else "" for row in table]
        if seen != list(expected):
            return [
                Problem(SILENT, f"column {column!r}: {seen[:6]}, expected {list(expected)[:6]}")
            ]
        return []

    return on_success(check)


def no_column(where: str | None, column: str) -> Check:
    """On success: the output has no column named `column`."""

    def check(run: Run) -> list[Problem]:
        try:
            header, _ = read_score_table(run, where)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            return [Problem(SILENT, f"score output unreadable: {error}")]
        return [Problem(SILENT, f"column {column!r} in the output")] if column in header else []

    return on_success(check)


def profiles_output(where: str | None, count: int, ids: Sequence[str] | None = None) -> Check:
    """On success: a profiles document with `count` profiles (and these respondent ids)."""

    def check(run: Run) -> list[Problem]:
        try:
            text = run.stdout if where is None else run.path(where).read_text(encoding="utf-8")
            profiles = json.loads(text)["profiles"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            return [Problem(SILENT, f"profiles output unreadable: {error!r}")]
        if len(profiles) != count:
            return [Problem(SILENT, f"{count} respondents in, {len(profiles)} profiles out")]
        if ids is not None:
            seen = [profile.get("respondent") for profile in profiles]
            if seen != list(ids):
                return [Problem(SILENT, f"respondents {seen[:5]}, expected {list(ids)[:5]}")]
        return []

    return on_success(check)


def pdf_count(folder: str, count: int) -> Check:
    """On success: exactly `count` PDFs in `folder` (one per profile, audience, language)."""

    def check(run: Run) -> list[Problem]:
        path = run.path(folder)
        found = sorted(p.name for p in path.glob("*.pdf")) if path.is_dir() else []
        if len(found) != count:
            return [Problem(SILENT, f"{len(found)} PDFs written, expected {count}: {found[:6]}")]
        return []

    return on_success(check)


def file_json(where: str, predicate: Callable[[Any], str | None]) -> Check:
    """On success: `where` is JSON and `predicate` finds nothing wrong with it."""

    def check(run: Run) -> list[Problem]:
        try:
            document = json.loads(run.path(where).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            return [Problem(SILENT, f"{Path(where).name} unreadable: {error!r}")]
        wrong = predicate(document)
        return [Problem(SILENT, wrong)] if wrong else []

    return on_success(check)


def stdout_has(*fragments: str) -> Check:
    def check(run: Run) -> list[Problem]:
        missing = [f for f in fragments if f not in run.stdout]
        return [Problem(SILENT, f"stdout lacks {missing}")] if missing else []

    return on_success(check)


def when_exit(code: int, check: Check) -> Check:
    """Apply `check` only when the run ended with exit `code`."""

    def checked(run: Run) -> list[Problem]:
        if not run.ended_normally or run.exit_code != code:
            return []
        return check(run)

    return checked


def stderr_on_exit(code: int, *fragments: str) -> Check:
    """When the run ended with `code`, stderr names each fragment (case-insensitive)."""
    from hostile.model import WRONG_ERROR

    def check(run: Run) -> list[Problem]:
        missing = [f for f in fragments if f.casefold() not in run.stderr.casefold()]
        if missing:
            return [Problem(WRONG_ERROR, f"stderr does not name {missing}")]
        return []

    return when_exit(code, check)
