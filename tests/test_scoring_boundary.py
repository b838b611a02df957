"""What `score()` checks at its boundary, as scikit-learn does: shapes, types, column names,
no rows; and that every input shape finds the same problems in the same bad cells."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.conftest import build, likert_instrument

from profdiag import ProfdiagError, ResponseDataError, score
from profdiag._scoring.score import score_with_values
from profdiag.errors import ArgumentError

pd = pytest.importorskip("pandas")
scoring_module = importlib.import_module("profdiag._scoring.score")

ITEMS = ("i1", "i2", "i3")
INSTRUMENT = likert_instrument(3)  # codes 1..5, one sum scale S over i1..i3


def problems_of(result: Any) -> list[tuple[int, str]]:
    return sorted((p.row, p.column) for p in result.problems)


# --------------------------------------------------------------------------- whole data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (np.array([1, 2, 3]), r"must be 2-D.*got a 1-D array of shape \(3,\); for one respondent"),
        (np.ones((2, 3, 1)), r"must be 2-D.*got a 3-D array of shape \(2, 3, 1\)"),
        (np.ones((2, 4)), r"one column per item \(3: i1, i2, i3\); got 4 column\(s\)"),
        (np.ones((2, 2)), r"got 2 column\(s\)"),
        (np.ones((0, 3)), r"^<data>: no respondents: 0 rows$"),
        (np.ones((0, 3), dtype=object), r"no respondents: 0 rows"),
        (pd.DataFrame({"i1": [], "i2": [], "i3": []}), r"no respondents: 0 rows"),
        (pd.DataFrame(), r"no respondents: 0 rows"),
        ({"i1": [], "i2": [], "i3": []}, r"no respondents: 0 rows"),
        ([], r"no respondents: 0 rows"),
        ((), r"no respondents: 0 rows"),
        (
            pd.DataFrame([[1, 2, 3, 4]], columns=["i1", "i2", "i3", "i3"]),
            r"each DataFrame column name may appear once; repeated: 'i3'",
        ),
        (
            pd.DataFrame([[1, 2, 3]]),
            r"column names must be text.*got 0 \(int\), 1 \(int\), 2 \(int\); a DataFrame made "
            r"without column names",
        ),
        (pd.DataFrame([[1, 2, 3]], columns=["i1", "i2", ("i3", "x")]), r"must be text"),
        ({"i1": 1, "i2": 2, 3: 3}, r"column names must be text.*3 \(int\)"),
        ([{"i1": 1, "i2": 2, "i3": 3}, {"i1": 1, 2.0: 2}], r"key names must be text.*2.0"),
        ({"i1": [1, 2], "i2": [2], "i3": [3, 3]}, r"most have 2 but 'i2' has 1"),
        ({"i1": np.ones((1, 1)), "i2": [2], "i3": [3]}, r"column 'i1' must be 1-D"),
        ([{"i1": 1, "i2": 2, "i3": 3}, 5], r"one dict per respondent; element 1 is int 5"),
        ([[1, 2, 3]], r"element 0 is list; for a table of numbers use a 2-D numpy array"),
        ({1, 2, 3}, r"response data must be .*; got set"),
        ("1 2 3", r"response data must be .*; got str \"1 2 3\""),
        (b"123", r"got bytes"),
        (None, r"got NoneType null"),
        (42, r"got int 42"),
        (pd.Series([1, 2, 3], index=ITEMS), r"a pandas Series is one column.*series\.to_dict"),
        (({"i1": 1} for _ in range(2)), r"an iterator is read only once: pass a list"),
        (np.zeros((1, 3), dtype=[("a", "i4")]), r"structured numpy array"),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else None,
)
def test_data_that_cannot_be_used_is_an_argument_error(data: Any, message: str) -> None:
    for strict in (True, False):
        with pytest.raises(ArgumentError, match=message):
            score(INSTRUMENT, data, strict=strict)
        with pytest.raises(ArgumentError, match=message):
            score_with_values(INSTRUMENT, data, strict=strict)


def test_the_source_names_the_data_in_argument_errors() -> None:
    with pytest.raises(ArgumentError, match=r"^answers\.csv: no respondents: 0 rows$"):
        score(INSTRUMENT, [], source="answers.csv")


def test_argument_error_is_a_profdiag_error_and_a_value_error() -> None:
    with pytest.raises(ProfdiagError):
        score(INSTRUMENT, np.ones(3))
    with pytest.raises(ValueError, match="2-D"):
        score(INSTRUMENT, np.ones(3))


def test_accepted_containers_that_are_not_plain() -> None:
    expected = [[6.0]]
    # np.matrix is a 2-D ndarray; a masked cell is no answer (2 + 3, i2 masked)
    with pytest.warns(PendingDeprecationWarning):
        matrix = np.matrix([[1, 2, 3]])
    assert score(INSTRUMENT, matrix).raw.tolist() == expected
    masked = np.ma.array([[1.0, 2.0, 3.0]], mask=[[False, True, False]])
    result = score(INSTRUMENT, masked)
    assert result.raw.tolist() == [[4.0]] and result.answered.tolist() == [[2]]
    masked_text = np.ma.array([["1", "2", "3"]], mask=[[False, True, False]])
    assert score(INSTRUMENT, masked_text).raw.tolist() == [[4.0]]
    # a tuple of dicts, a mapping of tuples, numpy scalars in one dict
    assert score(INSTRUMENT, ({"i1": 1, "i2": 2, "i3": 3},)).raw.tolist() == expected
    assert score(INSTRUMENT, {"i1": (1,), "i2": (2,), "i3": (3,)}).raw.tolist() == expected
    one = {"i1": np.int64(1), "i2": np.float32(2), "i3": np.uint8(3)}
    assert score(INSTRUMENT, one).raw.tolist() == expected
    # float16 / int8 / uint64 arrays are numbers like any other
    for dtype in (np.float16, np.int8, np.uint64):
        assert score(INSTRUMENT, np.array([[1, 2, 3]], dtype=dtype)).raw.tolist() == expected


# --------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [bool, np.complex128])
def test_bool_and_complex_arrays_are_refused_cell_by_cell(dtype: Any) -> None:
    array = np.array([[1, 0, 1], [1, 1, 1]], dtype=dtype)
    with pytest.raises(ResponseDataError, match=r"row 0, column 'i1': got (true|\"\(1\+0j\)\")"):
        score(INSTRUMENT, array)
    lenient = score(INSTRUMENT, array, strict=False)
    assert problems_of(lenient) == [(r, c) for r in (0, 1) for c in ITEMS]
    assert np.isnan(lenient.raw).all() and lenient.row_has_problem.tolist() == [True, True]


@pytest.mark.parametrize(
    "column",
    [
        np.array([True, False]),
        np.array([1 + 0j, 2 + 0j]),
        pd.array([True, False], dtype="boolean"),
        [True, False],
        [np.True_, np.False_],
        [1 + 0j, complex(2, 0)],
        [np.complex64(1), np.complex128(2)],
    ],
    ids=["np-bool", "np-complex", "pd-boolean", "bool", "np.bool_", "complex", "np-complex-cells"],
)
def test_bool_and_complex_columns_are_refused_in_every_shape(column: Any) -> None:
    """True is not the code 1 and 1+0j is not the number 1: the column is named."""
    frame = pd.DataFrame({"i1": column, "i2": [2, 2], "i3": [3, 3]})
    cells = list(column)
    shapes = {
        "DataFrame": frame,
        "dict of columns": {"i1": column, "i2": [2, 2], "i3": [3, 3]},
        "list of dicts": [{"i1": cell, "i2": 2, "i3": 3} for cell in cells],
        "object array": np.array([[cell, 2, 3] for cell in cells], dtype=object),
    }
    for name, data in shapes.items():
        with pytest.raises(ResponseDataError, match=r"row 0, column 'i1'"):
            score(INSTRUMENT, data)
        lenient = score(INSTRUMENT, data, strict=False)
        assert problems_of(lenient) == [(0, "i1"), (1, "i1")], name
        assert lenient.raw.tolist() == [[5.0], [5.0]], name
    for row, cell in enumerate(cells):
        lenient = score(INSTRUMENT, {"i1": cell, "i2": 2, "i3": 3}, strict=False)
        assert problems_of(lenient) == [(0, "i1")], row


@pytest.mark.parametrize(
    "column",
    [
        pd.array(["1", pd.NA, "2"], dtype="string"),
        pd.array(["1", None, "2"], dtype="str"),
        pd.array([1, pd.NA, 2], dtype="Int64"),
        pd.array([1.0, pd.NA, 2.0], dtype="Float64"),
        pd.Categorical(["1", None, "2"]),
        pd.Series(["1", pd.NA, "2"], dtype=object),
        pd.Series(["1", pd.NaT, "2"], dtype=object),
        pd.Series(["1", None, "2"], dtype=object),
        pd.Series(["1", float("nan"), "2"], dtype=object),
        pd.Series([1, np.nan, 2], dtype=float),
    ],
    ids=[
        "string-NA",
        "str-None",
        "Int64-NA",
        "Float64-NA",
        "categorical",
        "object-NA",
        "object-NaT",
        "object-None",
        "object-nan",
        "float-nan",
    ],
)
def test_pandas_missing_values_mean_no_answer(column: Any) -> None:
    frame = pd.DataFrame({"i1": column, "i2": [2, 2, 2], "i3": [3, 3, 3]})
    result = score(INSTRUMENT, frame)  # strict: no problem
    assert result.raw.tolist() == [[6.0], [5.0], [7.0]]
    assert result.answered.tolist() == [[3], [2], [3]]
    values = list(pd.Series(column).astype(object))
    rows = [{"i1": cell, "i2": 2, "i3": 3} for cell in values]
    assert score(INSTRUMENT, rows).raw.tolist() == [[6.0], [5.0], [7.0]]
    assert score(INSTRUMENT, rows[1]).raw.tolist() == [[5.0]]


def test_masked_and_nat_cells_in_arrays_are_no_answer() -> None:
    array = np.array([[np.datetime64("NaT"), 2, 3]], dtype=object)
    assert score(INSTRUMENT, array).raw.tolist() == [[5.0]]


# --------------------------------------------------------------------------- the same cell, the
# same answer or problem, in every shape

CELLS: list[tuple[Any, float | None]] = [
    # (cell, its value for codes 1..5; NaN = no answer; None = an invalid answer)
    (1, 1.0),
    (5.0, 5.0),
    (np.int64(2), 2.0),
    (np.float32(3), 3.0),
    ("4", 4.0),
    (" 4 ", 4.0),
    ("4.0", 4.0),
    ("4,0", 4.0),
    ("\u00a02\t", 2.0),
    (None, math.nan),
    (math.nan, math.nan),
    ("", math.nan),
    ("  ", math.nan),
    ("NA", math.nan),
    ("nan", math.nan),
    (pd.NA, math.nan),
    (pd.NaT, math.nan),
    (6, None),
    (0, None),
    (2.5, None),
    (-1, None),
    (math.inf, None),
    (-math.inf, None),
    (np.float64(np.inf), None),
    (10**400, None),
    (-(10**400), None),
    ("1" + "0" * 400, None),
    ("inf", None),
    ("-Infinity", None),
    ("1e400", None),
    ("1_0", None),
    ("x", None),
    ("4 4", None),
    (True, None),
    (np.True_, None),
    (1 + 0j, None),
    (np.complex128(2), None),
    (b"1", None),
    ([1], None),
    ({"a": 1}, None),
    (object(), None),
]


def grid_and_expectation(
    cells: list[tuple[Any, float | None]],
) -> tuple[list[list[Any]], list[tuple[int, str]], list[list[float]]]:
    """Rows of three cells: the cell under test in column i(k % 3 + 1), the others valid."""
    rows: list[list[Any]] = []
    bad: list[tuple[int, str]] = []
    raw: list[list[float]] = []
    for k, (cell, value) in enumerate(cells):
        row: list[Any] = [1, 2, 3]
        column = k % 3
        row[column] = cell
        rows.append(row)
        values = [1.0, 2.0, 3.0]
        values[column] = math.nan if value is None else value
        if value is None:
            bad.append((k, ITEMS[column]))
        answered = [v for v in values if not math.isnan(v)]
        raw.append([sum(answered) if answered else math.nan])
    return rows, bad, raw


def object_column(cells: list[Any]) -> np.ndarray:
    """A 1-D object array holding `cells` as they are (lists and dicts included)."""
    column = np.empty(len(cells), dtype=object)
    for position, cell in enumerate(cells):
        column[position] = cell
    return column


def in_every_shape(rows: list[list[Any]], numeric: bool) -> dict[str, Callable[[bool], Any]]:
    """Ways to score `rows`, by input shape; `numeric`: the cells fit a float array too."""
    records = [dict(zip(ITEMS, row, strict=True)) for row in rows]
    columns = {item: [row[c] for row in rows] for c, item in enumerate(ITEMS)}
    matrix = np.stack([object_column(row) for row in rows])
    frame = pd.DataFrame({item: pd.Series(object_column(cells)) for item, cells in columns.items()})
    arrays = {item: object_column(cells) for item, cells in columns.items()}
    shapes: dict[str, Callable[[bool], Any]] = {
        "object ndarray": lambda strict: score(INSTRUMENT, matrix, strict=strict),
        "DataFrame": lambda strict: score(INSTRUMENT, frame, strict=strict),
        "dict of lists": lambda strict: score(INSTRUMENT, columns, strict=strict),
        "dict of arrays": lambda strict: score(INSTRUMENT, arrays, strict=strict),
        "list of dicts": lambda strict: score(INSTRUMENT, records, strict=strict),
        "score_with_values": lambda strict: score_with_values(INSTRUMENT, records, strict=strict)[
            0
        ],
    }
    if numeric:
        floats = np.array(rows, dtype=float)
        shapes["numeric ndarray"] = lambda strict: score(INSTRUMENT, floats, strict=strict)
        shapes["float DataFrame"] = lambda strict: score(
            INSTRUMENT, pd.DataFrame(floats, columns=list(ITEMS)), strict=strict
        )
        shapes["dict of float arrays"] = lambda strict: score(
            INSTRUMENT, {item: floats[:, c] for c, item in enumerate(ITEMS)}, strict=strict
        )
    return shapes


def one_dict_each(rows: list[list[Any]], strict: bool) -> tuple[list[tuple[int, str]], Any]:
    problems: list[tuple[int, str]] = []
    raw = []
    for r, row in enumerate(rows):
        result = score(INSTRUMENT, dict(zip(ITEMS, row, strict=True)), strict=strict)
        problems += [(r, p.column) for p in result.problems]
        raw.append(result.raw[0].tolist())
    return problems, raw


def assert_same(raw: Any, expected: list[list[float]]) -> None:
    np.testing.assert_array_equal(np.asarray(raw, dtype=float), np.asarray(expected))


NUMBERS = [
    (cell, value)
    for cell, value in CELLS
    if type(cell) in (int, float, np.int64, np.float32, np.float64)
    and not (type(cell) is int and abs(cell) > 2**63)  # 10**400 fits no float array
]


@pytest.mark.parametrize(
    ("cells", "numeric"), [(CELLS, False), (NUMBERS, True)], ids=["any cells", "numbers"]
)
def test_every_shape_finds_the_same_problems_in_the_same_cells(
    cells: list[tuple[Any, float | None]], numeric: bool
) -> None:
    rows, bad, expected_raw = grid_and_expectation(cells)
    shapes = in_every_shape(rows, numeric)
    assert len(shapes) == (9 if numeric else 6)
    for name, run in shapes.items():
        lenient = run(False)
        assert problems_of(lenient) == sorted(bad), name
        assert_same(lenient.raw, expected_raw)
        assert lenient.row_has_problem.tolist() == [
            any(r == row for row, _ in bad) for r in range(len(rows))
        ], name
        with pytest.raises(ResponseDataError) as caught:
            run(True)
        assert sorted((p.row, p.column) for p in caught.value.problems) == sorted(bad), name
    problems, raw = one_dict_each(rows, strict=False)
    assert sorted(problems) == sorted(bad)
    assert_same(raw, expected_raw)


def test_problems_show_the_value_as_given() -> None:
    lenient = score(INSTRUMENT, [{"i1": 10**400, "i2": np.int64(9), "i3": True}], strict=False)
    shown = {p.column: p.value for p in lenient.problems}
    assert shown == {"i1": 10**400, "i2": 9, "i3": True}
    assert type(shown["i2"]) is int  # a numpy scalar is shown as the Python value
    with pytest.raises(ResponseDataError) as caught:
        score(INSTRUMENT, {"i1": 10**400, "i2": 2, "i3": 3})
    assert "row 0, column 'i1': got 1000000000" in str(caught.value)
    assert "..." in str(caught.value)  # shortened, not 401 digits


def test_numeric_array_path_reports_inf_and_finds_cells_in_every_block() -> None:
    original = scoring_module.BLOCK_ROWS
    scoring_module.BLOCK_ROWS = 4
    try:
        rows = np.full((11, 3), 2.0)
        rows[1, 0], rows[6, 2], rows[10, 1] = np.inf, -np.inf, 7.0
        lenient = score(INSTRUMENT, rows, strict=False, workers=2)
    finally:
        scoring_module.BLOCK_ROWS = original
    assert [(p.row, p.column, p.value) for p in lenient.problems] == [
        (1, "i1", math.inf),
        (6, "i3", -math.inf),
        (10, "i2", 7.0),
    ]


def test_unbounded_numeric_items_accept_numbers_up_to_the_magnitude_limit() -> None:
    instrument = build(
        response_formats={"n": {"type": "numeric", "min": 0}},
        items=[{"id": "a", "format": "n"}],
        scales=[{"id": "T", "title": {"en": "T"}, "items": [{"item": "a", "weight": 2}]}],
    )
    assert score(instrument, {"a": 1e9}).raw.tolist() == [[2e9]]
    lenient = score(instrument, np.array([[1e308], [np.inf], [2e9]]), strict=False)
    assert [p.row for p in lenient.problems] == [0, 1, 2]
    assert "a number from 0 up to 1e+09" in lenient.problems[0].expected
    assert np.isnan(lenient.raw).all()  # never inf
