"""Response tables for `score` (and `profile`): CSV structure, odd and huge values, text
encodings. Rows in = rows out on success; a refusal names the file, line and column."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from hostile.checks import (
    column_values,
    no_column,
    profiles_output,
    score_output,
    stderr_on_exit,
)
from hostile.data import (
    IPIP,
    IPIP_ITEMS,
    Record,
    Setup,
    cells,
    insert_line,
    ipip_csv,
    ipip_text,
    records,
    replace_line,
    set_cell,
    table_text,
    write,
)
from hostile.model import BAD_DATA, SUCCESS, USAGE, Case, Check, at_line, one_of

DATA = "{d}/data.csv"
OUT = "{d}/scores.csv"
SCORE = ("score", IPIP, DATA, "--out", OUT)
FILE = "data.csv"
ANY = frozenset({0, 1})


def _score(
    case_id: str,
    category: str,
    setup: Setup,
    exit: frozenset[int],
    *,
    fragments: tuple[object, ...] = (),
    checks: tuple[Check, ...] = (),
    extra: tuple[str, ...] = (),
    note: str = "",
) -> Case:
    return Case(
        case_id,
        category,
        (*SCORE, *extra),
        exit,
        setup=setup,
        stderr=(FILE, *fragments),  # type: ignore[arg-type]
        checks=checks,
        out=OUT,
        note=note,
    )


def _rows(data: Sequence[Record], ids: Sequence[str] | None = None) -> Check:
    return score_output(OUT, answers=data, ids=ids)


def _with_school(folder: Path) -> None:
    """Three respondents and a `school` column (5 for everyone) after the items."""
    ipip_csv(
        data=THREE,
        edit=lambda text: "\n".join(
            line + (",school" if k == 0 else ",5") if line else line
            for k, line in enumerate(text.split("\n"))
        ),
    )(folder)


def _with_blank(data: list[Record], at: int) -> list[Record]:
    """`data` with a respondent who answered nothing inserted at position `at`."""
    return [*data[:at], dict.fromkeys(IPIP_ITEMS), *data[at:]]


THREE = records(3)
SIX = records(6, seed=2)
EMPTY_CELLS = "," * len(IPIP_ITEMS)  # a line of empty cells: id and 50 answers all empty

CSV = "csv"
CASES: list[Case] = [
    # --- quoting ------------------------------------------------------------------------
    _score(
        "csv-apostrophe-ids",
        CSV,
        ipip_csv(data=SIX, ids=[f"'{k:03d}'" for k in range(1, 7)]),
        SUCCESS,
        checks=(_rows(SIX, [f"'{k:03d}'" for k in range(1, 7)]),),
        note="csv.Sniffer takes ' for the quote character: 6 rows in, 3 out",
    ),
    _score(
        "csv-apostrophe-inside-ids",
        CSV,
        ipip_csv(data=THREE, ids=["O'Brien", "D'Arc", "l'Oréal"]),
        SUCCESS,
        checks=(_rows(THREE, ["O'Brien", "D'Arc", "l'Oréal"]),),
    ),
    _score(
        "csv-quote-inside-unquoted-id",
        CSV,
        ipip_csv(data=THREE, ids=['School "Lyceum 5"', "r2", "r3"]),
        SUCCESS,
        checks=(_rows(THREE, ['School "Lyceum 5"', "r2", "r3"]),),
        note='School "Lyceum 5" came out as School "Lyceum 5"""',
    ),
    _score(
        "csv-quoted-id-with-comma",
        CSV,
        ipip_csv(data=THREE, ids=['"Ivanov, Ivan"', "r2", '"Petrov, P."']),
        SUCCESS,
        checks=(_rows(THREE, ["Ivanov, Ivan", "r2", "Petrov, P."]),),
    ),
    _score(
        "csv-quoted-id-with-newline",
        CSV,
        ipip_csv(data=THREE, ids=['"two\nlines"', "r2", '"three\nshort\nlines"']),
        SUCCESS,
        checks=(_rows(THREE, ["two\nlines", "r2", "three\nshort\nlines"]),),
    ),
    _score(
        "csv-quoted-id-with-doubled-quotes",
        CSV,
        ipip_csv(data=THREE, ids=['"He said ""hi"""', '""""', '"a""b"']),
        SUCCESS,
        checks=(_rows(THREE, ['He said "hi"', '"', 'a"b']),),
    ),
    _score(
        "csv-every-cell-quoted",
        CSV,
        write(
            FILE,
            table_text(
                [f'"{name}"' for name in ("id", *IPIP_ITEMS)],
                [[f'"r{k}"', *(f'"{c}"' for c in cells(r))] for k, r in enumerate(THREE)],
            ),
        ),
        SUCCESS,
        checks=(_rows(THREE, ["r0", "r1", "r2"]),),
    ),
    _score(
        "csv-unterminated-quote",
        CSV,
        ipip_csv(data=THREE, ids=["r1", '"r2', "r3"]),
        BAD_DATA,
        fragments=(one_of(at_line(3), "quote"),),
    ),
    _score(
        "csv-quote-then-text",
        CSV,
        ipip_csv(data=THREE, ids=["r1", '"r2"x', "r3"]),
        frozenset({0, 1}),
        fragments=(at_line(3),),
        checks=(score_output(OUT, rows=3),),
        note="text after a closing quote: refuse naming the line, or keep the row",
    ),
    # --- delimiters ---------------------------------------------------------------------
    _score("csv-semicolon", CSV, ipip_csv(data=THREE, sep=";"), SUCCESS, checks=(_rows(THREE),)),
    _score("csv-tab", CSV, ipip_csv(data=THREE, sep="\t"), SUCCESS, checks=(_rows(THREE),)),
    _score("csv-pipe", CSV, ipip_csv(data=THREE, sep="|"), SUCCESS, checks=(_rows(THREE),)),
    _score(
        "csv-semicolon-ids-with-commas",
        CSV,
        ipip_csv(data=THREE, sep=";", ids=["Ivanov, I.", "Petrov, P., jr", "Sidorov"]),
        SUCCESS,
        checks=(_rows(THREE, ["Ivanov, I.", "Petrov, P., jr", "Sidorov"]),),
    ),
    _score(
        "csv-comma-ids-with-semicolons",
        CSV,
        ipip_csv(data=THREE, ids=["a;b", "c;d;e", "f"]),
        SUCCESS,
        checks=(_rows(THREE, ["a;b", "c;d;e", "f"]),),
    ),
    _score(
        "csv-tab-ids-with-commas-and-semicolons",
        CSV,
        ipip_csv(data=THREE, sep="\t", ids=["a,b;c", "d;e,f", "g"]),
        SUCCESS,
        checks=(_rows(THREE, ["a,b;c", "d;e,f", "g"]),),
    ),
    _score(
        "csv-delimiter-changes-midway",
        CSV,
        ipip_csv(data=THREE, edit=replace_line(3, ";".join(["r2", *cells(THREE[1])]))),
        BAD_DATA,
        fragments=(at_line(3),),
    ),
    _score(
        "csv-excel-sep-line",
        CSV,
        ipip_csv(data=THREE, sep=";", edit=lambda text: "sep=;\n" + text),
        ANY,
        checks=(_rows(THREE),),
        note="Excel's sep=; first line: understood, or refused",
    ),
    # --- line ends ----------------------------------------------------------------------
    _score("csv-crlf", CSV, ipip_csv(data=THREE, eol="\r\n"), SUCCESS, checks=(_rows(THREE),)),
    _score(
        "csv-cr-only",
        CSV,
        ipip_csv(data=THREE, eol="\r"),
        ANY,
        fragments=(one_of("line", "row"),),
        checks=(_rows(THREE),),
    ),
    _score(
        "csv-mixed-line-ends",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text.replace("\n", "\r\n", 2)),
        SUCCESS,
        checks=(_rows(THREE),),
    ),
    _score(
        "csv-no-final-line-end",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text.rstrip("\n")),
        SUCCESS,
        checks=(_rows(THREE),),
    ),
    # --- ragged rows ----------------------------------------------------------------------
    _score(
        "csv-ragged-short-row",
        CSV,
        ipip_csv(data=THREE, edit=replace_line(3, ",".join(["r2", *cells(THREE[1])[:30]]))),
        BAD_DATA,
        fragments=(at_line(3),),
    ),
    _score(
        "csv-ragged-long-row",
        CSV,
        ipip_csv(data=THREE, edit=replace_line(4, ",".join(["r3", *cells(THREE[2]), "9"]))),
        BAD_DATA,
        fragments=(at_line(4),),
    ),
    _score(
        "csv-ragged-unquoted-comma-in-id",
        CSV,
        ipip_csv(data=THREE, ids=["r1", "Ivanov, Ivan", "r3"]),
        BAD_DATA,
        fragments=(at_line(3),),
    ),
    _score(
        "csv-ragged-many-rows",
        CSV,
        ipip_csv(
            data=records(200, seed=4),
            edit=lambda text: "\n".join(
                line + ",1" if k and k % 7 == 0 and line else line
                for k, line in enumerate(text.split("\n"))
            ),
        ),
        BAD_DATA,
        fragments=(at_line(8),),
    ),
    _score(
        "csv-trailing-delimiter-everywhere",
        CSV,
        ipip_csv(data=THREE, sep=";", edit=lambda text: text.replace("\n", ";\n")),
        ANY,
        checks=(_rows(THREE),),
        note="Excel exports end every line with the delimiter: accept, or refuse clearly",
    ),
    _score(
        "csv-trailing-delimiter-rows-only",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text.replace("\n", ",\n").replace(",\n", "\n", 1)),
        BAD_DATA,
        fragments=(at_line(2),),
    ),
    # --- empty rows and blank lines -----------------------------------------------------
    _score(
        "csv-line-of-empty-cells-middle",
        CSV,
        ipip_csv(data=THREE, edit=insert_line(3, EMPTY_CELLS)),
        SUCCESS,
        checks=(_rows(_with_blank(THREE, 1), ["r001", "", "r002", "r003"]),),
        note="a line of empty cells is a respondent with no answers, not a line to drop",
    ),
    _score(
        "csv-line-of-empty-cells-last",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text + EMPTY_CELLS + "\n"),
        SUCCESS,
        checks=(_rows(_with_blank(THREE, 3), ["r001", "r002", "r003", ""]),),
    ),
    _score(
        "csv-only-lines-of-empty-cells",
        CSV,
        write(FILE, table_text(["id", *IPIP_ITEMS], [[""] * 51] * 3)),
        SUCCESS,
        checks=(_rows([dict.fromkeys(IPIP_ITEMS)] * 3, ["", "", ""]),),
    ),
    _score(
        "csv-empty-cells-with-id",
        CSV,
        ipip_csv(data=[*THREE, dict.fromkeys(IPIP_ITEMS)], ids=["r1", "r2", "r3", "nobody"]),
        SUCCESS,
        checks=(
            _rows([*THREE, dict.fromkeys(IPIP_ITEMS)], ["r1", "r2", "r3", "nobody"]),
            column_values(OUT, "extraversion.status", ["ok", "ok", "ok", "too_few_answered"]),
        ),
    ),
    _score(
        "csv-quoted-empty-cells-row",
        CSV,
        ipip_csv(data=THREE, edit=insert_line(2, ",".join(['""'] * 51))),
        SUCCESS,
        checks=(_rows(_with_blank(THREE, 0), ["", "r001", "r002", "r003"]),),
    ),
    _score(
        "csv-empty-cells-semicolon",
        CSV,
        ipip_csv(data=THREE, sep=";", edit=insert_line(4, ";" * 50)),
        SUCCESS,
        checks=(_rows(_with_blank(THREE, 2), ["r001", "r002", "", "r003"]),),
    ),
    _score(
        "csv-blank-line-middle",
        CSV,
        ipip_csv(data=THREE, edit=insert_line(3, "")),
        ANY,
        fragments=(at_line(3),),
        checks=(_rows(THREE),),
        note="a blank line holds no cells: skip it, or refuse naming it",
    ),
    _score(
        "csv-blank-lines-at-end",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text + "\n\n\n"),
        SUCCESS,
        checks=(_rows(THREE),),
    ),
    _score(
        "csv-blank-line-before-header",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: "\n" + text),
        ANY,
        fragments=(one_of("header", "line 1"),),
        checks=(_rows(THREE),),
    ),
    _score(
        "csv-whitespace-line",
        CSV,
        ipip_csv(data=THREE, edit=insert_line(3, "   ")),
        ANY,
        fragments=(at_line(3),),
        checks=(_rows(THREE),),
    ),
    _score(
        "csv-header-only",
        CSV,
        write(FILE, table_text(["id", *IPIP_ITEMS], [])),
        ANY,
        checks=(score_output(OUT, rows=0),),
    ),
    # --- header -------------------------------------------------------------------------
    _score(
        "csv-duplicate-column",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text.replace("ipip50", "ipip01", 1)),
        BAD_DATA,
        fragments=("ipip01",),
    ),
    _score(
        "csv-unknown-column",
        CSV,
        _with_school,
        SUCCESS,
        checks=(
            _rows(THREE),
            column_values(OUT, "school", ["5", "5", "5"]),
            stderr_on_exit(0, "school", "carried"),
        ),
        note="issue 10: a column that is not an item is carried into the output (was an error)",
    ),
    _score(
        "csv-unknown-column-dropped",
        CSV,
        _with_school,
        SUCCESS,
        extra=("--drop-extra",),
        checks=(_rows(THREE), no_column(OUT, "school"), stderr_on_exit(0, "school")),
    ),
    _score(
        "csv-extra-column-named-like-a-score",
        CSV,
        ipip_csv(
            data=THREE,
            edit=lambda text: "\n".join(
                line + (",extraversion.status" if k == 0 else ",x") if line else line
                for k, line in enumerate(text.split("\n"))
            ),
        ),
        BAD_DATA,
        fragments=("extraversion.status", "--drop-extra"),
    ),
    _score(
        "csv-misspelt-item-column",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text.replace("ipip17", "ipip_17", 1)),
        BAD_DATA,
        fragments=("ipip17",),
        note="the misspelt name is carried as an extra column; the item's column is missing",
    ),
    _score(
        "csv-extra-columns-with-quotes-and-zeros",
        CSV,
        ipip_csv(
            data=THREE,
            edit=lambda text: "\n".join(
                line + (',school,"class, letter"' if k == 0 else f',00{k},"{k}""А"""')
                if line
                else line
                for k, line in enumerate(text.split("\n"))
            ),
        ),
        SUCCESS,
        checks=(
            _rows(THREE),
            column_values(OUT, "school", ["001", "002", "003"]),
            column_values(OUT, "class, letter", ['1"А"', '2"А"', '3"А"']),
        ),
    ),
    _score(
        "csv-missing-item-column",
        CSV,
        ipip_csv(
            data=THREE,
            edit=lambda text: "\n".join(line.rsplit(",", 1)[0] for line in text.split("\n")),
        ),
        BAD_DATA,
        fragments=("ipip50",),
    ),
    _score(
        "csv-empty-column-name",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: text.replace("ipip25,", ",", 1)),
        BAD_DATA,
        fragments=(one_of("column 26", "ipip25", "name"),),
    ),
    _score(
        "csv-no-id-column",
        CSV,
        write(FILE, table_text(list(IPIP_ITEMS), [cells(r) for r in THREE])),
        SUCCESS,
        checks=(score_output(OUT, answers=THREE, ids=["0", "1", "2"], id_column="row"),),
    ),
    _score(
        "csv-header-name-200k-chars",
        CSV,
        ipip_csv(data=THREE, edit=lambda text: "x" * 200_000 + text[2:]),
        BAD_DATA,
        fragments=(one_of("xxxx", "column", "line 1"),),
    ),
    _score(
        "csv-header-repeated-as-row",
        CSV,
        ipip_csv(data=THREE, edit=insert_line(3, ",".join(["id", *IPIP_ITEMS]))),
        BAD_DATA,
        fragments=(at_line(3),),
    ),
    # --- ids ------------------------------------------------------------------------------
    _score(
        "csv-duplicate-ids",
        CSV,
        ipip_csv(data=THREE, ids=["same", "same", "other"]),
        SUCCESS,
        checks=(_rows(THREE, ["same", "same", "other"]),),
    ),
    _score(
        "csv-numeric-looking-ids",
        CSV,
        ipip_csv(data=THREE, ids=["001", "1e3", "0x10"]),
        SUCCESS,
        checks=(_rows(THREE, ["001", "1e3", "0x10"]),),
        note="ids are text: '001' stays '001'",
    ),
    _score(
        "csv-id-200k-chars",
        CSV,
        ipip_csv(data=THREE, ids=["r1", "x" * 200_000, "r3"]),
        ANY,
        fragments=(at_line(3),),
        checks=(_rows(THREE, ["r1", "x" * 200_000, "r3"]),),
        note="a 200,000-character cell: keep it, or refuse naming the row; never _csv.Error",
    ),
    _score(
        "csv-answer-cell-200k-chars",
        CSV,
        ipip_csv(data=THREE, edit=set_cell(2, "ipip07", "3" * 200_000)),
        BAD_DATA,
        fragments=(at_line(2), "ipip07"),
    ),
    _score(
        "csv-quoted-answer-cell-200k-chars",
        CSV,
        ipip_csv(data=THREE, edit=set_cell(3, "ipip07", '"' + "4" * 200_000 + '"')),
        BAD_DATA,
        fragments=(at_line(3), "ipip07"),
    ),
    _score(
        "csv-cyrillic-ids",
        CSV,
        ipip_csv(data=THREE, ids=["Иванов", "Пётр Ёлкин", "Ж"]),
        SUCCESS,
        checks=(_rows(THREE, ["Иванов", "Пётр Ёлкин", "Ж"]),),
    ),
    _score(
        "csv-formula-like-ids",
        CSV,
        ipip_csv(data=THREE, ids=["=1+1", "+cmd", "@SUM(A1)"]),
        SUCCESS,
        checks=(_rows(THREE, ["=1+1", "+cmd", "@SUM(A1)"]),),
    ),
    _score(
        "csv-id-column-option",
        CSV,
        write(FILE, ipip_text(THREE, ["a", "b", "c"], id_column="respondent")),
        SUCCESS,
        extra=("--id-column", "respondent"),
        checks=(score_output(OUT, answers=THREE, ids=["a", "b", "c"], id_column="respondent"),),
    ),
    _score(
        "csv-id-column-option-absent",
        CSV,
        ipip_csv(data=THREE),
        frozenset({1, 2}),
        extra=("--id-column", "respondent"),
        fragments=(one_of("respondent", "'id'", '"id"'),),
    ),
    Case(
        "csv-empty-cells-row-profile",
        CSV,
        ("profile", IPIP, DATA, "--out", "{d}/profiles.json"),
        SUCCESS,
        setup=ipip_csv(data=THREE, edit=insert_line(3, EMPTY_CELLS)),
        checks=(profiles_output("{d}/profiles.json", 4),),
        note="rows in = profiles out",
    ),
    Case(
        "csv-apostrophe-ids-profile",
        CSV,
        ("profile", IPIP, DATA, "--out", "{d}/profiles.json"),
        SUCCESS,
        setup=ipip_csv(data=SIX, ids=[f"'{k:03d}'" for k in range(1, 7)]),
        checks=(profiles_output("{d}/profiles.json", 6, [f"'{k:03d}'" for k in range(1, 7)]),),
    ),
    Case(
        "csv-stdout-apostrophe-ids",
        CSV,
        ("score", IPIP, DATA),
        SUCCESS,
        setup=ipip_csv(data=SIX, ids=[f"'{k}'" for k in range(6)]),
        checks=(score_output(None, answers=SIX, ids=[f"'{k}'" for k in range(6)]),),
    ),
]

# --- values ---------------------------------------------------------------------------
VALUES = "values"
BAD_VALUES = {
    "zero": "0",
    "six": "6",
    "negative": "-1",
    "half": "3.5",
    "almost-integer": "2.0000001",
    "word": "abc",
    "roman": "III",
    "two-numbers": "3 4",
    "decimal-comma": '"3,5"',
    "true": "TRUE",
    "inf": "inf",
    "minus-inf": "-inf",
    "infinity": "Infinity",
    "1e999": "1e999",
    "1e400": "1e400",
    "10-to-400": "1" + "0" * 400,
    "5000-digits": "9" * 5000,
    "minus-zero": "-0",
    "hex": "0x3",
    "underscore": "0_3",
    "nul": "3\x00",
    "control": "\x07",
    "emoji": "🙂",
}
for label, value in BAD_VALUES.items():
    CASES.append(
        _score(
            f"value-{label}",
            VALUES,
            ipip_csv(data=THREE, edit=set_cell(3, "ipip07", value)),
            BAD_DATA,
            fragments=(at_line(3), "ipip07"),
        )
    )

_lenient_data = [dict(r) for r in THREE]
_lenient_data[1]["ipip07"] = None
# "NA" and "NaN" (any case) are how R, pandas and numpy write a missing value: no answer
# (docs/cli.md), not an invalid one.
for label, value in (("nan", "nan"), ("nan-upper", "NaN"), ("na", "NA")):
    CASES.append(
        _score(
            f"value-{label}",
            VALUES,
            ipip_csv(data=THREE, edit=set_cell(3, "ipip07", value)),
            SUCCESS,
            checks=(
                _rows(_lenient_data),
                column_values(OUT, "row_status", ["ok", "ok", "ok"]),
            ),
        )
    )

for label in ("1e999", "inf", "10-to-400", "word", "5000-digits"):
    CASES.append(
        _score(
            f"value-{label}-lenient",
            VALUES,
            ipip_csv(data=THREE, edit=set_cell(3, "ipip07", BAD_VALUES[label])),
            SUCCESS,
            extra=("--lenient",),
            checks=(
                _rows(_lenient_data),
                column_values(OUT, "row_status", ["ok", "problems", "ok"]),
                stderr_on_exit(0, "ipip07"),
            ),
        )
    )

_na = [dict(r) for r in THREE]
_na[0]["ipip01"] = None
_na[2]["ipip50"] = None
CASES += [
    _score(
        "value-na-means-no-answer",
        VALUES,
        ipip_csv(
            data=THREE,
            edit=lambda text: set_cell(4, "ipip50", "NA")(set_cell(2, "ipip01", "NA")(text)),
        ),
        SUCCESS,
        checks=(_rows(_na),),
    ),
    _score(
        "value-spaces-around-answers",
        VALUES,
        ipip_csv(data=THREE, edit=set_cell(2, "ipip01", f" {THREE[0]['ipip01']} ")),
        ANY,
        fragments=(at_line(2), "ipip01"),
        checks=(_rows(THREE),),
    ),
]


def _json_data(value: object) -> Setup:
    rows: list[dict[str, object]] = [{"id": f"r{k}", **r} for k, r in enumerate(THREE)]
    rows[1]["ipip07"] = value
    return write("data.json", json.dumps(rows, allow_nan=True))


def _json_raw(token: str) -> Setup:
    rows = [{"id": f"r{k}", **r} for k, r in enumerate(THREE)]
    rows[1]["ipip07"] = "@@"
    return write("data.json", json.dumps(rows).replace('"@@"', token))


JSON_SCORE = ("score", IPIP, "{d}/data.json", "--out", OUT)
for label, setup, exit in [
    ("json-1e999", _json_raw("1e999"), BAD_DATA),
    ("json-nan-literal", _json_raw("NaN"), SUCCESS),  # a missing value, as in a CSV
    ("json-infinity-literal", _json_raw("-Infinity"), BAD_DATA),
    ("json-10-to-400", _json_raw("1" + "0" * 400), BAD_DATA),
    ("json-true", _json_data(True), BAD_DATA),
    ("json-list", _json_data([3]), BAD_DATA),
    ("json-object", _json_data({"value": 3}), BAD_DATA),
    ("json-half", _json_data(3.5), BAD_DATA),
]:
    CASES.append(
        Case(
            f"value-{label}",
            VALUES,
            JSON_SCORE,
            exit,
            setup=setup,
            stderr=("data.json", "ipip07", one_of("row 2", "row 1", "line")),
            out=OUT,
        )
    )
_null = [dict(r) for r in THREE]
_null[1]["ipip07"] = None
CASES += [
    Case(
        "value-json-null-means-no-answer",
        VALUES,
        JSON_SCORE,
        SUCCESS,
        setup=_json_data(None),
        checks=(score_output(OUT, answers=_null),),
    ),
    Case(
        "value-json-key-absent-means-no-answer",
        VALUES,
        JSON_SCORE,
        SUCCESS,
        setup=write(
            "data.json",
            json.dumps(
                [
                    {"id": f"r{k}", **{i: v for i, v in r.items() if v is not None}}
                    for k, r in enumerate(_null)
                ]
            ),
        ),
        checks=(score_output(OUT, answers=_null),),
    ),
]

# --- text encodings -------------------------------------------------------------------
ENCODING = "encoding"


def _cp1251_cell(folder: Path) -> None:
    """A UTF-8 file with one cell in cp1251 (a file pieced together from two sources)."""
    text = ipip_text(THREE, ["r1", "r2", "r3"]).encode("utf-8")
    (folder / FILE).write_bytes(text.replace(b"r2,", "Ж2,".encode("cp1251"), 1))


CYRILLIC = ["Иванов", "Пётр", "Ёж"]
CASES += [
    _score(
        "enc-utf8-bom",
        ENCODING,
        ipip_csv(data=THREE, prefix=b"\xef\xbb\xbf"),
        SUCCESS,
        checks=(score_output(OUT, answers=THREE, id_column="id"),),
    ),
    _score(
        "enc-utf8-bom-with-encoding-utf8",
        ENCODING,
        ipip_csv(data=THREE, prefix=b"\xef\xbb\xbf"),
        ANY,
        extra=("--encoding", "utf-8"),
        checks=(score_output(OUT, answers=THREE, id_column="id"),),
    ),
    _score(
        "enc-utf16-with-bom",
        ENCODING,
        ipip_csv(data=THREE, encoding="utf-16"),
        ANY,
        fragments=(one_of("encoding", "utf", "byte"),),
        checks=(score_output(OUT, answers=THREE),),
    ),
    _score(
        "enc-cp1251-without-option",
        ENCODING,
        ipip_csv(data=THREE, ids=CYRILLIC, encoding="cp1251"),
        BAD_DATA,
        fragments=(one_of("encoding", "utf-8", "cp1251"),),
    ),
    _score(
        "enc-cp1251-with-option",
        ENCODING,
        ipip_csv(data=THREE, ids=CYRILLIC, encoding="cp1251"),
        SUCCESS,
        extra=("--encoding", "cp1251"),
        checks=(_rows(THREE, CYRILLIC),),
    ),
    _score(
        "enc-cp1251-in-one-cell-only",
        ENCODING,
        _cp1251_cell,
        BAD_DATA,
        fragments=(one_of(at_line(3), "byte"),),
    ),
    _score(
        "enc-latin1-with-option",
        ENCODING,
        ipip_csv(data=THREE, ids=["Müller", "Çelik", "Ñandú"], encoding="latin-1"),
        SUCCESS,
        extra=("--encoding", "latin-1"),
        checks=(_rows(THREE, ["Müller", "Çelik", "Ñandú"]),),
    ),
    _score(
        "enc-ascii-with-cyrillic",
        ENCODING,
        ipip_csv(data=THREE, ids=CYRILLIC),
        BAD_DATA,
        extra=("--encoding", "ascii"),
        fragments=(one_of("encoding", "ascii", "byte"),),
    ),
    _score(
        "enc-utf16-option-on-utf8-file",
        ENCODING,
        ipip_csv(data=THREE),
        BAD_DATA,
        extra=("--encoding", "utf-16"),
    ),
    _score(
        "enc-utf32-option-on-utf8-file",
        ENCODING,
        ipip_csv(data=THREE),
        BAD_DATA,
        extra=("--encoding", "utf-32"),
    ),
    _score(
        "enc-undefined-codec",
        ENCODING,
        ipip_csv(data=THREE),
        frozenset({1, 2}),
        extra=("--encoding", "undefined"),
    ),
    _score(
        "enc-alias-utf8-upper",
        ENCODING,
        ipip_csv(data=THREE),
        SUCCESS,
        extra=("--encoding", "UTF8"),
        checks=(_rows(THREE),),
    ),
    _score(
        "enc-nul-bytes-in-answer",
        ENCODING,
        ipip_csv(data=THREE, edit=set_cell(4, "ipip12", "\x00\x00")),
        BAD_DATA,
        fragments=(at_line(4), "ipip12"),
    ),
    _score(
        "enc-nul-byte-in-id",
        ENCODING,
        ipip_csv(data=THREE, ids=["r1", "r\x002", "r3"]),
        ANY,
        fragments=(at_line(3),),
        checks=(_rows(THREE, ["r1", "r\x002", "r3"]),),
    ),
    _score(
        "enc-only-nul-bytes",
        ENCODING,
        write(FILE, b"\x00" * 4096),
        BAD_DATA,
    ),
    _score(
        "enc-invalid-utf8-byte",
        ENCODING,
        write(FILE, ipip_text(THREE).encode().replace(b"r002", b"r\xff02")),
        BAD_DATA,
        fragments=(one_of(at_line(3), "byte"),),
    ),
    _score(
        "enc-bom-in-middle",
        ENCODING,
        ipip_csv(data=THREE, ids=["r1", "\ufeffr2", "r3"]),
        SUCCESS,
        checks=(_rows(THREE, ["r1", "\ufeffr2", "r3"]),),
    ),
    _score(
        "enc-right-to-left-override-id",
        ENCODING,
        ipip_csv(data=THREE, ids=["r1", "\u202eevil", "r3"]),
        SUCCESS,
        checks=(_rows(THREE, ["r1", "\u202eevil", "r3"]),),
    ),
    Case(
        "enc-cp1251-profile-without-option",
        ENCODING,
        ("profile", IPIP, DATA, "--out", "{d}/profiles.json"),
        BAD_DATA,
        setup=ipip_csv(data=THREE, ids=CYRILLIC, encoding="cp1251"),
        stderr=(FILE, one_of("encoding", "utf-8", "cp1251")),
        out="{d}/profiles.json",
    ),
    Case(
        "enc-unknown-profile-encoding",
        ENCODING,
        ("profile", IPIP, DATA, "--encoding", "no-such-codec"),
        USAGE,
        setup=ipip_csv(data=THREE),
        stderr=("no-such-codec",),
    ),
]
