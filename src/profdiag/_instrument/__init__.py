"""Instrument definitions: the model, its checks, and loading from JSON."""

from profdiag._instrument.loading import (
    bundled_ids,
    instrument_from_document,
    load_bundled,
    load_instrument,
    parse_instrument,
)
from profdiag._instrument.model import Instrument

__all__ = [
    "Instrument",
    "bundled_ids",
    "instrument_from_document",
    "load_bundled",
    "load_instrument",
    "parse_instrument",
]
