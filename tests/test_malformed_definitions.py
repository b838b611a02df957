"""Every malformed instrument definition fails with an error a person can act on.

Each file in tests/data/malformed is the valid base (tests/data/valid/minimal.json) with one
defect. tests/data/malformed/expected.json says, per file, the JSON path of the problem, a
substring of what was expected there and (optionally) the value seen. The error must name the
file, the path, the value and the expectation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from profdiag._instrument import Instrument, load_instrument
from profdiag.errors import DefinitionProblem, InstrumentError

DATA = Path(__file__).parent / "data"
VALID_BASE = DATA / "valid" / "minimal.json"
MALFORMED = DATA / "malformed"
EXPECTED_FILE = MALFORMED / "expected.json"
MIN_CASES = 30


def load_expected() -> dict[str, dict[str, Any]]:
    with EXPECTED_FILE.open(encoding="utf-8") as file:
        expected: dict[str, dict[str, Any]] = json.load(file)
    return expected


EXPECTED = load_expected()


def cases() -> list[Any]:
    return [
        pytest.param(name, case, id=name.removesuffix(".json"))
        for name, case in sorted(EXPECTED.items())
    ]


def as_json(value: Any) -> Any:
    """The value as JSON would hold it (tuples become lists), to compare with expected.json."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def matches(problem: DefinitionProblem, case: dict[str, Any]) -> bool:
    if problem.path != case["path"] or case["expected_contains"] not in problem.expected:
        return False
    return "value" not in case or as_json(problem.value) == case["value"]


def test_valid_base_loads() -> None:
    instrument = load_instrument(VALID_BASE)
    assert isinstance(instrument, Instrument)
    assert instrument.id == "mini-demo"
    assert len(instrument.scales) == 4
    assert len(instrument.norms) == 2


def test_corpus_is_large_enough() -> None:
    assert len(EXPECTED) >= MIN_CASES, f"only {len(EXPECTED)} malformed cases"


def test_every_malformed_file_is_listed() -> None:
    on_disk = {path.name for path in MALFORMED.glob("*.json") if path != EXPECTED_FILE}
    assert on_disk - EXPECTED.keys() == set(), "files without an entry in expected.json"
    assert EXPECTED.keys() - on_disk == set(), "entries in expected.json without a file"


@pytest.mark.parametrize(("name", "case"), cases())
def test_malformed_file_is_reported(name: str, case: dict[str, Any]) -> None:
    path = MALFORMED / name

    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)

    error = caught.value
    assert error.source == str(path)
    message = str(error)
    assert name in message
    assert case["path"] in message
    described = "\n".join(problem.describe() for problem in error.problems)
    assert any(matches(problem, case) for problem in error.problems), (
        f"no problem at {case['path']} expecting {case['expected_contains']!r}"
        + (f" with value {case['value']!r}" if "value" in case else "")
        + f"; the problems were:\n{described}"
    )
