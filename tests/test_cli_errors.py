"""Every failure of the command line is a message and an exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from profdiag._io import write_table
from profdiag.cli import main
from profdiag.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "ipip-bfm-50-sample.csv"
SHEETS = ROOT / "examples" / "klimov-ddo-sheets.csv"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


def test_out_equal_to_the_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    data = tmp_path / "answers.csv"
    data.write_bytes(SAMPLE.read_bytes())
    result = run("score", "ipip-bfm-50", data, "--id-column", "respondent", "--out", data)
    assert_clean(result, 1, "is the input file")
    assert data.read_bytes() == SAMPLE.read_bytes()


def test_out_through_a_symlink_to_the_input_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "answers.csv"
    data.write_bytes(SAMPLE.read_bytes())
    (tmp_path / "link.csv").symlink_to(data)
    result = run("score", "ipip-bfm-50", data, "--out", tmp_path / "link.csv")
    assert_clean(result, 1, "is the input file")
    assert data.read_bytes() == SAMPLE.read_bytes()


@pytest.mark.parametrize("name", ["scores.xlsx", "scores.tsv", "scores.sav"])
def test_an_output_extension_that_is_not_a_table_format_is_refused_before_scoring(
    tmp_path: Path, name: str
) -> None:
    """CSV written into "scores.xlsx" would be read wrongly by whatever opens it."""
    out = tmp_path / name
    result = run("score", "ipip-bfm-50", SAMPLE, "--id-column", "respondent", "--out", out)
    assert_clean(result, 1, str(out), ".csv", ".parquet", ".json", repr(out.suffix))
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="not '"):
        write_table(out, ["a"], [np.arange(3.0)], {})
    assert not out.exists()


def test_a_failed_run_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    out.write_text("previous\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent,ipip01\nr1,9\n")
    result = run("score", "ipip-bfm-50", bad, "--id-column", "respondent", "--out", out)
    assert_clean(result, 1, "nothing was written")
    assert out.read_text() == "previous\n"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["score", "no/such/instrument.json", str(SAMPLE)], "no such file"),
        (["score", "no-such-instrument", str(SAMPLE)], "neither a file nor a bundled"),
        (["describe", "missing.json"], "no such file"),
        (["score", "ipip-bfm-50", str(SAMPLE), "--encoding", "klingon"], "klingon"),
        (["score", "ipip-bfm-50", str(SAMPLE), "--delimiter", '"'], "delimiter"),
        (["score", "ipip-bfm-50", str(SAMPLE), "--answers-column", "nope"], "'nope'"),
        (["profile", "klimov-ddo", str(SHEETS), "--seconds-column", "nope"], "'nope'"),
        (["import-keys", str(SAMPLE), "--min", "5", "--max", "1"], "--max"),
    ],
)
def test_usage_errors_exit_2(args: list[str], fragment: str) -> None:
    assert_clean(run(*args), 2, fragment)


def test_a_profiles_file_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "profiles.json"
    bad.write_text("{not json")
    assert_clean(run("report", bad, "--out", tmp_path / "pdf"), 1, "profiles.json", "valid JSON")


def test_a_profiles_file_that_fails_the_model(tmp_path: Path) -> None:
    bad = tmp_path / "profiles.json"
    bad.write_text('{"profiles": [{"respondent": 5}]}')
    assert_clean(run("report", bad, "--out", tmp_path / "pdf"), 1, "$.profiles[0]")
    bad.write_text("[1, 2]")
    assert_clean(run("report", bad, "--out", tmp_path / "pdf"), 1, "$.profiles")


def test_a_profile_with_an_instrument_without_scales_is_refused_when_read(
    tmp_path: Path,
) -> None:
    # Before, it was read and the report failed later ("min() arg is an empty sequence").
    from profdiag._report.demo import demo_profiles

    document = {"profiles": [json.loads(demo_profiles()[0].model_dump_json())]}
    document["profiles"][0]["instruments"][1]["scales"] = []
    bad = tmp_path / "profiles.json"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run("report", bad, "--out", tmp_path / "pdf")
    assert_clean(result, 1, "$.profiles[0].instruments[1].scales", "at least 1")
    assert not (tmp_path / "pdf").exists() or not any((tmp_path / "pdf").iterdir())


def test_an_output_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("schema", "--out", blocker / "schema.json")
    assert_clean(result, 1, "schema.json")
    result = run("demo", "--out", blocker / "sub", "--lang", "en", "--audience", "client")
    assert_clean(result, 1, "cannot create the folder")


def test_dev_full_is_refused_cleanly() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    assert_clean(run("schema", "--out", "/dev/full"), 1, "/dev/full")


def test_an_internal_error_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from profdiag._instrument import schema

    def broken() -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(schema, "schema_text", broken)
    assert_clean(run("schema"), 1, "internal error", "RuntimeError: boom", "bug")


def test_a_closed_stdout_pipe_ends_quietly() -> None:
    command = [sys.executable, "-m", "profdiag", "score", "ipip-bfm-50", str(SAMPLE)]
    command += ["--id-column", "respondent"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        errors = process.stderr.read().decode()
        process.wait()
    assert "Traceback" not in errors
    assert "Exception ignored" not in errors


def test_answer_sheet_problems_are_the_same_from_the_library_and_the_cli(
    tmp_path: Path,
) -> None:
    import csv
    import json

    import profdiag
    from profdiag._profile.build import ProfileInput, build_profiles

    data = tmp_path / "sheets.csv"
    data.write_text("id,answers\np1,1а 2б 99а\np2,1б 2а\n", encoding="utf-8")
    ddo = profdiag.load_instrument("klimov-ddo")
    with data.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = {"id": [r["id"] for r in rows], "answers": [r["answers"] for r in rows]}
    library = profdiag.score(ddo, columns, strict=False, id_column="id", answers_column="answers")
    assert [p.row for p in library.problems] == [0]
    assert library.row_has_problem.tolist() == [True, False]
    with pytest.raises(profdiag.ResponseDataError, match="99а"):
        profdiag.score(ddo, columns, id_column="id", answers_column="answers")

    out = tmp_path / "profiles.json"
    result = run(
        "profile", "klimov-ddo", data, "--answers-column", "answers", "--lenient", "--out", out
    )
    assert_clean(result, 0)
    from_cli = json.loads(out.read_text(encoding="utf-8"))["profiles"]
    part = ProfileInput(ddo, columns, id_column="id", answers_column="answers")
    from_library = build_profiles([part], strict=False)
    assert [p["instruments"][0]["row_status"] for p in from_cli] == ["problems", "ok"]
    assert [p.instruments[0].row_status for p in from_library] == ["problems", "ok"]
    assert from_cli[0]["instruments"] == from_library[0].model_dump(mode="json")["instruments"]


@pytest.fixture(scope="module")
def demo_document() -> dict[str, object]:
    import json

    from profdiag._profile.files import profiles_json
    from profdiag._report.demo import demo_profiles

    document: dict[str, object] = json.loads(profiles_json(demo_profiles()[:1]))
    return document


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda p: p["instruments"][0]["scales"][0].update(minimum=5, maximum=5), "minimum"),
        (lambda p: p["instruments"][0].update(leading=["nonsense"]), "unknown: nonsense"),
        (lambda p: p["instruments"][0]["scales"][0].update(raw=1e300), "raw"),
        (lambda p: p["instruments"][0]["scales"][0].update(stanine=12), "stanine"),
        (lambda p: p.update(respondent="x" * 5000), "$.profiles[0].respondent"),
        (lambda p: p["instruments"][0].update(confidence_level=7), "confidence_level"),
    ],
)
def test_a_profiles_file_with_impossible_values_is_refused(
    tmp_path: Path, demo_document: dict[str, object], change: object, fragment: str
) -> None:
    import copy
    import json

    document = copy.deepcopy(demo_document)
    change(document["profiles"][0])  # type: ignore[index, operator]
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run("report", path, "--out", tmp_path / "pdf", "--lang", "en")
    assert_clean(result, 1, fragment)
    assert not (tmp_path / "pdf").exists() or not list((tmp_path / "pdf").iterdir())


def test_nan_in_a_profiles_file_is_refused(
    tmp_path: Path, demo_document: dict[str, object]
) -> None:
    import json

    text = json.dumps(demo_document, ensure_ascii=False)
    path = tmp_path / "profiles.json"
    path.write_text(text.replace('"confidence_level": 0.9', '"confidence_level": NaN', 1))
    assert_clean(run("report", path, "--out", tmp_path / "pdf"), 1, "confidence_level")


def test_colliding_ids_give_one_pdf_each_and_say_so(tmp_path: Path) -> None:
    from profdiag._profile.files import profiles_json
    from profdiag._report.demo import demo_profiles

    first, second, third = demo_profiles()[:3]
    profiles = [
        first.model_copy(update={"respondent": "a/b"}),
        second.model_copy(update={"respondent": "a b"}),
        third.model_copy(update={"respondent": "a/b"}),
    ]
    source = tmp_path / "profiles.json"
    source.write_text(profiles_json(profiles), encoding="utf-8")
    out = tmp_path / "pdf"
    result = run("report", source, "--out", out, "--audience", "client", "--lang", "en")
    assert_clean(result, 0, "profile 2 (id 'a b')", "profile 3 (id 'a/b')", "a_b-3-client-en.pdf")
    assert sorted(p.name for p in out.iterdir()) == [
        "a_b-2-client-en.pdf",
        "a_b-3-client-en.pdf",
        "a_b-client-en.pdf",
    ]


def test_a_regions_demand_file_replaces_the_flags_without_touching_the_catalogue(
    tmp_path: Path,
) -> None:
    import json

    demand = {
        "format": "profdiag-demand/1",
        "id": "demand-test",
        "version": "1.0.0",
        "title": {"ru": "Тест", "en": "Test"},
        "region": "Тестовая область",
        "catalogue": "profdiag-occupations-ru",
        "sources": [
            {
                "id": "dept-2026",
                "citation": "Департамент, 2026",
                "date": "2026-01",
                "official": True,
            }
        ],
        "flags": [{"occupation": "bus-driver", "sources": ["dept-2026"]}],
    }
    demand_file = tmp_path / "demand.json"
    demand_file.write_text(json.dumps(demand, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "profiles.json"
    result = run(
        "profile", "klimov-ddo", SHEETS, "--id-column", "respondent", "--answers-column",
        "answers", "--top", "500", "--demand", demand_file, "--out", out,
    )  # fmt: skip
    assert_clean(result, 0)
    matches = [
        m for p in json.loads(out.read_text(encoding="utf-8"))["profiles"] for m in p["matches"]
    ]
    flagged = {m["id"] for m in matches if m["regional_demand"]}
    assert "bus-driver" in {m["id"] for m in matches}  # listed for some respondent
    assert flagged == {"bus-driver"}  # and the only one flagged, whatever the bundled flags
    assert all(m["demand_year"] == 2026 for m in matches if m["regional_demand"])
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({**demand, "flags": [{"occupation": "astronaut", "sources": ["dept-2026"]}]})
    )
    assert_clean(
        run("profile", "klimov-ddo", SHEETS, "--answers-column", "answers", "--demand", bad),
        1,
        "astronaut",
    )


def test_a_file_with_no_item_column_gets_one_line_not_fifty(tmp_path: Path) -> None:
    data = tmp_path / "wrong.csv"
    data.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    result = run("score", "ipip-bfm-50", data, "--out", tmp_path / "out.csv")
    assert_clean(result, 1, "none of the instrument's 50 item columns", "a, b, c")
    assert "ipip01" not in result.stderr  # not one line per missing item
    assert not (tmp_path / "out.csv").exists()
