"""The committed JSON Schema is the one the model produces, and it accepts our files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from profdiag._instrument.schema import schema_text
from profdiag.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "docs" / "instrument-schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: profdiag schema --out docs/instrument-schema.json"


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"].startswith("profdiag instrument definition")
    assert {"format", "id", "items", "scales"} <= set(schema["required"])
