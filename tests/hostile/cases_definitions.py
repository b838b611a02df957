"""Instrument definitions with impossible values (min = max, codes like 10**400, weights
that overflow, norms that divide by almost nothing) and psych keys files for import-keys
(cp1251 bytes, odd names, a code range too large to build, --out over the keys file)."""

from __future__ import annotations

import json
from typing import Any

from hostile.checks import file_json, score_output, stdout_has
from hostile.data import (
    IMPUTE_CSV,
    KEYS,
    SMALL_CSV,
    Setup,
    instrument_doc,
    instrument_file,
    steps,
    write,
)
from hostile.model import BAD_DATA, OUTPUT_PROBLEM, SUCCESS, USAGE, Case, one_of
from hostile.process import plain
from hostile.runner import limits_reason

INSTRUMENT = "instrument"
KEYS_CATEGORY = "keys"
ANY = frozenset({0, 1})


def _likert(codes: Any) -> dict[str, Any]:
    return instrument_doc(response_formats={"lk": {"type": "likert", "codes": codes}})


def _raw_instrument(document: dict[str, Any], token: str, replacement: str) -> Setup:
    """A definition whose JSON text has `token` replaced (numbers JSON can write but
    Python's json.dumps would not: 1e999, NaN, 10**400)."""
    return write("inst.json", json.dumps(document).replace(token, replacement))


def _normed(sd: str) -> Setup:
    document = instrument_doc(
        norms=[
            {
                "id": "all",
                "title": {"en": "Everyone"},
                "source": "tests",
                "sample_size": 100,
                "scales": {"S": {"mean": 9, "sd": "@@"}},
            }
        ]
    )
    return _raw_instrument(document, '"@@"', sd)


def _validate(case_id: str, setup: Setup, exit: frozenset[int], *fragments: object) -> Case:
    return Case(
        case_id,
        INSTRUMENT,
        ("validate", "{d}/inst.json"),
        exit,
        setup=setup,
        stderr=("inst.json", *fragments),  # type: ignore[arg-type]
    )


def _score(case_id: str, setup: Setup, exit: frozenset[int], note: str = "") -> Case:
    return Case(
        case_id,
        INSTRUMENT,
        ("score", "{d}/inst.json", "{d}/data.csv", "--out", "{d}/out.csv"),
        exit,
        setup=steps(setup, write("data.csv", SMALL_CSV)),
        stderr=("inst.json",),
        checks=(score_output("{d}/out.csv", rows=2),),
        out="{d}/out.csv",
        note=note,
    )


_numeric_equal = instrument_doc(
    response_formats={"n": {"type": "numeric", "min": 3, "max": 3}},
    items=[{"id": f"q{k}", "format": "n"} for k in range(1, 4)],
)
_huge_codes = _likert([1, "@@"])
_weights = instrument_doc(
    scales=[
        {
            "id": "S",
            "title": {"en": "S"},
            "aggregation": "sum",
            "items": [{"item": f"q{k}", "weight": 1e308} for k in range(1, 4)],
        }
    ]
)
_letters = instrument_doc(code_rule={"kind": "riasec", "letters": {"nonexistent": "R"}})
_time_limit = instrument_doc()
_time_limit["scales"][0]["time_limit_seconds"] = "@@"

CASES: list[Case] = [
    _validate(
        "instr-numeric-min-equals-max",
        write("inst.json", json.dumps(_numeric_equal)),
        BAD_DATA,
        "max",
    ),
    _validate(
        "instr-likert-one-code", instrument_file("inst.json", _likert([3])), BAD_DATA, "codes"
    ),
    _validate(
        "instr-likert-equal-codes", instrument_file("inst.json", _likert([3, 3])), BAD_DATA, "codes"
    ),
    _validate(
        "instr-likert-codes-1e400-float",
        _raw_instrument(_huge_codes, '"@@"', "1e400"),
        BAD_DATA,
        "codes",
    ),
    _validate(
        "instr-likert-codes-10-to-400",
        _raw_instrument(_huge_codes, '"@@"', "1" + "0" * 400),
        ANY,
        "codes",
    ),
    _score(
        "instr-score-codes-10-to-400",
        _raw_instrument(_huge_codes, '"@@"', "1" + "0" * 400),
        ANY,
        note="codes like 10**400: refuse the definition or score; never OverflowError",
    ),
    _score(
        "instr-score-codes-minus-10-to-20",
        _raw_instrument(_likert(["@@", 0, 1, 2, 3, 4, 5]), '"@@"', "-" + "1" + "0" * 20),
        ANY,
    ),
    _validate(
        "instr-numeric-max-1e999",
        _raw_instrument(
            instrument_doc(
                response_formats={"n": {"type": "numeric", "min": 0, "max": "@@"}},
                items=[{"id": f"q{k}", "format": "n"} for k in range(1, 4)],
            ),
            '"@@"',
            "1e999",
        ),
        BAD_DATA,
        "max",
    ),
    _validate(
        "instr-numeric-min-nan",
        _raw_instrument(
            instrument_doc(
                response_formats={"n": {"type": "numeric", "min": "@@", "max": 5}},
                items=[{"id": f"q{k}", "format": "n"} for k in range(1, 4)],
            ),
            '"@@"',
            "NaN",
        ),
        BAD_DATA,
        "min",
    ),
    _validate(
        "instr-weights-overflow-to-inf", instrument_file("inst.json", _weights), BAD_DATA, "weight"
    ),
    _score(
        "instr-score-weights-overflow",
        instrument_file("inst.json", _weights),
        BAD_DATA,
        note="weights of 1e308 make every sum inf",
    ),
    _validate(
        "instr-weight-nan",
        _raw_instrument(
            instrument_doc(
                scales=[
                    {
                        "id": "S",
                        "title": {"en": "S"},
                        "items": [{"item": "q1", "weight": "@@"}, {"item": "q2"}],
                    }
                ]
            ),
            '"@@"',
            "NaN",
        ),
        BAD_DATA,
        "weight",
    ),
    _validate(
        "instr-code-rule-unknown-scale",
        instrument_file("inst.json", _letters),
        BAD_DATA,
        "nonexistent",
    ),
    _validate(
        "instr-time-limit-10-to-400",
        _raw_instrument(_time_limit, '"@@"', "1" + "0" * 400),
        ANY,
        "time_limit",
    ),
    _score(
        "instr-score-time-limit-10-to-400",
        _raw_instrument(_time_limit, '"@@"', "1" + "0" * 400),
        ANY,
    ),
    _score(
        "instr-score-norm-sd-denormal",
        _normed("5e-324"),
        ANY,
        note="z = (raw - mean) / 5e-324 is inf: refuse the norm or write no inf",
    ),
    _score("instr-score-norm-sd-tiny", _normed("1e-300"), ANY),
    _validate(
        "instr-id-10000-chars",
        instrument_file("inst.json", instrument_doc(id="x" * 10000)),
        BAD_DATA,
        "id",
    ),
    _validate("instr-not-an-object", write("inst.json", "[]"), BAD_DATA),
    _validate("instr-empty-object", write("inst.json", "{}"), BAD_DATA),
    _validate(
        "instr-duplicate-keys",
        write("inst.json", json.dumps(instrument_doc())[:-1] + ', "id": "other"}'),
        BAD_DATA,
        "id",
    ),
    _validate(
        "instr-scale-without-items",
        instrument_file(
            "inst.json", instrument_doc(scales=[{"id": "S", "title": {"en": "S"}, "items": []}])
        ),
        BAD_DATA,
        "items",
    ),
    Case(
        "instr-describe-codes-10-to-400",
        INSTRUMENT,
        ("describe", "{d}/inst.json", "--lang", "en"),
        ANY,
        setup=_raw_instrument(_huge_codes, '"@@"', "1" + "0" * 400),
        stderr=("inst.json",),
    ),
    Case(
        "instr-describe-valid",
        INSTRUMENT,
        ("describe", "{d}/inst.json", "--lang", "en"),
        SUCCESS,
        setup=instrument_file("inst.json", instrument_doc()),
        checks=(stdout_has("Test"),),
    ),
]

# --- import-keys --------------------------------------------------------------------------
IMPORT = ("import-keys", "{d}/keys.json", "--min", "1", "--max", "5")
OUT = "{d}/imported.json"


def _keys(
    case_id: str,
    keys: Any,
    exit: frozenset[int],
    *fragments: object,
    extra: tuple[str, ...] = (),
    setup: Setup | None = None,
    note: str = "",
) -> Case:
    base = write(
        "keys.json", keys if isinstance(keys, str | bytes) else json.dumps(keys, ensure_ascii=False)
    )
    return Case(
        case_id,
        KEYS_CATEGORY,
        (*IMPORT, "--out", OUT, *extra),
        exit,
        setup=steps(base, setup) if setup is not None else base,
        stderr=tuple(fragments),  # type: ignore[arg-type]
        checks=(file_json(OUT, _is_instrument),),
        out=OUT,
        note=note,
    )


def _is_instrument(document: Any) -> str | None:
    if not isinstance(document, dict) or "scales" not in document:
        return "the output is not an instrument definition"
    return None


_CYRILLIC_KEYS = {"Шкала": ["вопрос1", "-вопрос2"]}

CASES += [
    _keys(
        "keys-cp1251",
        json.dumps(_CYRILLIC_KEYS, ensure_ascii=False).encode("cp1251"),
        BAD_DATA,
        "keys.json",
        note="a keys file saved by a Russian Windows R session",
    ),
    _keys("keys-utf8-cyrillic", _CYRILLIC_KEYS, SUCCESS),
    _keys("keys-bom", b"\xef\xbb\xbf" + json.dumps(KEYS).encode(), ANY, "keys.json"),
    _keys("keys-empty-object", {}, BAD_DATA, "keys.json"),
    _keys("keys-list", ["q1", "q2"], BAD_DATA, "keys.json"),
    _keys("keys-scale-not-a-list", {"A": "q1"}, BAD_DATA, "keys.json", "A"),
    _keys("keys-scale-empty-list", {"A": []}, BAD_DATA, "keys.json", "A"),
    _keys("keys-item-not-text", {"A": ["q1", 7]}, BAD_DATA, "keys.json", "7"),
    _keys("keys-item-only-dash", {"A": ["q1", "-"]}, BAD_DATA, "keys.json"),
    _keys("keys-item-with-space", {"A": ["q 1", "q2"]}, BAD_DATA, "keys.json", "q 1"),
    _keys(
        "keys-scale-name-with-space",
        {"scale one": ["q1", "q2"]},
        BAD_DATA,
        "keys.json",
        "scale one",
    ),
    _keys("keys-item-twice", {"A": ["q1", "q1"]}, BAD_DATA, "keys.json", "q1"),
    _keys("keys-item-both-signs", {"A": ["q1", "-q1"]}, BAD_DATA, "keys.json", "q1"),
    _keys("keys-item-name-10000-chars", {"A": ["q" * 10000]}, BAD_DATA, "keys.json"),
    _keys("keys-nested-lists", {"A": [["q1"]]}, BAD_DATA, "keys.json"),
    _keys(
        "keys-min-equals-max",
        KEYS,
        USAGE,
        one_of("min", "max"),
        extra=("--min", "5", "--max", "5"),
    ),
    _keys(
        "keys-min-above-max",
        KEYS,
        USAGE,
        one_of("min", "max"),
        extra=("--min", "5", "--max", "1"),
    ),
    _keys("keys-id-with-space", KEYS, BAD_DATA, "my id", extra=("--id", "my id")),
    _keys("keys-id-10000-chars", KEYS, BAD_DATA, extra=("--id", "k" * 10000)),
    _keys("keys-title-empty", KEYS, frozenset({0, 1, 2}), extra=("--title", "")),
    _keys(
        "keys-impute-non-numeric",
        KEYS,
        BAD_DATA,
        "impute.csv",
        one_of("abc", "q2"),
        extra=("--missing", "mean", "--impute-from", "{d}/impute.csv"),
        setup=write("impute.csv", IMPUTE_CSV.replace("5,4,3,2", "5,abc,3,2")),
    ),
    _keys(
        "keys-impute-1e999",
        KEYS,
        BAD_DATA,
        "impute.csv",
        one_of("1e999", "inf", "q1"),
        extra=("--missing", "mean", "--impute-from", "{d}/impute.csv"),
        setup=write("impute.csv", IMPUTE_CSV.replace("5,4,3,2", "1e999,4,3,2")),
    ),
    _keys(
        "keys-impute-out-of-range",
        KEYS,
        BAD_DATA,
        one_of("q1", "impute"),
        extra=("--missing", "median", "--impute-from", "{d}/impute.csv"),
        setup=write(
            "impute.csv", IMPUTE_CSV.replace("5,4,3,2", "99,4,3,2").replace("1,2,3,4", "99,2,3,4")
        ),
    ),
    _keys(
        "keys-impute-column-missing",
        KEYS,
        BAD_DATA,
        "q4",
        extra=("--missing", "mean", "--impute-from", "{d}/impute.csv"),
        setup=write("impute.csv", "q1,q2,q3\n1,2,3\n"),
    ),
    _keys(
        "keys-impute-all-empty",
        KEYS,
        BAD_DATA,
        "q4",
        extra=("--missing", "mean", "--impute-from", "{d}/impute.csv"),
        setup=write("impute.csv", "q1,q2,q3,q4\n1,2,3,\n2,3,4,\n"),
    ),
    _keys(
        "keys-impute-cp1251",
        KEYS,
        BAD_DATA,
        "impute.csv",
        extra=("--missing", "mean", "--impute-from", "{d}/impute.csv"),
        setup=write("impute.csv", IMPUTE_CSV + "Ж,1,1,1\n", encoding="cp1251"),
    ),
    _keys(
        "keys-mean-without-sample", KEYS, frozenset({1, 2}), "impute", extra=("--missing", "mean")
    ),
    _keys(
        "keys-sample-without-missing",
        KEYS,
        frozenset({0, 2}),
        extra=("--impute-from", "{d}/impute.csv"),
        setup=write("impute.csv", IMPUTE_CSV),
    ),
    _keys("keys-valid", KEYS, SUCCESS),
    Case(
        "keys-odd-file-name",
        KEYS_CATEGORY,
        ("import-keys", "{d}/### мои ключи ###.json", "--min", "1", "--max", "5", "--out", OUT),
        SUCCESS,
        setup=write("### мои ключи ###.json", json.dumps(KEYS)),
        checks=(file_json(OUT, _is_instrument),),
        note="the instrument id is made from the file name",
    ),
    Case(
        "keys-out-is-the-keys-file",
        KEYS_CATEGORY,
        (*IMPORT, "--out", "{d}/keys.json"),
        OUTPUT_PROBLEM,
        setup=write("keys.json", json.dumps(KEYS)),
        stderr=("keys.json",),
        note="--out equal to the input: refuse, leave the keys file as it was",
    ),
    Case(
        "keys-max-10-to-12",
        KEYS_CATEGORY,
        ("import-keys", "{d}/keys.json", "--min", "1", "--max", str(10**12), "--out", OUT),
        frozenset({1, 2}),
        setup=write("keys.json", json.dumps(KEYS)),
        stderr=("max",),
        out=OUT,
        driver=plain,
        timeout=30,
        requires=limits_reason,
        note="a code range of 10**12 answers cannot be built: say so, do not run out of memory",
    ),
]
