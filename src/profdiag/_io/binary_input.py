"""What the readers of binary formats (SPSS, Excel) share: opening the file with every
failure described for people, and importing the optional package that reads it."""

from __future__ import annotations

import io
import os
import stat
from importlib import import_module
from types import ModuleType
from typing import BinaryIO

from profdiag._io.text_files import _READ_REASONS, UnreadableFile, read_bytes
from profdiag.errors import CellProblem, MissingExtraError, ResponseDataError


def optional_module(name: str, package: str, what: str, extra: str = "research") -> ModuleType:
    """Import `name`, or say which of profdiag's extras installs it.

    Raises
    ------
    MissingExtraError
        The package is not installed.
    """
    try:
        return import_module(name)
    except ImportError:
        raise MissingExtraError(
            f"reading {what} needs the package {package!r}, which is not installed; "
            f"install profdiag's {extra!r} extra: pip install 'profdiag[{extra}]'"
        ) from None


def open_binary(path: str | os.PathLike[str]) -> BinaryIO:
    """A regular file opened for reading (a pipe read whole), following symbolic links.

    Raises
    ------
    ResponseDataError
        Missing, a folder, a device, a dangling or looping link, permission denied, ...
    """
    source = str(path)
    try:
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            reason = _READ_REASONS.get(error.errno or 0, error.strerror or type(error).__name__)
            raise UnreadableFile(source, reason, "a readable file") from None
        if not stat.S_ISREG(mode):
            return io.BytesIO(read_bytes(path))  # refuses devices and folders, reads pipes
        try:
            return open(path, "rb")  # the caller closes it
        except OSError as error:
            reason = _READ_REASONS.get(error.errno or 0, error.strerror or type(error).__name__)
            raise UnreadableFile(source, reason, "a readable file") from None
    except UnreadableFile as error:
        raise file_problem(source, error.seen, error.expected) from None


def file_problem(source: str, seen: str, expected: str) -> ResponseDataError:
    """An error about the file as a whole."""
    return ResponseDataError(source, [CellProblem(-1, "(file)", seen, expected)])


def first_line(error: BaseException) -> str:
    """The first line of a library's error message, short enough for one line of output."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a password-protected workbook or an old .xls"),
    (b"PAR1", "a Parquet file"),
    (b"$FL2", "SPSS .sav"),
    (b"$FL3", "SPSS .zsav"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
)


def looks_like(head: bytes) -> str | None:
    """What the first bytes of a file say it is ("a PDF document", "text, such as CSV"),
    or None when they say nothing known."""
    if not head:
        return "an empty file"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 3:  # not just a character cut at the end
                return None
        return "text, such as CSV"
    return None
