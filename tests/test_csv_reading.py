"""CSV reading as RFC 4180: quotes are never guessed, rows in = rows out, and every failure
is a ResponseDataError (or ArgumentError) naming the file and the line."""

from __future__ import annotations

import csv
import errno
import io
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import likert_instrument

import profdiag
from profdiag._io import csv_format
from profdiag._io.score_table import score_table
from profdiag._io.tables import DELIMITERS, read_table, write_table
from profdiag.errors import ArgumentError, ResponseDataError


def write(tmp_path: Path, content: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def problem_of(error: pytest.ExceptionInfo[ResponseDataError]) -> tuple[int, str, str, str]:
    (problem,) = error.value.problems
    return problem.row, problem.column, str(problem.value), problem.expected


# ------------------------------------------------------------------ quotes are never guessed


def test_apostrophe_ids_are_text_and_no_row_is_swallowed(tmp_path: Path) -> None:
    # csv.Sniffer took ' for the quote character here: 6 rows in, 3 rows out, exit 0.
    rows = [f"'00{k}',{k % 2 + 1},{(k + 1) % 2 + 1}" for k in range(1, 7)]
    table = read_table(write(tmp_path, "id,q1,q2\n" + "\n".join(rows) + "\n"))
    assert table.n_rows == 6
    assert table.columns["id"] == ["'001'", "'002'", "'003'", "'004'", "'005'", "'006'"]
    assert table.columns["q1"] == ["2", "1", "2", "1", "2", "1"]
    assert list(table.lines) == [2, 3, 4, 5, 6, 7]


def test_unbalanced_apostrophes_do_not_join_lines(tmp_path: Path) -> None:
    # With the sniffer this file gave 3 rows: "'001,1,2\n'002" was one cell.
    ids = ["'001", "'002", "'003", "'004", "'005", "'006'"]
    text = "id,q1,q2\n" + "".join(f"{id_},1,2\n" for id_ in ids)
    table = read_table(write(tmp_path, text))
    assert table.n_rows == 6
    assert table.columns == {"id": ids, "q1": ["1"] * 6, "q2": ["2"] * 6}


def test_quotes_inside_cells_come_back_as_written(tmp_path: Path) -> None:
    # Once read back as 'School "Lyceum 5"""'.
    text = 'id,school\n1,School "Lyceum 5"\n2,"School ""Lyceum 5"""\n3,"a,b"\n'
    table = read_table(write(tmp_path, text))
    assert table.columns["school"] == ['School "Lyceum 5"', 'School "Lyceum 5"', "a,b"]


def test_apostrophes_and_quotes_written_by_the_csv_module_survive(tmp_path: Path) -> None:
    cells = ["'001'", "'", "''", 'say "hi"', '"', "it's, quoted", "'a;b'"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "x"])
    writer.writerows([cell, str(k)] for k, cell in enumerate(cells))
    table = read_table(write(tmp_path, buffer.getvalue()))
    assert table.columns["id"] == cells
    assert table.n_rows == len(cells)


def test_cells_are_not_stripped_but_header_names_are(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, " id , q1\n 007 ,  \n"))
    assert table.columns == {"id": [" 007 "], "q1": ["  "]}


# ------------------------------------------------------------------ rows in = rows out


def test_a_line_of_empty_cells_is_a_respondent_who_answered_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "id,i1,i2,i3,i4\nA,1,2,3,4\n,,,,\n\nC,5,5,5,5\n")
    table = read_table(path)
    assert table.n_rows == 3
    assert table.columns["id"] == ["A", "", "C"]
    assert table.columns["i2"] == ["2", "", "5"]
    assert list(table.lines) == [2, 3, 5]
    assert table.skipped_blank_lines == (4,)
    assert table.describe_row(2) == "data row 3 (line 5)"
    result = profdiag.score(likert_instrument(), table.columns, id_column="id")
    assert result.raw[:, 0].tolist()[::2] == [10.0, 20.0]
    assert np.isnan(result.raw[1, 0])
    assert result.status_labels()[:, 0].tolist() == ["ok", "too_few_answered", "ok"]


def test_rows_survive_the_whole_pipeline(tmp_path: Path) -> None:
    rows = ["'001',1,2,3,4", ",,,,", "'003',,,,", '"4,x",5,5,5,5', "'005',1,1,1,1", ",1,,,"]
    path = write(tmp_path, "id,i1,i2,i3,i4\n" + "\n".join(rows) + "\n")
    table = read_table(path)
    instrument = likert_instrument()
    result = profdiag.score(instrument, table.columns, id_column="id")
    standard = profdiag.standardize(instrument, result)
    header, columns = score_table(result, standard, id_name="id", normed=False, bands=False)
    out = tmp_path / "scores.csv"
    write_table(out, header, columns, {})
    back = read_table(out)
    assert back.n_rows == len(rows) == 6
    assert back.columns["id"] == ["'001'", "", "'003'", "4,x", "'005'", ""]
    assert back.columns["S.status"] == ["ok", *["too_few_answered"] * 2, "ok", "ok", "ok"]


def test_blank_lines_are_counted_wherever_they_are(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "\n\r\nid,q\r\n1,2\r\n\r\n3,4\r\n\n"))
    assert table.columns == {"id": ["1", "3"], "q": ["2", "4"]}
    assert list(table.lines) == [4, 6]
    assert table.skipped_blank_lines == (1, 2, 5, 7)


def test_line_numbers_follow_cells_that_span_lines(tmp_path: Path) -> None:
    text = 'id,note\n1,"two\nlines"\n2,plain\n\n3,"three\r\nline\rends"\n4,x\n'
    table = read_table(write(tmp_path, text))
    assert table.columns["note"] == ["two\nlines", "plain", "three\r\nline\rends", "x"]
    assert list(table.lines) == [2, 4, 6, 9]
    assert table.skipped_blank_lines == (5,)


@pytest.mark.parametrize("scanned", [False, True])
def test_line_numbers_of_plain_lines_with_and_without_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scanned: bool
) -> None:
    # Text without quotes, carriage returns or blank lines is counted by its line ends
    # alone; the scan that finds quoted line breaks must give the same rows and lines.
    if scanned:
        monkeypatch.setattr(csv_format, "_records_are_lines", lambda *_: False)
    table = read_table(write(tmp_path, "id,note\n1,a\n2,b\n3,c"))
    assert table.columns == {"id": ["1", "2", "3"], "note": ["a", "b", "c"]}
    assert list(table.lines) == [2, 3, 4]
    assert table.skipped_blank_lines == ()


def test_carriage_return_line_ends(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id;q\r1;2\r3;4\r"))
    assert table.columns == {"id": ["1", "3"], "q": ["2", "4"]}
    assert list(table.lines) == [2, 3]


def test_every_row_of_the_wrong_width_is_reported(tmp_path: Path) -> None:
    text = 'id,q1,q2\n1,1,2\n2,1\n3,1,2\n4,1,2,3\n"5\nx"\n6,1,2\n'
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, text))
    described = [(p.row, p.value, p.expected) for p in caught.value.problems]
    assert described == [
        (1, "2 fields", "3 fields, as in the header (line 3)"),
        (3, "4 fields", "3 fields, as in the header (line 5)"),
        (4, "1 field", "3 fields, as in the header (line 6)"),
    ]
    assert str(caught.value).startswith(f"{tmp_path / 'data.csv'}: 3 problem(s)")


def test_header_only_is_a_table_of_no_rows(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id,q1\n"))
    assert (table.n_rows, table.columns, list(table.lines)) == (0, {"id": [], "q1": []}, [])


@pytest.mark.parametrize("content", ["", "\n\n", "\r\n", "\ufeff"])
def test_an_empty_file_is_an_error(tmp_path: Path, content: str) -> None:
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, content))
    assert problem_of(caught) == (
        -1,
        "(header)",
        "an empty file",
        "a header row naming the columns",
    )


def test_empty_and_repeated_header_names_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, "id,,q, q\n1,2,3,4\n"))
    assert [(p.column, p.expected) for p in caught.value.problems] == [
        ("(column 2)", "a column name"),
        ("q", "each column name once"),
    ]


# ------------------------------------------------------------------ malformed CSV


def test_a_cell_over_the_field_limit_names_its_row(tmp_path: Path) -> None:
    # Once a bare `_csv.Error: field larger than field limit (131072)`.
    text = "id,q\n1,2\n2," + "x" * 200_000 + "\n3,4\n"
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, text))
    assert problem_of(caught) == (
        1,
        "q",  # the column of the long cell, found by scanning its record
        "a cell longer than 131,072 characters",
        "cells of at most 131,072 characters (line 3)",
    )


def test_a_cell_just_under_the_limit_is_read(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id,q\n1," + "x" * 131_072 + "\n"))
    assert len(table.columns["q"][0]) == 131_072


def test_a_quoted_cell_that_never_closes_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, 'id,q\n1,2\n3,"4\n5,6\n7,8\n'))
    assert problem_of(caught) == (
        1,
        "(row)",
        "a quoted cell that runs to the end of the file",
        "a closing quote for the quoted cell in the row starting at line 3",
    )


def test_text_after_a_closing_quote_is_an_error_reported_with_earlier_rows(
    tmp_path: Path,
) -> None:
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, 'id,q\n1\n2,"a"b\n3,4\n'))
    assert [(p.row, p.value) for p in caught.value.problems] == [
        (0, "1 field"),
        (1, "text after the closing quote of a quoted cell"),
    ]
    assert caught.value.problems[1].expected.endswith("(line 3)")


def test_nul_characters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, b"id,q\n1,2\n3,\x004\n"))
    row, column, value, expected = problem_of(caught)
    assert (row, column, value) == (-1, "q", "a NUL character at line 3, column 3")
    assert "NUL" in expected


def test_utf16_text_is_named(tmp_path: Path) -> None:
    with pytest.raises(ResponseDataError) as caught:
        read_table(write(tmp_path, "id,q\n1,2\n".encode("utf-16")))
    assert "it may be in another encoding such as UTF-16" in problem_of(caught)[3]


# ------------------------------------------------------------------ files and encodings


def test_bytes_that_are_not_utf8_name_offset_line_and_no_cli_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "id,name\n1,ok\n2,Иван\n".encode("cp1251"))
    with pytest.raises(ResponseDataError) as caught:
        read_table(path)
    assert problem_of(caught) == (
        -1,
        "(file)",
        "byte 0xc8 at offset 15 (line 3, column 3)",
        "UTF-8 text (the file is not UTF-8 text; it may be in another encoding such as cp1251)",
    )
    assert "--" not in str(caught.value)
    assert read_table(path, encoding="cp1251").columns["name"] == ["ok", "Иван"]
    assert read_table(path, encoding="windows-1251").columns["name"] == ["ok", "Иван"]


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("no-such-codec", "unknown text encoding 'no-such-codec'"),
        ("rot13", "'rot13' is not a text encoding"),
        ("base64", "'base64' is not a text encoding"),
    ],
)
def test_unknown_encodings_are_argument_errors(tmp_path: Path, encoding: str, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        read_table(write(tmp_path, "id\n1\n"), encoding=encoding)


def test_a_byte_order_mark_is_dropped_whatever_the_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffid,q\n1,2\n")
    assert list(read_table(path, encoding="utf-8").columns) == ["id", "q"]
    assert list(read_table(path).columns) == ["id", "q"]


@pytest.mark.parametrize(
    ("make", "seen"),
    [
        (lambda folder: folder / "missing.csv", "no such file"),
        (lambda folder: folder, "a folder"),
        (lambda folder: Path("/dev/zero"), "a device, not a file"),
        (
            lambda folder: folder / "data.csv" / "below.csv",
            "a path in which a part is not a folder",
        ),
    ],
)
def test_unreadable_files_are_response_data_errors(tmp_path: Path, make: object, seen: str) -> None:
    write(tmp_path, "id\n1\n")
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ResponseDataError) as caught:
        read_table(path)
    assert problem_of(caught) == (-1, "(file)", seen, "a readable file")
    assert caught.value.source == str(path)


def test_a_pipe_is_read(tmp_path: Path) -> None:
    pipe = tmp_path / "data.csv"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_text, args=("id,q\n1,2\n",))
    writer.start()
    try:
        assert read_table(pipe).columns == {"id": ["1"], "q": ["2"]}
    finally:
        writer.join()


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    path = write(tmp_path, "id\n1\n")
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ResponseDataError) as caught:
        read_table(path)
    assert problem_of(caught)[2] == "a file that cannot be read (permission denied)"


# ------------------------------------------------------------------ the delimiter


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_the_delimiter_is_found_in_the_header_line(tmp_path: Path, delimiter: str) -> None:
    others = "".join(mark for mark in DELIMITERS if mark != delimiter)
    # Other candidates inside quoted names and in the rows do not count.
    header = delimiter.join(["id", f'"a{others}b{others}c"', "q"])
    row = delimiter.join(["1", f'"{others * 5}"', "x"])
    table = read_table(write(tmp_path, f"{header}\n{row}\n"))
    assert table.delimiter == delimiter
    assert table.columns == {"id": ["1"], f"a{others}b{others}c": [others * 5], "q": ["x"]}


def test_the_most_frequent_delimiter_wins(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "id;name,surname;q\n1;a,b;2\n"))
    assert table.delimiter == ";"
    assert table.columns == {"id": ["1"], "name,surname": ["a,b"], "q": ["2"]}


def test_a_tie_is_an_error_until_the_delimiter_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "id,name|q\n1,a|2\n")
    with pytest.raises(ResponseDataError) as caught:
        read_table(path)
    row, column, value, expected = problem_of(caught)
    assert (row, column) == (-1, "(header)")
    assert value == "1 x comma ',' and 1 x pipe '|' in the header line (line 1)"
    assert "name the delimiter" in expected
    assert read_table(path, delimiter="|").columns == {"id,name": ["1,a"], "q": ["2"]}
    assert read_table(path, delimiter="comma").columns == {"id": ["1"], "name|q": ["a|2"]}


def test_a_header_without_delimiters_is_one_column(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, 'answers\n1а, 2б; 3а|4б\t5а\n""\n"x\ny"\n'))
    assert table.delimiter is None
    assert table.columns == {"answers": ["1а, 2б; 3а|4б\t5а", "", "x\ny"]}


def test_a_named_delimiter_is_used_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "a:b,c\n1:2,3\n")
    assert read_table(path, delimiter=":").columns == {"a": ["1"], "b,c": ["2,3"]}
    assert read_table(path, delimiter="tab").columns == {"a:b,c": ["1:2,3"]}


@pytest.mark.parametrize("delimiter", ['"', "\n", "\r", "", ";;", "\0", "tabs"])
def test_unusable_delimiters_are_argument_errors(tmp_path: Path, delimiter: str) -> None:
    with pytest.raises(ArgumentError, match="delimiter"):
        read_table(write(tmp_path, "id\n1\n"), delimiter=delimiter)


def test_a_delimiter_for_a_json_file_is_an_argument_error(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="JSON"):
        read_table(write(tmp_path, "[]", name="data.json"), delimiter=",")


# ------------------------------------------------------------------ round trips

CELL_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("0'\"\n\r ,;\t|аяЁё-")),
        st.characters(exclude_characters="\0", exclude_categories=("Cs",)),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(ids=st.lists(CELL_TEXT, min_size=1, max_size=12), zero_padded=st.integers(0, 999))
def test_ids_round_trip_through_the_writer_and_reader(
    tmp_path_factory: pytest.TempPathFactory, ids: list[str], zero_padded: int
) -> None:
    ids = [*ids, f"{zero_padded:04d}", f" {zero_padded} "]
    values = np.arange(len(ids), dtype=np.float64) / 4
    path = tmp_path_factory.mktemp("round") / "ids.csv"
    write_table(path, ["id", "value"], [np.array(ids, dtype=object), values], {})
    table = read_table(path)
    assert table.n_rows == len(ids)
    assert table.columns["id"] == ids
    assert [float(cell) for cell in table.columns["value"]] == values.tolist()
    assert table.skipped_blank_lines == ()


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(CELL_TEXT, min_size=1, max_size=8))
def test_one_column_tables_round_trip(
    tmp_path_factory: pytest.TempPathFactory, ids: list[str]
) -> None:
    path = tmp_path_factory.mktemp("round") / "ids.csv"
    write_table(path, ["id"], [np.array(ids, dtype=object)], {})
    assert read_table(path).columns == {"id": ids}


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL_TEXT, CELL_TEXT), min_size=0, max_size=8),
    delimiter=st.sampled_from(DELIMITERS),
    line_end=st.just("\r\n"),  # with "\n", csv.writer leaves a "\r" in a cell unquoted
)
def test_every_delimiter_round_trips_through_the_csv_module(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str]],
    delimiter: str,
    line_end: str,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(["id", "answer", "n"])
    writer.writerows([*row, str(k)] for k, row in enumerate(rows))
    path = tmp_path_factory.mktemp("round") / "data.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    for table in (read_table(path), read_table(path, delimiter=delimiter)):
        assert table.delimiter == delimiter
        assert table.n_rows == len(rows)
        assert table.columns["id"] == [row[0] for row in rows]
        assert table.columns["answer"] == [row[1] for row in rows]
        assert table.columns["n"] == [str(k) for k in range(len(rows))]


# ------------------------------------------------------------------ fuzzing


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.one_of(
            st.just(None),  # a line without any character
            st.lists(st.text(alphabet="a1я' -.", max_size=4), min_size=3, max_size=3),
        ),
        max_size=12,
    ),
    delimiter=st.sampled_from(DELIMITERS),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_rows_in_equal_rows_out(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[str] | None],
    delimiter: str,
    line_end: str,
) -> None:
    lines = ["id" + delimiter + "a" + delimiter + "b"]
    lines += ["" if row is None else delimiter.join(row) for row in rows]
    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    path.write_bytes((line_end.join(lines) + line_end).encode())
    table = read_table(path)
    kept = [(number, row) for number, row in enumerate(rows, start=2) if row is not None]
    assert table.n_rows == len(kept)
    assert list(table.lines) == [number for number, _ in kept]
    assert table.skipped_blank_lines == tuple(
        number for number, row in enumerate(rows, start=2) if row is None
    )
    assert table.columns["b"] == [row[2] for _, row in kept]


@settings(max_examples=300, deadline=None)
@given(
    content=st.one_of(
        st.text(alphabet=st.sampled_from(list(",;\t|\"'\r\n a1я\0")), max_size=60),
        st.binary(max_size=60),
    )
)
def test_any_file_gives_a_table_or_a_response_data_error(
    tmp_path_factory: pytest.TempPathFactory, content: str | bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    try:
        table = read_table(path)
    except ResponseDataError as error:
        assert error.problems and error.source == str(path)
        return
    assert all(len(cells) == table.n_rows for cells in table.columns.values())
    assert len(table.lines) == table.n_rows
    numbers = [*table.lines, *table.skipped_blank_lines]
    assert len(set(numbers)) == len(numbers)
    assert list(table.lines) == sorted(table.lines)
