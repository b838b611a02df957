"""Reading and writing tables: the CSV writer quotes as csv.writer does, JSON keeps types."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from profdiag import ResponseDataError
from profdiag._io.tables import read_table, write_table
from profdiag.errors import OutputError


def test_csv_writer_matches_the_csv_module() -> None:
    columns = [
        np.array(["a", 'q"x', "c,d", "e\nf", None, "g h"], dtype=object),
        np.array([1.5, np.nan, 0.1 + 0.2, 3.0, -0.0, 1e-300]),
        np.array([1, 2, 3, 4, 5, 6], dtype=np.int32),
    ]
    text = write_table(None, ["id", "value", "n"], columns, {})
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["id", "value", "n"])
    for row in zip(*(column.tolist() for column in columns), strict=True):
        writer.writerow(
            [
                ""
                if cell is None or (isinstance(cell, float) and math.isnan(cell))
                else repr(cell)
                if isinstance(cell, float)
                else cell
                for cell in row
            ]
        )
    assert text == expected.getvalue()
    # A carriage return is quoted too (csv.writer with "\n" line ends would leave it bare,
    # and readers would take it for a line end).
    carriage = write_table(None, ["id"], [np.array(["g\rh"], dtype=object)], {})
    assert carriage == 'id\n"g\rh"\n'


def test_json_output_has_nulls_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_table(
        path,
        ["id", "x"],
        [np.array(["a", "b"], dtype=object), np.array([1.0, np.nan])],
        {"instrument": {"id": "t"}},
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == {
        "instrument": {"id": "t"},
        "respondents": [{"id": "a", "x": 1.0}, {"id": "b", "x": None}],
    }


def test_semicolon_csv_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id;q1;q2\n1;5;\n2;3;4\n", encoding="utf-8")
    table = read_table(path)
    assert table.columns == {"id": ["1", "2"], "q1": ["5", "3"], "q2": ["", "4"]}
    assert table.describe_row(1) == "data row 2 (line 3)"
    path.write_text("id,q1\n1,5\n2,3,9\n", encoding="utf-8")
    with pytest.raises(ResponseDataError, match=r"3 fields.*2 fields, as in the header \(line 3\)"):
        read_table(path)
    path.write_text("id,q1,q1\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ResponseDataError, match="each column name once"):
        read_table(path)


def test_one_column_tables_write_empty_cells_as_the_csv_module_does(tmp_path: Path) -> None:
    column = np.array(["a", "", None, " "], dtype=object)
    text = write_table(None, ["id"], [column], {})
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows([["id"], ["a"], [""], [""], [" "]])
    assert text == expected.getvalue() == 'id\na\n""\n""\n \n'
    path = tmp_path / "ids.csv"
    write_table(path, ["id"], [column], {})
    assert read_table(path).columns == {"id": ["a", "", "", " "]}


def test_tables_are_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("previous\n", encoding="utf-8")
    good = [np.array(["a"], dtype=object), np.array([1.0])]
    write_table(path, ["id", "x"], good, {})
    assert path.read_text(encoding="utf-8") == "id,x\na,1.0\n"
    # A cell that cannot be written as UTF-8 (a lone surrogate, e.g. from "\ud800" in a JSON
    # input) stops the write before anything is replaced.
    bad = [np.array(["\ud800"], dtype=object), np.array([2.0])]
    with pytest.raises(
        OutputError, match=r"cannot write .*scores.csv: a cell on line 2 holds U\+D800"
    ):
        write_table(path, ["id", "x"], bad, {})
    with pytest.raises(OutputError, match=r"cannot write .*: the folder does not exist"):
        write_table(tmp_path / "missing" / "scores.json", ["id", "x"], good, {})
    with pytest.raises(OutputError, match="it is a folder"):
        write_table(tmp_path, ["id", "x"], good, {})
    assert path.read_text(encoding="utf-8") == "id,x\na,1.0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]
