"""Reading instrument definitions from JSON files, strings and the bundled catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from profdiag._instrument.model import Instrument
from profdiag._io.json_text import JsonTextError, loads
from profdiag._io.text_files import UnreadableFile, read_text
from profdiag.errors import NOTHING, DefinitionProblem, DocumentError, InstrumentError, json_path

_BUNDLED_FOLDER = "instruments"
Model = TypeVar("Model", bound=BaseModel)


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
    """Ids of the bundled instruments, sorted.

    Returns
    -------
    list of str
        One id per file ``<id>.json`` in the bundled instruments folder.

    Raises
    ------
    FileNotFoundError
        The package is installed without its instruments folder (a broken install).

    Examples
    --------
    >>> "klimov-ddo" in bundled_ids()
    True
    """
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
    """Load an instrument from a JSON file, or by the id of a bundled instrument.

    Parameters
    ----------
    reference
        A path (anything ending in ``.json``, or an existing file) or a bundled id such as
        ``"ipip-bfm-50"`` (see `bundled_ids`).

    Returns
    -------
    Instrument
        The validated, immutable definition; ``content_hash`` identifies it in results.

    Raises
    ------
    InstrumentError
        The file cannot be read, is not JSON, or breaks the format; every problem is
        listed with its JSON path, the value seen and what was expected. An unknown
        bundled id is reported the same way.

    Examples
    --------
    >>> instrument = load_instrument("ipip-bfm-50")
    >>> len(instrument.items), [scale.id for scale in instrument.scales][:2]
    (50, ['extraversion', 'agreeableness'])
    """
    path = Path(reference)
    if path.suffix == ".json" or path.exists():
        return instrument_from_document(
            read_document(path, error=InstrumentError), source=str(path)
        )
    return load_bundled(str(reference))


def read_document(path: str | Path, *, error: type[DocumentError] = DocumentError) -> Any:
    """A JSON file's document (UTF-8, with or without a byte order mark); unreadable files,
    text in another encoding, invalid JSON, nesting deeper than
    `profdiag._io.json_text.MAX_DEPTH` and repeated keys are errors of the type `error`
    (InstrumentError for a definition, MappingError for a mapping file, ...)."""
    source = str(path)
    try:
        text = read_text(path, "utf-8-sig")
    except UnreadableFile as unreadable:
        raise error(
            source, [DefinitionProblem("$", unreadable.seen, unreadable.expected)]
        ) from None
    return parse_document(text, source, error=error)


def parse_instrument(text: str, *, source: str = "<string>") -> Instrument:
    """Parse and validate an instrument from JSON text.

    Parameters
    ----------
    text
        The definition as JSON (format ``profdiag-instrument/1``).
    source
        How error messages name the text (a file name, say).

    Returns
    -------
    Instrument
        The validated definition.

    Raises
    ------
    InstrumentError
        Invalid JSON, repeated keys, nesting deeper than 200 levels, or a definition that
        breaks the format, with every problem's JSON path.

    Examples
    --------
    >>> parse_instrument("{}", source="empty.json")
    Traceback (most recent call last):
      ...
    profdiag.errors.InstrumentError: empty.json: 12 problem(s) in the definition
    ...
    """
    return instrument_from_document(
        parse_document(text, source, error=InstrumentError), source=source
    )


def parse_document(text: str, source: str, *, error: type[DocumentError] = DocumentError) -> Any:
    """JSON text -> document; invalid JSON, nesting deeper than
    `profdiag._io.json_text.MAX_DEPTH`, integers too long to convert and keys repeated
    within an object are errors (of the type `error`) naming the line and column (or the
    JSON path)."""
    try:
        document = loads(text, source, object_pairs_hook=_KeysSeen.from_pairs)
    except JsonTextError as invalid:
        raise error(source, [DefinitionProblem("$", invalid.where, invalid.expected)]) from None
    repeated = list(_repeated_keys(document, ()))
    if repeated:
        raise error(source, repeated)
    return document


class _KeysSeen(dict[str, Any]):
    """A JSON object that remembers keys it saw more than once (json keeps only the last)."""

    repeated: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _KeysSeen:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            keys = [key for key, _ in pairs]
            obj.repeated = tuple(sorted({key for key in keys if keys.count(key) > 1}))
        return obj


def _repeated_keys(node: Any, location: tuple[str | int, ...]) -> Iterator[DefinitionProblem]:
    if isinstance(node, dict):
        for key in getattr(node, "repeated", ()):
            yield DefinitionProblem(
                json_path((*location, key)),
                key,
                "each key once per object (JSON keeps only the last)",
            )
        for key, value in node.items():
            yield from _repeated_keys(value, (*location, key))
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from _repeated_keys(value, (*location, position))


def instrument_from_document(document: Any, *, source: str = "<document>") -> Instrument:
    """Validate a parsed JSON document into an Instrument."""
    return validate(Instrument, document, source, error=InstrumentError)


def validate(
    model: type[Model],
    document: Any,
    source: str,
    *,
    error: type[DocumentError] = DocumentError,
) -> Model:
    """Types are strict, as JSON has them: "yes" is not a boolean and "5" is not a number.
    Problems raise `error`: DocumentError for a catalogue, an overlay, thresholds or a
    session, InstrumentError for a definition."""
    try:
        return model.model_validate_json(json.dumps(document), strict=True)
    except DocumentError as invalid:
        raise error(source, invalid.problems) from None
    except ValidationError as invalid:
        raise error(source, problems_from_validation(invalid)) from None


def problems_from_validation(error: ValidationError) -> list[DefinitionProblem]:
    """pydantic's errors, reworded for someone writing JSON rather than Python."""
    problems = []
    for detail in error.errors(include_url=False):
        location = _without_union_tag(list(detail["loc"]))
        kind = detail["type"]
        value = detail.get("input")
        if kind == "missing":
            value = NOTHING
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            location.append("type")
            value = detail.get("ctx", {}).get("tag", NOTHING)
        elif location and location[-1] == "[key]":
            location.pop()  # the offending key itself is the value
        problems.append(DefinitionProblem(json_path(location), value, _expected(detail)))
    return problems


_UNION_TAGS = {"likert", "binary", "numeric", "multiple_choice", "forced_choice"}
_PATTERNS = {
    "^\\d+": "a version such as 1.0 or 1.2.3",
    "^[A-Za-z0-9": "an id of Latin or Cyrillic letters, digits, '_', '.' and '-', no spaces, "
    "starting with a letter or digit",
}
_JSON_WORDS = (
    ("a valid dictionary or instance of", "an object:"),
    ("a valid dictionary", "an object"),
    ("a valid tuple", "an array"),
    ("a valid list", "an array"),
    ("tuple should", "array should"),
    ("list should", "array should"),
    ("dictionary should", "object should"),
    (" after validation", ""),
)


def _without_union_tag(location: list[str | int]) -> list[str | int]:
    """pydantic puts the union's tag into the location: response_formats.X.<tag>.codes."""
    if len(location) > 2 and location[0] == "response_formats" and location[2] in _UNION_TAGS:
        del location[2]
    return location


def _expected(detail: Any) -> str:
    kind = detail["type"]
    message: str = detail["msg"]
    context = detail.get("ctx", {})
    if kind == "missing":
        return "this field, which is required"
    if kind == "extra_forbidden":
        return "no such field (check its spelling against `profdiag schema`)"
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "a 'type' that is one of " + ", ".join(sorted(_UNION_TAGS))
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        for start, meaning in _PATTERNS.items():
            if pattern.startswith(start):
                return meaning
    message = message[0].lower() + message[1:]
    for python_words, json_words in _JSON_WORDS:
        message = message.replace(python_words, json_words)
    return message.removeprefix("input should be ")
