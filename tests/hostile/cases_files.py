"""Every file named on a command line, replaced by something that is not a usable file:
missing, a folder, a dangling or looping symlink, empty, whitespace, binary, a device,
unreadable; and once by a symlink to a good file (which must work)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hostile.checks import pdf_count, profiles_output, score_output, stdout_has
from hostile.data import (
    DDO,
    DDO_FULL,
    IMPUTE_CSV,
    IPIP,
    KEYS,
    SMALL_CSV,
    Setup,
    ddo_sheets,
    instrument_doc,
    ipip_csv,
    mkdir,
    profiles_file,
    records,
    steps,
    symlink,
    write,
)
from hostile.model import BAD_DATA, SUCCESS, USAGE, Case, Check, one_of
from hostile.process import chmod, unprivileged, unprivileged_reason

CATEGORY = "input-files"
ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "occupations" / "profdiag-occupations-ru.json"
REPORT = ("--out", "{d}/pdf", "--workers", "1", "--lang", "ru", "--audience", "client")


def _nothing(folder: Path) -> None:
    return None


def _catalogue(name: str) -> Setup:
    def setup(folder: Path) -> None:
        (folder / name).write_bytes(CATALOGUE.read_bytes())

    return setup


@dataclass(frozen=True)
class FileArgument:
    label: str
    ext: str
    args: Callable[[str], tuple[str, ...]]
    others: Setup  # the other files the command needs
    valid: Callable[[str], Setup] | None  # writes a good file of this kind under a name
    success: tuple[Check, ...] = ()
    missing: frozenset[int] = USAGE


ARGUMENTS = [
    FileArgument(
        "describe-instrument",
        "json",
        lambda p: ("describe", p),
        _nothing,
        lambda name: write(name, json.dumps(instrument_doc())),
        (stdout_has("hostile"),),
    ),
    FileArgument(
        "validate-file",
        "json",
        lambda p: ("validate", p),
        _nothing,
        lambda name: write(name, json.dumps(instrument_doc())),
        (stdout_has("ok"),),
        missing=frozenset({1, 2}),
    ),
    FileArgument(
        "describe-overlay",
        "json",
        lambda p: ("describe", DDO, "--overlay", p),
        _nothing,
        None,
    ),
    FileArgument(
        "keys",
        "json",
        lambda p: ("import-keys", p, "--min", "1", "--max", "5"),
        _nothing,
        lambda name: write(name, json.dumps(KEYS)),
        (stdout_has('"scales"'),),
    ),
    FileArgument(
        "impute-from",
        "csv",
        lambda p: (
            "import-keys",
            "{d}/keys.json",
            "--min",
            "1",
            "--max",
            "5",
            "--missing",
            "mean",
            "--impute-from",
            p,
        ),
        write("keys.json", json.dumps(KEYS)),
        lambda name: write(name, IMPUTE_CSV),
        (stdout_has("impute_values"),),
    ),
    FileArgument(
        "score-instrument",
        "json",
        lambda p: ("score", p, "{d}/data.csv"),
        write("data.csv", SMALL_CSV),
        lambda name: write(name, json.dumps(instrument_doc())),
        (score_output(None, rows=2),),
    ),
    FileArgument(
        "score-data",
        "csv",
        lambda p: ("score", IPIP, p),
        _nothing,
        ipip_csv,
        (score_output(None, answers=records(3)),),
    ),
    FileArgument(
        "score-overlay",
        "json",
        lambda p: ("score", DDO, "{d}/sheets.csv", "--answers-column", "answers", "--overlay", p),
        ddo_sheets("sheets.csv", [DDO_FULL]),
        None,
    ),
    FileArgument(
        "profile-data",
        "csv",
        lambda p: ("profile", IPIP, p),
        _nothing,
        ipip_csv,
        (profiles_output(None, 3),),
    ),
    FileArgument(
        "catalogue",
        "json",
        lambda p: ("profile", IPIP, "{d}/data.csv", "--catalogue", p),
        ipip_csv("data.csv"),
        _catalogue,
        (profiles_output(None, 3),),
    ),
    FileArgument(
        "validity",
        "json",
        lambda p: ("profile", IPIP, "{d}/data.csv", "--validity", p),
        ipip_csv("data.csv"),
        lambda name: write(name, '{"max_missing_share": 0.2}'),
        (profiles_output(None, 3),),
    ),
    FileArgument(
        "profiles",
        "json",
        lambda p: ("report", p, *REPORT),
        _nothing,
        profiles_file,
        (pdf_count("{d}/pdf", 1),),
    ),
]

BINARY = bytes(range(256)) * 4 + b"\x00\xff\xfe\x00"


def _cases(arg: FileArgument) -> list[Case]:
    def name(stem: str) -> str:
        return f"{stem}.{arg.ext}"

    def case(fault: str, exit: frozenset[int], setup: Setup, path: str, **kw: object) -> Case:
        return Case(
            f"file-{arg.label}-{fault}",
            CATEGORY,
            arg.args("{d}/" + path),
            exit,
            setup=steps(arg.others, setup),
            stderr=(Path(path).name,),
            **kw,  # type: ignore[arg-type]
        )

    cases = [
        case("missing", arg.missing, _nothing, name("missing")),
        case("folder", arg.missing, mkdir(name("folder")), name("folder")),
        case(
            "dangling-symlink",
            arg.missing,
            symlink(name("dangling"), name("nowhere")),
            name("dangling"),
        ),
        case(
            "symlink-loop",
            arg.missing,
            steps(symlink(name("loop-a"), name("loop-b")), symlink(name("loop-b"), name("loop-a"))),
            name("loop-a"),
        ),
        case("empty", BAD_DATA, write(name("empty"), b""), name("empty")),
        case("whitespace", BAD_DATA, write(name("blank"), " \n\t\n  \n"), name("blank")),
        case("binary", BAD_DATA, write(name("binary"), BINARY), name("binary")),
        case(
            "dev-null",
            frozenset({1, 2}),
            symlink(name("null"), "/dev/null"),
            name("null"),
        ),
        case(
            "unreadable",
            frozenset({1, 2}),
            steps(write(name("locked"), "{}\n"), chmod("{d}/" + name("locked"), 0)),
            name("locked"),
            driver=unprivileged,
            requires=unprivileged_reason,
        ),
    ]
    if arg.valid is not None:
        cases.append(
            Case(
                f"file-{arg.label}-symlink-to-good-file",
                CATEGORY,
                arg.args("{d}/" + name("link")),
                SUCCESS,
                setup=steps(
                    arg.others, arg.valid(name("good")), symlink(name("link"), name("good"))
                ),
                checks=arg.success,
            )
        )
    return cases


CASES: list[Case] = [case for arg in ARGUMENTS for case in _cases(arg)]

# The instrument argument also takes bundled ids: names that are neither.
CASES += [
    Case(
        "file-instrument-unknown-bundled-id",
        CATEGORY,
        ("score", "no-such-instrument", "{d}/data.csv"),
        frozenset({1, 2}),
        setup=ipip_csv(),
        stderr=("no-such-instrument",),
    ),
    Case(
        "file-instrument-json-name-not-found",
        CATEGORY,
        ("describe", "my-instrument.json"),
        USAGE,
        stderr=("my-instrument.json",),
        note="a missing instrument file is a usage error (docs/cli.md)",
    ),
    Case(
        "file-instrument-path-traversal-id",
        CATEGORY,
        ("describe", "../../../../../../etc/passwd"),
        frozenset({1, 2}),
        stderr=("passwd",),
    ),
    Case(
        "file-instrument-etc-passwd",
        CATEGORY,
        ("validate", "/etc/passwd"),
        BAD_DATA,
        stderr=("passwd",),
    ),
    Case(
        "file-data-etc-passwd",
        CATEGORY,
        ("score", IPIP, "/etc/passwd"),
        BAD_DATA,
        stderr=("passwd",),
    ),
    Case(
        "file-validate-many-one-bad",
        CATEGORY,
        ("validate", "{d}/good.json", "{d}/missing.json", "{d}/bad.json"),
        frozenset({1, 2}),
        setup=steps(
            write("good.json", json.dumps(instrument_doc())), write("bad.json", "{not json")
        ),
        stderr=(one_of("missing.json", "bad.json"),),
    ),
    Case(
        "file-data-txt-extension",
        CATEGORY,
        ("score", IPIP, "{d}/data.txt"),
        SUCCESS,
        setup=ipip_csv("data.txt"),
        checks=(score_output(None, answers=records(3)),),
    ),
    Case(
        "file-data-upper-case-json-extension",
        CATEGORY,
        ("score", IPIP, "{d}/DATA.JSON"),
        SUCCESS,
        setup=write(
            "DATA.JSON",
            json.dumps([{"id": f"r{k}", **r} for k, r in enumerate(records(2))]),
        ),
        checks=(score_output(None, answers=records(2)),),
    ),
    Case(
        "file-data-csv-content-in-json-file",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        BAD_DATA,
        setup=ipip_csv("data.json"),
        stderr=("data.json",),
    ),
    Case(
        "file-data-json-content-in-csv-file",
        CATEGORY,
        ("score", IPIP, "{d}/data.csv"),
        BAD_DATA,
        setup=write("data.csv", json.dumps([{"id": "r1", **records(1)[0]}])),
        stderr=("data.csv",),
    ),
]
