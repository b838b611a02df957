"""The hostile corpus of issue 8 against the `profdiag` command line.

Every case (tests/hostile/cases_*.py) runs the command on generated bad inputs or under a
fault, and must end in a clean error (the expected exit code; stderr naming the file, row,
column or value) or a correct success (rows in = rows out, scores equal to a direct
computation, one PDF per profile); never a traceback, silently wrong output, lost data or
a local file leaked into a PDF. Cases that fail on the code before the fixes are listed in
tests/hostile/known_failures.py and run as strict xfails. The last tests check that the
judge itself can fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from hostile import CASES
from hostile.checks import score_output
from hostile.data import base_profiles_text, records
from hostile.fuzz import fuzz_cases, generate
from hostile.known_failures import KNOWN_FAILURES
from hostile.model import (
    CLEAN_ERROR,
    LEAK,
    SILENT,
    SKIPPED,
    SUCCESS,
    TRACEBACK,
    WRONG_ERROR,
    Case,
    Outcome,
    classify,
)
from hostile.runner import MARKER, Run, judge, run_case, snapshot

FUZZ_SAMPLE = 200  # CI-sized; scripts/hostile_review.py runs 1,500
FUZZ = fuzz_cases(FUZZ_SAMPLE)


def _param(case: Case) -> object:
    marks = []
    if case.id in KNOWN_FAILURES:
        reason = f"issue 8: {KNOWN_FAILURES[case.id]} before the fixes"
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="session")
def background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Outcome]]]:
    """The selected cases that may run until their time limit start at once, one at a
    time, in a background thread (they run as subprocesses) while the others go on."""
    params = [getattr(item, "callspec", None) for item in request.session.items]
    selected = {
        callspec.params["case"].id
        for callspec in params
        if callspec is not None and isinstance(callspec.params.get("case"), Case)
    }
    # Made here, in the main thread: it runs the CLI in-process, and click's CliRunner
    # swaps sys.stdout and sys.stderr for the whole process.
    base_profiles_text()
    pool = ThreadPoolExecutor(max_workers=1)
    futures = {
        case.id: pool.submit(run_case, case, tmp_path_factory.mktemp(case.id))
        for case in CASES
        if case.background and case.id in selected
    }
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


def _assert_passes(outcome: Outcome) -> None:
    if outcome.kind == SKIPPED:
        pytest.skip(outcome.problems[0].text)
    assert outcome.passed, outcome.explain()


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_hostile_case(case: Case, tmp_path: Path, background: dict[str, Future[Outcome]]) -> None:
    if case.background:
        _assert_passes(background[case.id].result())
    else:
        _assert_passes(run_case(case, tmp_path))


@pytest.mark.parametrize("case", [_param(case) for case in FUZZ])
def test_fuzzed_csv(case: Case, tmp_path: Path) -> None:
    _assert_passes(run_case(case, tmp_path))


# --- the corpus and its judge -------------------------------------------------------------


def test_corpus_covers_every_command_and_category() -> None:
    assert len(CASES) >= 300
    assert len({case.id for case in CASES}) == len(CASES)
    commands = {case.args[0] for case in CASES if case.args}
    assert commands >= {
        "instruments",
        "describe",
        "validate",
        "schema",
        "import-keys",
        "score",
        "profile",
        "report",
        "demo",
    }
    categories = {case.category for case in CASES}
    assert categories >= {"csv", "values", "json", "templates", "report-ids", "output", "process"}


def test_known_failures_name_real_cases() -> None:
    ids = {case.id for case in [*CASES, *FUZZ]}
    assert set(KNOWN_FAILURES) <= ids, sorted(set(KNOWN_FAILURES) - ids)


def test_fuzz_files_are_reproducible() -> None:
    assert generate(17).content == generate(17).content
    assert generate(17).content != generate(18).content


def _run(folder: Path, code: int | None, stdout: str = "", stderr: str = "") -> Run:
    return Run(folder, code, stdout, stderr)


def _case(**changes: object) -> Case:
    fields: dict[str, object] = {
        "id": "meta",
        "category": "meta",
        "args": ("score",),
        "exit": frozenset({1}),
        "stderr": ("data.csv",),
    }
    fields.update(changes)
    return Case(**fields)  # type: ignore[arg-type]


def test_judge_sees_a_traceback(tmp_path: Path) -> None:
    run = _run(tmp_path, 1, stderr="Traceback (most recent call last):\n  ...\nKeyError: 'x'")
    problems = judge(_case(), run, {}, {})
    assert classify(problems, 1) == TRACEBACK


def test_judge_wants_the_exit_code_and_the_fragments(tmp_path: Path) -> None:
    assert classify(judge(_case(), _run(tmp_path, 1, stderr="data.csv: bad"), {}, {}), 1) == (
        CLEAN_ERROR
    )
    assert classify(judge(_case(), _run(tmp_path, 1, stderr="bad"), {}, {}), 1) == WRONG_ERROR
    assert classify(judge(_case(), _run(tmp_path, 2, stderr="data.csv"), {}, {}), 2) == (
        WRONG_ERROR
    )
    assert classify(judge(_case(), _run(tmp_path, 0), {}, {}), 0) == SILENT


def test_judge_sees_a_changed_input(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("id\n1\n")
    before = snapshot(tmp_path)
    data.write_text("id\n")
    problems = judge(_case(), _run(tmp_path, 1, stderr="data.csv"), before, snapshot(tmp_path))
    assert classify(problems, 1) == SILENT


def test_judge_finds_the_marker_in_a_pdf(tmp_path: Path) -> None:
    from weasyprint import HTML

    before = snapshot(tmp_path)
    HTML(string=f"<p>Report</p><p>{MARKER}</p>").write_pdf(tmp_path / "r.pdf")
    problems = judge(_case(exit=SUCCESS), _run(tmp_path, 0), before, snapshot(tmp_path))
    assert classify(problems, 0) == LEAK


def test_score_oracle_catches_a_wrong_score_and_a_lost_row(tmp_path: Path) -> None:
    data = records(2)
    good = _score_table(tmp_path, data)
    check = score_output(None, answers=data)
    assert check(_run(tmp_path, 0, stdout=good)) == []
    header, first, *rest = good.splitlines()
    cells = first.split(",")
    cells[1] = "1.0" if cells[1] != "1.0" else "2.0"
    wrong = "\n".join([header, ",".join(cells), *rest]) + "\n"
    assert check(_run(tmp_path, 0, stdout=wrong))
    lost = "\n".join([header, first]) + "\n"
    assert check(_run(tmp_path, 0, stdout=lost))


def _score_table(folder: Path, data: list[dict[str, int | None]]) -> str:
    """The score table `profdiag score` writes for `data` (ids r001, r002, ...)."""
    from click.testing import CliRunner

    from hostile.data import ipip_text
    from profdiag.cli import main

    path = folder / "data.csv"
    path.write_text(ipip_text(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "ipip-bfm-50", str(path)])
    assert result.exit_code == 0, result.stderr
    return result.stdout
