"""Issue 10, phase 2: SPSS .sav, Excel .xlsx and JSON Lines in. Each round-trips ids as
typed (quotes, apostrophes, Cyrillic, leading zeros) and scores exactly as the same data
read from CSV; SPSS codes stay codes with their value labels kept beside them; Excel sheets
may have a title above the header; bad cells, bad lines and damaged files are named."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import profdiag
from profdiag._io.tables import read_table, table_format
from profdiag.cli import main
from profdiag.errors import ArgumentError, MissingExtraError, ResponseDataError

IPIP = profdiag.load_instrument("ipip-bfm-50")
ITEMS = [item.id for item in IPIP.items]
IDS = ["007", "O'Brien", 'Иван "Ив" Петров', "00123", "a,b;c", "Ёлка\tтаб"]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def answers(rows: int = len(IDS), seed: int = 3) -> np.ndarray:
    values = np.random.default_rng(seed).integers(1, 6, (rows, len(ITEMS))).astype(float)
    values[1, 3] = values[4, 0] = np.nan
    return values


def cell(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def write_csv(path: Path, ids: list[str], values: np.ndarray) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", *ITEMS])
        for person, row in zip(ids, values, strict=True):
            writer.writerow([person, *("" if v is None else v for v in map(cell, row))])
    return path


def write_sav(path: Path, ids: list[str], values: np.ndarray, **options: object) -> Path:
    frame = pd.DataFrame(values, columns=ITEMS)
    frame.insert(0, "id", ids)
    pyreadstat.write_sav(frame, str(path), **options)  # type: ignore[arg-type]
    return path


def write_xlsx(path: Path, ids: list[str], values: np.ndarray, title_rows: int = 0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Титульный"
    sheet.append(["не этот лист"])
    answers_sheet = book.create_sheet("Ответы 9А")
    for n in range(title_rows):
        answers_sheet.append([f"Опрос, строка {n + 1}"] if n == 0 else [])
    answers_sheet.append(["id", *ITEMS])
    for person, row in zip(ids, values, strict=True):
        answers_sheet.append([person, *map(cell, row)])
    book.save(path)
    return path


def write_jsonl(path: Path, ids: list[str], values: np.ndarray) -> Path:
    lines = [
        json.dumps({"id": person, **dict(zip(ITEMS, map(cell, row), strict=True))})
        for person, row in zip(ids, values, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scores_via_csv(tmp_path: Path, ids: list[str], values: np.ndarray) -> str:
    code, out, err = run("score", "ipip-bfm-50", write_csv(tmp_path / "same.csv", ids, values))
    assert code == 0, err
    return out


# ------------------------------------------------------------------ same scores as CSV


def test_sav_ids_and_scores_equal_the_csv_path(tmp_path: Path) -> None:
    values = answers()
    data = write_sav(tmp_path / "archive.sav", IDS, values)
    code, out, err = run("score", "ipip-bfm-50", data)
    assert code == 0, err
    assert out == scores_via_csv(tmp_path, IDS, values)
    table = read_table(data)
    assert list(table.columns["id"]) == IDS
    assert table.n_rows == len(IDS)
    assert list(table.columns[ITEMS[0]]) == [cell(v) for v in values[:, 0]]


def test_xlsx_ids_and_scores_equal_the_csv_path_with_a_title_above_the_header(
    tmp_path: Path,
) -> None:
    values = answers()
    data = write_xlsx(tmp_path / "archive.xlsx", IDS, values, title_rows=2)
    expected = scores_via_csv(tmp_path, IDS, values)
    for sheet in ("Ответы 9А", "2"):
        code, out, err = run("score", "ipip-bfm-50", data, "--sheet", sheet, "--header-row", "3")
        assert code == 0, err
        assert out == expected
    table = read_table(data, sheet=2, header_row=3)
    assert list(table.columns["id"]) == IDS
    assert table.describe_row(0) == "data row 1 (sheet row 4)"


def test_the_header_is_the_first_filled_row_by_default(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append([])
    sheet.append(["id", "q"])
    sheet.append(["007", 3])
    book.save(tmp_path / "gap.xlsx")
    table = read_table(tmp_path / "gap.xlsx")
    assert list(table.columns) == ["id", "q"]
    assert list(table.columns["id"]) == ["007"]
    assert table.lines == [4]


def test_jsonl_ids_and_scores_equal_the_csv_path(tmp_path: Path) -> None:
    values = answers()
    data = write_jsonl(tmp_path / "archive.jsonl", IDS, values)
    code, out, err = run("score", "ipip-bfm-50", data)
    assert code == 0, err
    assert out == scores_via_csv(tmp_path, IDS, values)


def test_the_format_option_overrides_the_extension(tmp_path: Path) -> None:
    values = answers()
    data = write_sav(tmp_path / "archive.sav", IDS, values)
    renamed = data.rename(tmp_path / "archive.dat")
    code, out, err = run("score", "ipip-bfm-50", renamed, "--format", "sav")
    assert code == 0, err
    assert out == scores_via_csv(tmp_path, IDS, values)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.SAV", "sav"),
        ("a.zsav", "sav"),
        ("a.xlsx", "xlsx"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.txt", "csv"),
    ],
)
def test_formats_by_extension(name: str, kind: str) -> None:
    assert table_format(name) == kind


def test_sheet_options_for_other_formats_are_argument_errors(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "a.csv", IDS, answers())
    with pytest.raises(ArgumentError, match="only Excel"):
        read_table(data, sheet="1")
    code, _, err = run("score", "ipip-bfm-50", data, "--header-row", "2")
    assert code == 2
    assert "only Excel" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------ SPSS specifics


def test_sav_codes_stay_codes_and_value_labels_are_kept(tmp_path: Path) -> None:
    values = answers()
    labels = {1.0: "Совершенно не согласен", 5.0: "Совершенно согласен"}
    data = write_sav(
        tmp_path / "labelled.sav",
        IDS,
        values,
        variable_value_labels={ITEMS[0]: labels},
        variable_format={"id": "A30"},
    )
    table = read_table(data)
    assert list(table.columns[ITEMS[0]]) == [cell(v) for v in values[:, 0]]
    assert table.value_labels == {ITEMS[0]: labels}


def test_sav_whole_numbers_in_a_whole_format_are_integers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1001.0, 7.0, np.nan], "weight": [1.0, 2.0, 3.0]})
    path = tmp_path / "numbers.sav"
    pyreadstat.write_sav(frame, str(path), variable_format={"id": "F8.0", "weight": "F8.2"})
    table = read_table(path)
    assert list(table.columns["id"]) == [1001, 7, None]
    assert list(table.columns["weight"]) == [1.0, 2.0, 3.0]


def test_sav_user_missing_codes_are_no_answer(tmp_path: Path) -> None:
    values = answers()
    values[0, 0] = 9.0
    data = write_sav(tmp_path / "missing.sav", IDS, values, missing_ranges={ITEMS[0]: [9]})
    assert read_table(data).columns[ITEMS[0]][0] is None


def test_sav_dates_are_iso_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"tested": [dt.date(2025, 3, 14), dt.date(2024, 12, 1)]})
    path = tmp_path / "dates.sav"
    pyreadstat.write_sav(frame, str(path))
    assert list(read_table(path).columns["tested"]) == ["2025-03-14", "2024-12-01"]


# ------------------------------------------------------------------ Excel specifics


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_xlsx_cells_keep_their_kind(tmp_path: Path) -> None:
    path = _sheet(
        tmp_path / "kinds.xlsx",
        [
            ["id", "code", "score", "tested", "mixed"],
            [1001, "007", 2.5, dt.date(2025, 3, 14), 5],
            [7, "Ёж", 3, dt.datetime(2025, 3, 14, 10, 30), "пять"],
        ],
    )
    columns = read_table(path).columns
    assert list(columns["id"]) == [1001, 7]
    assert list(columns["code"]) == ["007", "Ёж"]
    assert list(columns["score"]) == [2.5, 3.0]
    assert list(columns["tested"]) == ["2025-03-14", "2025-03-14T10:30:00"]
    assert list(columns["mixed"]) == [5, "пять"]


def test_xlsx_text_and_formula_errors_in_item_columns_are_named(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Опрос"], ["id", *ITEMS]]
    for person, values in zip(IDS, answers(), strict=True):
        rows.append([person, *map(cell, values)])
    rows[2][1] = "#DIV/0!"  # openpyxl writes error codes as error cells (t="e")
    rows[4][3] = "пять"
    path = _sheet(tmp_path / "bad.xlsx", rows)
    assert b't="e"' in _sheet_xml(path)
    code, _, err = run("score", "ipip-bfm-50", path, "--header-row", "2")
    assert code == 1
    assert f"data row 1 (sheet row 3), column '{ITEMS[0]}': got \"#DIV/0!\"" in err
    assert f"data row 3 (sheet row 5), column '{ITEMS[2]}': got \"пять\"" in err
    assert "Traceback" not in err


def _sheet_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_an_empty_sheet_is_named(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.create_sheet("пустой")
    book.save(tmp_path / "empty.xlsx")
    with pytest.raises(ResponseDataError, match="empty"):
        read_table(tmp_path / "empty.xlsx", sheet="пустой")
    code, _, err = run("score", "ipip-bfm-50", tmp_path / "empty.xlsx", "--sheet", "пустой")
    assert code == 1
    assert "пустой" in err
    assert "Traceback" not in err


def test_an_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "a.xlsx", IDS, answers())
    with pytest.raises(ArgumentError, match="Ответы 9А"):
        read_table(data, sheet="Лист5")
    code, _, err = run("score", "ipip-bfm-50", data, "--sheet", "9")
    assert code == 2
    assert "'Титульный'" in err


def test_a_header_row_below_the_data_is_named(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "a.xlsx", IDS, answers())
    with pytest.raises(ResponseDataError, match="header at row 40"):
        read_table(data, sheet=2, header_row=40)


def test_rows_without_answers_are_respondents_until_the_last_filled_row(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "gaps.xlsx", [["id", "q"], ["a", 1], [], ["b", 2], [], []])
    table = read_table(path)
    assert table.n_rows == 3
    assert list(table.columns["id"]) == ["a", None, "b"]


def test_a_huge_cell_is_read_and_shown_short(tmp_path: Path) -> None:
    rows: list[list[object]] = [["id", *ITEMS]]
    for person, values in zip(IDS, answers(), strict=True):
        rows.append([person, *map(cell, values)])
    rows[1][1] = "Ж" * 32_000  # Excel's limit for one cell is 32,767 characters
    path = _sheet(tmp_path / "huge.xlsx", rows)
    code, _, err = run("score", "ipip-bfm-50", path)
    assert code == 1
    assert "data row 1 (sheet row 2)" in err
    assert len(err) < 2_000


# ------------------------------------------------------------------ JSON Lines specifics


def test_jsonl_bad_lines_are_named_by_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "x": 1}\n\n[1, 2]\n{"id": \n{"id": "b"}, {"id": "c"}\n')
    with pytest.raises(ResponseDataError) as caught:
        read_table(path)
    seen = [problem.value for problem in caught.value.problems]
    assert seen[0] == "line 3: a JSON array"
    assert seen[1].startswith("line 4, column")
    assert seen[2].startswith("line 5, column")
    assert len(seen) == 3


def test_jsonl_blank_lines_are_skipped_and_keys_may_be_missing(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text('{"id": "007", "x": 1}\r\n   \n{"id": "Ёж\u2028", "y": "2"}', encoding="utf-8")
    table = read_table(path)
    assert table.n_rows == 2
    assert table.skipped_blank_lines == (2,)
    assert table.lines == [1, 3]
    assert list(table.columns["id"]) == ["007", "Ёж\u2028"]
    assert list(table.columns["x"]) == [1, None]
    assert list(table.columns["y"]) == [None, "2"]


def test_jsonl_typed_and_mixed_columns_score_alike(tmp_path: Path) -> None:
    """Arrow parses files whose columns each have one JSON type; others (a date, a column
    of numbers and text) are read line by line. Both give the same scores and ids."""
    values = answers()
    typed = write_jsonl(tmp_path / "typed.jsonl", IDS, values)
    records = [json.loads(line) for line in typed.read_text(encoding="utf-8").splitlines()]
    records[0][ITEMS[0]] = str(records[0][ITEMS[0]])  # "4" among numbers
    for record in records:
        record["tested"] = "2025-03-14"
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    table = read_table(mixed)
    assert list(table.columns["tested"]) == ["2025-03-14"] * len(IDS)
    assert list(table.columns["id"]) == IDS
    outputs = [run("score", "ipip-bfm-50", path, "--drop-extra")[1] for path in (typed, mixed)]
    assert outputs[0] == outputs[1] == scores_via_csv(tmp_path, IDS, values)


def test_two_objects_on_one_line_are_not_two_rows(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text('{"id": "a"} {"id": "b"}\n{"id": "c"}\n')
    with pytest.raises(ResponseDataError, match="line 1, column"):
        read_table(path)


# ------------------------------------------------------------------ damaged and hostile files


def _damaged(tmp_path: Path) -> dict[str, Path]:
    values = answers()
    sav = write_sav(tmp_path / "good.sav", IDS, values).read_bytes()
    xlsx = write_xlsx(tmp_path / "good.xlsx", IDS, values).read_bytes()
    files = {
        "truncated.sav": sav[: len(sav) // 2],
        "text.sav": b"id,q\n1,2\n",
        "truncated.xlsx": xlsx[: len(xlsx) // 2],
        "text.xlsx": b"id,q\n007,1\n",
        "empty.xlsx": b"",
        "empty.sav": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files}


def test_damaged_files_end_in_one_message_without_a_traceback(tmp_path: Path) -> None:
    for name, path in _damaged(tmp_path).items():
        code, out, err = run("score", "ipip-bfm-50", path)
        assert code == 1, name
        assert out == ""
        assert name in err
        assert "damaged" in err, (name, err)
        assert "Traceback" not in err and "internal error" not in err, (name, err)


def test_a_symlink_to_a_good_file_is_followed(tmp_path: Path) -> None:
    values = answers()
    expected = scores_via_csv(tmp_path, IDS, values)
    for data in (
        write_sav(tmp_path / "real.sav", IDS, values),
        write_xlsx(tmp_path / "real.xlsx", IDS, values),
    ):
        link = tmp_path / ("link" + data.suffix)
        link.symlink_to(data)
        sheet = ("--sheet", "2") if data.suffix == ".xlsx" else ()
        code, out, err = run("score", "ipip-bfm-50", link, *sheet)
        assert code == 0, err
        assert out == expected


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    for suffix in (".sav", ".xlsx"):
        link = tmp_path / ("zero" + suffix)
        link.symlink_to("/dev/zero")
        with pytest.raises(ResponseDataError, match="a device"):
            read_table(link)


def test_a_missing_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "a.xlsx", IDS, answers())
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'profdiag\[research\]'"):
        read_table(data)
    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    with pytest.raises(MissingExtraError, match="pyreadstat"):
        read_table(tmp_path / "a.sav")
    code, _, err = run("score", "ipip-bfm-50", data)
    assert code == 1
    assert "research" in err and "--" not in err.split("research")[0]


# ------------------------------------------------------------------ hostile corpus findings


def test_a_boolean_cell_is_never_read_as_an_answer(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "bool.xlsx", [["id", "q"], ["a", 4], ["b", True], ["c", 2]])
    assert list(read_table(path).columns["q"]) == [4, True, 2]  # was [4, 1, 2]
    rows: list[list[object]] = [["id", *ITEMS]]
    for person, values in zip(IDS, answers(), strict=True):
        rows.append([person, *map(cell, values)])
    rows[2][4] = True
    code, _, err = run("score", "ipip-bfm-50", _sheet(tmp_path / "items.xlsx", rows))
    assert code == 1
    assert f"data row 2 (sheet row 3), column '{ITEMS[3]}': got true" in err


def _with_stray_cell(path: Path, reference: str) -> Path:
    import zipfile

    write_xlsx(path, IDS, answers())
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    row = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    stray = f'<row r="{row}"><c r="{reference}"><v>1</v></c></row></sheetData>'.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for info, content in parts:
            if info.filename == "xl/worksheets/sheet2.xml":
                archive.writestr(info, content.replace(b"</sheetData>", stray))
            else:
                archive.writestr(info, content)
    return path


@pytest.mark.parametrize("reference", ["XFD1048576", "A1048576", "AAA70000"])
def test_a_few_cells_over_a_huge_rectangle_are_refused_before_reading(
    tmp_path: Path, reference: str
) -> None:
    # calamine would hold the whole rectangle: XFD1048576 aborted the process
    path = _with_stray_cell(tmp_path / "stray.xlsx", reference)
    with pytest.raises(ResponseDataError, match=reference) as problem:
        read_table(path, sheet=2)
    assert "'Ответы 9А'" in str(problem.value)


def test_a_stray_cell_within_reach_is_read(tmp_path: Path) -> None:
    path = _with_stray_cell(tmp_path / "near.xlsx", "A5000")
    table = read_table(path, sheet=2)
    assert table.n_rows == 4999  # empty rows up to the last filled one are respondents


def test_sav_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "q1": [1.0, 2.0], "Q1": [3.0, 4.0]})
    pyreadstat.write_sav(frame, str(tmp_path / "twins.sav"))
    with pytest.raises(ResponseDataError, match=r"variables 'q1' and 'Q1'"):
        read_table(tmp_path / "twins.sav")


@pytest.mark.parametrize(
    ("name", "content", "seen"),
    [
        ("a.sav", b"", "an empty file"),
        ("a.sav", b"id,q\n1,2\n", "text, such as CSV"),
        ("a.sav", b"%PDF-1.4\n%%EOF\n", "a PDF document"),
        ("a.sav", b"PK\x03\x04" + bytes(200), "a zip archive"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "password-protected"),
        ("a.xlsx", b"PK\x03\x04" + bytes(200), "a zip archive cut short or damaged"),
        ("a.xlsx", b"id;q\n1;\xd0\xb4\n", "text, such as CSV"),
    ],
)
def test_damaged_files_say_what_they_look_like(
    tmp_path: Path, name: str, content: bytes, seen: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ResponseDataError, match="damaged") as problem:
        read_table(tmp_path / name)
    assert seen in str(problem.value)
    assert "row -1" not in str(problem.value)


def test_a_zip_that_is_not_a_workbook_is_named_so(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as archive:
        archive.writestr("data.csv", "id,q\n1,2\n")
    with pytest.raises(ResponseDataError, match="a zip archive that is not a workbook"):
        read_table(tmp_path / "a.xlsx")
