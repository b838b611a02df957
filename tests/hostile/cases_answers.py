"""Typed answer sheets (`--answers-column`, Klimov's ДДО: 20 forced-choice pairs) and the
`profile` command's own inputs (`--seconds-column`, `--validity`, `--catalogue`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hostile.checks import profiles_output, score_output, stderr_on_exit
from hostile.data import (
    DDO,
    DDO_FULL,
    IPIP,
    IPIP_ITEMS,
    Setup,
    cells,
    ddo_sheets,
    ipip_csv,
    records,
    set_cell,
    steps,
    table_text,
    write,
)
from hostile.model import BAD_DATA, SUCCESS, USAGE, Case, at_line, one_of

ANSWERS = "answers"
PROFILE = "profile"
OUT = "{d}/scores.csv"
SHEETS = "{d}/sheets.csv"
SCORE_DDO = ("score", DDO, SHEETS, "--answers-column", "answers", "--out", OUT)
DDO_ITEMS = [f"ddo{k:02d}" for k in range(1, 21)]


def _ddo_answers(text: str) -> dict[str, Any]:
    """What a well-formed sheet means: item id -> option code (None where not given)."""
    import re

    from hostile.checks import instrument

    items = [item.id for item in instrument(DDO).items]
    answers: dict[str, Any] = dict.fromkeys(items)
    for number, option in re.findall(r"(\d+)\s*[-.:)]?\s*([абab12])", text):
        answers[items[int(number) - 1]] = {"a": "а", "b": "б", "1": "а", "2": "б"}.get(
            option, option
        )
    return answers


def _sheet(
    case_id: str,
    texts: Sequence[str],
    exit: frozenset[int],
    *fragments: object,
    extra: tuple[str, ...] = (),
    checks: tuple[Any, ...] = (),
    note: str = "",
) -> Case:
    return Case(
        case_id,
        ANSWERS,
        (*SCORE_DDO, *extra),
        exit,
        setup=ddo_sheets("sheets.csv", texts),
        stderr=("sheets.csv", *fragments),  # type: ignore[arg-type]
        checks=checks,
        out=OUT,
        note=note,
    )


def _scored(texts: Sequence[str]) -> tuple[Any, ...]:
    return (
        score_output(
            OUT,
            answers=[_ddo_answers(text) for text in texts],
            instrument_id=DDO,
            ids=[f"d{k + 1:03d}" for k in range(len(texts))],
        ),
    )


HALF = " ".join(f"{k}а" for k in range(1, 11))
CASES: list[Case] = [
    _sheet(
        "answers-item-number-5000-digits",
        [DDO_FULL, "1" + "9" * 4999 + "а"],
        BAD_DATA,
        at_line(3),
        "answers",
        note="int() refuses more than 4,300 digits: ValueError, not a message",
    ),
    _sheet(
        "answers-item-number-4000-digits",
        [DDO_FULL, "1" + "9" * 3999 + "а"],
        BAD_DATA,
        at_line(3),
        "answers",
    ),
    _sheet("answers-item-zero", [DDO_FULL, "0а " + HALF], BAD_DATA, at_line(3), "answers"),
    _sheet("answers-item-21", [DDO_FULL, HALF + " 21б"], BAD_DATA, at_line(3), "21"),
    _sheet("answers-item-twice", [HALF + " 1б", DDO_FULL], BAD_DATA, at_line(2), "answers"),
    _sheet("answers-garbage", [DDO_FULL, "hello world"], BAD_DATA, at_line(3), "hello"),
    _sheet("answers-unknown-option", [DDO_FULL, "1в 2а"], BAD_DATA, at_line(3)),
    _sheet("answers-negative-item", [DDO_FULL, "-1а 2а"], BAD_DATA, at_line(3)),
    _sheet("answers-nul-byte", [DDO_FULL, "1а\x00 2б"], BAD_DATA, at_line(3)),
    _sheet("answers-100000-tokens", [DDO_FULL, " ".join(["1а"] * 100_000)], BAD_DATA, at_line(3)),
    _sheet(
        "answers-empty-string",
        [DDO_FULL, ""],
        SUCCESS,
        checks=_scored([DDO_FULL, ""]),
        note="an empty sheet is a respondent with no answers",
    ),
    _sheet(
        "answers-only-separators", [DDO_FULL, " ,;  , "], SUCCESS, checks=_scored([DDO_FULL, ""])
    ),
    _sheet(
        "answers-latin-letters",
        [DDO_FULL, HALF.replace("а", "a")],
        SUCCESS,
        checks=_scored([DDO_FULL, HALF]),
    ),
    _sheet(
        "answers-digits-with-dashes",
        ["1-1 2-2 3-1", DDO_FULL],
        SUCCESS,
        checks=_scored(["1а 2б 3а", DDO_FULL]),
    ),
    _sheet(
        "answers-no-separators",
        ["1а2б3а4б", DDO_FULL],
        SUCCESS,
        checks=_scored(["1а 2б 3а 4б", DDO_FULL]),
    ),
    _sheet(
        "answers-newline-inside",
        ["1а\n2б\n3а", DDO_FULL],
        SUCCESS,
        checks=_scored(["1а 2б 3а", DDO_FULL]),
    ),
    _sheet(
        "answers-full-sheets",
        [DDO_FULL, DDO_FULL.replace("а", "б")],
        SUCCESS,
        checks=_scored([DDO_FULL, DDO_FULL.replace("а", "б")]),
    ),
    _sheet(
        "answers-lenient-bad-token",
        [DDO_FULL, "1а 2б zz"],
        SUCCESS,
        extra=("--lenient",),
        checks=(*_scored([DDO_FULL, "1а 2б"]), stderr_on_exit(0, "zz")),
    ),
    _sheet(
        "answers-lenient-5000-digits",
        [DDO_FULL, "1а " + "9" * 5000 + "б"],
        SUCCESS,
        extra=("--lenient",),
        checks=_scored([DDO_FULL, "1а"]),
    ),
    Case(
        "answers-column-is-the-id-column",
        ANSWERS,
        ("score", DDO, SHEETS, "--answers-column", "id", "--out", OUT),
        BAD_DATA,
        setup=ddo_sheets("sheets.csv", [DDO_FULL]),
        stderr=("sheets.csv",),
        out=OUT,
    ),
    Case(
        "answers-on-likert-instrument",
        ANSWERS,
        ("score", IPIP, "{d}/sheets.csv", "--answers-column", "answers", "--out", OUT),
        SUCCESS,
        setup=write(
            "sheets.csv",
            table_text(
                ["id", "answers"],
                [["r1", " ".join(f"{k}-{c}" for k, c in enumerate(cells(records(1)[0]), 1))]],
            ),
        ),
        checks=(score_output(OUT, answers=records(1)),),
    ),
    Case(
        "answers-column-absent",
        ANSWERS,
        ("score", DDO, SHEETS, "--answers-column", "sheet", "--out", OUT),
        USAGE,
        setup=ddo_sheets("sheets.csv", [DDO_FULL]),
        stderr=("sheet",),
        out=OUT,
    ),
]

# --- the profile command --------------------------------------------------------------
PROFILES = "{d}/profiles.json"
THREE = records(3)


def _with_seconds(values: Sequence[str]) -> Setup:
    rows = [
        [f"r{k}", *cells(r), value] for k, (r, value) in enumerate(zip(THREE, values, strict=True))
    ]
    return write("data.csv", table_text(["id", *IPIP_ITEMS, "secs"], rows))


def _profile(
    case_id: str,
    setup: Setup,
    exit: frozenset[int],
    *fragments: object,
    extra: tuple[str, ...] = (),
    count: int = 3,
    note: str = "",
) -> Case:
    return Case(
        case_id,
        PROFILE,
        ("profile", IPIP, "{d}/data.csv", "--out", PROFILES, *extra),
        exit,
        setup=setup,
        stderr=tuple(fragments),  # type: ignore[arg-type]
        checks=(profiles_output(PROFILES, count),),
        out=PROFILES,
        note=note,
    )


SECONDS = ("--seconds-column", "secs")
CASES += [
    _profile(
        "profile-seconds-text",
        _with_seconds(["300", "abc", "200"]),
        BAD_DATA,
        "data.csv",
        at_line(3),
        "secs",
        extra=SECONDS,
    ),
    _profile(
        "profile-seconds-1e999",
        _with_seconds(["300", "1e999", "200"]),
        BAD_DATA,
        at_line(3),
        "secs",
        extra=SECONDS,
    ),
    _profile(
        "profile-seconds-inf",
        _with_seconds(["inf", "300", "200"]),
        BAD_DATA,
        at_line(2),
        "secs",
        extra=SECONDS,
    ),
    _profile(  # "nan" is how numpy writes a missing value: the time is unknown (cli.md)
        "profile-seconds-nan",
        _with_seconds(["300", "200", "nan"]),
        SUCCESS,
        extra=SECONDS,
    ),
    _profile(
        "profile-seconds-negative",
        _with_seconds(["300", "-5", "200"]),
        BAD_DATA,
        at_line(3),
        "secs",
        extra=SECONDS,
        note="negative seconds are impossible",
    ),
    _profile(
        "profile-seconds-10-to-400",
        _with_seconds(["1" + "0" * 400, "1", "2"]),
        BAD_DATA,
        at_line(2),
        "secs",
        extra=SECONDS,
    ),
    _profile("profile-seconds-empty", _with_seconds(["300", "", "200"]), SUCCESS, extra=SECONDS),
    _profile(
        "profile-seconds-valid", _with_seconds(["300", "250.5", "200"]), SUCCESS, extra=SECONDS
    ),
    _profile(
        "profile-seconds-is-an-item",
        ipip_csv(),
        frozenset({1, 2}),
        "ipip01",
        extra=("--seconds-column", "ipip01"),
    ),
    _profile(
        "profile-validity-list",
        steps(ipip_csv(), write("v.json", "[1]")),
        BAD_DATA,
        "v.json",
        extra=("--validity", "{d}/v.json"),
    ),
    _profile(
        "profile-validity-typo",
        steps(ipip_csv(), write("v.json", '{"max_mising": 0.2}')),
        BAD_DATA,
        "v.json",
        "max_mising",
        extra=("--validity", "{d}/v.json"),
    ),
    _profile(
        "profile-validity-out-of-range",
        steps(ipip_csv(), write("v.json", '{"max_missing_share": 5}')),
        BAD_DATA,
        "v.json",
        "max_missing_share",
        extra=("--validity", "{d}/v.json"),
    ),
    _profile(
        "profile-validity-nan",
        steps(ipip_csv(), write("v.json", '{"min_seconds_per_item": NaN}')),
        BAD_DATA,
        "v.json",
        extra=("--validity", "{d}/v.json"),
    ),
    _profile(
        "profile-validity-string-number",
        steps(ipip_csv(), write("v.json", '{"max_missing_share": "0.2"}')),
        BAD_DATA,
        "v.json",
        extra=("--validity", "{d}/v.json"),
    ),
    _profile(
        "profile-catalogue-empty-object",
        steps(ipip_csv(), write("cat.json", "{}")),
        BAD_DATA,
        "cat.json",
        extra=("--catalogue", "{d}/cat.json"),
    ),
    _profile(
        "profile-catalogue-wrong-format",
        steps(ipip_csv(), write("cat.json", json.dumps({"format": "x", "occupations": []}))),
        BAD_DATA,
        "cat.json",
        extra=("--catalogue", "{d}/cat.json"),
    ),
    _profile("profile-top-zero", ipip_csv(), SUCCESS, extra=("--top", "0")),
    _profile("profile-long-ids", ipip_csv(ids=["x" * 300, "y" * 300, "z"]), SUCCESS),
    _profile(
        "profile-lenient-bad-cell",
        ipip_csv(edit=set_cell(3, "ipip01", "9")),
        SUCCESS,
        extra=("--lenient",),
    ),
    _profile(
        "profile-strict-bad-cell",
        ipip_csv(edit=set_cell(3, "ipip01", "9")),
        BAD_DATA,
        "data.csv",
        at_line(3),
        "ipip01",
    ),
    _profile(
        "profile-age-column-text",
        write(
            "data.csv",
            table_text(
                ["id", *IPIP_ITEMS, "age"],
                [
                    [f"r{k}", *cells(r), a]
                    for k, (r, a) in enumerate(zip(THREE, ["15", "old", "16"], strict=True))
                ],
            ),
        ),
        frozenset({0, 1}),
        one_of("age", "old"),
    ),
    _profile(
        "profile-age-200",
        write(
            "data.csv",
            table_text(
                ["id", *IPIP_ITEMS, "age"],
                [
                    [f"r{k}", *cells(r), a]
                    for k, (r, a) in enumerate(zip(THREE, ["15", "200", "16"], strict=True))
                ],
            ),
        ),
        frozenset({0, 1}),
        one_of("age", "200"),
    ),
]
