"""Turn an R psych-style keys list into an instrument definition.

`{"scale": ["item1", "-item2", ...]}` as given to psych's `make.keys`/`scoreItems`: a
leading '-' reverse-keys an item. Every item gets one Likert format with codes
minimum..maximum, which is also the range used for reverse keying, like psych's
`scoreItems(min=, max=)`.

psych imputes from the data being scored (`impute = "mean"` / `"median"`); profdiag stores
the imputed values in the definition instead, computed from a reference sample
(`impute_sample`), so that a respondent's score never depends on who else is in the batch.
Scoring that same sample reproduces psych's numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from profdiag._instrument.loading import instrument_from_document
from profdiag._instrument.model import FORMAT_TAG, Instrument
from profdiag._instrument.semantics import parse_number
from profdiag.errors import DefinitionProblem, InstrumentError

PsychImpute = Literal["none", "mean", "median"]
MAX_CODES = 1_000  # answer codes from the minimum to the maximum; psych keys are Likert


def keys_items(keys: Mapping[str, Sequence[str]], source: str = "<keys>") -> list[str]:
    """Item ids in order of first appearance; checks the keys' shape."""
    problems = []
    order: dict[str, None] = {}
    if not isinstance(keys, Mapping) or not keys:
        raise InstrumentError(
            source, [DefinitionProblem("$", keys, 'an object {"scale": ["item", "-item", ...]}')]
        )
    for scale, entries in keys.items():
        if not isinstance(entries, list) or not entries:
            problems.append(
                DefinitionProblem(f"$.{scale}", entries, "a non-empty list of item names")
            )
            continue
        for k, entry in enumerate(entries):
            if not isinstance(entry, str) or not entry.removeprefix("-"):
                problems.append(
                    DefinitionProblem(
                        f"$.{scale}[{k}]", entry, "an item name, '-' first to reverse it"
                    )
                )
                continue
            order[entry.removeprefix("-")] = None
    if problems:
        raise InstrumentError(source, problems)
    return list(order)


def instrument_from_keys(
    keys: Mapping[str, Sequence[str]],
    *,
    minimum: int,
    maximum: int,
    aggregation: Literal["mean", "sum"] = "mean",
    missing: PsychImpute = "none",
    impute_sample: Mapping[str, Any] | None = None,
    instrument_id: str = "imported-keys",
    title: str = "Imported psych keys",
    source: str = "<keys>",
    sample_source: str = "impute_sample",
) -> Instrument:
    """Build an instrument equivalent to `psych::scoreItems(keys, items, min, max, impute,
    totals = aggregation == "sum")`. `impute_sample` maps item id -> column of raw answers
    (NaN or None = no answer) and is required for missing = "mean" or "median"."""
    items = keys_items(keys, source)
    if maximum <= minimum:
        raise InstrumentError(
            source, [DefinitionProblem("maximum", maximum, f"a code above the minimum ({minimum})")]
        )
    if maximum - minimum > MAX_CODES:
        raise InstrumentError(
            source,
            [DefinitionProblem("maximum", maximum, f"at most {MAX_CODES} codes above the minimum")],
        )
    if missing == "none":
        rule: dict[str, Any] = {"min_answered": 1, "gaps": "skip"}
        imputed: dict[str, float] = {}
    else:
        if impute_sample is None:
            raise InstrumentError(
                source,
                [
                    DefinitionProblem(
                        "impute_sample",
                        None,
                        f"a sample to compute each item's {missing} from "
                        "(psych imputes from the scored data)",
                    )
                ],
            )
        imputed = _sample_statistic(impute_sample, items, missing, source, sample_source)
        rule = {"min_answered": 1, "gaps": "impute"}

    document = {
        "format": FORMAT_TAG,
        "id": instrument_id,
        "version": "1.0.0",
        "title": {"en": title, "ru": title},
        "description": {
            "en": f"Converted from a psych keys list ({len(keys)} scales, {len(items)} items).",
            "ru": f"Преобразовано из списка ключей psych ({len(keys)} шкал, {len(items)} пунктов).",
        },
        "authors": ["converted by profdiag import-keys"],
        "licence": {"name": "as of the source keys"},
        "source": {"citation": source},
        "text_status": {"en": "not_shipped", "ru": "not_shipped"},
        "response_formats": {
            "scale": {"type": "likert", "codes": list(range(minimum, maximum + 1))}
        },
        "items": [{"id": item, "format": "scale"} for item in items],
        "scales": [
            {
                "id": scale,
                "title": {"en": scale},
                "aggregation": aggregation,
                "items": [
                    {"item": entry.removeprefix("-"), "reverse": entry.startswith("-")}
                    for entry in entries
                ],
                "missing": _missing_rule(rule, entries, imputed),
            }
            for scale, entries in keys.items()
        ],
    }
    return instrument_from_document(document, source=source)


def _missing_rule(
    rule: dict[str, Any], entries: Sequence[str], imputed: dict[str, float]
) -> dict[str, Any]:
    if not imputed:
        return rule
    items = [entry.removeprefix("-") for entry in entries]
    return {**rule, "impute_values": {item: imputed[item] for item in items}}


def _sample_statistic(
    sample: Mapping[str, Any],
    items: list[str],
    statistic: PsychImpute,
    source: str,
    sample_source: str,
) -> dict[str, float]:
    values = {}
    problems = []
    for item in items:
        if item not in sample:
            problems.append(
                DefinitionProblem(f"{sample_source}[{item}]", None, "a column for this item")
            )
            continue
        column, bad = _numbers(sample[item])
        if bad:
            row, value = bad
            problems.append(
                DefinitionProblem(f"{sample_source}[{item}] row {row + 1}", value, "a number")
            )
            continue
        answered = column[~np.isnan(column)]
        if answered.size == 0:
            problems.append(
                DefinitionProblem(f"{sample_source}[{item}]", "all empty", "at least one answer")
            )
            continue
        values[item] = float(np.mean(answered) if statistic == "mean" else np.median(answered))
    if problems:
        raise InstrumentError(source, problems)
    return values


def _numbers(cells: Sequence[Any]) -> tuple[np.ndarray, tuple[int, Any] | None]:
    """Cells as floats (None, "" and NaN: no answer); the first cell that is not a finite
    number, with its row, is returned instead of raised."""
    column = np.full(len(cells), np.nan)
    for row, cell in enumerate(cells):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        number = _as_float(cell)
        if number is None or math.isinf(number):
            return column, (row, cell)
        column[row] = number
    return column, None


def _as_float(cell: Any) -> float | None:
    """A cell as a number, read as response cells are (`parse_number` for text)."""
    if isinstance(cell, str):
        return parse_number(cell)
    if isinstance(cell, bool):
        return None
    try:
        return float(cell)
    except (TypeError, ValueError, OverflowError):
        return None
