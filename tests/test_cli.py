"""The `profdiag` command: outputs, reports and exit codes (0 ok, 1 bad data, 2 usage)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from profdiag.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "ipip-bfm-50-sample.csv"
MINIMAL = ROOT / "tests" / "data" / "valid" / "minimal.json"
PSYCH = ROOT / "tests" / "data" / "psych"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_instruments_lists_one_line_each() -> None:
    code, out, _ = run("instruments")
    assert code == 0
    assert any(
        line.startswith("ipip-bfm-50\t1.0.1\t50 items\t5 scales") for line in out.splitlines()
    )


def test_describe_in_both_languages() -> None:
    code, out, _ = run("describe", "ipip-bfm-50", "--lang", "en")
    assert code == 0 and "5 scales:" in out and "licence: Public domain" in out
    code, out, _ = run("describe", "ipip-bfm-50")
    assert code == 0 and "Экстраверсия" in out


def test_validate_ok_and_bad(tmp_path: Path) -> None:
    code, out, _ = run("validate", MINIMAL)
    assert code == 0 and "ok" in out
    bad = tmp_path / "bad.json"
    document = json.loads(MINIMAL.read_text(encoding="utf-8"))
    document["scales"][0]["items"][0]["item"] = "nope"
    bad.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run("validate", bad)
    assert code == 1
    assert f"{bad}: 1 problem(s)" in err and '$.scales[0].items[0].item: got "nope"' in err


def test_score_csv_columns_and_ids(tmp_path: Path) -> None:
    out_file = tmp_path / "scores.csv"
    code, _, err = run(
        "score", "ipip-bfm-50", SAMPLE, "--id-column", "respondent", "--out", out_file
    )
    assert code == 0, err
    rows = read_csv(out_file)
    assert len(rows) == 25 and rows[0]["respondent"] == "r001"
    header = list(rows[0])
    scales = [
        "extraversion",
        "agreeableness",
        "conscientiousness",
        "emotional_stability",
        "intellect",
    ]
    assert header[:6] == ["respondent", *scales]
    assert header[6:8] == ["extraversion.answered", "extraversion.status"]
    assert header[-4:] == ["row_status", "instrument", "instrument_version", "instrument_hash"]
    assert rows[0]["instrument_hash"].startswith("sha256:")
    by_id = {row["respondent"]: row for row in rows}
    assert by_id["r005"]["extraversion"] == "3.0"  # all 3s
    assert by_id["r012"]["conscientiousness.status"] == "too_few_answered"
    assert by_id["r012"]["conscientiousness"] == ""


def test_score_json_output_carries_provenance(tmp_path: Path) -> None:
    out_file = tmp_path / "scores.json"
    code, _, _ = run("score", "ipip-bfm-50", SAMPLE, "--id-column", "respondent", "--out", out_file)
    assert code == 0
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert document["instrument"]["id"] == "ipip-bfm-50"
    assert document["instrument"]["content_hash"].startswith("sha256:")
    assert len(document["respondents"]) == 25


def _spoiled_sample(tmp_path: Path) -> Path:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[5] = "7"  # data row 3 (file line 4), column ipip05
    lines[3] = ",".join(cells)
    path = tmp_path / "spoiled.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_strict_score_stops_with_row_and_column(tmp_path: Path) -> None:
    out_file = tmp_path / "scores.csv"
    code, _, err = run(
        "score",
        "ipip-bfm-50",
        _spoiled_sample(tmp_path),
        "--id-column",
        "respondent",
        "--out",
        out_file,
    )
    assert code == 1
    assert (
        "data row 3 (line 4), column 'ipip05': got \"7\"; expected one of the codes 1, 2, 3, 4, 5"
        in err
    )
    assert "nothing was written" in err and not out_file.exists()


def test_lenient_score_flags_the_row(tmp_path: Path) -> None:
    code, out, err = run(
        "score", "ipip-bfm-50", _spoiled_sample(tmp_path), "--id-column", "respondent", "--lenient"
    )
    assert code == 0
    assert "data row 3 (line 4), column 'ipip05'" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["row_status"] for row in rows[:4]] == ["ok", "ok", "problems", "ok"]
    assert rows[2]["intellect.answered"] == "9"


def test_a_column_that_is_not_an_item_is_carried_into_the_output(tmp_path: Path) -> None:
    # Issue 10: such a column used to stop scoring; now it passes through beside the scores
    # (or is left out with --drop-extra), and a missing item column is still an error.
    path = tmp_path / "extra.csv"
    text = SAMPLE.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([text[0] + ",comment"] + [f"{line},x{k}" for k, line in enumerate(text[1:])])
        + "\n",
        encoding="utf-8",
    )
    code, out, err = run("score", "ipip-bfm-50", path, "--id-column", "respondent")
    assert code == 0, err
    assert "1 column(s) that are not items of ipip-bfm-50" in err and "'comment'" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:3] == ["respondent", "comment", "extraversion"]
    assert [row["comment"] for row in rows] == [f"x{k}" for k in range(len(text) - 1)]
    code, out, err = run("score", "ipip-bfm-50", path, "--id-column", "respondent", "--drop-extra")
    assert code == 0 and "left out" in err
    assert "comment" not in next(csv.reader(io.StringIO(out)))
    missing = tmp_path / "missing.csv"
    missing.write_text(path.read_text(encoding="utf-8").replace("ipip07", "ipip_7", 1))
    code, _, err = run("score", "ipip-bfm-50", missing, "--id-column", "respondent")
    assert code == 1 and "column 'ipip07'" in err and "a column for this item (none found)" in err


def test_an_id_column_named_on_the_command_line_must_exist(tmp_path: Path) -> None:
    code, _, err = run("score", "ipip-bfm-50", SAMPLE, "--id-column", "respondnet")
    assert code == 2 and "has no column 'respondnet'" in err


@pytest.mark.parametrize(
    "args",
    [("score",), ("score", "ipip-bfm-50", "missing.csv"), ("import-keys", "k.json"), ("nonsense",)],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    assert run(*args)[0] == 2


def test_import_keys_then_score_matches_psych(tmp_path: Path) -> None:
    instrument = tmp_path / "keys.json"
    code, _, err = run(
        "import-keys",
        PSYCH / "keys.json",
        "--min",
        "1",
        "--max",
        "5",
        "--aggregate",
        "mean",
        "--missing",
        "median",
        "--impute-from",
        PSYCH / "responses.csv",
        "--out",
        instrument,
    )
    assert code == 0, err
    assert run("validate", instrument)[0] == 0
    out_file = tmp_path / "scores.csv"
    assert run("score", instrument, PSYCH / "responses.csv", "--out", out_file)[0] == 0
    ours = read_csv(out_file)
    expected = read_csv(PSYCH / "expected-median-means.csv")
    checked = 0
    for mine, theirs in zip(ours, expected, strict=True):
        for scale in ("A", "B", "C"):
            if mine[f"{scale}.status"] == "ok":
                assert abs(float(mine[scale]) - float(theirs[scale])) < 1e-9
                checked += 1
    assert checked >= 170
