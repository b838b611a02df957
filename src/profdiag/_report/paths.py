"""Reading a file inside a folder without ever leaving it.

Report templates and assets are read only through `read_inside`: the name must be a
relative path of plain parts (no ``..``, no ``.``, no empty part, no absolute path, no
backslash, no NUL), every part below the folder must be a real folder or, at the end, a
regular file, and **no part may be a symbolic link**. The walk opens one part at a time
relative to the folder already opened (``openat`` with ``O_NOFOLLOW``), so a link swapped
in between a check and the read cannot lead elsewhere either.

Why no links at all rather than "resolve, then require the target inside": a template
folder has no need for links, the rule is the same for every folder, and it closes the
race that a resolve-then-open check leaves open in a folder someone else can write to.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from profdiag.errors import ReportError

MAX_FILE_BYTES = 16 * 1024 * 1024
"""The largest template or asset file read (16 MiB): the bundled fonts are ~400 KB."""

_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER_FLAGS = _FILE_FLAGS | getattr(os, "O_DIRECTORY", 0)
_WALK_WITH_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")


class PathRefused(ReportError):
    """A template or asset name that leads outside its folder, through a link, or to
    something that is not a regular file."""

    def __init__(self, folder: Path, name: str, reason: str) -> None:
        self.folder = folder
        self.name = name
        self.reason = reason
        super().__init__(f"{name!r} in {folder}: refused, {reason}")


def relative_parts(folder: Path, name: str) -> list[str]:
    """The parts of a relative `name`; raises PathRefused for any other kind of name."""
    if not name:
        raise PathRefused(folder, name, "the name is empty")
    if "\x00" in name:
        raise PathRefused(folder, name, "the name contains a NUL character")
    if "\\" in name:
        raise PathRefused(folder, name, "the name contains a backslash; use '/'")
    if name.startswith("/"):
        raise PathRefused(folder, name, "only names relative to the folder may be read")
    parts = name.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            shown = "an empty part" if not part else f"{part!r}"
            raise PathRefused(
                folder, name, f"the name has {shown} (only plain names separated by '/')"
            )
    return parts


def read_inside(folder: Path, name: str) -> bytes | None:
    """The bytes of the regular file `name` inside `folder` (an absolute, resolved path),
    or None when it does not exist. Raises PathRefused when the name or anything on the
    way is not allowed (see the module's docstring)."""
    parts = relative_parts(folder, name)
    if _WALK_WITH_DIR_FD:
        return _read_with_dir_fd(folder, name, parts)
    return _read_with_lstat(folder, name, parts)  # pragma: no cover - not Linux


def _read_with_dir_fd(folder: Path, name: str, parts: list[str]) -> bytes | None:
    try:
        descriptor = os.open(folder, _FOLDER_FLAGS)
    except OSError as error:
        raise PathRefused(folder, name, f"the folder cannot be opened ({_reason(error)})") from None
    try:
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            flags = (_FILE_FLAGS | os.O_NONBLOCK) if last else _FOLDER_FLAGS
            try:
                opened = os.open(part, flags, dir_fd=descriptor)
            except OSError as error:
                if error.errno == errno.ENOENT:
                    return None
                raise PathRefused(
                    folder, name, _why_not(descriptor, part, parts[: depth + 1], error)
                ) from None
            os.close(descriptor)
            descriptor = opened
        return _read_regular(folder, name, descriptor)
    finally:
        os.close(descriptor)


def _why_not(descriptor: int, part: str, walked: list[str], error: OSError) -> str:
    where = "/".join(walked)
    try:
        mode = os.stat(part, dir_fd=descriptor, follow_symlinks=False).st_mode
    except OSError:
        return f"{where!r} cannot be opened ({_reason(error)})"
    if stat.S_ISLNK(mode):
        return f"{where!r} is a symbolic link (links are not followed in report folders)"
    if error.errno == errno.ENOTDIR:
        return f"{where!r} is not a folder"
    return f"{where!r} cannot be opened ({_reason(error)})"


def _read_regular(folder: Path, name: str, descriptor: int) -> bytes:
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        raise PathRefused(folder, name, f"it is {kind}")
    if status.st_size > MAX_FILE_BYTES:
        raise PathRefused(
            folder, name, f"it has {status.st_size} bytes, more than {MAX_FILE_BYTES} allowed"
        )
    chunks = []
    total = 0
    while chunk := os.read(descriptor, 1 << 20):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise PathRefused(folder, name, f"it grew past {MAX_FILE_BYTES} bytes while read")
        chunks.append(chunk)
    return b"".join(chunks)


def _read_with_lstat(
    folder: Path, name: str, parts: list[str]
) -> bytes | None:  # pragma: no cover - not Linux
    path = folder
    for depth, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        except OSError as error:
            raise PathRefused(folder, name, f"it cannot be read ({_reason(error)})") from None
        where = "/".join(parts[: depth + 1])
        if stat.S_ISLNK(mode):
            raise PathRefused(
                folder, name, f"{where!r} is a symbolic link (links are not followed)"
            )
        if depth < len(parts) - 1 and not stat.S_ISDIR(mode):
            raise PathRefused(folder, name, f"{where!r} is not a folder")
    try:
        descriptor = os.open(path, _FILE_FLAGS | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise PathRefused(folder, name, f"it cannot be opened ({_reason(error)})") from None
    try:
        return _read_regular(folder, name, descriptor)
    finally:
        os.close(descriptor)


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symbolic link"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or type(error).__name__
