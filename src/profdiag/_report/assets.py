"""Where the report templates, CSS and fonts live: in the installed package, or at the
checkout's top level (reports/templates) in an editable install."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_FOLDER = "report_templates"


def templates_folder() -> Path:
    packaged = Path(str(resources.files("profdiag") / _FOLDER))
    if packaged.is_dir():
        return packaged.resolve()
    return (Path(__file__).resolve().parents[3] / "reports" / "templates").resolve()
