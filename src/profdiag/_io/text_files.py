"""Reading a file as text, with every failure described for people.

Used by the response-table reader and by the JSON definition loader; each turns an
`UnreadableFile` into its own error type (ResponseDataError, InstrumentError).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path

from profdiag._io.json_text import position
from profdiag.errors import ArgumentError, ProfdiagError

_READ_REASONS = {
    errno.ENOENT: "no such file",
    errno.EISDIR: "a folder",
    errno.EACCES: "a file that cannot be read (permission denied)",
    errno.EPERM: "a file that cannot be read (permission denied)",
    errno.ENOTDIR: "a path in which a part is not a folder",
    errno.ENAMETOOLONG: "a file name that is too long",
    errno.ELOOP: "a loop of symbolic links",
    errno.EIO: "an input/output error",
}
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class UnreadableFile(ProfdiagError):
    """A file that could not be read as text: ``seen`` says what was found (with the byte
    offset, line and column when the text itself is at fault), ``expected`` what was
    needed."""

    def __init__(self, source: str, seen: str, expected: str) -> None:
        self.source = source
        self.seen = seen
        self.expected = expected
        super().__init__(f"{source}: got {seen}; expected {expected}")


def text_encoding(encoding: str) -> str:
    """The name `encoding` is known by in messages (UTF-8 for utf-8-sig and its spellings).

    Raises
    ------
    ArgumentError
        `encoding` is not the name of a text encoding Python knows.
    """
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise ArgumentError(
            f"unknown text encoding {encoding!r}; expected a name such as "
            "'utf-8', 'utf-8-sig' or 'cp1251'"
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise ArgumentError(
            f"{encoding!r} is not a text encoding; expected a name such as "
            "'utf-8', 'utf-8-sig' or 'cp1251'"
        )
    return "UTF-8" if info.name in ("utf-8", "utf-8-sig") else info.name


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file (a regular file or a pipe).

    Raises
    ------
    UnreadableFile
        The file cannot be read: missing, a folder, a device such as /dev/zero, permission
        denied, ...
    """
    source = str(path)
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
            # /dev/zero would never end, a terminal would wait for typing; pipes are read.
            raise UnreadableFile(source, "a device, not a file", "a readable file")
        return Path(path).read_bytes()
    except OSError as error:
        reason = _READ_REASONS.get(error.errno or 0, error.strerror or type(error).__name__)
        raise UnreadableFile(source, reason, "a readable file") from None


def read_text(path: str | os.PathLike[str], encoding: str = "utf-8-sig") -> str:
    """The text of a file, decoded without newline translation; a leading byte order mark
    is dropped.

    Parameters
    ----------
    path
        The file.
    encoding
        A Python codec name; the default reads UTF-8 with or without a byte order mark.

    Returns
    -------
    str
        The text, line ends as they are in the file.

    Raises
    ------
    ArgumentError
        `encoding` is not a known text encoding.
    UnreadableFile
        The file cannot be read (missing, a folder, a device such as /dev/zero, permission
        denied, ...) or its bytes
        are not text in `encoding` (the offending byte's offset, line and column are named).
    """
    text_encoding(encoding)
    return decode(read_bytes(path), encoding, str(path))


def decode(data: bytes, encoding: str, source: str) -> str:
    """`data` as text in `encoding`, a leading byte order mark dropped.

    Raises
    ------
    UnreadableFile
        The bytes are not text in `encoding` (the offending byte's offset, line and column
        are named).
    """
    try:
        text = data.decode(encoding)
    except UnicodeError as error:
        name = text_encoding(encoding)
        raise UnreadableFile(source, *_undecodable(data, error, encoding, name)) from None
    return text.removeprefix("\ufeff")


def utf8_bytes(data: bytes, encoding: str, source: str) -> tuple[bytes, int]:
    """`data` as UTF-8 bytes and the offset at which the text starts (after a byte order
    mark), for readers that parse bytes. UTF-8 input is returned as it is, not yet checked
    (call `decode` to name the first byte that is not UTF-8); any other encoding is decoded,
    checked and encoded as UTF-8.

    Raises
    ------
    ArgumentError
        `encoding` is not a known text encoding.
    UnreadableFile
        The bytes are not text in `encoding`.
    """
    if text_encoding(encoding) == "UTF-8":
        return data, len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    text = decode(data, encoding, source)
    try:
        return text.encode("utf-8"), 0
    except UnicodeEncodeError as error:  # a lone surrogate (e.g. from utf-7)
        line, column = position(text, error.start)
        raise UnreadableFile(
            source,
            f"U+{ord(text[error.start]):04X}, half of a surrogate pair, at line {line}, "
            f"column {column}",
            "text made of characters",
        ) from None


def _undecodable(data: bytes, error: UnicodeError, encoding: str, name: str) -> tuple[str, str]:
    start = getattr(error, "start", 0)
    prefix = data[:start].decode(encoding, errors="replace").removeprefix("\ufeff")
    line, column = position(prefix, len(prefix))
    byte = f"byte 0x{data[start]:02x} " if start < len(data) else "the end of the file "
    seen = f"{byte}at offset {start} (line {line}, column {column})"
    other = next((wide for bom, wide in _WIDE_BOMS if data.startswith(bom)), None)
    if other is None:
        other = "UTF-8" if name == "cp1251" else "cp1251"
    return seen, (
        f"{name} text (the file is not {name} text; it may be in another encoding such as {other})"
    )
