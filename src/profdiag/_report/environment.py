"""The Jinja2 environment for reports: sandboxed, autoescaped, strict about undefined names.

Templates get a plain context dict and lay it out; they cannot reach the file system
(beyond reading regular files inside their folder, see `profdiag._report.paths`), call
into Python objects unsafely, or build huge strings, lists or numbers with ``*`` and
``**``. Loops and other ways to spend time or memory are bounded by the worker a user's
template runs in (`profdiag._report.render`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, StrictUndefined, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import select_autoescape

from profdiag._report.assets import templates_folder
from profdiag._report.paths import PathRefused, read_inside
from profdiag.errors import ReportError, show_value

MAX_PRODUCT_LENGTH = 1_000_000
"""The longest string, list or tuple a template may make with ``*`` (a report is ~100 KB)."""
MAX_NUMBER_BITS = 100_000
"""The largest integer a template may make with ``*`` or ``**`` (about 30,000 digits)."""


class TemplateRefused(ReportError):
    """A template that may not be read: a link, a name leading outside its folder, not a
    regular file, or not UTF-8 text."""

    def __init__(self, folder: Path, name: str, reason: str) -> None:
        self.folder = folder
        self.name = name
        self.reason = reason
        super().__init__(f"template {name!r} in {folder}: refused, {reason}")


class FolderLoader(BaseLoader):
    """Templates from one folder, read with `read_inside` (no links, no way out)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            content = read_inside(self.folder, template)
        except PathRefused as refused:
            raise TemplateRefused(self.folder, template, refused.reason) from None
        if content is None:
            raise TemplateNotFound(template)
        try:
            source = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise TemplateRefused(
                self.folder, template, f"it is not UTF-8 text (byte {error.start})"
            ) from None
        filename = os.path.join(self.folder, *template.split("/"))
        mtime = _mtime(filename)
        return source, filename, lambda: _mtime(filename) == mtime

    def list_templates(self) -> list[str]:
        names = []
        for folder, _folders, files in os.walk(self.folder, followlinks=False):
            for name in files:
                path = Path(folder, name)
                if path.suffix == ".j2" and not path.is_symlink():
                    names.append(path.relative_to(self.folder).as_posix())
        return sorted(names)


def _mtime(filename: str) -> float | None:
    try:
        return os.stat(filename, follow_symlinks=False).st_mtime
    except OSError:
        return None


class ReportSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, refusing ``*`` and ``**`` results over a size bound."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_product(left, right)
        else:
            _check_power(left, right)
        return super().call_binop(context, operator, left, right)


def _check_product(left: Any, right: Any) -> None:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | bytes | list | tuple) and isinstance(count, int):
            if len(sequence) * max(count, 0) > MAX_PRODUCT_LENGTH:
                kind = "string" if isinstance(sequence, str | bytes) else "list"
                raise SecurityError(
                    f"'*' would make a {kind} of {len(sequence)} x {show_value(count)} items; "
                    f"a template may make at most {MAX_PRODUCT_LENGTH}"
                )
            return
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_NUMBER_BITS
    ):
        raise SecurityError(
            f"a template may not make a number over {MAX_NUMBER_BITS} bits with '*'"
        )


def _check_power(base: Any, exponent: Any) -> None:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and abs(base) > 1
        and exponent * (abs(base).bit_length() - 1) > MAX_NUMBER_BITS
    ):
        raise SecurityError(
            f"a template may not make a number over {MAX_NUMBER_BITS} bits with '**'"
        )


def report_environment(user_folder: Path | None = None) -> ReportSandbox:
    """Templates from `user_folder` (if given) first, then the package's own.

    A name found in neither falls through to Jinja's TemplateNotFound; a name that exists
    but may not be read (a link, say) raises TemplateRefused and does not fall through.
    The package-only environment is made once per process (its compiled templates are
    cached).
    """
    if user_folder is None:
        return _package_environment()
    return _user_environment(user_folder.resolve())


@functools.cache
def _package_environment() -> ReportSandbox:
    return _environment(FolderLoader(templates_folder()))


@functools.lru_cache(maxsize=4)
def _user_environment(folder: Path) -> ReportSandbox:
    # Called in workers only (see profdiag._report.render): a batch's worker compiles a
    # user's templates once; Jinja re-reads a template whose file has changed.
    return _environment(ChoiceLoader([FolderLoader(folder), FolderLoader(templates_folder())]))


def _environment(loader: BaseLoader) -> ReportSandbox:
    return ReportSandbox(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
