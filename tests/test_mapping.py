"""Issue 10, point 3: mapping files. A mapping renames archive columns to item ids, names
the id column and recodes values (text labels, letters, SPSS value labels, a code meaning
"no answer"); errors name the mapping's JSON path, or the data's row, column and value with
the table that was expected to cover it."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyreadstat
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import profdiag
from profdiag._io.mapping import mapping_schema_text, normalised, parse_mapping
from profdiag.cli import main
from profdiag.errors import MappingError, ResponseDataError

DOCS = Path(__file__).resolve().parents[1] / "docs"
IPIP = profdiag.load_instrument("ipip-bfm-50")
ITEMS = [item.id for item in IPIP.items]
LIKERT = {
    "Совершенно не согласен": 1,
    "Скорее не согласен": 2,
    "Затрудняюсь ответить": 3,
    "Скорее согласен": 4,
    "Совершенно согласен": 5,
    "99": None,
}
WORDS = {value: key for key, value in LIKERT.items() if value is not None}
IDS = ["007", "O'Brien", 'Иван "Ив"', "00123"]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write_mapping(folder: Path, document: Any, name: str = "map.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def mapping_problems(tmp_path: Path, document: Any) -> list[str]:
    path = write_mapping(tmp_path, document)
    with pytest.raises(MappingError) as caught:
        profdiag.load_mapping(path)
    assert str(caught.value).startswith(f"{path}: ")
    return [problem.describe() for problem in caught.value.problems]


# ------------------------------------------------------------------ the mapping file


def test_a_recode_value_that_is_not_a_number_names_its_json_path(tmp_path: Path) -> None:
    problems = mapping_problems(tmp_path, {"recode": {"likert5": {"Совершенно согласен": "пять"}}})
    assert problems == [
        "$.recode.likert5['Совершенно согласен']: got \"пять\"; expected a number or null"
    ]


@pytest.mark.parametrize(
    ("document", "path", "expected"),
    [
        ({"recode": {"t": {"а": True}}}, "$.recode.t['а']", "a number or null"),
        ({"recode": {"t": {"а": 1e10}}}, "$.recode.t['а']", "a number or null within ±1e9"),
        (
            {"recode": {"t": {"Согласен": 4, " согласен ": 4}}},
            "$.recode.t[' согласен ']",
            "each value once, ignoring case and spaces ($.recode.t['Согласен'] is the same)",
        ),
        ({"recode": {"t": {"  ": None}}}, "$.recode.t['  ']", "a value that is not empty"),
        ({"apply": {"t": "*"}}, "$.apply.t", "the name of a table in $.recode (it has none)"),
        (
            {"recode": {"a": {}, "b": {}}, "apply": {"a": ["x", "y"], "b": ["y"]}},
            "$.apply.b[0]",
            "an item recoded by one table only (a recodes it too)",
        ),
        (
            {"recode": {"a": {}, "b": {}}, "apply": {"a": "*", "b": "*"}},
            "$.apply.b",
            '"*" for one table only ($.apply.a has it)',
        ),
        (
            {"columns": {"В1": "r1", "В2": "r1"}},
            "$.columns['В2']",
            "a name no other column takes ($.columns['В1'] has it already)",
        ),
        ({"colums": {}}, "$.colums", "no such field"),
        ({"format": "profdiag-mapping/2"}, "$.format", "'profdiag-mapping/1'"),
        ({"apply": {"t": "all"}}, "$.apply.t", '"*" or an array of item ids'),
        ({"id_column": ""}, "$.id_column", ""),
        ([], "$", "object"),
    ],
)
def test_each_mapping_error_names_its_json_path(
    tmp_path: Path, document: Any, path: str, expected: str
) -> None:
    problems = mapping_problems(tmp_path, document)
    assert any(p.startswith(path + ":") and expected in p for p in problems), problems


def test_invalid_json_and_repeated_keys_are_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"recode": {"t": {"а": 1,}}}', encoding="utf-8")
    with pytest.raises(MappingError, match="line 1, column"):
        profdiag.load_mapping(path)
    path.write_text('{"recode": {"t": {"а": 1, "а": 2}}}', encoding="utf-8")
    with pytest.raises(MappingError, match=r"\$\.recode\.t\['а'\].*each key once"):
        profdiag.load_mapping(path)
    with pytest.raises(MappingError, match="no such file"):
        profdiag.load_mapping(tmp_path / "absent.json")


def test_the_published_schema_is_the_models_schema() -> None:
    published = (DOCS / "mapping-schema.json").read_text(encoding="utf-8")
    assert published == mapping_schema_text()
    code, out, _ = run("schema", "--mapping")
    assert code == 0
    assert out == published


def test_the_documented_examples_are_valid_mappings() -> None:
    text = (DOCS / "mapping.md").read_text(encoding="utf-8")
    examples = re.findall(r"```json\n(.*?)```", text, re.DOTALL)
    assert len(examples) >= 3
    for example in examples:
        parse_mapping(json.loads(example), "docs/mapping.md")


# ------------------------------------------------------------------ recoding


def test_labels_letters_case_spaces_and_no_answer_codes() -> None:
    mapping = parse_mapping(
        {
            "columns": {"Вопрос 1": "q1", "Вопрос 2": "q2", "Код": "id"},
            "id_column": "Код",
            "recode": {"likert5": LIKERT, "ab": {"а": 1, "б": 2}},
            "apply": {"ab": ["q2"], "likert5": "*"},
        }
    )
    data = {
        "Код": ["007", "008", "009", "010"],
        "Вопрос 1": ["Совершенно согласен", "  скорее   НЕ согласен ", "99", None],
        "Вопрос 2": ["а", "Б", "", " б"],
        "class": ["9А", "9А", "9Б", "9Б"],
    }
    out = profdiag.apply_mapping(data, mapping)
    assert list(out) == ["id", "q1", "q2", "class"]
    assert list(out["q1"]) == [5.0, 2.0, None, None]
    assert list(out["q2"]) == [1.0, 2.0, None, 2.0]
    assert out["id"] is data["Код"]
    assert out["class"] is data["class"]


def test_numbers_match_number_keys_and_text_that_spells_them() -> None:
    mapping = parse_mapping(
        {"recode": {"t": {"1": 10, "2.0": 20, "9": None}}, "apply": {"t": ["q"]}}
    )
    out = profdiag.apply_mapping({"q": [1, 2.0, "2", " 1,0 ", 9.0, float("nan")]}, mapping)
    assert list(out["q"]) == [10.0, 20.0, 20.0, 10.0, None, None]


def test_a_value_without_a_rule_names_row_column_value_and_table() -> None:
    mapping = parse_mapping({"recode": {"likert5": LIKERT}, "apply": {"likert5": ["q"]}}, "m.json")
    with pytest.raises(ResponseDataError) as caught:
        profdiag.apply_mapping(
            {"q": ["Скорее согласен", "Полностью согласен", "Скорее согласен", 4]}, mapping
        )
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [
        (1, "q", "Полностью согласен"),
        (3, "q", 4),
    ]
    assert problems[0].expected.startswith(
        'a value listed in $.recode.likert5 of m.json ("Совершенно не согласен", '
    )


def test_value_labels_of_codes_and_of_text_codes_are_matched_first() -> None:
    mapping = parse_mapping({"recode": {"t": {"Согласен": 2, "1": 7}}, "apply": {"t": ["q", "s"]}})
    labels = {"q": {1.0: "согласен"}, "s": {"A": "Согласен"}}
    out = profdiag.apply_mapping({"q": [1, 1.0], "s": ["A", "1"]}, mapping, value_labels=labels)
    assert list(out["q"]) == [2.0, 2.0]
    assert list(out["s"]) == [2.0, 7.0]


def test_a_boolean_never_matches_a_number_key() -> None:
    mapping = parse_mapping({"recode": {"t": {"1": 1}}, "apply": {"t": ["q"]}})
    with pytest.raises(ResponseDataError, match="got true"):
        profdiag.apply_mapping({"q": [1, True]}, mapping)


def test_columns_the_mapping_names_must_exist() -> None:
    mapping = parse_mapping(
        {"columns": {"В1": "q1"}, "id_column": "Код", "recode": {"t": {}}, "apply": {"t": ["q9"]}},
        "m.json",
    )
    with pytest.raises(ResponseDataError) as caught:
        profdiag.apply_mapping({"x": [1]}, mapping)
    assert {(p.column, p.expected) for p in caught.value.problems} == {
        ("В1", "a column named in $.columns of m.json"),
        ("Код", "the $.id_column of m.json"),
    }
    with pytest.raises(ResponseDataError, match=r"\$\.apply\.t of m\.json"):
        profdiag.apply_mapping({"В1": [1], "Код": ["a"]}, mapping)


def test_a_renamed_column_may_not_clash_with_another() -> None:
    mapping = parse_mapping({"columns": {"В1": "q1"}})
    with pytest.raises(ResponseDataError, match="each name once after renaming"):
        profdiag.apply_mapping({"q1": [1], "В1": [2]}, mapping)


def test_star_means_the_instruments_items_present() -> None:
    mapping = parse_mapping({"recode": {"t": {"да": 1, "нет": 0}}, "apply": {"t": "*"}})
    data = {"id": ["да"], ITEMS[0]: ["да"], ITEMS[1]: ["нет"], "school": ["нет"]}
    out = profdiag.apply_mapping(data, mapping, instrument=IPIP)
    assert list(out[ITEMS[0]]) == [1.0] and list(out[ITEMS[1]]) == [0.0]
    assert out["id"] == ["да"] and out["school"] == ["нет"]


def test_dataframes_and_arrow_tables_are_recoded_alike() -> None:
    mapping = parse_mapping({"recode": {"t": {"а": 1, "б": 2}}, "apply": {"t": ["q"]}})
    cells = ["а", "б", None, "Б"]
    expected = [1.0, 2.0, None, 2.0]
    assert list(profdiag.apply_mapping(pd.DataFrame({"q": cells}), mapping)["q"]) == expected
    assert list(profdiag.apply_mapping(pa.table({"q": cells}), mapping)["q"]) == expected
    dictionary = pa.table({"q": pa.array(cells).dictionary_encode()})
    assert list(profdiag.apply_mapping(dictionary, mapping)["q"]) == expected


SPELLINGS = st.sampled_from(
    ["а", "б", "в", "Б", " а ", "Нет  ответа", "нет ответа", "", None, 1, 2.0, "2", "NA", " nan"]
)
RULES = {"а": 1, "б": 2, "нет ответа": None, "1": 1, "2": 2}


@settings(max_examples=150, deadline=None)
@given(st.lists(SPELLINGS, min_size=1, max_size=40))
def test_recoding_by_distinct_values_equals_a_rule_per_cell(cells: list[Any]) -> None:
    mapping = parse_mapping({"recode": {"t": RULES}, "apply": {"t": ["q"]}})
    expected, bad = [], []
    for row, cell in enumerate(cells):
        if cell is None or (isinstance(cell, str) and cell.strip().lower() in ("", "na", "nan")):
            expected.append(None)
            continue
        key = normalised(cell) if isinstance(cell, str) else str(int(cell))
        if key not in RULES:
            bad.append(row)
            expected.append(None)
            continue
        value = RULES[key]
        expected.append(None if value is None else float(value))
    if bad:
        with pytest.raises(ResponseDataError) as caught:
            profdiag.apply_mapping({"q": cells}, mapping)
        assert [p.row for p in caught.value.problems] == bad
    else:
        assert list(profdiag.apply_mapping({"q": cells}, mapping)["q"]) == expected


# ------------------------------------------------------------------ SPSS labels and the CLI


def _coded(rows: int = 4, seed: int = 5) -> np.ndarray:
    values = np.random.default_rng(seed).integers(1, 6, (rows, len(ITEMS))).astype(float)
    values[2, 5] = np.nan
    return values


def _csv(path: Path, ids: list[str], values: np.ndarray) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", *ITEMS])
        for person, row in zip(ids, values, strict=True):
            writer.writerow([person, *("" if np.isnan(v) else int(v) for v in row)])
    return path


def test_spss_codes_recoded_by_their_label_text(tmp_path: Path) -> None:
    """The archive codes 1 = "Совершенно согласен" ... 5 = "Совершенно не согласен" (the
    reverse of the instrument), 9 = "Нет ответа"; the mapping names labels, not codes."""
    values = _coded()
    archive = 6 - values
    archive[0, 0] = 9.0
    frame = pd.DataFrame(archive, columns=[f"V{n + 1}" for n in range(len(ITEMS))])
    frame.insert(0, "RESP", IDS)
    labels = {float(6 - code): WORDS[code] for code in range(1, 6)} | {9.0: "Нет ответа"}
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "archive.sav"),
        variable_value_labels={f"V{n + 1}": labels for n in range(len(ITEMS))},
    )
    mapping = write_mapping(
        tmp_path,
        {
            "id_column": "RESP",
            "columns": {f"V{n + 1}": item for n, item in enumerate(ITEMS)},
            "recode": {"likert5": {**LIKERT, "нет ответа": None}},
            "apply": {"likert5": "*"},
        },
    )
    expected = values.copy()
    expected[0, 0] = np.nan
    _, want, _ = run("score", "ipip-bfm-50", _csv(tmp_path / "coded.csv", IDS, expected))
    code, out, err = run("score", "ipip-bfm-50", tmp_path / "archive.sav", "--mapping", mapping)
    assert code == 0, err
    assert out == want.replace("id,", "RESP,", 1)


def test_cli_names_row_and_column_of_a_value_without_a_rule(tmp_path: Path) -> None:
    path = tmp_path / "archive.csv"
    rows = [["Код", *(f"В{n + 1}" for n in range(len(ITEMS)))]]
    rows += [
        [person, *(WORDS[int(v)] if not np.isnan(v) else "" for v in row)]
        for person, row in zip(IDS, _coded(), strict=True)
    ]
    rows[3][2] = "пять"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    mapping = write_mapping(
        tmp_path,
        {
            "id_column": "Код",
            "columns": {f"В{n + 1}": item for n, item in enumerate(ITEMS)},
            "recode": {"likert5": LIKERT},
            "apply": {"likert5": "*"},
        },
    )
    code, out, err = run("score", "ipip-bfm-50", path, "--mapping", mapping)
    assert code == 1
    assert out == ""
    assert (
        "data row 3 (line 4), column 'В2': got \"пять\"; expected a value listed in "
        f"$.recode.likert5 of {mapping}" in err
    )
    assert "Traceback" not in err
    rows[3][2] = WORDS[4]
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    for command in ("score", "analyze", "profile"):
        code, out, err = run(command, "ipip-bfm-50", path, "--mapping", mapping)
        assert code == 0, (command, err)
    code, out, err = run("score", "ipip-bfm-50", path, "--mapping", mapping)
    assert [row[0] for row in csv.reader(out.splitlines())] == ["Код", *IDS]


def test_cli_reports_a_broken_mapping_by_json_path(tmp_path: Path) -> None:
    data = _csv(tmp_path / "a.csv", IDS, _coded())
    mapping = write_mapping(tmp_path, {"recode": {"likert5": {"Совершенно согласен": "пять"}}})
    code, _, err = run("score", "ipip-bfm-50", data, "--mapping", mapping)
    assert code == 1
    assert "$.recode.likert5['Совершенно согласен']: got \"пять\"; expected a number or null" in err
    assert "Traceback" not in err


def test_the_python_api_scores_mapped_columns_as_the_coded_ones() -> None:
    values = _coded()
    coded = {
        item: [None if np.isnan(v) else int(v) for v in values[:, n]]
        for n, item in enumerate(ITEMS)
    }
    worded = {
        f"В{n + 1}": [None if np.isnan(v) else WORDS[int(v)] for v in values[:, n]]
        for n in range(len(ITEMS))
    }
    mapping = parse_mapping(
        {
            "columns": {f"В{n + 1}": item for n, item in enumerate(ITEMS)},
            "recode": {"likert5": LIKERT},
            "apply": {"likert5": "*"},
        }
    )
    mapped = profdiag.apply_mapping(pd.DataFrame(worded), mapping, instrument=IPIP)
    expected = profdiag.score(IPIP, coded).raw
    np.testing.assert_array_equal(profdiag.score(IPIP, mapped).raw, expected)


def test_an_output_may_not_replace_the_mapping(tmp_path: Path) -> None:
    data = _csv(tmp_path / "a.csv", IDS, _coded())
    mapping = write_mapping(tmp_path, {"recode": {}})
    before = mapping.read_bytes()
    code, _, err = run("score", "ipip-bfm-50", data, "--mapping", mapping, "--out", mapping)
    assert code == 1
    assert "is the input file" in err
    assert mapping.read_bytes() == before
