"""Issue 10, phase 1: CSV and Parquet through Arrow. Arrow columns score exactly as lists
of the same cells do; Parquet and CSV outputs round-trip ids, values and the columns that
are carried beside the scores; the CSV writer spells floats as repr does."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import likert_instrument

import profdiag
from profdiag._arrow import ArrowColumn
from profdiag._io.tables import read_table, table_format, write_table
from profdiag.cli import main
from profdiag.errors import ArgumentError, ResponseDataError

SCORING = sys.modules["profdiag._scoring.score"]
IPIP = profdiag.load_instrument("ipip-bfm-50")
IPIP_ITEMS = [item.id for item in IPIP.items]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 3 rows, so that small tables take the block-by-block path."""
    monkeypatch.setattr(SCORING, "COLUMN_BLOCK_ROWS", 3)


# ------------------------------------------------------------------ Arrow columns = lists

CELLS = st.sampled_from(
    ["1", "2", "3", "4", "5", "", " 4 ", "4.0", "NA", "nan", "x", "6", "Ж", "10", "-1", "3,0"]
)


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS, min_size=4, max_size=4), min_size=1, max_size=14),
    chunk=st.integers(1, 5),
)
def test_arrow_text_columns_score_as_lists_do(rows: list[list[str]], chunk: int) -> None:
    instrument = likert_instrument(reverse=(2,), aggregation="mean")
    lists = {f"i{k + 1}": [row[k] for row in rows] for k in range(4)}
    arrows = {
        name: ArrowColumn(
            pa.chunked_array(
                [pa.array(cells[k : k + chunk], pa.string()) for k in range(0, len(cells), chunk)],
                pa.string(),
            )
        )
        for name, cells in lists.items()
    }
    expected = profdiag.score(instrument, lists, strict=False)
    original = SCORING.COLUMN_BLOCK_ROWS
    SCORING.COLUMN_BLOCK_ROWS = 3  # several blocks, on threads
    try:
        seen = profdiag.score(instrument, arrows, strict=False)
    finally:
        SCORING.COLUMN_BLOCK_ROWS = original
    np.testing.assert_array_equal(seen.raw, expected.raw)
    np.testing.assert_array_equal(seen.status, expected.status)
    np.testing.assert_array_equal(seen.row_has_problem, expected.row_has_problem)
    assert [(p.row, p.column, p.value) for p in seen.problems] == [
        (p.row, p.column, p.value) for p in expected.problems
    ]


def test_typed_arrow_columns(small_blocks: None) -> None:
    instrument = likert_instrument(aggregation="sum")
    columns = {
        "i1": pa.array([1, None, 5, 2, 6, 3], pa.int64()),  # 6 is not a code
        "i2": pa.array([1.0, float("nan"), 2.0, None, 3.5, 4.0]),  # 3.5 is not a code
        "i3": pa.array(["1", "2", None, "4", "5", "1"]).dictionary_encode(),
        "i4": pa.array([True, None, None, None, False, None]),  # booleans are not answers
        "id": pa.array(["a", "b", "c", "d", "e", "f"]),
    }
    result = profdiag.score(instrument, columns, strict=False, id_column="id")
    assert list(result.row_ids) == ["a", "b", "c", "d", "e", "f"]
    assert result.raw[:, 0].tolist() == [3.0, 2.0, 7.0, 6.0, 5.0, 8.0]
    assert result.answered[:, 0].tolist() == [3, 1, 2, 2, 1, 3]
    assert sorted((p.row, p.column, p.value) for p in result.problems) == [
        (0, "i4", True),
        (4, "i1", 6),
        (4, "i2", 3.5),
        (4, "i4", False),
    ]
    with pytest.raises(ResponseDataError, match="i4"):
        profdiag.score(instrument, columns, id_column="id")


@pytest.mark.parametrize("null", [False, True])
def test_a_nul_cell_is_invalid_and_an_empty_one_is_no_answer(
    small_blocks: None, null: bool
) -> None:
    # One-byte cells are coded by their byte; a NUL character (possible in Parquet text)
    # must not be mistaken for the empty cell.
    cells = ["1", "\0", "", "5", "", "2", *([None] if null else [])]
    result = profdiag.score(likert_instrument(n_items=1), {"i1": pa.array(cells)}, strict=False)
    assert [(p.row, p.value) for p in result.problems] == [(1, "\0")]
    assert result.answered[:, 0].tolist() == [1, 0, 0, 1, 0, 1, *([0] if null else [])]


@pytest.mark.parametrize("kind", [pa.int8(), pa.uint8(), pa.int16(), pa.int32(), pa.int64()])
def test_integer_columns_read_from_their_buffers(small_blocks: None, kind: pa.DataType) -> None:
    # Chunks that are slices of larger arrays (an offset into the value buffer and the
    # validity bitmap), nulls, and codes out of range.
    cells = [9, 1, None, 5, 2, None, 7, 3, 4, None, 0, 5]
    whole = pa.array(cells, kind)
    column = pa.chunked_array([whole.slice(1, 4), whole.slice(5, 3), whole.slice(8)])
    result = profdiag.score(likert_instrument(n_items=1), {"i1": column}, strict=False)
    assert [(p.row, p.value) for p in result.problems] == [(5, 7), (9, 0)]
    raw = result.raw[:, 0].tolist()
    assert [None if math.isnan(x) else x for x in raw[:5]] == [1.0, None, 5.0, 2.0, None]
    assert result.answered[:, 0].tolist() == [1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]


def test_a_whole_column_of_nulls_is_no_answer(small_blocks: None) -> None:
    instrument = likert_instrument(n_items=2)
    columns = {"i1": pa.nulls(5, pa.string()), "i2": pa.nulls(5)}
    result = profdiag.score(instrument, columns)
    assert result.answered[:, 0].tolist() == [0] * 5 and not result.problems


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("a.csv", None, "csv"),
        ("a.TXT", None, "csv"),
        ("a.tsv", None, "tsv"),
        ("a.tab", None, "tsv"),
        ("a.parquet", None, "parquet"),
        ("a.json", None, "json"),
        ("a.dat", "parquet", "parquet"),
        ("a.csv", "JSON", "json"),
    ],
)
def test_the_format_comes_from_the_extension_unless_named(
    name: str, given: str | None, expected: str
) -> None:
    assert table_format(name, given) == expected


def test_an_unknown_format_is_an_argument_error() -> None:
    # .xlsx is read since issue 10, phase 2; the old binary .xls is not
    with pytest.raises(ArgumentError, match="unknown file format 'xls'"):
        table_format("a.xls", "xls")


def test_tsv_is_read_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    path.write_text("id\tq,1\n1\ta,b\n", encoding="utf-8")
    assert read_table(path).columns == {"id": ["1"], "q,1": ["a,b"]}


def test_parquet_columns_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    table = pa.table(
        {
            "id": pa.array(["001", "Ёж", None]),
            "n": pa.array([1, None, 3], pa.int8()),
            "when": pa.array([1, 2, 3], pa.timestamp("s")),
        }
    )
    pq.write_table(table, path)
    read = read_table(path)
    assert (read.n_rows, read.lines, read.delimiter) == (3, None, None)
    assert read.columns == {
        "id": ["001", "Ёж", None],
        "n": [1, None, 3],
        "when": table.column("when").to_pylist(),
    }
    assert read.describe_row(1) == "data row 2"


def test_a_file_that_is_not_parquet_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    path.write_text("id,i1\n1,2\n", encoding="utf-8")
    with pytest.raises(ResponseDataError) as caught:
        read_table(path)
    (problem,) = caught.value.problems
    assert problem.column == "(file)" and problem.expected == "a Parquet file"
    assert "not Parquet or is damaged" in str(problem.value)
    with pytest.raises(ResponseDataError, match="no such file"):
        read_table(tmp_path / "missing.parquet")
    with pytest.raises(ArgumentError, match="a delimiter"):
        read_table(path, delimiter=";")


def test_repeated_parquet_column_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["i1", "i1"]), path)
    with pytest.raises(ResponseDataError, match="each column name once"):
        read_table(path)


# ------------------------------------------------------------------ round trips

IDS = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("0'\"\n\r ,;\t|аяЁё-")),
        st.characters(exclude_characters="\0", exclude_categories=("Cs",)),
    ),
    max_size=10,
)
ANSWERS = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=50, max_size=50)


def _parquet_input(path: Path, ids: list[str], answers: list[list[int | None]]) -> None:
    columns: dict[str, Any] = {"id": pa.array(ids, pa.string())}
    for k, item in enumerate(IPIP_ITEMS):
        columns[item] = pa.array([row[k] for row in answers], pa.int8())
    columns["school"] = pa.array([f"{k:03d}" for k in range(len(ids))])
    columns["grade_point"] = pa.array([k / 4 for k in range(len(ids))])
    pq.write_table(pa.table(columns), path)


def _expected_raw(answers: list[list[int | None]]) -> np.ndarray:
    columns = {item: [row[k] for row in answers] for k, item in enumerate(IPIP_ITEMS)}
    return profdiag.score(IPIP, columns).raw


@settings(max_examples=25, deadline=None)
@given(data=st.lists(st.tuples(IDS, ANSWERS), min_size=1, max_size=6))
def test_parquet_to_parquet_keeps_ids_values_and_extra_columns(
    tmp_path_factory: pytest.TempPathFactory, data: list[tuple[str, list[int | None]]]
) -> None:
    folder = tmp_path_factory.mktemp("parquet")
    ids = [f"{ident}" for ident, _ in data]
    answers = [row for _, row in data]
    _parquet_input(folder / "in.parquet", ids, answers)
    code, _, err = run("score", "ipip-bfm-50", folder / "in.parquet", "--out", folder / "out.pq")
    assert code == 0, err
    assert pq.read_table(folder / "out.pq").num_rows == len(ids)  # .pq is Parquet too
    code, _, err = run(
        "score", "ipip-bfm-50", folder / "in.parquet", "--out", folder / "out.parquet"
    )
    assert code == 0, err
    out = pq.read_table(folder / "out.parquet")
    assert out.column_names[:3] == ["id", "school", "grade_point"]
    assert out.column("id").to_pylist() == ids
    assert out.column("school").to_pylist() == [f"{k:03d}" for k in range(len(ids))]
    assert out.column("grade_point").type == pa.float64()
    expected = _expected_raw(answers)
    for s, scale in enumerate(IPIP.scales):
        seen = out.column(scale.id).to_pylist()
        assert [None if math.isnan(x) else x for x in expected[:, s].tolist()] == seen
    assert pa.types.is_integer(out.column("extraversion.answered").type)
    metadata = json.loads(out.schema.metadata[b"profdiag"])
    assert metadata["instrument"]["id"] == "ipip-bfm-50"


@settings(max_examples=25, deadline=None)
@given(data=st.lists(st.tuples(IDS, IDS, ANSWERS), min_size=1, max_size=6))
def test_csv_to_csv_keeps_ids_values_and_extra_columns(
    tmp_path_factory: pytest.TempPathFactory, data: list[tuple[str, str, list[int | None]]]
) -> None:
    folder = tmp_path_factory.mktemp("csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "note", *IPIP_ITEMS])
    for ident, note, row in data:
        writer.writerow([ident, note, *("" if a is None else a for a in row)])
    (folder / "in.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="")
    code, _, err = run("score", "ipip-bfm-50", folder / "in.csv", "--out", folder / "out.csv")
    assert code == 0, err
    back = read_table(folder / "out.csv")
    assert back.columns["id"] == [ident for ident, _, _ in data]
    assert back.columns["note"] == [note for _, note, _ in data]
    expected = _expected_raw([row for _, _, row in data])
    for s, scale in enumerate(IPIP.scales):
        cells = back.columns[scale.id]
        assert [float(c) if c else math.nan for c in cells] == pytest.approx(
            expected[:, s].tolist(), nan_ok=True, abs=0
        )


def test_json_output_carries_extra_columns(tmp_path: Path) -> None:
    rows = [{"id": "a", "school": 5, "tags": ["x"], **dict.fromkeys(IPIP_ITEMS, 3)}]
    (tmp_path / "in.json").write_text(json.dumps(rows), encoding="utf-8")
    code, _, err = run("score", "ipip-bfm-50", tmp_path / "in.json", "--out", tmp_path / "o.json")
    assert code == 0, err
    respondent = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["respondents"][0]
    assert list(respondent)[:3] == ["id", "school", "tags"]
    assert (respondent["school"], respondent["tags"]) == (5, ["x"])


def test_format_option_reads_a_file_whatever_its_name(tmp_path: Path) -> None:
    _parquet_input(tmp_path / "archive.dat", ["r1"], [[3] * 50])
    code, out, err = run("score", "ipip-bfm-50", tmp_path / "archive.dat", "--format", "parquet")
    assert code == 0, err
    assert next(csv.reader(io.StringIO(out)))[:2] == ["id", "school"]
    code, _, err = run("score", "ipip-bfm-50", tmp_path / "archive.dat")  # read as CSV
    assert code == 1 and "archive.dat" in err
    code, _, err = run("score", "ipip-bfm-50", tmp_path / "archive.dat", "--format", "xls")
    assert code == 2
    code, _, err = run("score", "ipip-bfm-50", tmp_path / "archive.dat", "--format", "xlsx")
    assert code == 1 and "not .xlsx, or damaged" in err  # a Parquet file read as Excel


# ------------------------------------------------------------------ the CSV writer

FLOATS = st.floats(allow_nan=True, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(FLOATS, min_size=1, max_size=40), repeat=st.integers(1, 20))
def test_floats_are_written_as_repr_writes_them(values: list[float], repeat: int) -> None:
    # Repeated values take the path that formats each distinct value once.
    column = np.array(values * repeat)
    text = write_table(None, ["x"], [column], {})
    assert text is not None
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert cells == ["" if math.isnan(v) else repr(v) for v in column.tolist()]


def test_label_columns_side_by_side_are_written_as_the_csv_module_writes_them() -> None:
    from profdiag._arrow import labels_column

    columns: list[Any] = [
        np.array(["a,b", 'q"', "c"], dtype=object),
        labels_column([0, 1, 0], ["ok", "too_few_answered"]),
        np.array([3, 10, 0]),
        labels_column([1, 1, 0], ["x", "y,z"]),
        labels_column([0, 0, 0], ['sha256:"1"']),
    ]
    text = write_table(None, ["id", "s", "n", "t", "h"], columns, {})
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["id", "s", "n", "t", "h"])
    writer.writerows(
        [
            ["a,b", "ok", 3, "y,z", 'sha256:"1"'],
            ['q"', "too_few_answered", 10, "y,z", 'sha256:"1"'],
            ["c", "ok", 0, "x", 'sha256:"1"'],
        ]
    )
    assert text == expected.getvalue()
