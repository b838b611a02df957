"""SPSS .sav and Excel .xlsx in (`score`, `profile`, `analyze`, `norms build`, `cohort`):
good files that must score as `profdiag.score` does on the same answers, and damaged,
disguised or hostile files that must end in one message naming the file (and the row,
column and value where a cell is at fault), never a traceback, an abort or gigabytes of
memory. The files are written at test time with pyreadstat, openpyxl and zipfile."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hostile.checks import column_values, file_json, on_success, profiles_output, score_output
from hostile.data import IPIP, IPIP_ITEMS, Record, Setup, ipip_text, records, steps, write
from hostile.model import (
    BAD_DATA,
    SILENT,
    SUCCESS,
    USAGE,
    Case,
    Check,
    Fragment,
    Problem,
    at_line,
    one_of,
)
from hostile.process import plain
from hostile.runner import Run, limits_reason

CATEGORY = "archives"
OUT = "{d}/scores.csv"

SIX = records(6, seed=11, blank_share=0.05)
ODD_IDS = ["007", "O'Brien", "Иван «Ив» Петров", "00123", "l'Oréal", "Ёлка 9А"]
LIKERT = {1: "Совсем не так", 2: "Скорее не так", 3: "И да, и нет", 4: "Скорее так", 5: "Точно так"}


def _frame(data: Sequence[Record], ids: Sequence[Any] | None) -> Any:
    import pandas as pd

    columns: dict[str, Any] = {}
    if ids is not None:
        columns["id"] = list(ids)
    for item in IPIP_ITEMS:
        columns[item] = [float("nan") if r[item] is None else float(r[item]) for r in data]
    return pd.DataFrame(columns)


def sav(
    name: str,
    data: Sequence[Record] = SIX,
    ids: Sequence[Any] | None = ODD_IDS,
    edit: Callable[[Any], Any] | None = None,
    **options: Any,
) -> Setup:
    """A .sav of `data` (items as doubles, value labels unless told otherwise); `edit` may
    change the pandas frame before it is written."""

    def setup(folder: Path) -> None:
        import pyreadstat

        frame = _frame(data, ids)
        if edit is not None:
            frame = edit(frame)
        options.setdefault(
            "variable_value_labels",
            {item: LIKERT for item in IPIP_ITEMS if item in frame.columns},
        )
        pyreadstat.write_sav(frame, str(folder / name), **options)

    return setup


def _cell(value: int | None) -> int | None:
    return value


def xlsx(
    name: str,
    data: Sequence[Record] = SIX,
    ids: Sequence[Any] | None = ODD_IDS,
    *,
    title_rows: Sequence[Sequence[Any]] = (),
    extra: dict[str, Sequence[Any]] | None = None,
    sheet: str = "Ответы",
    before: Sequence[str] = (),
    edit: Callable[[list[list[Any]]], None] | None = None,
) -> Setup:
    """An .xlsx whose sheet `sheet` (after empty sheets named `before`) holds `title_rows`,
    then the header and the answers; `edit` may change the rows (header first)."""

    def setup(folder: Path) -> None:
        import openpyxl

        extra_columns = extra or {}
        rows: list[list[Any]] = [[*(["id"] if ids is not None else []), *IPIP_ITEMS]]
        rows[0] += list(extra_columns)
        for k, record in enumerate(data):
            row: list[Any] = [ids[k]] if ids is not None else []
            row += [_cell(record[item]) for item in IPIP_ITEMS]
            row += [values[k] for values in extra_columns.values()]
            rows.append(row)
        if edit is not None:
            edit(rows)
        book = openpyxl.Workbook()
        first = book.active
        assert first is not None
        first.title = before[0] if before else sheet
        for other in before[1:]:
            book.create_sheet(other)
        target = book.create_sheet(sheet) if before else first
        for line in [*title_rows, *rows]:
            target.append(list(line))
        if before:
            first.append(["не этот лист"])
        book.save(folder / name)

    return setup


def set_xlsx_cell(row: int, column: str, value: Any) -> Callable[[list[list[Any]]], None]:
    """Set a cell of the table (row 1 = the header) by column name."""

    def edit(rows: list[list[Any]]) -> None:
        rows[row - 1][rows[0].index(column)] = value

    return edit


def sheet_xml(name: str, change: Callable[[bytes], bytes], member: str = "") -> Setup:
    """Rewrite one part of an existing .xlsx (by default its first sheet's XML)."""

    def setup(folder: Path) -> None:
        path = folder / name
        with zipfile.ZipFile(path) as archive:
            parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
        target = member or next(i.filename for i, _ in parts if "worksheets/sheet" in i.filename)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, content in parts:
                archive.writestr(info, change(content) if info.filename == target else content)

    return setup


def set_value(reference: str, text: bytes) -> Callable[[bytes], bytes]:
    """Give cell `reference` (e.g. C3) the raw XML value `text` (a number, inf, NaN)."""
    pattern = re.compile(rb'(<c r="' + reference.encode() + rb'"[^>]*>)<v>[^<]*</v>')

    def change(xml: bytes) -> bytes:
        changed, count = pattern.subn(rb"\1<v>" + text + rb"</v>", xml)
        if count != 1:
            raise ValueError(f"no numeric cell {reference}")
        return changed

    return change


def add_cell(reference: str, value: bytes = b"1") -> Callable[[bytes], bytes]:
    """A stray numeric cell far below or right of the table (its own row)."""
    row = re.sub(r"[A-Z]", "", reference)

    def change(xml: bytes) -> bytes:
        cell = f'<row r="{row}"><c r="{reference}"><v>'.encode() + value + b"</v></c></row>"
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    return change


def truncated(name: str, good: Setup, keep: Callable[[int], int]) -> Setup:
    """A good file cut after keep(size) bytes."""

    def setup(folder: Path) -> None:
        good(folder)
        path = folder / name
        content = path.read_bytes()
        path.write_bytes(content[: keep(len(content))])

    return setup


def rename(source: str, target: str) -> Setup:
    def setup(folder: Path) -> None:
        (folder / source).rename(folder / target)

    return setup


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OLE = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(24) + _random_bytes(2000, 5)


def _zip_of_text(name: str) -> Setup:
    def setup(folder: Path) -> None:
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr("readme.txt", "не таблица")
            archive.writestr("data.csv", ipip_text(SIX))

    return setup


def _without(data: Sequence[Record], row: int, item: str) -> list[Record]:
    """`data` with one answer taken away (a cell read as no answer)."""
    changed = [dict(record) for record in data]
    changed[row - 1][item] = None
    return changed


def _score(
    case_id: str,
    name: str,
    setup: Setup,
    exit: frozenset[int],
    *,
    fragments: tuple[Fragment, ...] = (),
    checks: tuple[Check, ...] = (),
    extra: tuple[str, ...] = (),
    **kw: Any,
) -> Case:
    return Case(
        case_id,
        CATEGORY,
        ("score", IPIP, "{d}/" + name, "--out", OUT, *extra),
        exit,
        setup=setup,
        stderr=(name, *fragments),
        checks=checks,
        out=OUT,
        **kw,
    )


def _good(data: Sequence[Record] = SIX, ids: Sequence[str] | None = ODD_IDS) -> Check:
    return score_output(OUT, answers=data, ids=ids)


def _damaged(prefix: str, ext: str, good: Setup, what: str) -> list[Case]:
    """Empty, cut at four points, random bytes, another format under this extension."""
    name = f"data.{ext}"
    damaged = "damaged"
    disguised: dict[str, tuple[Setup, Fragment]] = {
        "empty": (write(name, b""), "an empty file"),
        "random-bytes": (write(name, _random_bytes(4096, 1)), damaged),
        "csv-renamed": (write(name, ipip_text(SIX)), "text, such as CSV"),
        "pdf-renamed": (write(name, PDF), "a PDF document"),
        "random-after-magic": (
            write(name, (b"$FL2" if ext == "sav" else b"PK\x03\x04") + _random_bytes(3000, 2)),
            damaged,
        ),
    }
    cuts: dict[str, Callable[[int], int]] = {
        "cut-8": lambda size: 8,
        "cut-100": lambda size: 100,
        "cut-half": lambda size: size // 2,
        "cut-last-bytes": lambda size: size - 7,
    }
    cases = [
        _score(f"{prefix}-{label}", name, setup, BAD_DATA, fragments=(fragment, what))
        for label, (setup, fragment) in disguised.items()
    ]
    cases += [
        _score(
            f"{prefix}-{label}",
            name,
            truncated(name, good, keep),
            BAD_DATA,
            fragments=(damaged, what),
        )
        for label, keep in cuts.items()
    ]
    return cases


# ---------------------------------------------------------------------------------------
# SPSS .sav

SAV = "data.sav"
SAV_GOOD = sav(SAV)


def _numeric_ids(frame: Any) -> Any:
    frame["id"] = [1001.0 + k for k in range(len(frame))]
    return frame


def _string_item(values: Sequence[str]) -> Callable[[Any], Any]:
    def edit(frame: Any) -> Any:
        frame["ipip02"] = list(values)
        return frame

    return edit


def _set(row: int, item: str, value: Any) -> Callable[[Any], Any]:
    def edit(frame: Any) -> Any:
        frame[item] = frame[item].astype(object) if not isinstance(value, float) else frame[item]
        frame.loc[row - 1, item] = value
        return frame

    return edit


def _dates_in(item: str) -> Callable[[Any], Any]:
    def edit(frame: Any) -> Any:
        frame[item] = [dt.date(2025, 3, 1 + k) for k in range(len(frame))]
        return frame

    return edit


def _twin_in_upper_case(frame: Any) -> Any:
    frame["IPIP01"] = frame["ipip01"]
    return frame


def _codes_times_ten(frame: Any) -> Any:
    """The archive's own columns (В1..В50) and codes (10..50, labelled)."""
    frame = frame.rename(columns={item: f"В{k}" for k, item in enumerate(IPIP_ITEMS, 1)})
    for k in range(1, 51):
        frame[f"В{k}"] = frame[f"В{k}"] * 10
    return frame


def _user_missing(frame: Any) -> Any:
    frame.loc[1, "ipip07"] = 9.0
    frame.loc[4, "ipip50"] = 9.0
    return frame


MAPPING = {
    "format": "profdiag-mapping/1",
    "columns": {f"В{k}": item for k, item in enumerate(IPIP_ITEMS, 1)},
    "recode": {"likert": {label: code for code, label in LIKERT.items()}},
    "apply": {"likert": "*"},
}
SEVEN_MISSING = _without(_without(SIX, 2, "ipip07"), 5, "ipip50")
PLAIN_IDS = [f"r{k}" for k in range(1, 7)]

SAV_CASES: list[Case] = [
    _score(
        "archives-sav-value-labels-double-codes-odd-ids",
        SAV,
        SAV_GOOD,
        SUCCESS,
        checks=(_good(),),
        note="codes as doubles with value labels; ids with Cyrillic, apostrophes, zeros",
    ),
    _score(
        "archives-sav-compressed-zsav",
        "data.zsav",
        sav("data.zsav", compress=True),
        SUCCESS,
        checks=(_good(),),
    ),
    _score(
        "archives-sav-row-compressed",
        SAV,
        sav(SAV, row_compress=True),
        SUCCESS,
        checks=(_good(),),
    ),
    _score(
        "archives-sav-numeric-ids-whole-format",
        SAV,
        sav(SAV, edit=_numeric_ids, variable_format={"id": "F8.0"}),
        SUCCESS,
        checks=(_good(ids=[str(1001 + k) for k in range(6)]),),
    ),
    _score(
        "archives-sav-user-missing-code-is-no-answer",
        SAV,
        sav(SAV, edit=_user_missing, missing_ranges={"ipip07": [9], "ipip50": [9]}),
        SUCCESS,
        checks=(_good(SEVEN_MISSING),),
    ),
    _score(
        "archives-sav-string-items-holding-digits",
        SAV,
        sav(
            SAV,
            edit=_string_item([str(r["ipip02"] or "") for r in SIX]),
            variable_value_labels={},
        ),
        SUCCESS,
        checks=(_good(),),
        note="a string variable whose cells are codes answers like a CSV cell",
    ),
    _score(
        "archives-sav-zero-rows",
        SAV,
        sav(SAV, data=[], ids=[]),
        SUCCESS,
        checks=(score_output(OUT, rows=0),),
        note="as a CSV file with a header only: an empty score table",
    ),
    _score(
        "archives-sav-mapping-recodes-by-value-label",
        SAV,
        steps(
            sav(
                SAV,
                edit=_codes_times_ten,
                variable_value_labels={
                    f"В{k}": {10 * code: label for code, label in LIKERT.items()}
                    for k in range(1, 51)
                },
            ),
            write("map.json", json.dumps(MAPPING, ensure_ascii=False)),
        ),
        SUCCESS,
        checks=(_good(),),
        extra=("--mapping", "{d}/map.json"),
    ),
    _score(
        "archives-sav-format-option-for-a-bin-file",
        "data.bin",
        steps(SAV_GOOD, rename(SAV, "data.bin")),
        SUCCESS,
        checks=(_good(),),
        extra=("--format", "sav"),
    ),
    Case(
        "archives-sav-profile",
        CATEGORY,
        ("profile", IPIP, "{d}/data.sav", "--out", "{d}/profiles.json"),
        SUCCESS,
        setup=SAV_GOOD,
        checks=(profiles_output("{d}/profiles.json", 6, ODD_IDS),),
    ),
    Case(
        "archives-sav-analyze",
        CATEGORY,
        ("analyze", IPIP, "{d}/data.sav", "--out", "{d}/analysis.json"),
        SUCCESS,
        setup=sav(SAV, data=records(40, seed=4), ids=[f"a{k}" for k in range(40)]),
        checks=(file_json("{d}/analysis.json", lambda doc: _has_rows(doc, 40)),),
    ),
    # --- cells that are not answers -----------------------------------------------------
    _score(
        "archives-sav-text-in-a-string-item-variable",
        SAV,
        sav(SAV, edit=_string_item(["1", "пять", "3", "4", "", "2"]), variable_value_labels={}),
        BAD_DATA,
        fragments=(at_line(3), "ipip02", "пять"),
    ),
    _score(
        "archives-sav-huge-number",
        SAV,
        sav(SAV, edit=_set(2, "ipip03", 1e308)),
        BAD_DATA,
        fragments=(at_line(3), "ipip03", "1e+308"),
    ),
    _score(
        "archives-sav-infinity",
        SAV,
        sav(SAV, edit=_set(2, "ipip03", float("inf"))),
        BAD_DATA,
        fragments=(at_line(3), "ipip03", one_of("Infinity", "inf")),
    ),
    _score(
        "archives-sav-fraction",
        SAV,
        sav(SAV, edit=_set(4, "ipip10", 2.5)),
        BAD_DATA,
        fragments=(at_line(5), "ipip10", "2.5"),
    ),
    _score(
        "archives-sav-date-variable-as-item",
        SAV,
        sav(SAV, edit=_dates_in("ipip04"), variable_value_labels={}),
        BAD_DATA,
        fragments=("ipip04", "2025-03-01"),
    ),
    _score(
        "archives-sav-names-differing-only-in-case",
        SAV,
        sav(SAV, edit=_twin_in_upper_case),
        BAD_DATA,
        fragments=("ipip01", "IPIP01", "case"),
        note="SPSS cannot tell IPIP01 from ipip01: which is the item was a guess",
    ),
    _score(
        "archives-sav-sheet-option",
        SAV,
        SAV_GOOD,
        USAGE,
        fragments=("sheet",),
        extra=("--sheet", "1"),
    ),
    _score(
        "archives-sav-format-option-for-csv-text",
        "data.csv",
        write("data.csv", ipip_text(SIX)),
        BAD_DATA,
        fragments=("text, such as CSV",),
        extra=("--format", "sav"),
    ),
    _score(
        "archives-sav-xlsx-renamed",
        SAV,
        steps(xlsx("data.xlsx"), rename("data.xlsx", SAV)),
        BAD_DATA,
        fragments=("a zip archive", "SPSS"),
    ),
    *_damaged("archives-sav", "sav", SAV_GOOD, "SPSS"),
]


def _file_lines(where: str) -> Check:
    """On success: `where` was written and has a header and at least one row."""

    def check(run: Run) -> list[Problem]:
        path = run.path(where)
        if not path.is_file():
            return [Problem(SILENT, f"{path.name} was not written")]
        lines = path.read_text(encoding="utf-8").splitlines()
        return [] if len(lines) >= 2 else [Problem(SILENT, f"{path.name}: {len(lines)} lines")]

    return on_success(check)


def _has_rows(document: Any, count: int) -> str | None:
    text = json.dumps(document)
    return None if f'"n": {count}' in text or f'"n_rows": {count}' in text else "no n"


# ---------------------------------------------------------------------------------------
# Excel .xlsx

XLSX = "data.xlsx"
XLSX_GOOD = xlsx(XLSX)
SCHOOL = ["Лицей 5", "", "007", "Школа «Ромашка»", "O'Hara", "12"]


def _drop_member(name: str, member: str) -> Setup:
    def setup(folder: Path) -> None:
        path = folder / name
        with zipfile.ZipFile(path) as archive:
            parts = [(i, archive.read(i.filename)) for i in archive.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, content in parts:
                if info.filename != member:
                    archive.writestr(info, content)

    return setup


def _floats(xml: bytes) -> bytes:
    """Every whole number stored as 3.0 or 3E0 (as some exporters write them)."""
    text = re.sub(rb"<v>([0-9]+)</v>", rb"<v>\1.0</v>", xml)
    return text.replace(b"<v>5.0</v>", b"<v>5E0</v>")


def _rows_with_gap(rows: list[list[Any]]) -> None:
    rows.insert(3, [None] * len(rows[0]))


SEVEN = [*SIX[:2], dict.fromkeys(IPIP_ITEMS), *SIX[2:]]
XLSX_MAPPING = {"format": "profdiag-mapping/1", **{k: MAPPING[k] for k in ("recode", "apply")}}


def _labelled(rows: list[list[Any]]) -> None:
    for row in rows[1:]:
        for k in range(1, 51):
            if row[k] is not None:
                row[k] = LIKERT[row[k]]


XLSX_CASES: list[Case] = [
    _score(
        "archives-xlsx-header-row-below-a-title",
        XLSX,
        xlsx(XLSX, title_rows=[["Опрос 9А, 2026"], [], ["заполнено вручную"]]),
        SUCCESS,
        checks=(_good(),),
        extra=("--header-row", "4"),
    ),
    _score(
        "archives-xlsx-title-without-header-row-option",
        XLSX,
        xlsx(XLSX, title_rows=[["Опрос 9А, 2026"]]),
        BAD_DATA,
        fragments=("row 1", "header"),
        note="the title is taken for the header: the unnamed columns are named, and the option",
    ),
    _score(
        "archives-xlsx-named-sheet",
        XLSX,
        xlsx(XLSX, sheet="Ответы 9А", before=("Титульный", "Пусто")),
        SUCCESS,
        checks=(_good(),),
        extra=("--sheet", "Ответы 9А"),
    ),
    _score(
        "archives-xlsx-numbered-sheet",
        XLSX,
        xlsx(XLSX, sheet="Ответы 9А", before=("Титульный", "Пусто")),
        SUCCESS,
        checks=(_good(),),
        extra=("--sheet", "3"),
    ),
    _score(
        "archives-xlsx-integers-stored-as-floats",
        XLSX,
        steps(xlsx(XLSX), sheet_xml(XLSX, _floats)),
        SUCCESS,
        checks=(_good(),),
    ),
    _score(
        "archives-xlsx-empty-cells-and-an-empty-row",
        XLSX,
        xlsx(XLSX, edit=_rows_with_gap),
        SUCCESS,
        checks=(_good(SEVEN, [*ODD_IDS[:2], "", *ODD_IDS[2:]]),),
        note="an empty row inside the table is a respondent with no answers",
    ),
    _score(
        "archives-xlsx-extra-columns-carried",
        XLSX,
        xlsx(XLSX, extra={"school": SCHOOL, "grade": [9, 9, 10, 10, 11, 11]}),
        SUCCESS,
        checks=(_good(), column_values(OUT, "school", SCHOOL)),
    ),
    _score(
        "archives-xlsx-numeric-ids",
        XLSX,
        xlsx(XLSX, ids=[1001 + k for k in range(6)]),
        SUCCESS,
        checks=(_good(ids=[str(1001 + k) for k in range(6)]),),
    ),
    _score(
        "archives-xlsx-nan-value-is-no-answer",
        XLSX,
        steps(xlsx(XLSX, ids=PLAIN_IDS), sheet_xml(XLSX, set_value("D3", b"NaN"))),
        SUCCESS,
        checks=(_good(_without(SIX, 2, "ipip03"), PLAIN_IDS),),
        note="NaN, as everywhere in profdiag, is no answer",
    ),
    _score(
        "archives-xlsx-huge-declared-dimension",
        XLSX,
        steps(
            xlsx(XLSX),
            sheet_xml(
                XLSX,
                lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x),
            ),
        ),
        SUCCESS,
        checks=(_good(),),
        timeout=30.0,
    ),
    _score(
        "archives-xlsx-mapping-recodes-label-text",
        XLSX,
        steps(
            xlsx(XLSX, edit=_labelled),
            write("map.json", json.dumps(XLSX_MAPPING, ensure_ascii=False)),
        ),
        SUCCESS,
        checks=(_good(),),
        extra=("--mapping", "{d}/map.json"),
    ),
    _score(
        "archives-xlsx-format-option-for-a-bin-file",
        "data.bin",
        steps(XLSX_GOOD, rename(XLSX, "data.bin")),
        SUCCESS,
        checks=(_good(),),
        extra=("--format", "xlsx"),
    ),
    _score(
        "archives-xlsx-name-holding-csv-with-format-csv",
        XLSX,
        write(XLSX, ipip_text(SIX, PLAIN_IDS)),
        SUCCESS,
        checks=(_good(ids=PLAIN_IDS),),
        extra=("--format", "csv"),
    ),
    Case(
        "archives-xlsx-profile-named-sheet",
        CATEGORY,
        ("profile", IPIP, "{d}/data.xlsx", "--sheet", "Ответы", "--out", "{d}/profiles.json"),
        SUCCESS,
        setup=xlsx(XLSX, sheet="Ответы", before=("Титульный",)),
        checks=(profiles_output("{d}/profiles.json", 6, ODD_IDS),),
    ),
    Case(
        "archives-xlsx-analyze-header-row",
        CATEGORY,
        ("analyze", IPIP, "{d}/data.xlsx", "--header-row", "2", "--out", "{d}/analysis.json"),
        SUCCESS,
        setup=xlsx(XLSX, records(40, seed=5), [f"a{k}" for k in range(40)], title_rows=[["T"]]),
        checks=(file_json("{d}/analysis.json", lambda doc: _has_rows(doc, 40)),),
    ),
    Case(
        "archives-xlsx-norms-build",
        CATEGORY,
        (
            "norms",
            "build",
            IPIP,
            "{d}/data.xlsx",
            "--out",
            "{d}/normed.json",
            "--source",
            "hostile corpus",
            "--year",
            "2026",
            "--min-size",
            "5",
        ),
        SUCCESS,
        setup=xlsx(XLSX, records(30, seed=6), [f"n{k}" for k in range(30)]),
        checks=(
            file_json("{d}/normed.json", lambda doc: None if doc.get("norms") else "no norms"),
        ),
    ),
    Case(
        "archives-xlsx-cohort",
        CATEGORY,
        (
            "cohort",
            IPIP,
            "{d}/data.xlsx",
            "--by",
            "school",
            "--out",
            "{d}/cohort",
            "--no-pdf",
            "--min-cell",
            "3",
        ),
        SUCCESS,
        setup=xlsx(
            XLSX,
            records(12, seed=7),
            [f"c{k}" for k in range(12)],
            extra={"school": ["A", "B"] * 6},
        ),
        checks=(_file_lines("{d}/cohort/cohort.csv"),),
    ),
    # --- the sheet and the header -------------------------------------------------------
    Case(
        "archives-xlsx-sheet-name-missing",
        CATEGORY,
        ("score", IPIP, "{d}/data.xlsx", "--sheet", "Лист9", "--out", OUT),
        USAGE,
        setup=xlsx(XLSX, sheet="Ответы 9А", before=("Титульный",)),
        stderr=("Лист9", "Ответы 9А", "Титульный"),
        out=OUT,
    ),
    Case(
        "archives-xlsx-sheet-number-missing",
        CATEGORY,
        ("score", IPIP, "{d}/data.xlsx", "--sheet", "3", "--out", OUT),
        USAGE,
        setup=xlsx(XLSX, sheet="Ответы 9А", before=("Титульный",)),
        stderr=("'3'", "Ответы 9А"),
        out=OUT,
    ),
    _score(
        "archives-xlsx-header-row-past-the-end",
        XLSX,
        XLSX_GOOD,
        BAD_DATA,
        fragments=("99", "7"),
        extra=("--header-row", "99"),
    ),
    Case(
        "archives-xlsx-header-row-zero",
        CATEGORY,
        ("score", IPIP, "{d}/data.xlsx", "--header-row", "0", "--out", OUT),
        USAGE,
        setup=XLSX_GOOD,
        stderr=("header-row", "0"),
        out=OUT,
    ),
    _score(
        "archives-xlsx-header-row-option-for-csv",
        "data.csv",
        write("data.csv", ipip_text(SIX)),
        USAGE,
        fragments=("CSV",),
        extra=("--header-row", "2"),
    ),
    _score(
        "archives-xlsx-duplicate-column-name",
        XLSX,
        xlsx(XLSX, edit=lambda rows: rows[0].__setitem__(5, "ipip02")),
        BAD_DATA,
        fragments=("ipip02", "once"),
    ),
    _score(
        "archives-xlsx-empty-column-name-above-data",
        XLSX,
        xlsx(XLSX, edit=lambda rows: rows[0].__setitem__(5, None)),
        BAD_DATA,
        fragments=("F", "name"),
    ),
    _score(
        "archives-xlsx-empty-sheet",
        XLSX,
        xlsx(XLSX, data=[], ids=None, edit=lambda rows: rows.clear()),
        BAD_DATA,
        fragments=("which is empty",),
    ),
    # --- cells that are not answers -----------------------------------------------------
    _score(
        "archives-xlsx-text-in-an-item-column",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(3, "ipip04", "пять")),
        BAD_DATA,
        fragments=("sheet row 3", "ipip04", "пять"),
    ),
    _score(
        "archives-xlsx-div0-formula-error",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(2, "ipip01", "#DIV/0!")),
        BAD_DATA,
        fragments=("sheet row 2", "ipip01", "#DIV/0!"),
    ),
    _score(
        "archives-xlsx-na-formula-error",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(5, "ipip49", "#N/A")),
        BAD_DATA,
        fragments=("sheet row 5", "ipip49", "#N/A"),
    ),
    _score(
        "archives-xlsx-date-in-an-item-column",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(4, "ipip05", dt.datetime(2025, 3, 14))),
        BAD_DATA,
        fragments=("sheet row 4", "ipip05", "2025-03-14"),
    ),
    _score(
        "archives-xlsx-boolean-in-an-item-column",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(3, "ipip04", True)),
        BAD_DATA,
        fragments=("sheet row 3", "ipip04", "true"),
        note="was read as the answer 1",
    ),
    _score(
        "archives-xlsx-huge-number",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(3, "ipip02", 1e308)),
        BAD_DATA,
        fragments=("sheet row 3", "ipip02", "1e+308"),
    ),
    _score(
        "archives-xlsx-infinity-value",
        XLSX,
        steps(xlsx(XLSX), sheet_xml(XLSX, set_value("D3", b"inf"))),
        BAD_DATA,
        fragments=("sheet row 3", "ipip03", one_of("Infinity", "inf")),
    ),
    _score(
        "archives-xlsx-fraction",
        XLSX,
        xlsx(XLSX, edit=set_xlsx_cell(7, "ipip50", 4.5)),
        BAD_DATA,
        fragments=("sheet row 7", "ipip50", "4.5"),
    ),
    # --- a few cells spread over a huge rectangle ---------------------------------------
    Case(
        "archives-xlsx-stray-cell-in-the-last-corner",
        CATEGORY,
        ("score", IPIP, "{d}/data.xlsx", "--out", OUT),
        BAD_DATA,
        setup=steps(XLSX_GOOD, sheet_xml(XLSX, add_cell("XFD1048576"))),
        stderr=(XLSX, "XFD1048576"),
        out=OUT,
        driver=plain,
        requires=limits_reason,
        timeout=30.0,
        note="calamine allocates the whole rectangle: the process aborted",
    ),
    Case(
        "archives-xlsx-stray-cell-in-the-last-row",
        CATEGORY,
        ("score", IPIP, "{d}/data.xlsx", "--out", OUT),
        BAD_DATA,
        setup=steps(XLSX_GOOD, sheet_xml(XLSX, add_cell("A1048576"))),
        stderr=(XLSX, "A1048576"),
        out=OUT,
        driver=plain,
        requires=limits_reason,
        timeout=30.0,
        note="a million empty respondents for one stray cell, in 10 s and 2 GB",
    ),
    # --- not a workbook -----------------------------------------------------------------
    _score(
        "archives-xlsx-zip-that-is-not-a-workbook",
        XLSX,
        _zip_of_text(XLSX),
        BAD_DATA,
        fragments=("not a workbook",),
    ),
    _score(
        "archives-xlsx-encrypted-ole-container",
        XLSX,
        write(XLSX, OLE),
        BAD_DATA,
        fragments=("password-protected",),
        note="an OLE2 compound file, the container of a password-protected workbook",
    ),
    _score(
        "archives-xlsx-sav-renamed",
        XLSX,
        steps(SAV_GOOD, rename(SAV, XLSX)),
        BAD_DATA,
        fragments=("SPSS .sav)",),
    ),
    _score(
        "archives-xlsx-workbook-without-its-sheet-part",
        XLSX,
        steps(XLSX_GOOD, _drop_member(XLSX, "xl/worksheets/sheet1.xml")),
        BAD_DATA,
        fragments=(".xlsx",),
    ),
    *_damaged("archives-xlsx", "xlsx", XLSX_GOOD, ".xlsx"),
]


CASES: list[Case] = [*SAV_CASES, *XLSX_CASES]
