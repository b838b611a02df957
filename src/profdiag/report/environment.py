"""The Jinja2 environment for reports: sandboxed, autoescaped, strict about undefined names.

Templates get a plain context dict and lay it out; they cannot reach the file system
(beyond loading templates from their folder) or call into Python objects unsafely.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from profdiag.report.assets import templates_folder


def report_environment(user_folder: Path | None = None) -> ImmutableSandboxedEnvironment:
    """Templates from `user_folder` (if given) first, then the package's own."""
    folders = [str(user_folder.resolve())] if user_folder is not None else []
    folders.append(str(templates_folder()))
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(folders),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
