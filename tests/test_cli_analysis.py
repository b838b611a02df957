"""`profdiag analyze`: the JSON, the CSV tables beside it, and failures that write nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from profdiag.cli import main

DATA = Path(__file__).parent / "data" / "psych-alpha"
LIKERT = DATA / "likert.json"
RESPONSES = DATA / "likert-responses.csv"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_analyze_writes_json_and_tables_that_agree(tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    code, _, err = run("analyze", LIKERT, RESPONSES, "--out", out)
    assert code == 0, err
    assert "analysed 400 respondents on 5 scales of alpha-likert 1.0.0" in err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["instrument"]["id"] == "alpha-likert"
    assert document["respondents"] == 400 and document["confidence_level"] == 0.95
    scale = document["scales"]["A"]
    assert {"raw_alpha", "std_alpha", "g6_smc", "average_r", "signal_noise", "alpha_se"} <= set(
        scale
    )
    assert {"median_r", "mean", "sd", "alpha_ci", "items"} <= set(scale)
    item = scale["items"]["it03"]
    assert item["reverse"] is True
    assert {"n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd", "alpha_if_dropped"} <= set(item)
    assert set(item["frequencies"]) == {"1", "2", "3", "4", "5"} and "missing" in item

    scales = _rows(tmp_path / "analysis.scales.csv")
    assert [row["scale"] for row in scales] == ["A", "B", "C", "D", "ALL"]
    assert float(scales[4]["omega_h"]) == document["scales"]["ALL"]["omega_h"]
    assert scales[0]["omega_h"] == ""  # five items: no omega
    assert float(scales[0]["raw_alpha"]) == scale["raw_alpha"]
    assert float(scales[0]["alpha_ci_lower"]) == scale["alpha_ci"]["lower"]
    items = _rows(tmp_path / "analysis.items.csv")
    it03 = next(row for row in items if row["scale"] == "A" and row["item"] == "it03")
    assert float(it03["r_drop"]) == item["r_drop"] and it03["reverse"] == "true"
    assert float(it03["freq:5"]) == item["frequencies"]["5"]
    d_items = [row for row in items if row["scale"] == "D"]
    assert [row["alpha_if_dropped"] for row in d_items] == ["", ""]  # null: an empty cell
    correlations = _rows(tmp_path / "analysis.intercorrelations.csv")
    assert [(row["kind"], row["scale"]) for row in correlations][:2] == [("raw", "A"), ("raw", "B")]
    assert float(correlations[0]["B"]) == document["intercorrelations"]["raw"][0][1]
    assert correlations[5]["kind"] == "corrected"
    assert float(correlations[5]["B"]) == document["intercorrelations"]["corrected"][0][1]


def test_analyze_without_out_prints_json_only(tmp_path: Path) -> None:
    code, out, _ = run("analyze", LIKERT, RESPONSES, "--level", "0.9")
    assert code == 0
    assert json.loads(out)["scales"]["B"]["alpha_ci"]["level"] == 0.9


def _spoiled(tmp_path: Path) -> Path:
    lines = RESPONSES.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[2] = "7"  # it02 of respondent 3 (data row 2, line 4)
    lines[3] = ",".join(cells)
    path = tmp_path / "spoiled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_invalid_cell_stops_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    code, _, err = run("analyze", LIKERT, _spoiled(tmp_path), "--out", out)
    assert code == 1
    assert "line 4" in err and "'it02'" in err and 'got "7"' in err
    assert "nothing was written" in err and "--lenient" in err
    assert list(tmp_path.iterdir()) == [tmp_path / "spoiled.csv"]


def test_lenient_counts_an_invalid_cell_as_unanswered(tmp_path: Path) -> None:
    code, out, err = run("analyze", LIKERT, _spoiled(tmp_path), "--lenient")
    assert code == 0 and "'it02'" in err
    document = json.loads(out)
    assert document["invalid_cells"] == 1
    assert document["scales"]["A"]["items"]["it02"]["n"] == 367  # one answer fewer


def test_a_header_only_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(RESPONSES.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    code, _, err = run("analyze", LIKERT, empty, "--out", tmp_path / "a.json")
    assert code == 1 and "no respondents" in err
    assert not (tmp_path / "a.json").exists()


@pytest.mark.parametrize("target", ["json", "table"])
def test_outputs_never_replace_the_data(tmp_path: Path, target: str) -> None:
    data = tmp_path / ("x.json" if target == "json" else "x.items.csv")
    data.write_text(RESPONSES.read_text(encoding="utf-8"), encoding="utf-8")
    before = data.read_bytes()
    code, _, err = run("analyze", LIKERT, data, "--out", tmp_path / "x.json")
    assert code == 1 and "is the input file" in err
    assert data.read_bytes() == before


def test_attribute_columns_are_not_items(tmp_path: Path) -> None:
    lines = RESPONSES.read_text(encoding="utf-8").splitlines()
    with_sex = [lines[0] + ',"sex"'] + [
        line + (",f" if k % 2 else ",m") for k, line in enumerate(lines[1:])
    ]
    path = tmp_path / "with-sex.csv"
    path.write_text("\n".join(with_sex) + "\n", encoding="utf-8")
    code, out, err = run("analyze", LIKERT, path)
    assert code == 0, err
    assert json.loads(out)["respondents"] == 400


def test_columns_that_are_not_items_are_left_out_with_a_notice(tmp_path: Path) -> None:
    # An archive carries school, municipality ...: they are not analysed, and the numbers
    # are those of the file without them; a misspelt item column is still an error.
    rows = _rows(RESPONSES)
    wider = tmp_path / "wider.csv"
    with wider.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["school", *rows[0]])
        writer.writeheader()
        writer.writerows({"school": f"s{k % 3}", **row} for k, row in enumerate(rows))
    plain, with_school = tmp_path / "plain.json", tmp_path / "school.json"
    assert run("analyze", LIKERT, RESPONSES, "--out", plain)[0] == 0
    code, _, err = run("analyze", LIKERT, wider, "--out", with_school)
    assert code == 0, err
    assert "not analysed: 'school'" in err
    first = json.loads(plain.read_text(encoding="utf-8"))
    second = json.loads(with_school.read_text(encoding="utf-8"))
    assert first["scales"] == second["scales"]
    typo = tmp_path / "typo.csv"
    header, *body = wider.read_text(encoding="utf-8").splitlines()
    typo.write_text("\n".join([header.replace("it03", "it3"), *body]) + "\n", encoding="utf-8")
    code, _, err = run("analyze", LIKERT, typo, "--out", tmp_path / "typo.json")
    assert code == 1 and "'it03'" in err and not (tmp_path / "typo.json").exists()
