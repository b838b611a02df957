"""The published JSON Schema of the instrument format (committed as docs/instrument-schema.json)."""

from __future__ import annotations

import json

from profdiag._instrument.model import FORMAT_TAG, Instrument

SCHEMA_ID = "profdiag-instrument-1.schema.json"


def instrument_schema() -> dict[str, object]:
    schema = Instrument.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"profdiag instrument definition ({FORMAT_TAG})",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def schema_text() -> str:
    return json.dumps(instrument_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
