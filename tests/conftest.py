"""Shared builders for small instruments used across the tests."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from profdiag._instrument import Instrument, instrument_from_document
from profdiag._scoring.result import ScoreResult

BASE: dict[str, Any] = {
    "format": "profdiag-instrument/1",
    "id": "t",
    "version": "1.0.0",
    "title": {"ru": "Тест", "en": "Test"},
    "description": {"ru": "Для тестов.", "en": "For tests."},
    "authors": ["profdiag tests"],
    "licence": {"name": "CC0-1.0"},
    "source": {"citation": "tests/conftest.py"},
    "text_status": {"en": "original", "ru": "original"},
}


def build(**parts: Any) -> Instrument:
    """An instrument from BASE plus the given top-level parts."""
    document = copy.deepcopy(BASE)
    document.update(copy.deepcopy(parts))
    return instrument_from_document(document)


def likert_instrument(
    n_items: int = 4,
    *,
    codes: tuple[int, ...] = (1, 2, 3, 4, 5),
    reverse: tuple[int, ...] = (),
    weights: dict[int, float] | None = None,
    aggregation: str = "sum",
    missing: dict[str, Any] | None = None,
    **extra: Any,
) -> Instrument:
    """One scale 'S' over items i1..iN of one Likert format."""
    weights = weights or {}
    return build(
        response_formats={"lk": {"type": "likert", "codes": list(codes)}},
        items=[{"id": f"i{k}", "format": "lk"} for k in range(1, n_items + 1)],
        scales=[
            {
                "id": "S",
                "title": {"en": "S"},
                "aggregation": aggregation,
                "items": [
                    {"item": f"i{k}", "reverse": k in reverse, "weight": weights.get(k, 1.0)}
                    for k in range(1, n_items + 1)
                ],
                "missing": missing or {},
            }
        ],
        **extra,
    )


def answer_sheet(item_ids: Sequence[str], default: Any, **answers: Any) -> dict[str, Any]:
    """One respondent: every item answered `default`, except the given item ids."""
    record: dict[str, Any] = dict.fromkeys(item_ids, default)
    for item_id, value in answers.items():
        assert item_id in record, item_id
        record[item_id] = value
    return record


@pytest.fixture
def make_likert() -> Callable[..., Instrument]:
    return likert_instrument


def same_scores(result: ScoreResult, reference: ScoreResult) -> None:
    """Two results are the same: scores exactly (NaN where NaN), counts, statuses, flagged
    rows, and problems at the same rows and columns."""
    np.testing.assert_array_equal(result.raw, reference.raw)
    np.testing.assert_array_equal(result.answered, reference.answered)
    np.testing.assert_array_equal(result.status, reference.status)
    np.testing.assert_array_equal(result.row_has_problem, reference.row_has_problem)
    where = [(p.row, p.column, p.expected) for p in result.problems]
    assert where == [(p.row, p.column, p.expected) for p in reference.problems]
