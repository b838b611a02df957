"""Speed and accuracy on timed subtests, worked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.conftest import build

from profdiag import ResponseDataError, score
from profdiag._profile.build import ProfileInput, build_profiles
from profdiag._profile.validity import validity_flags
from profdiag._scoring.timing import speed_accuracy
from profdiag.cli import main
from profdiag.errors import ArgumentError


def timed_instrument():  # type: ignore[no-untyped-def]
    options = [{"code": c} for c in "abcd"]
    return build(
        response_formats={"mc": {"type": "multiple_choice", "options": options}},
        items=[{"id": f"m{k}", "format": "mc", "correct": ["a"]} for k in range(1, 5)]
        + [{"id": "u1", "format": "mc", "correct": ["b"]}],
        scales=[
            {
                "id": "T",
                "title": {"en": "timed"},
                "time_limit_seconds": 120,
                "items": [{"item": f"m{k}"} for k in range(1, 5)],
            },
            {"id": "U", "title": {"en": "untimed"}, "items": [{"item": "u1"}]},
        ],
    )


def test_speed_and_accuracy_by_hand() -> None:
    instrument = timed_instrument()
    rows = [
        {"m1": "a", "m2": "a", "m3": "b", "m4": None, "u1": "b"},  # 3 attempted, 2 correct
        {"m1": None, "m2": None, "m3": None, "m4": None, "u1": "b"},  # nothing attempted
        {"m1": "a", "m2": "a", "m3": "a", "m4": "a", "u1": "a"},  # all 4 correct
    ]
    result = score(instrument, rows)
    timing = speed_accuracy(instrument, result, {"T": ["90", 30.0, ""]})
    assert timing.scale_ids == ("T",)
    assert timing.attempted[:, 0].tolist() == [3, 0, 4]
    # accuracy 2/3; none attempted -> NaN; 4/4
    assert timing.accuracy[0, 0] == pytest.approx(2 / 3) and math.isnan(timing.accuracy[1, 0])
    assert timing.accuracy[2, 0] == 1.0
    # completion 3/4, 0/4, 4/4
    assert timing.completion[:, 0].tolist() == [0.75, 0.0, 1.0]
    # 3 items in 90 s = 2 per minute; 0 items in 30 s = 0 per minute; time unknown -> NaN
    assert timing.items_per_minute[:2, 0].tolist() == [2.0, 0.0]
    assert math.isnan(timing.items_per_minute[2, 0])
    # 90 of 120 s = 0.75; 30/120 = 0.25
    assert timing.time_used[:2, 0].tolist() == [0.75, 0.25]


def test_bad_seconds_are_reported() -> None:
    instrument = timed_instrument()
    result = score(instrument, [{"m1": "a", "m2": "a", "m3": "a", "m4": "a", "u1": "a"}])
    with pytest.raises(ResponseDataError, match=r"row 0, column 'T.seconds': got \"soon\""):
        speed_accuracy(instrument, result, {"T": ["soon"]})


def test_cli_adds_timing_columns(tmp_path: Path) -> None:
    instrument_file = tmp_path / "timed.json"
    document = timed_instrument().model_dump(mode="json", by_alias=True, exclude_none=True)
    import json

    instrument_file.write_text(json.dumps(document), encoding="utf-8")
    data = tmp_path / "answers.csv"
    data.write_text("id,m1,m2,m3,m4,u1,T.seconds\nx,a,a,b,,b,90\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", str(instrument_file), str(data)])
    assert result.exit_code == 0, result.stderr
    header, row = (line.split(",") for line in result.stdout.splitlines())
    values = dict(zip(header, row, strict=True))
    assert values["T.accuracy"].startswith("0.666666")
    assert values["T.items_per_minute"] == "2.0" and values["T.time_used"] == "0.75"
    assert "U.accuracy" not in values


# --------------------------------------------------------------------------- time checks


def one_row_result():  # type: ignore[no-untyped-def]
    instrument = timed_instrument()
    return instrument, score(instrument, {"m1": "a", "m2": "a", "m3": "a", "m4": "a", "u1": "a"})


@pytest.mark.parametrize(
    "seconds",
    ["-1", -0.5, "soon", math.inf, "inf", float("-inf"), 10**400, "1e400", True, "1_0"],
    ids=lambda value: repr(value)[:16],
)
def test_subtest_seconds_that_are_not_a_time_are_cell_problems(seconds: object) -> None:
    instrument, result = one_row_result()
    for given in ({"T": [seconds]}, {"T": np.array([seconds], dtype=object)}):
        with pytest.raises(ResponseDataError) as caught:
            speed_accuracy(instrument, result, given)
        (problem,) = caught.value.problems
        assert (problem.row, problem.column) == (0, "T.seconds")
        assert problem.expected.startswith("the seconds spent, a finite number 0 or more")


def test_subtest_seconds_as_numbers_are_checked_as_a_whole() -> None:
    instrument = timed_instrument()
    rows = [{"m1": "a", "m2": "a", "m3": "a", "m4": "a", "u1": "a"}] * 4
    result = score(instrument, rows)
    with pytest.raises(ResponseDataError) as caught:
        speed_accuracy(instrument, result, {"T": np.array([60.0, -1.0, np.inf, np.nan])})
    assert [(p.row, p.value) for p in caught.value.problems] == [(1, -1.0), (2, math.inf)]
    timing = speed_accuracy(instrument, result, {"T": np.array([60, 0, 120, 30], dtype=np.int64)})
    assert timing.items_per_minute[:, 0].tolist()[:1] == [4.0]
    assert timing.time_used[:, 0].tolist() == [0.5, 0.0, 1.0, 0.25]


def test_unknown_times_and_one_respondent() -> None:
    instrument, result = one_row_result()
    for unknown in (None, "", " ", "NA", math.nan, pd.NA):
        timing = speed_accuracy(instrument, result, {"T": [unknown]})
        assert math.isnan(timing.time_used[0, 0]), unknown
    # one respondent: a single value will do (it was read as the letters "9", "0")
    for single in ("90", 90, 90.0, np.int64(90)):
        assert speed_accuracy(instrument, result, {"T": single}).time_used.tolist() == [[0.75]]


def test_times_of_the_wrong_length_or_for_an_untimed_scale_are_argument_errors() -> None:
    instrument = timed_instrument()
    result = score(instrument, [{"m1": "a", "m2": "a", "m3": "a", "m4": "a", "u1": "a"}] * 2)
    with pytest.raises(ArgumentError, match=r"T\.seconds: 3 time\(s\) for 2 respondent\(s\)"):
        speed_accuracy(instrument, result, {"T": [1, 2, 3]})
    with pytest.raises(ArgumentError, match=r"T\.seconds: a single time \(90\) for 2 respondents"):
        speed_accuracy(instrument, result, {"T": 90})
    with pytest.raises(ArgumentError, match=r"T\.seconds: one time per respondent \(1-D\)"):
        speed_accuracy(instrument, result, {"T": np.ones((2, 1))})
    with pytest.raises(ArgumentError, match=r"seconds given for 'U', which is not a timed scale"):
        speed_accuracy(instrument, result, {"U": [1, 2]})
    with pytest.raises(ArgumentError, match=r"the scores come from instrument"):
        speed_accuracy(timed_instrument_with_limit(60), result, {"T": [1, 2]})


def timed_instrument_with_limit(limit: int):  # type: ignore[no-untyped-def]
    document = timed_instrument().model_dump(mode="json", by_alias=True, exclude_none=True)
    document["scales"][0]["time_limit_seconds"] = limit
    from profdiag._instrument import instrument_from_document

    return instrument_from_document(document)


@pytest.mark.parametrize(
    ("seconds", "bad"),
    [
        (["90", "-5", "x"], [(1, "-5"), (2, "x")]),
        ([90.0, float("inf"), 10**400], [(1, math.inf), (2, 10**400)]),
        (np.array([90.0, -1.0, 3.0]), [(1, -1.0)]),
    ],
    ids=["text", "numbers", "array"],
)
def test_total_seconds_that_are_not_a_time_are_cell_problems(
    seconds: object, bad: list[tuple[int, object]]
) -> None:
    values = np.full((3, 4), 2.0)
    with pytest.raises(ResponseDataError) as caught:
        validity_flags(values, total_seconds=seconds, seconds_column="time")
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (row, "time", value) for row, value in bad
    ]
    flags = validity_flags(values, total_seconds=["8", None, ""])
    assert flags.seconds_per_item[0] == 2.0 and np.isnan(flags.seconds_per_item[1:]).all()


def test_profiles_report_bad_total_seconds_as_cell_problems() -> None:
    instrument = timed_instrument()
    rows = [{"m1": "a", "m2": "a", "m3": "a", "m4": "a", "u1": "a"}] * 2
    with pytest.raises(ResponseDataError, match=r"row 1, column 'seconds': got \"-3\""):
        build_profiles([ProfileInput(instrument, rows, total_seconds=["60", "-3"])])
    with pytest.raises(ResponseDataError, match=r"row 0, column 'seconds': got \"ninety\""):
        build_profiles([ProfileInput(instrument, rows, total_seconds=["ninety", "60"])])
    (profile, _) = build_profiles([ProfileInput(instrument, rows, total_seconds=["60", ""])])
    assert profile.respondent == "0"
