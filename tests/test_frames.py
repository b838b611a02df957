"""Data frames (pandas with numpy, nullable and Arrow dtypes, polars, pyarrow) score exactly
as the same numbers in a float64 array, keep their row labels, and convert back to frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import same_scores

import profdiag
from profdiag import ResponseDataError
from profdiag._scoring.score import BLOCK_ROWS

IPIP = profdiag.load_instrument("ipip-bfm-50")
ITEMS = [item.id for item in IPIP.items]
# Each pandas dtype a column may have; the integer ones hold no NaN, so their cells are
# drawn without missing values (the nullable ones hold NA instead).
DTYPES = [
    "float64",
    "float32",
    "int8",
    "int16",
    "int64",
    "uint8",
    "Int8",
    "Int16",
    "Int64",
    "Float64",
    "int8[pyarrow]",
    "double[pyarrow]",
    "str",
]
HOLDS_MISSING = {"float64", "float32", "Int8", "Int16", "Int64", "Float64", "int8[pyarrow]"}
HOLDS_MISSING |= {"double[pyarrow]", "str"}
INTEGER = {"int8", "int16", "int64", "uint8", "Int8", "Int16", "Int64", "int8[pyarrow]"}


def as_dtype(values: np.ndarray, dtype: str) -> pd.Series:
    """A column of `values` (NaN = missing) in `dtype`."""
    series = pd.Series(values)
    if dtype == "str":
        text = pd.Series([None if np.isnan(v) else f"{v:g}" for v in values], dtype="str")
        return text
    if dtype in ("float64", "float32"):
        return series.astype(dtype)
    if dtype in ("Int8", "Int16", "Int64", "Float64", "int8[pyarrow]", "double[pyarrow]"):
        return series.astype(dtype)
    return series.astype(dtype)  # numpy integers: no NaN here


@st.composite
def tables(draw: Any) -> tuple[np.ndarray, dict[str, str], list[str], int]:
    """Item values (N x I, NaN = missing; some invalid), a dtype per item, a column order
    and a number of extra columns."""
    n_rows = draw(st.integers(1, 40))
    dtypes = {item: draw(st.sampled_from(DTYPES)) for item in ITEMS}
    values = np.empty((n_rows, len(ITEMS)))
    for i, item in enumerate(ITEMS):
        choices = [1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 6.0, 100.0]
        if dtypes[item] in HOLDS_MISSING:
            choices.append(np.nan)
        if dtypes[item] not in INTEGER:
            choices.append(2.5)
        weights = st.sampled_from(choices)
        values[:, i] = draw(st.lists(weights, min_size=n_rows, max_size=n_rows))
    order = draw(st.permutations(ITEMS))
    extra = draw(st.integers(0, 2))
    return values, dtypes, list(order), extra


def frame_of(values: np.ndarray, dtypes: dict[str, str], order: list[str], extra: int) -> Any:
    columns = {item: as_dtype(values[:, ITEMS.index(item)], dtypes[item]) for item in order}
    for k in range(extra):
        columns[f"extra{k}"] = pd.Series(np.arange(len(values)) * k)
    return pd.DataFrame(columns)


@settings(max_examples=60, deadline=None)
@given(tables())
def test_every_frame_kind_scores_as_the_float64_array(table: Any) -> None:
    values, dtypes, order, extra = table
    extras = [f"extra{k}" for k in range(extra)]
    reference = profdiag.score(IPIP, values, strict=False)
    frame = frame_of(values, dtypes, order, extra)
    same_scores(profdiag.score(IPIP, frame, strict=False, other_columns=extras), reference)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    same_scores(profdiag.score(IPIP, arrow, strict=False, other_columns=extras), reference)
    polars = pl.from_arrow(arrow)
    same_scores(profdiag.score(IPIP, polars, strict=False, other_columns=extras), reference)


@pytest.mark.parametrize("dtype", ["float64", "Int8", "Int64", "int8[pyarrow]", "int16"])
def test_many_blocks_with_missing_and_bad_cells(dtype: str) -> None:
    rng = np.random.default_rng(7)
    n_rows = 3 * BLOCK_ROWS + 17
    values = rng.integers(1, 6, size=(n_rows, len(ITEMS))).astype(float)
    if dtype != "int16":
        values[rng.random(values.shape) < 0.05] = np.nan
    values[BLOCK_ROWS + 5, 3] = 7
    values[n_rows - 1, 49] = 0
    frame = pd.DataFrame(values, columns=ITEMS).astype(dtype)
    reference = profdiag.score(IPIP, values, strict=False)
    result = profdiag.score(IPIP, frame, strict=False)
    same_scores(result, reference)
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (BLOCK_ROWS + 5, "ipip04", 7),
        (n_rows - 1, "ipip50", 0),
    ]
    same_scores(profdiag.score(IPIP, pa.Table.from_pandas(frame), strict=False), reference)
    same_scores(profdiag.score(IPIP, pl.from_pandas(frame), strict=False), reference)


@pytest.mark.parametrize("last_block", [1, 3])
def test_arrays_in_other_layouts_and_widths_score_alike(last_block: int) -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(1, 6, size=(2 * BLOCK_ROWS + last_block, len(ITEMS))).astype(float)
    gappy = values.copy()
    gappy[-1, 3] = np.nan  # a one-row last block with a gap (numpy's strided isnan)
    for other, same in (
        (np.asfortranarray(gappy), gappy),
        (gappy.astype(np.float32), gappy),
        (values.astype(np.int8), values),
        (np.asfortranarray(values.astype(np.int32)), values),
        (pd.DataFrame(gappy, columns=ITEMS), gappy),
    ):
        same_scores(profdiag.score(IPIP, other), profdiag.score(IPIP, same))


def test_nullable_na_is_no_answer_and_bad_cells_name_row_and_column() -> None:
    frame = pd.DataFrame({item: [3, 3, 3] for item in ITEMS}, dtype="Int8")
    frame.loc[1, "ipip01"] = pd.NA
    frame.loc[2, "ipip02"] = 9
    result = profdiag.score(IPIP, frame, strict=False)
    assert int(result.answered[1, 0]) == 9  # ipip01 is extraversion's first item
    with pytest.raises(ResponseDataError) as caught:
        profdiag.score(IPIP, frame, source="answers")
    message = str(caught.value)
    assert "answers: 1 problem(s)" in message
    assert "row 2, column 'ipip02': got 9; expected" in message
    # The row is the position from 0, as for an array, also when the index says otherwise.
    labelled = frame.set_axis(["a", "b", "c"])
    with pytest.raises(ResponseDataError, match=r"row 2, column 'ipip02'"):
        profdiag.score(IPIP, labelled)


def test_index_and_id_columns_are_kept() -> None:
    values = np.full((4, len(ITEMS)), 4.0)
    index = pd.Index([10, 30, 20, 40], name="client")
    frame = pd.DataFrame(values, columns=ITEMS, index=index)
    result = profdiag.score(IPIP, frame)
    scores = result.to_pandas()
    pd.testing.assert_index_equal(scores.index, index)
    assert list(scores.columns) == list(result.scale_ids)
    np.testing.assert_array_equal(scores.to_numpy(), result.raw)
    # A default 0..N-1 index stays a plain range of row numbers.
    assert profdiag.score(IPIP, frame.reset_index(drop=True)).row_ids == range(4)
    # polars and pyarrow have no index: the id column, when named, gives the ids.
    table = pa.Table.from_pandas(frame.reset_index())
    polars = pl.from_arrow(table)
    for data in (table, polars):
        result = profdiag.score(IPIP, data, id_column="client")
        assert result.to_arrow().column("client").to_pylist() == [10, 30, 20, 40]
        out = result.to_polars()
        assert out.columns == ["client", *result.scale_ids]
        assert out["client"].to_list() == [10, 30, 20, 40]
        assert result.to_pandas().index.tolist() == [10, 30, 20, 40]


def test_frames_out_hold_nulls_where_not_scored() -> None:
    values = np.full((2, len(ITEMS)), 3.0)
    values[1, :] = np.nan  # nothing answered: no scale scored
    result = profdiag.score(IPIP, values)
    table = result.to_arrow()
    assert table.column_names[0] == "row"
    assert table.column("row").to_pylist() == [0, 1]
    assert table.column(result.scale_ids[0]).to_pylist() == [3.0, None]
    assert result.to_pandas().iloc[1].isna().all()


def test_text_and_mixed_frames_take_the_cell_paths() -> None:
    frame = pd.DataFrame({item: ["1", "5"] for item in ITEMS})
    frame["ipip01"] = pd.Series([2, 4], dtype="Int8")
    reference = profdiag.score(IPIP, frame.astype(object))
    same_scores(profdiag.score(IPIP, frame), reference)
    same_scores(profdiag.score(IPIP, pl.from_pandas(frame)), reference)


def test_empty_frame_with_allow_empty() -> None:
    frame = pd.DataFrame({item: pd.Series([], dtype="Int8") for item in ITEMS})
    result = profdiag.score(IPIP, frame, allow_empty=True)
    assert len(result) == 0
    assert result.to_pandas().shape == (0, len(IPIP.scales))


ATTRIBUTE_CELLS: dict[str, list[Any]] = {
    "sex": ["f", " M ", "ж", None, "", "x", "female", "мужской"],
    "age": [12, 200, None, 1.5, 0, 120, -1, 40],
    "grade": [1, 13, None, 12, 0, 5, 7, 3],
}


def attribute_problems(attributes: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    from profdiag._norms.selection import attribute_columns

    n_rows = len(next(iter(ATTRIBUTE_CELLS.values())))
    try:
        columns = attribute_columns(attributes, n_rows)
    except ResponseDataError as error:
        return {}, [problem.describe() for problem in error.problems]
    return {name: column.tolist() for name, column in columns.items()}, []


@pytest.mark.parametrize(
    "kind", ["list", "pandas nullable", "pandas str", "arrow", "numpy", "polars"]
)
def test_attribute_columns_of_every_kind_give_the_same_values_and_problems(kind: str) -> None:
    def column(name: str, cells: list[Any]) -> Any:
        if kind == "list":
            return cells
        if kind == "pandas nullable":
            dtype = "str" if name == "sex" else "Float64"
            return pd.Series(cells, dtype=dtype)
        if kind == "pandas str":
            return pd.Series([None if c is None else str(c) for c in cells], dtype="str")
        if kind == "arrow":
            return pa.array(cells, type=pa.string() if name == "sex" else pa.float64())
        if kind == "polars":
            return pl.Series(cells, dtype=pl.String if name == "sex" else pl.Float64)
        return np.array(cells, dtype=object if name == "sex" else float)

    expected = attribute_problems(ATTRIBUTE_CELLS)[1]
    assert expected[0] == "row 5, column 'sex': got \"x\"; expected f or m (also ж/м, female/male)"
    seen = attribute_problems({name: column(name, c) for name, c in ATTRIBUTE_CELLS.items()})[1]
    # The same rows and columns; a value read from a float column shows as 200.0, not 200.
    where = [line.split(": got")[0] for line in expected]
    assert [line.split(": got")[0] for line in seen] == where
    good = {"sex": ["f", "m", None, ""], "age": [12, None, 40, 0], "grade": [1, None, 12, 3]}
    plain = {name: cells + [cells[0]] * 4 for name, cells in good.items()}
    reference = attribute_problems(plain)[0]
    assert reference["sex"] == ["f", "m", None, None, "f", "f", "f", "f"]
    values = attribute_problems({n: column(n, c) for n, c in plain.items()})[0]
    assert repr(values) == repr(reference)  # NaN shows as nan on both sides
