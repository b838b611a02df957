"""The integer kernel (`_scoring/integer_kernel.py`): integer columns scored as stored give
exactly the scores, counts, statuses and problems of the same answers as a float64 array,
for any linear instrument, any integer width and missing-cell representation, and blocks
that fall back to the general path when a code is out of range."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import build
from tests.conftest import same_scores as same

import profdiag
from profdiag import ResponseDataError
from profdiag._instrument import Instrument
from profdiag._io.tables import read_table
from profdiag._scoring import integer_kernel
from profdiag._scoring.encode import prepare_columns
from profdiag._scoring.plan import compile_plan

score_module = importlib.import_module("profdiag._scoring.score")
# The fixture is reset by hand: each example clears the list it yields.
FIXTURE = HealthCheck.function_scoped_fixture


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Blocks of 16 rows (general path: 8), so that a few dozen rows make several blocks
    and a ragged last one; yields the integer kernel's result for every block it tried."""
    tried: list[bool] = []
    real = integer_kernel.score_integer_block

    def spy(*args: Any, **kwargs: Any) -> bool:
        done = real(*args, **kwargs)
        tried.append(done)
        return done

    monkeypatch.setattr(score_module, "BLOCK_ROWS", 8)
    monkeypatch.setattr(score_module, "INTEGER_BLOCK_ROWS", 16)
    monkeypatch.setattr(score_module, "score_integer_block", spy)
    yield tried


@st.composite
def instruments(draw: Any) -> tuple[Instrument, list[tuple[int, int]]]:
    """Items of one to three Likert ranges (low from -3 to 2, 2 to 7 codes), two to four
    scales over random items (an item may be in several), reverse keys, whole weights,
    sum or mean, skip or prorate, a minimum answered."""
    ranges = draw(
        st.lists(st.tuples(st.integers(-3, 2), st.integers(2, 7)), min_size=1, max_size=3)
    )
    formats = {
        f"f{k}": {"type": "likert", "codes": list(range(low, low + n))}
        for k, (low, n) in enumerate(ranges)
    }
    n_items = draw(st.integers(2, 9))
    item_format = [draw(st.integers(0, len(ranges) - 1)) for _ in range(n_items)]
    scales = []
    for s in range(draw(st.integers(1, 4))):
        members = draw(st.lists(st.integers(0, n_items - 1), min_size=1, max_size=6, unique=True))
        scales.append(
            {
                "id": f"s{s}",
                "title": {"en": f"s{s}"},
                "aggregation": draw(st.sampled_from(["sum", "mean"])),
                "items": [
                    {
                        "item": f"i{j}",
                        "reverse": draw(st.booleans()),
                        "weight": float(draw(st.sampled_from([1, 1, 2, 3]))),
                    }
                    for j in members
                ],
                "missing": {
                    "gaps": draw(st.sampled_from(["skip", "prorate"])),
                    "min_answered": draw(st.integers(1, len(members))),
                },
            }
        )
    instrument = build(
        response_formats=formats,
        items=[{"id": f"i{j}", "format": f"f{item_format[j]}"} for j in range(n_items)],
        scales=scales,
    )
    item_ranges = [(ranges[k][0], ranges[k][0] + ranges[k][1] - 1) for k in item_format]
    return instrument, item_ranges


def answers(draw: Any, item_ranges: list[tuple[int, int]], n_rows: int, bad: bool) -> np.ndarray:
    """n_rows x items of valid codes and NaN (missing); with `bad`, a few codes one below
    or above the range, or far outside it."""
    values = np.empty((n_rows, len(item_ranges)))
    for j, (low, high) in enumerate(item_ranges):
        choices: list[float] = [float(c) for c in range(low, high + 1)] + [np.nan]
        values[:, j] = draw(st.lists(st.sampled_from(choices), min_size=n_rows, max_size=n_rows))
    if bad:
        for _ in range(draw(st.integers(1, 3))):
            row = draw(st.integers(0, n_rows - 1))
            j = draw(st.integers(0, len(item_ranges) - 1))
            low, high = item_ranges[j]
            values[row, j] = draw(st.sampled_from([low - 1, high + 1, 100, -100]))
    return values


def containers(values: np.ndarray, item_ids: list[str], dtype: str, offset: int) -> list[Any]:
    """The same answers as integer tables of `dtype` ('Int8', 'Int16', 'Int64'); Arrow
    columns sliced `offset` rows in, so that validity bitmaps do not start at a byte."""
    frame = pd.DataFrame(values, columns=item_ids).astype(dtype)
    padded = np.vstack([np.full((offset, values.shape[1]), 1.0), values])
    arrow_type = {"Int8": pa.int8(), "Int16": pa.int16(), "Int64": pa.int64()}[dtype]
    arrow = pa.table(
        {
            item: pa.array(
                [None if np.isnan(v) else int(v) for v in padded[:, j]], type=arrow_type
            ).slice(offset)
            for j, item in enumerate(item_ids)
        }
    )
    return [frame, arrow, pl.from_arrow(arrow), frame.astype(dtype.lower() + "[pyarrow]")]


@settings(max_examples=120, deadline=None, suppress_health_check=[FIXTURE])
@given(
    setup=instruments(),
    dtype=st.sampled_from(["Int8", "Int16", "Int64"]),
    offset=st.integers(0, 9),
    bad=st.booleans(),
    data=st.data(),
)
def test_integer_tables_score_as_the_float64_array(
    small_blocks: list[bool],
    setup: tuple[Instrument, list[tuple[int, int]]],
    dtype: str,
    offset: int,
    bad: bool,
    data: Any,
) -> None:
    instrument, item_ranges = setup
    n_rows = data.draw(st.integers(9, 60))
    values = answers(data.draw, item_ranges, n_rows, bad)
    item_ids = [item.id for item in instrument.items]
    reference = profdiag.score(instrument, values, strict=False)
    small_blocks.clear()
    for table in containers(values, item_ids, dtype, offset):
        same(profdiag.score(instrument, table, strict=False), reference)
    assert small_blocks, "the integer kernel never ran"
    if not bad:
        assert all(small_blocks)
    else:
        assert not all(small_blocks)  # the blocks with a bad code fell back


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE])
@given(setup=instruments(), data=st.data())
def test_integer_arrays_of_every_width_and_layout(
    small_blocks: list[bool], setup: tuple[Instrument, list[tuple[int, int]]], data: Any
) -> None:
    """numpy integer arrays (no missing cells) in C and Fortran order, and dicts of 1-D
    integer columns, signed and unsigned where the range allows."""
    instrument, item_ranges = setup
    n_rows = data.draw(st.integers(9, 50))
    values = answers(data.draw, item_ranges, n_rows, bad=data.draw(st.booleans()))
    values[np.isnan(values)] = item_ranges[0][0] if item_ranges[0][0] >= 0 else 0
    reference = profdiag.score(instrument, values, strict=False)
    dtypes = [np.int8, np.int16, np.int32, np.int64]
    if values.min() >= 0:
        dtypes += [np.uint8, np.uint16, np.uint64]
    small_blocks.clear()
    for dtype in dtypes:
        ints = values.astype(dtype)
        for matrix in (ints, np.asfortranarray(ints)):
            same(profdiag.score(instrument, matrix, strict=False), reference)
        columns = {item.id: ints[:, j].copy() for j, item in enumerate(instrument.items)}
        same(profdiag.score(instrument, columns, strict=False), reference)
    assert small_blocks, "the integer kernel never ran"


def test_codes_that_wrap_around_a_narrower_width_are_caught(small_blocks: list[bool]) -> None:
    """(x - low) is checked in the column's own width: 257 in int16 is not code 1, 2**32 + 3
    in int64 is not 3, and -128 in int8 is not a code of 1..5."""
    instrument = build(
        response_formats={"lk": {"type": "likert", "codes": [1, 2, 3, 4, 5]}},
        items=[{"id": "a", "format": "lk"}, {"id": "b", "format": "lk"}],
        scales=[{"id": "S", "title": {"en": "S"}, "items": [{"item": "a"}, {"item": "b"}]}],
    )
    cases = [(np.int16, 257), (np.int64, 2**32 + 3), (np.int8, -128), (np.uint8, 0)]
    # wider codes are cut to their low byte only when all lie in the 256 integers up to
    # the highest code: -253 (low byte 3) and 2**16 + 2 are outside and must be caught
    cases += [(np.int16, -253), (np.int32, 2**16 + 2), (np.int64, -(2**40) + 4), (np.int32, 0)]
    for dtype, bad in cases:
        a = np.full(40, 3, dtype=dtype)
        a[21] = bad
        columns = {"a": a, "b": np.full(40, 2, dtype=dtype)}
        with pytest.raises(ResponseDataError) as raised:
            profdiag.score(instrument, columns)
        [problem] = raised.value.problems
        assert (problem.row, problem.column, problem.value) == (21, "a", bad)


def test_a_range_the_column_type_cannot_hold_takes_the_general_path(
    small_blocks: list[bool],
) -> None:
    """Codes 0..255 in int8 columns: -1 would wrap to 255, so the kernel must not run."""
    instrument = build(
        response_formats={"wide": {"type": "likert", "codes": list(range(256))}},
        items=[{"id": "a", "format": "wide"}],
        scales=[{"id": "S", "title": {"en": "S"}, "items": [{"item": "a"}]}],
    )
    column = np.full(40, 7, dtype=np.int8)
    column[30] = -1
    result = profdiag.score(instrument, {"a": column}, strict=False)
    assert [(p.row, p.value) for p in result.problems] == [(30, -1)]
    assert small_blocks == []
    uint = profdiag.score(instrument, {"a": np.arange(40, dtype=np.uint8) * 6})
    np.testing.assert_array_equal(uint.raw[:, 0], np.arange(40) * 6.0)
    assert small_blocks and all(small_blocks)


def test_plans_the_kernel_does_not_take() -> None:
    """Lookup tables (ДДО-style option scores), imputed gaps and fractional weights."""
    klimov = compile_plan(profdiag.load_instrument("klimov-ddo"))
    assert integer_kernel.integer_layout(klimov, [True] * klimov.n_items) is None
    for scale_extra in (
        {"missing": {"gaps": "impute", "impute_values": {"a": 3}}},
        {"items": [{"item": "a", "weight": 0.5}]},
    ):
        scale = {"id": "S", "title": {"en": "S"}, "items": [{"item": "a"}], **scale_extra}
        instrument = build(
            response_formats={"lk": {"type": "likert", "codes": [1, 2, 3, 4, 5]}},
            items=[{"id": "a", "format": "lk"}],
            scales=[scale],
        )
        assert integer_kernel.integer_layout(compile_plan(instrument), [True]) is None


def test_a_large_table_with_real_block_sizes() -> None:
    """Two integer-kernel blocks and a ragged third, 5% missing, a bad code in the second:
    the same as the float64 array, in every table kind."""
    ipip = profdiag.load_instrument("ipip-bfm-50")
    item_ids = [item.id for item in ipip.items]
    rng = np.random.default_rng(11)
    n_rows = 2 * integer_kernel.INTEGER_BLOCK_ROWS + 1_001
    values = rng.integers(1, 6, size=(n_rows, len(item_ids))).astype(float)
    values[rng.random(values.shape) < 0.05] = np.nan
    values[: len(item_ids), :] = np.nan  # rows with nothing answered: not scored
    clean = profdiag.score(ipip, values)
    frame = pd.DataFrame(values, columns=item_ids).astype("Int8")
    same(profdiag.score(ipip, frame), clean)
    same(profdiag.score(ipip, pa.Table.from_pandas(frame)), clean)
    assert np.isnan(clean.raw[0]).all() and (clean.status[0] == 1).all()
    values[integer_kernel.INTEGER_BLOCK_ROWS + 3, 7] = 9
    frame = pd.DataFrame(values, columns=item_ids).astype("Int8")
    reference = profdiag.score(ipip, values, strict=False)
    result = profdiag.score(ipip, frame, strict=False)
    same(result, reference)
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (integer_kernel.INTEGER_BLOCK_ROWS + 3, item_ids[7], 9)
    ]


def test_arrow_columns_as_the_file_readers_give_them(small_blocks: list[bool]) -> None:
    """A mapping of chunked Arrow integer columns (Parquet's reader gives them so) reaches
    the integer kernel and scores as the float64 array; float Arrow columns do not."""
    ipip = profdiag.load_instrument("ipip-bfm-50")
    rng = np.random.default_rng(5)
    values = rng.integers(1, 6, size=(45, 50)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan

    def chunked(column: np.ndarray, arrow_type: pa.DataType) -> pa.ChunkedArray:
        cells = [None if np.isnan(v) else v for v in column]
        if pa.types.is_integer(arrow_type):
            cells = [None if v is None else int(v) for v in cells]
        return pa.chunked_array([cells[:13], cells[13:30], cells[30:]], type=arrow_type)

    reference = profdiag.score(ipip, values)
    for arrow_type, kernel_runs in ((pa.int64(), True), (pa.float64(), False)):
        small_blocks.clear()
        columns = {item.id: chunked(values[:, j], arrow_type) for j, item in enumerate(ipip.items)}
        same(profdiag.score(ipip, columns), reference)
        assert bool(small_blocks) == kernel_runs


def test_many_item_groups_take_shorter_blocks_and_score_alike() -> None:
    """200 items on 200 scales: 200 groups, whose buffers at 65,536 rows would take over
    150 MB per thread; blocks shrink to the budget and the scores stay exact."""
    n_items = 200
    instrument = build(
        response_formats={"lk": {"type": "likert", "codes": [0, 1, 2, 3]}},
        items=[{"id": f"i{j}", "format": "lk"} for j in range(n_items)],
        scales=[
            {"id": f"s{j}", "title": {"en": f"s{j}"}, "items": [{"item": f"i{j}"}]}
            for j in range(n_items)
        ],
    )
    plan = compile_plan(instrument)
    layout = integer_kernel.integer_layout(plan, [True] * n_items)
    assert layout is not None and layout.n_groups == n_items
    rows = layout.block_rows(integer_kernel.INTEGER_BLOCK_ROWS)
    assert 4_096 <= rows < integer_kernel.INTEGER_BLOCK_ROWS
    values = np.random.default_rng(2).integers(0, 4, size=(2 * rows + 5, n_items)).astype(float)
    values[::7, ::3] = np.nan
    frame = pd.DataFrame(values, columns=[f"i{j}" for j in range(n_items)]).astype("Int8")
    same(profdiag.score(instrument, frame), profdiag.score(instrument, values))


def test_text_columns_as_the_csv_reader_gives_them(tmp_path: Path) -> None:
    """A CSV file's item columns (read as text: one-byte cells and empty ones) reach the
    integer kernel when every cell is an answer or empty, with the scores of the float64
    array; a bad cell anywhere sends the table to the general path, which names it."""
    ipip = profdiag.load_instrument("ipip-bfm-50")
    item_ids = [item.id for item in ipip.items]
    rng = np.random.default_rng(9)
    n_rows = score_module.BLOCK_ROWS + 300
    values = rng.integers(1, 6, size=(n_rows, len(item_ids))).astype(float)
    values[rng.random(values.shape) < 0.05] = np.nan
    lines = ["id," + ",".join(item_ids)]
    lines += [
        f"r{r}," + ",".join("" if np.isnan(v) else f"{v:g}" for v in row)
        for r, row in enumerate(values)
    ]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path)
    plan = compile_plan(ipip)
    prepared = prepare_columns(plan, table.columns)
    assert score_module._coded_as_integers(plan, prepared, n_rows, None) is not None
    result = profdiag.score(ipip, table.columns, id_column="id")
    same(result, profdiag.score(ipip, values))
    assert list(result.row_ids[:2]) == ["r0", "r1"]

    lines[n_rows // 2] = lines[n_rows // 2].replace(",", ",x", 1)  # a bad first item
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path)
    assert (
        score_module._coded_as_integers(plan, prepare_columns(plan, table.columns), n_rows, None)
        is None
    )
    lenient = profdiag.score(ipip, table.columns, id_column="id", strict=False)
    shown = [(p.row, p.column, p.value) for p in lenient.problems]
    assert shown == [(n_rows // 2 - 1, "ipip01", lines[n_rows // 2].split(",")[1])]  # "x..."
