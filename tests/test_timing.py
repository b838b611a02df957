"""Speed and accuracy on timed subtests, worked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import build

from profdiag import ResponseDataError, score
from profdiag.cli import main
from profdiag.scoring.timing import speed_accuracy


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
