"""Reading instrument definitions from JSON files, strings and the bundled catalogue."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from profdiag.errors import DefinitionProblem, InstrumentError, json_path
from profdiag.instrument.model import Instrument

_BUNDLED_FOLDER = "instruments"


def bundled_folder() -> Traversable:
    """The bundled instruments: inside the installed package, or at the checkout's top level."""
    packaged = resources.files("profdiag") / _BUNDLED_FOLDER
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / _BUNDLED_FOLDER
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"no bundled instruments found in {packaged} or {checkout}")


def bundled_ids() -> list[str]:
    """Ids of the bundled instruments, sorted (file names are '<id>.json')."""
    return sorted(
        entry.name.removesuffix(".json")
        for entry in bundled_folder().iterdir()
        if entry.name.endswith(".json")
    )


@lru_cache(maxsize=32)
def load_bundled(instrument_id: str) -> Instrument:
    entry = bundled_folder() / f"{instrument_id}.json"
    if not entry.is_file():
        raise InstrumentError(
            f"bundled instrument {instrument_id!r}",
            [DefinitionProblem("$.id", instrument_id, f"one of {bundled_ids()}")],
        )
    return parse_instrument(entry.read_text(encoding="utf-8"), source=f"bundled:{entry.name}")


def load_instrument(reference: str | Path) -> Instrument:
    """Load an instrument from a JSON file path, or by the id of a bundled instrument."""
    path = Path(reference)
    if path.suffix == ".json" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InstrumentError(
                str(path),
                [DefinitionProblem("$", str(path), f"a readable UTF-8 JSON file ({error})")],
            ) from error
        return parse_instrument(text, source=str(path))
    return load_bundled(str(reference))


def parse_instrument(text: str, *, source: str = "<string>") -> Instrument:
    """Parse and validate an instrument from JSON text; `source` names it in errors."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentError(
            source,
            [
                DefinitionProblem(
                    "$", f"line {error.lineno}, column {error.colno}", f"valid JSON ({error.msg})"
                )
            ],
        ) from error
    return instrument_from_document(document, source=source)


def instrument_from_document(document: Any, *, source: str = "<document>") -> Instrument:
    try:
        return Instrument.model_validate(document)
    except InstrumentError as error:
        raise InstrumentError(source, error.problems) from None
    except ValidationError as error:
        raise InstrumentError(source, problems_from_validation(error)) from None


def problems_from_validation(error: ValidationError) -> list[DefinitionProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        location = _without_union_tag(list(detail["loc"]))
        value = detail.get("input")
        expected = _expected(detail)
        problems.append(DefinitionProblem(json_path(location), value, expected))
    return problems


_UNION_TAGS = {"likert", "binary", "numeric", "multiple_choice", "forced_choice"}


def _without_union_tag(location: list[str | int]) -> list[str | int]:
    """pydantic puts the union's tag into the location: response_formats.X.<tag>.codes."""
    if len(location) > 2 and location[0] == "response_formats" and location[2] in _UNION_TAGS:
        del location[2]
    return location


def _expected(detail: Any) -> str:
    kind = detail["type"]
    message: str = detail["msg"]
    if kind == "missing":
        return "this field, which is required"
    if kind == "extra_forbidden":
        return "no such field (check its spelling against `profdiag schema`)"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    return message[0].lower() + message[1:]
