"""Item banks as instruments: the IRT items of an instrument as an `ItemBank`, answers as
category indices, and a calibration written out as a new instrument definition."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from profdiag._instrument.loading import parse_instrument
from profdiag._instrument.model import (
    BinaryFormat,
    Instrument,
    LikertFormat,
    MultipleChoiceFormat,
)
from profdiag._irt.models import FloatArray, IntMatrix, ItemBank, ItemParameters
from profdiag._irt.result import Calibration
from profdiag.errors import ArgumentError


@dataclass(frozen=True)
class InstrumentBank:
    """The instrument's items that carry IRT parameters: their positions among the
    instrument's items, and their parameters as an ItemBank."""

    positions: tuple[int, ...]
    item_ids: tuple[str, ...]
    bank: ItemBank

    def categories(self, instrument: Instrument, values: FloatArray) -> IntMatrix:
        """Item values as `score_with_values` returns them (codes for likert/binary, option
        positions for multiple choice; NaN = no answer) -> category indices, -1 = none."""
        out = np.full((values.shape[0], len(self.positions)), -1, dtype=np.int64)
        for column, position in enumerate(self.positions):
            item = instrument.items[position]
            observed = values[:, position]
            answered = ~np.isnan(observed)
            fmt = instrument.format_of(item)
            if isinstance(fmt, LikertFormat | BinaryFormat):
                codes = np.asarray(fmt.codes, dtype=np.float64)
                out[answered, column] = np.searchsorted(codes, observed[answered])
            elif isinstance(fmt, MultipleChoiceFormat):
                correct = [i for i, o in enumerate(fmt.options) if o.code in (item.correct or ())]
                out[answered, column] = np.isin(observed[answered], correct).astype(np.int64)
        return out


def instrument_bank(instrument: Instrument) -> InstrumentBank:
    """The IRT items of `instrument`; ArgumentError when it has none."""
    positions, ids, items = [], [], []
    for position, item in enumerate(instrument.items):
        if item.irt is None:
            continue
        c = item.irt.c if item.irt.c is not None else 0.0
        items.append(ItemParameters(item.irt.model, item.irt.a, item.irt.thresholds, c))
        positions.append(position)
        ids.append(item.id)
    if not items:
        raise ArgumentError(
            f"instrument {instrument.id!r} {instrument.version}: expected items with IRT "
            "parameters ('irt'), found none; calibrate a bank first"
        )
    return InstrumentBank(tuple(positions), tuple(ids), ItemBank(tuple(items)))


def calibration_definition(
    calibration: Calibration,
    *,
    instrument_id: str,
    title: str,
    version: str = "1.0.0",
    licence: str = "Item parameters estimated from the user's own data",
    citation: str = "Calibrated with profdiag irt calibrate (Bock-Aitkin EM)",
    rounding: int = 6,
) -> dict[str, object]:
    """The JSON document of an item bank: one item per calibrated column with its codes as
    a format and its parameters under "irt", one scale summing the items."""
    formats: dict[str, dict[str, object]] = {}
    items = []
    for item_id, codes, parameters in zip(
        calibration.item_ids, calibration.categories, calibration.bank.items, strict=True
    ):
        integer_codes = [int(code) for code in codes]
        if any(code != int(code) for code in codes):
            raise ArgumentError(
                f"item {item_id!r}: expected whole-number response codes to write a bank, "
                f"got {list(codes)}"
            )
        kind = "binary" if len(integer_codes) == 2 else "likert"
        spelled = "_".join(str(code).replace("-", "m") for code in integer_codes)
        format_id = f"{kind}-{spelled}"
        format_id = format_id if len(format_id) <= 64 else f"{kind}-{len(formats)}"
        formats.setdefault(format_id, {"type": kind, "codes": integer_codes})
        irt: dict[str, object] = {"model": calibration.model, "a": round(parameters.a, rounding)}
        thresholds = [round(b, rounding) for b in parameters.b]
        irt["b"] = thresholds if calibration.model == "grm" else thresholds[0]
        if calibration.model == "3pl":
            irt["c"] = round(parameters.c, rounding)
        items.append({"id": item_id, "format": format_id, "irt": irt})
    return {
        "format": "profdiag-instrument/1",
        "id": instrument_id,
        "version": version,
        "title": {"en": title},
        "description": {
            "en": f"An item bank of {len(items)} items calibrated under the "
            f"{calibration.model.upper()} model on {calibration.n_persons} respondents "
            f"(marginal maximum likelihood, log-likelihood {calibration.log_likelihood:.4f})."
        },
        "authors": ["profdiag irt calibrate"],
        "licence": {"name": licence},
        "source": {"citation": citation},
        "text_status": {"ru": "not_shipped", "en": "not_shipped"},
        "measures": "other",
        "response_formats": formats,
        "items": items,
        "scales": [
            {
                "id": "total",
                "title": {"en": "Total score", "ru": "Общий балл"},
                "items": [{"item": item["id"]} for item in items],
            }
        ],
    }


def calibration_instrument(calibration: Calibration, **options: object) -> Instrument:
    """`calibration_definition` parsed and validated as an Instrument."""
    definition = calibration_definition(calibration, **options)  # type: ignore[arg-type]
    return parse_instrument(json.dumps(definition, ensure_ascii=False), source="<calibration>")


def item_columns(names: Sequence[str], id_column: str | None) -> list[str]:
    return [name for name in names if name != id_column]


def content_areas(instrument: Instrument, bank: InstrumentBank) -> dict[str, object]:
    """Content areas for balancing: when the instrument's scales (other than one covering
    every IRT item) put each IRT item in exactly one scale, each scale is an area with a
    target share equal to its share of the bank; else no areas."""
    covering = [
        scale
        for scale in instrument.scales
        if {entry.item for entry in scale.items} != set(bank.item_ids)
    ]
    owner: dict[str, str] = {}
    for scale in covering:
        for entry in scale.items:
            if entry.item in bank.item_ids:
                if entry.item in owner:
                    return {}
                owner[entry.item] = scale.id
    if len(owner) != len(bank.item_ids) or len(set(owner.values())) < 2:
        return {}
    areas = tuple(owner[item_id] for item_id in bank.item_ids)
    targets = {area: areas.count(area) / len(areas) for area in dict.fromkeys(areas)}
    return {"content_areas": areas, "content_targets": targets}
