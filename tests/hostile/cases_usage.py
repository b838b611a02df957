"""Command lines that are wrong in themselves: unknown commands and options, missing
arguments, option values out of range. All are usage errors (exit 2) naming the culprit."""

from __future__ import annotations

import json

from hostile.checks import stdout_has
from hostile.data import DDO, IPIP, KEYS, Setup, ipip_csv, steps, write
from hostile.model import OUTPUT_PROBLEM, SUCCESS, USAGE, Case

CATEGORY = "usage"
DATA = "{d}/data.csv"
KEYS_FILE = "{d}/keys.json"

COMMANDS: dict[str, tuple[str, ...]] = {
    "instruments": ("instruments",),
    "describe": ("describe", IPIP),
    "validate": ("validate", "{d}/i.json"),
    "schema": ("schema",),
    "import-keys": ("import-keys", KEYS_FILE, "--min", "1", "--max", "5"),
    "score": ("score", IPIP, DATA),
    "profile": ("profile", IPIP, DATA),
    "report": ("report", "{d}/profiles.json", "--out", "{d}/pdf"),
    "demo": ("demo", "--out", "{d}/demo"),
}

_inputs = steps(
    ipip_csv(),
    write("keys.json", json.dumps(KEYS)),
    write("i.json", "{}"),
    write("profiles.json", '{"profiles": []}'),
)


def _case(
    name: str, args: tuple[str, ...], exit: frozenset[int], *fragments: str, setup: Setup = _inputs
) -> Case:
    return Case(f"usage-{name}", CATEGORY, args, exit, setup=setup, stderr=fragments)


CASES: list[Case] = [
    Case("usage-no-command", CATEGORY, (), frozenset({0, 2})),
    _case("unknown-command", ("frobnicate",), USAGE, "frobnicate"),
    _case("misspelt-command", ("scroe", IPIP, DATA), USAGE, "scroe"),
    Case("usage-version", CATEGORY, ("--version",), SUCCESS, checks=(stdout_has("0."),)),
    Case("usage-help", CATEGORY, ("--help",), SUCCESS, checks=(stdout_has("score"),)),
]

for command, base in COMMANDS.items():
    CASES.append(
        _case(f"{command}-unknown-option", (*base, "--bogus-option"), USAGE, "--bogus-option")
    )
    CASES.append(
        Case(
            f"usage-{command}-help",
            CATEGORY,
            (base[0], "--help"),
            SUCCESS,
            checks=(stdout_has("Usage"),),
        )
    )

CASES += [
    _case("describe-no-instrument", ("describe",), USAGE, "INSTRUMENT"),
    _case("describe-extra-argument", ("describe", IPIP, "extra"), USAGE, "extra"),
    _case("describe-bad-lang", ("describe", IPIP, "--lang", "fr"), USAGE, "fr"),
    _case("validate-no-files", ("validate",), USAGE, "FILES"),
    _case("import-keys-no-min", ("import-keys", KEYS_FILE, "--max", "5"), USAGE, "--min"),
    _case("import-keys-no-file", ("import-keys", "--min", "1", "--max", "5"), USAGE, "KEYS"),
    _case(
        "import-keys-min-not-int",
        ("import-keys", KEYS_FILE, "--min", "one", "--max", "5"),
        USAGE,
        "one",
    ),
    _case(
        "import-keys-min-float",
        ("import-keys", KEYS_FILE, "--min", "1.5", "--max", "5"),
        USAGE,
        "1.5",
    ),
    _case(
        "import-keys-bad-aggregate",
        ("import-keys", KEYS_FILE, "--min", "1", "--max", "5", "--aggregate", "median"),
        USAGE,
        "median",
    ),
    _case(
        "import-keys-bad-missing",
        ("import-keys", KEYS_FILE, "--min", "1", "--max", "5", "--missing", "zero"),
        USAGE,
        "zero",
    ),
    _case("score-no-data", ("score", IPIP), USAGE, "DATA"),
    _case("score-data-dash", ("score", IPIP, "-"), USAGE, "-"),
    _case("score-level-too-high", ("score", IPIP, DATA, "--level", "2"), USAGE, "--level"),
    _case("score-level-text", ("score", IPIP, DATA, "--level", "high"), USAGE, "high"),
    _case("score-level-nan", ("score", IPIP, DATA, "--level", "nan"), USAGE, "nan"),
    _case("score-level-inf", ("score", IPIP, DATA, "--level", "inf"), USAGE, "inf"),
    _case("score-level-one", ("score", IPIP, DATA, "--level", "1"), USAGE, "--level"),
    _case(
        "score-encoding-unknown", ("score", IPIP, DATA, "--encoding", "klingon"), USAGE, "klingon"
    ),
    _case("score-encoding-empty", ("score", IPIP, DATA, "--encoding", ""), USAGE, "encoding"),
    _case("score-encoding-rot13", ("score", IPIP, DATA, "--encoding", "rot13"), USAGE, "rot13"),
    _case("score-encoding-base64", ("score", IPIP, DATA, "--encoding", "base64"), USAGE, "base64"),
    _case("score-encoding-hex", ("score", IPIP, DATA, "--encoding", "hex"), USAGE, "hex"),
    _case(
        "score-answers-column-absent",
        ("score", DDO, DATA, "--answers-column", "sheet"),
        USAGE,
        "sheet",
    ),
    _case(
        "score-norm-group-unknown",
        ("score", IPIP, DATA, "--norm-group", "martians"),
        frozenset({1, 2}),
        "martians",
    ),
    _case("profile-top-negative", ("profile", IPIP, DATA, "--top", "-1"), USAGE, "--top"),
    _case("profile-top-too-many", ("profile", IPIP, DATA, "--top", "501"), USAGE, "--top"),
    _case(
        "profile-encoding-unknown",
        ("profile", IPIP, DATA, "--encoding", "klingon"),
        USAGE,
        "klingon",
    ),
    _case(
        "profile-seconds-column-absent",
        ("profile", IPIP, DATA, "--seconds-column", "secs"),
        USAGE,
        "secs",
    ),
    _case("profile-level-nan", ("profile", IPIP, DATA, "--level", "nan"), USAGE, "nan"),
    _case("report-no-out", ("report", "{d}/profiles.json"), USAGE, "--out"),
    _case(
        "report-workers-zero",
        ("report", "{d}/profiles.json", "--out", "{d}/pdf", "--workers", "0"),
        USAGE,
        "--workers",
    ),
    _case(
        "report-workers-huge",
        ("report", "{d}/profiles.json", "--out", "{d}/pdf", "--workers", "100000"),
        USAGE,
        "--workers",
    ),
    _case(
        "report-bad-audience",
        ("report", "{d}/profiles.json", "--out", "{d}/pdf", "--audience", "parents"),
        USAGE,
        "parents",
    ),
    _case(
        "report-bad-lang",
        ("report", "{d}/profiles.json", "--out", "{d}/pdf", "--lang", "de"),
        USAGE,
        "de",
    ),
    _case("demo-workers-zero", ("demo", "--out", "{d}/demo", "--workers", "0"), USAGE, "--workers"),
    _case("demo-bad-audience", ("demo", "--out", "{d}/demo", "--audience", "x"), USAGE, "x"),
    _case(
        "schema-out-empty-name",
        ("schema", "--out", ""),
        OUTPUT_PROBLEM,
    ),
]
