"""Properties of categorical and text input, checked with hypothesis.

The same answers, spelt as numbers, numeric text (" 4 ", "4.0", "4,0"), option codes or
aliases, in any input shape, give the same scores; permuting rows permutes the results;
arbitrary text never raises anything but ResponseDataError (strict) and, leniently, every
invalid cell is a CellProblem naming its row and column, judged against a reference
written out here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import build

from profdiag import ResponseDataError, score
from profdiag._scoring.result import ScoreResult

pd = pytest.importorskip("pandas")

FC_CODES = ("а", "б")  # Cyrillic, with Latin aliases a/b and numeric aliases 1/2
MC_CODES = ("a", "b", "c", "d")  # numeric aliases 1..4
INSTRUMENT = build(
    response_formats={
        "lk": {"type": "likert", "codes": [1, 2, 3, 4, 5], "missing_codes": ["9"]},
        "bin": {"type": "binary"},
        "fc": {
            "type": "forced_choice",
            "options": [
                {"code": "а", "aliases": ["a", "1"]},
                {"code": "б", "aliases": ["b", "2"]},
            ],
            "missing_codes": ["-"],
        },
        "mc": {
            "type": "multiple_choice",
            "options": [{"code": c, "aliases": [str(k + 1)]} for k, c in enumerate(MC_CODES)],
        },
    },
    items=[
        {"id": "l1", "format": "lk"},
        {"id": "l2", "format": "lk"},
        {"id": "b1", "format": "bin"},
        {"id": "f1", "format": "fc"},
        {"id": "f2", "format": "fc"},
        {"id": "m1", "format": "mc", "correct": ["b"], "partial_credit": {"c": 0.5}},
        {"id": "m2", "format": "mc", "correct": ["a", "d"]},
    ],
    scales=[
        {
            "id": "L",
            "title": {"en": "L"},
            "aggregation": "mean",
            "items": [{"item": "l1"}, {"item": "l2", "reverse": True, "weight": 2}, {"item": "b1"}],
        },
        {
            "id": "F",
            "title": {"en": "F"},
            "items": [
                {"item": "f1", "scores": {"б": 1}},
                {"item": "f2", "scores": {"а": 2, "б": -1}},
                {"item": "l1"},
            ],
            "missing": {"min_answered": 2},
        },
        {
            "id": "M",
            "title": {"en": "M"},
            "items": [{"item": "m1"}, {"item": "m2", "weight": 3}],
            "missing": {"gaps": "prorate"},
        },
    ],
)
ITEMS = tuple(item.id for item in INSTRUMENT.items)
KIND = {item.id: item.format for item in INSTRUMENT.items}
CHOICES = {"lk": [1, 2, 3, 4, 5], "bin": [0, 1], "fc": [0, 1], "mc": [0, 1, 2, 3]}

# ---------------------------------------------------------------------- spellings of an answer


def canonical(kind: str, answer: int | None) -> Any:
    """The plainest spelling: the code as an int, or the option's code."""
    if answer is None:
        return None
    if kind == "fc":
        return FC_CODES[answer]
    if kind == "mc":
        return MC_CODES[answer]
    return answer


def as_number(kind: str, answer: int | None) -> float:
    """The answer as a number: codes as they are, options by their numeric alias."""
    if answer is None:
        return math.nan
    return float(answer + 1) if kind in ("fc", "mc") else float(answer)


def spellings(kind: str, answer: int | None) -> list[Any]:
    """Every way of writing the same answer (or no answer) that must mean the same."""
    if answer is None:
        missing = [None, math.nan, "", "  ", "NA", "nan", " NaN ", pd.NA, np.float64("nan")]
        if kind == "lk":
            missing += ["9", 9, " 9 ", 9.0, "9.0"]
        if kind == "fc":
            missing += ["-", " - "]
        return missing
    number = as_number(kind, answer)
    numeric = [
        int(number),
        number,
        str(int(number)),
        f" {int(number)} ",
        f"{int(number)}.0",
        f"{int(number)},0",
        f"\t{int(number)}\n",
        np.int64(number),
        np.float32(number),
        np.uint8(number),
    ]
    if kind == "fc":
        code = FC_CODES[answer]
        return [*numeric, code, f" {code} ", "ab"[answer], f"{'ab'[answer]} "]
    if kind == "mc":
        code = MC_CODES[answer]
        return [*numeric, code, f" {code}\u00a0"]
    return numeric


def answers_rows(min_rows: int = 1, max_rows: int = 6) -> st.SearchStrategy[list[list[int | None]]]:
    cell = {item: st.one_of(st.none(), st.sampled_from(CHOICES[KIND[item]])) for item in ITEMS}
    row = st.tuples(*(cell[item] for item in ITEMS)).map(list)
    return st.lists(row, min_size=min_rows, max_size=max_rows)


def spelt(data: Any, rows: list[list[int | None]]) -> list[list[Any]]:
    return [
        [
            data.draw(st.sampled_from(spellings(KIND[item], a)))
            for item, a in zip(ITEMS, row, strict=True)
        ]
        for row in rows
    ]


# ---------------------------------------------------------------------- input shapes


def object_column(cells: list[Any]) -> np.ndarray:
    column = np.empty(len(cells), dtype=object)
    for position, cell in enumerate(cells):
        column[position] = cell
    return column


def shapes(rows: list[list[Any]]) -> dict[str, Callable[[bool], ScoreResult]]:
    """Every input shape of the same cells, each a function of `strict`."""
    records = [dict(zip(ITEMS, row, strict=True)) for row in rows]
    columns = {item: [row[i] for row in rows] for i, item in enumerate(ITEMS)}
    matrix = np.stack([object_column(row) for row in rows])
    frame = pd.DataFrame({item: pd.Series(object_column(cells)) for item, cells in columns.items()})

    def one_by_one(strict: bool) -> ScoreResult:
        """Each row as one dict (the kiosk path); its row 0 is the row it came from."""
        results, problems = [], []
        for row, record in enumerate(records):
            try:
                result = score(INSTRUMENT, record, strict=strict)
            except ResponseDataError as error:
                problems += [replace(p, row=row) for p in error.problems]
                continue
            results.append(result)
            problems += [replace(p, row=row) for p in result.problems]
        if strict and problems:
            raise ResponseDataError("<data>", problems)
        first = results[0]
        return ScoreResult(
            instrument=first.instrument,
            scale_ids=first.scale_ids,
            raw=np.vstack([r.raw for r in results]),
            answered=np.vstack([r.answered for r in results]),
            status=np.vstack([r.status for r in results]),
            row_ids=range(len(results)),
            problems=tuple(problems),
            row_has_problem=np.concatenate([r.row_has_problem for r in results]),
        )

    return {
        "list of dicts": lambda strict: score(INSTRUMENT, records, strict=strict),
        "dict of lists": lambda strict: score(INSTRUMENT, columns, strict=strict),
        "object ndarray": lambda strict: score(INSTRUMENT, matrix, strict=strict),
        "DataFrame": lambda strict: score(INSTRUMENT, frame, strict=strict),
        "one dict each": one_by_one,
    }


def assert_same_scores(got: ScoreResult, expected: ScoreResult, label: str) -> None:
    np.testing.assert_array_equal(got.raw, expected.raw, err_msg=label)
    np.testing.assert_array_equal(got.answered, expected.answered, err_msg=label)
    np.testing.assert_array_equal(got.status, expected.status, err_msg=label)


def canonical_result(rows: list[list[int | None]]) -> ScoreResult:
    records = [
        {item: canonical(KIND[item], a) for item, a in zip(ITEMS, row, strict=True)} for row in rows
    ]
    return score(INSTRUMENT, records)


# ---------------------------------------------------------------------- properties


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=answers_rows(), data=st.data())
def test_every_spelling_in_every_shape_gives_the_same_scores(
    rows: list[list[int | None]], data: Any
) -> None:
    expected = canonical_result(rows)
    numbers = np.array(
        [[as_number(KIND[item], a) for item, a in zip(ITEMS, row, strict=True)] for row in rows]
    )
    assert_same_scores(score(INSTRUMENT, numbers), expected, "numeric ndarray")
    frame = pd.DataFrame(numbers, columns=list(ITEMS))
    assert_same_scores(score(INSTRUMENT, frame), expected, "float DataFrame")
    for label, run in shapes(spelt(data, rows)).items():
        result = run(True)  # strict: no spelling may be a problem
        assert result.problems == (), label
        assert_same_scores(result, expected, label)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=answers_rows(min_rows=2, max_rows=8), data=st.data())
def test_permuting_rows_permutes_results(rows: list[list[int | None]], data: Any) -> None:
    cells = spelt(data, rows)
    bad_row = data.draw(st.integers(0, len(rows) - 1))
    bad_item = data.draw(st.integers(0, len(ITEMS) - 1))
    cells[bad_row][bad_item] = data.draw(st.sampled_from(["x", "6", 6, "1_0", True, "inf"]))
    order = data.draw(st.permutations(range(len(rows))))
    permuted = [cells[r] for r in order]
    straight_runs, permuted_runs = shapes(cells), shapes(permuted)
    for label in straight_runs:
        straight, shuffled = straight_runs[label](False), permuted_runs[label](False)
        assert_same_scores(
            shuffled,
            ScoreResult(
                straight.instrument,
                straight.scale_ids,
                straight.raw[order],
                straight.answered[order],
                straight.status[order],
                range(len(order)),
                (),
                straight.row_has_problem[order],
            ),
            label,
        )
        np.testing.assert_array_equal(shuffled.row_has_problem, straight.row_has_problem[order])
        new_row = {old: new for new, old in enumerate(order)}
        assert sorted((new_row[p.row], p.column) for p in straight.problems) == sorted(
            (p.row, p.column) for p in shuffled.problems
        ), label


def reference_value(kind: str, text: str) -> float | None:
    """What a text cell means for a Likert (codes 1..5, 9 = no answer) or a multiple-choice
    item (a..d, aliases 1..4): NaN for no answer, the item value, or None if invalid."""
    stripped = text.strip()
    if stripped == "" or stripped.upper() in ("NA", "NAN"):
        return math.nan
    if kind == "mc" and stripped in MC_CODES:
        return float(MC_CODES.index(stripped))
    if "_" in stripped:
        return None
    try:
        number = float(stripped.replace(",", "."))
    except ValueError:
        return None
    if math.isnan(number):
        return math.nan
    if kind == "lk":
        return math.nan if number == 9 else number if number in (1, 2, 3, 4, 5) else None
    return number - 1 if number in (1, 2, 3, 4) else None


NASTY = st.sampled_from(
    [
        "",
        " ",
        "4",
        " 4 ",
        "4.0",
        "4,0",
        "4.5",
        "04",
        "+4",
        "4e0",
        "0x4",
        "1_0",
        "inf",
        "-inf",
        "Infinity",
        "nan",
        "-nan",
        "NA",
        "N/A",
        "1e400",
        "1" + "0" * 400,
        "٣",
        "４",
        "\u00a03\u2003",
        "a",
        "A",
        " b ",
        "а",
        "9",
        "9.0",
        "True",
        "None",
        "null",
        "\x00",
        "🙂",
        "3 4",
        "3;4",
        "'3'",
        '"3"',
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=answers_rows(max_rows=4),
    texts=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(["l1", "l2", "m1", "m2"]),
            st.one_of(NASTY, st.text(max_size=12)),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_invalid_text_is_always_a_cell_problem_and_never_another_error(
    rows: list[list[int | None]], texts: list[tuple[int, str, str]]
) -> None:
    cells = [[canonical(KIND[item], a) for item, a in zip(ITEMS, row, strict=True)] for row in rows]
    cleaned = [
        [as_number(KIND[item], a) for item, a in zip(ITEMS, row, strict=True)] for row in rows
    ]
    invalid: set[tuple[int, str]] = set()
    for row, item, text in texts:
        if row >= len(rows):
            continue
        column = ITEMS.index(item)
        cells[row][column] = text
        value = reference_value(KIND[item], text)
        invalid.discard((row, item))
        if value is None:
            invalid.add((row, item))
            cleaned[row][column] = math.nan
        else:
            cleaned[row][column] = (
                value + 1 if KIND[item] == "mc" and not math.isnan(value) else value
            )
    expected = score(INSTRUMENT, np.array(cleaned, dtype=float))
    for label, run in shapes(cells).items():
        if invalid:
            with pytest.raises(ResponseDataError) as caught:
                run(True)
            assert {(p.row, p.column) for p in caught.value.problems} == invalid, label
        else:
            run(True)
        lenient = run(False)
        assert {(p.row, p.column) for p in lenient.problems} == invalid, label
        assert all(p.row >= 0 and p.column in ITEMS for p in lenient.problems), label
        assert lenient.row_has_problem.tolist() == [
            any(r == row for r, _ in invalid) for row in range(len(rows))
        ], label
        assert_same_scores(lenient, expected, label)
