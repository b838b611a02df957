"""JSON inputs of every kind (responses, instruments, overlays, keys, validity thresholds,
catalogues, profiles): nesting 5,000 and 100,000 deep, wrong top-level types, invalid
syntax, duplicate keys, a byte order mark. Each is bad data (exit 1) naming the file."""

from __future__ import annotations

import json
from collections.abc import Callable

from hostile.checks import score_output
from hostile.data import (
    DDO,
    DDO_FULL,
    IPIP,
    KEYS,
    SMALL_CSV,
    Setup,
    ddo_sheets,
    deep_json,
    instrument_doc,
    ipip_csv,
    records,
    steps,
    write,
)
from hostile.model import BAD_DATA, Case, one_of

CATEGORY = "json"
REPORT = ("--out", "{d}/pdf", "--workers", "1", "--lang", "ru", "--audience", "client")


def _nothing(folder: object) -> None:
    return None


# Where a JSON file goes: (label, file name, arguments, other files needed).
TARGETS: list[tuple[str, str, tuple[str, ...], Setup]] = [
    ("data", "data.json", ("score", IPIP, "{d}/data.json"), _nothing),
    ("instrument-describe", "inst.json", ("describe", "{d}/inst.json"), _nothing),
    ("instrument-validate", "inst.json", ("validate", "{d}/inst.json"), _nothing),
    (
        "instrument-score",
        "inst.json",
        ("score", "{d}/inst.json", "{d}/data.csv"),
        write("data.csv", SMALL_CSV),
    ),
    (
        "overlay",
        "overlay.json",
        ("score", DDO, "{d}/s.csv", "--answers-column", "answers", "--overlay", "{d}/overlay.json"),
        ddo_sheets("s.csv", [DDO_FULL]),
    ),
    ("keys", "keys.json", ("import-keys", "{d}/keys.json", "--min", "1", "--max", "5"), _nothing),
    (
        "validity",
        "validity.json",
        ("profile", IPIP, "{d}/data.csv", "--validity", "{d}/validity.json"),
        ipip_csv(),
    ),
    (
        "catalogue",
        "cat.json",
        ("profile", IPIP, "{d}/data.csv", "--catalogue", "{d}/cat.json"),
        ipip_csv(),
    ),
    ("profiles", "profiles.json", ("report", "{d}/profiles.json", *REPORT), _nothing),
]

# Bad JSON documents: (label, text).
DOCUMENTS: list[tuple[str, Callable[[], str]]] = [
    ("deep-arrays-5000", lambda: deep_json(5000)),
    ("deep-objects-5000", lambda: '{"a":' * 5000 + "1" + "}" * 5000),
    ("deep-arrays-100000", lambda: deep_json(100_000)),
    ("unclosed-deep-arrays", lambda: "[" * 50_000),
    ("trailing-comma", lambda: '{"a": 1,}'),
    ("two-documents", lambda: '{"a": 1}\n{"b": 2}'),
    ("top-level-number", lambda: "42"),
    ("top-level-string", lambda: '"hello"'),
    ("top-level-null", lambda: "null"),
]


# Nesting is tried on every kind of file; the rarer extremes on one file of each reader.
EXTREMES = ("deep-arrays-100000", "unclosed-deep-arrays")
EXTREME_TARGETS = ("data", "instrument-validate", "keys", "profiles")

CASES: list[Case] = []
for target, name, args, others in TARGETS:
    for label, document in DOCUMENTS:
        if label in EXTREMES and target not in EXTREME_TARGETS:
            continue
        CASES.append(
            Case(
                f"json-{target}-{label}",
                CATEGORY,
                args,
                BAD_DATA,
                setup=steps(others, write(name, document())),
                stderr=(name,),
            )
        )


def _deep_inside_instrument() -> str:
    document = instrument_doc()
    document["description"] = {"ru": "@@", "en": "x"}
    return json.dumps(document).replace('"@@"', deep_json(5000))


def _duplicate_key_keys() -> str:
    return '{"A": ["q1"], "A": ["q2"]}'


CASES += [
    Case(
        "json-instrument-deep-inside-valid-document",
        CATEGORY,
        ("validate", "{d}/inst.json"),
        BAD_DATA,
        setup=write("inst.json", _deep_inside_instrument()),
        stderr=("inst.json",),
    ),
    Case(
        "json-instrument-bom",
        CATEGORY,
        ("validate", "{d}/inst.json"),
        frozenset({0, 1}),
        setup=write("inst.json", b"\xef\xbb\xbf" + json.dumps(instrument_doc()).encode()),
        stderr=("inst.json",),
        note="Notepad writes a byte order mark: accept it, or say what is wrong",
    ),
    Case(
        "json-instrument-utf16",
        CATEGORY,
        ("validate", "{d}/inst.json"),
        frozenset({0, 1}),
        setup=write("inst.json", json.dumps(instrument_doc()), encoding="utf-16"),
        stderr=("inst.json",),
    ),
    Case(
        "json-keys-duplicate-scale",
        CATEGORY,
        ("import-keys", "{d}/keys.json", "--min", "1", "--max", "5"),
        BAD_DATA,
        setup=write("keys.json", _duplicate_key_keys()),
        stderr=("keys.json", "A"),
        note="JSON keeps only the last of two equal keys: the first scale would vanish",
    ),
    Case(
        "json-data-duplicate-key",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        frozenset({0, 1}),
        setup=write(
            "data.json",
            json.dumps([{"id": "r1", **records(1)[0]}])[:-2] + ', "ipip01": 9}]',
        ),
        stderr=("data.json", "ipip01"),
        checks=(score_output(None, rows=1),),
    ),
    Case(
        "json-data-not-objects",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        BAD_DATA,
        setup=write("data.json", "[1, 2, 3]"),
        stderr=("data.json",),
    ),
    Case(
        "json-data-object-not-list",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        BAD_DATA,
        setup=write("data.json", json.dumps({"id": "r1", **records(1)[0]})),
        stderr=("data.json",),
    ),
    Case(
        "json-data-empty-list",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        frozenset({0, 1}),
        setup=write("data.json", "[]"),
        stderr=("data.json",),
        checks=(score_output(None, rows=0),),
    ),
    Case(
        "json-data-ndjson",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        BAD_DATA,
        setup=write(
            "data.json",
            "\n".join(json.dumps({"id": f"r{k}", **r}) for k, r in enumerate(records(3))),
        ),
        stderr=("data.json", one_of("line 2", "line")),
    ),
    Case(
        "json-data-numeric-ids",
        CATEGORY,
        ("score", IPIP, "{d}/data.json"),
        frozenset({0}),
        setup=write(
            "data.json", json.dumps([{"id": k, **r} for k, r in enumerate(records(3), 100)])
        ),
        checks=(score_output(None, answers=records(3), ids=["100", "101", "102"]),),
    ),
    Case(
        "json-keys-list-of-lists",
        CATEGORY,
        ("import-keys", "{d}/keys.json", "--min", "1", "--max", "5"),
        BAD_DATA,
        setup=write("keys.json", json.dumps([list(KEYS)])),
        stderr=("keys.json",),
    ),
]
