"""Text overlays: licensed item texts added to an instrument shipped without them.

An instrument whose item texts are protected (Klimov's ДДО, for example) ships its key and
scoring only. A user who holds a licensed manual writes its texts into an overlay file; the
overlay is checked against the instrument (same item ids, every declared language complete)
and merged. Scores record the overlay's hash next to the instrument's.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field

from profdiag._instrument.loading import instrument_from_document, read_document, validate
from profdiag._instrument.model import (
    Frozen,
    Identifier,
    Instrument,
    Language,
    Licence,
    LocalizedText,
    Source,
    TextStatus,
    canonical_hash,
)
from profdiag.errors import DefinitionProblem, DocumentError, json_path

OVERLAY_TAG = "profdiag-overlay/1"


class OverlayItem(Frozen):
    text: LocalizedText | None = None
    options: dict[str, LocalizedText] = Field(
        default_factory=dict, description="Option code -> the option's text for this item."
    )


class TextOverlay(Frozen):
    format: Literal["profdiag-overlay/1"]
    instrument: Identifier = Field(description="The id of the instrument the texts belong to.")
    instrument_version: str
    source: Source = Field(description="Where the texts come from (the licensed manual).")
    licence: Licence
    text_status: dict[Language, TextStatus]
    items: dict[str, OverlayItem] = Field(min_length=1)

    @cached_property
    def content_hash(self) -> str:
        return canonical_hash(self)


def load_overlay(path: str | Path) -> TextOverlay:
    """Read a text overlay file (format ``profdiag-overlay/1``): licensed item texts for an
    instrument that ships its key only (Klimov's ДДО, say).

    Parameters
    ----------
    path
        The overlay file.

    Returns
    -------
    TextOverlay
        The validated overlay; pass it to `apply_overlay`.

    Raises
    ------
    DocumentError
        The file cannot be read or breaks the format, with JSON paths.

    Examples
    --------
    >>> load_overlay("no-such-overlay.json")
    Traceback (most recent call last):
      ...
    profdiag.errors.DocumentError: no-such-overlay.json: 1 problem(s) in the document
    ...
    """
    return validate(TextOverlay, read_document(path), str(path))


def overlay_problems(instrument: Instrument, overlay: TextOverlay) -> list[DefinitionProblem]:
    """Everything that keeps `overlay` from fitting `instrument`, with JSON paths."""
    problems = []
    if overlay.instrument != instrument.id:
        problems.append(DefinitionProblem("$.instrument", overlay.instrument, f"{instrument.id!r}"))
    if overlay.instrument_version != instrument.version:
        problems.append(
            DefinitionProblem(
                "$.instrument_version", overlay.instrument_version, f"{instrument.version!r}"
            )
        )
    languages = sorted(overlay.text_status)
    for language, status in overlay.text_status.items():
        if status == TextStatus.NOT_SHIPPED:
            problems.append(
                DefinitionProblem(
                    json_path(("text_status", language)), status.value, "a status of shipped texts"
                )
            )
    problems += [
        DefinitionProblem("$.items", sorted(overlay.items), f"an entry for item {item.id!r}")
        for item in instrument.items
        if item.id not in overlay.items
    ]
    for item_id, entry in overlay.items.items():
        base = ("items", item_id)
        if item_id not in instrument.item_index:
            problems.append(
                DefinitionProblem(json_path(base), item_id, "an item of the instrument")
            )
            continue
        item = instrument.items[instrument.item_index[item_id]]
        codes = [option.code for option in getattr(instrument.format_of(item), "options", ())]
        if entry.text is None and not entry.options:
            problems.append(DefinitionProblem(json_path(base), {}, "a text, option texts or both"))
        if entry.options and sorted(entry.options) != sorted(codes):
            problems.append(
                DefinitionProblem(
                    json_path((*base, "options")),
                    sorted(entry.options),
                    f"a text for each option {codes}" if codes else "no options: the item has none",
                )
            )
        texts: list[tuple[tuple[str, ...], LocalizedText]] = []
        if entry.text is not None:
            texts.append(((*base, "text"), entry.text))
        texts += [((*base, "options", code), text) for code, text in entry.options.items()]
        for path, text in texts:
            missing = [language for language in languages if getattr(text, language) is None]
            if missing:
                problems.append(
                    DefinitionProblem(
                        json_path(path),
                        text.model_dump(exclude_none=True),
                        f"a text in every language of the overlay ({', '.join(languages)}); "
                        f"missing: {', '.join(missing)}",
                    )
                )
    return problems


def apply_overlay(
    instrument: Instrument, overlay: TextOverlay, source: str = "<overlay>"
) -> Instrument:
    """The instrument with the overlay's item texts added.

    Parameters
    ----------
    instrument
        A key-only instrument.
    overlay
        Its texts (`load_overlay`): same instrument id and version, every item, every
        language it declares.
    source
        How errors name the overlay.

    Returns
    -------
    Instrument
        The instrument with texts; its ``overlay_hash`` is recorded with every score, next
        to the content hash of the definition as shipped.

    Raises
    ------
    DocumentError
        The overlay does not fit the instrument; every problem with its JSON path.

    Examples
    --------
    >>> from profdiag import load_instrument
    >>> ddo = load_instrument("klimov-ddo")
    >>> texts = {str(k): {"text": {"ru": f"Пара {k}"}, "options": {
    ...     "а": {"ru": f"Вариант {k}а"}, "б": {"ru": f"Вариант {k}б"}}} for k in range(1, 21)}
    >>> overlay = TextOverlay.model_validate({
    ...     "format": "profdiag-overlay/1", "instrument": "klimov-ddo",
    ...     "instrument_version": ddo.version, "source": {"citation": "our licensed manual"},
    ...     "licence": {"name": "licensed to our centre"},
    ...     "text_status": {"ru": "original"}, "items": texts})
    >>> with_texts = apply_overlay(ddo, overlay)
    >>> with_texts.items[0].text.ru, with_texts.overlay_hash == overlay.content_hash
    ('Пара 1', True)
    """
    problems = overlay_problems(instrument, overlay)
    if problems:
        raise DocumentError(source, problems)
    document = instrument.model_dump(mode="json", by_alias=True, exclude_none=True)
    shipped = overlay.model_dump(mode="json")["text_status"]
    document["text_status"] = {**document["text_status"], **shipped}
    for entry in document["items"]:
        texts = overlay.items[entry["id"]]
        if texts.text is not None:
            entry["text"] = texts.text.model_dump(exclude_none=True)
        if texts.options:
            entry["option_texts"] = {
                code: text.model_dump(exclude_none=True) for code, text in texts.options.items()
            }
    merged = instrument_from_document(document, source=source)
    merged.mark_overlaid(instrument.content_hash, overlay.content_hash)
    return merged
