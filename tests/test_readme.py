"""The README's Python example runs as written (it is the first thing a new user copies)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_python_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert bytes(namespace["pdf"])[:5] == b"%PDF-"  # type: ignore[arg-type]
    assert namespace["profiles"][0].matches  # type: ignore[index]
