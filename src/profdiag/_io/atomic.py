"""Atomic output: a file is either the previous one or the complete new one.

The new content goes to a temporary file in the target's folder, is flushed and fsynced,
then renamed over the target (rename is atomic within one file system); the folder is
fsynced so that the rename itself survives a power cut. A crash, kill -9 or full disk
leaves at most a stray temporary file named ``.<name>.<random>.tmp``, never a truncated
target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from profdiag.errors import OutputError

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the file name is too long",
}


def describe_os_error(error: OSError) -> str:
    """A short reason for an OSError, without Python's wording."""
    return _REASONS.get(error.errno or 0, error.strerror or type(error).__name__)


def output_target(path: str | os.PathLike[str], follow_symlinks: bool = True) -> Path:
    """The file an output to `path` really replaces: a symlink is followed to its target
    (or, with `follow_symlinks` False, replaced itself).

    Raises OutputError when the target exists and is not a regular file (a folder, a
    device such as /dev/full, a pipe): replacing those is never what was meant.
    """
    if follow_symlinks:
        target = Path(os.path.realpath(path))
    else:
        given = Path(path)
        target = Path(os.path.realpath(given.parent)) / given.name
        if target.is_symlink():
            return target
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe_os_error(error)}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise OutputError(f"cannot write {path}: it is {kind}")
    return target


def write_atomically(
    path: str | os.PathLike[str],
    content: bytes | str | memoryview | Iterable[bytes | memoryview],
    *,
    follow_symlinks: bool = True,
    mode: int | None = None,
    exclusive: bool = False,
) -> Path:
    """Write `content` (text is encoded as UTF-8; byte buffers from an iterable are written
    in order, as they come) to `path` atomically; return the path written (a symlink's
    target). Raises OutputError naming the path and the reason.

    With `follow_symlinks` False a symlink at `path` is replaced by the new file, never
    written through: for files whose names the program chooses inside a folder that
    someone else may have planted links in.

    `mode` sets the new file's permissions (the file is never readable by others before
    they are set); `exclusive` refuses to replace an existing file (or link), atomically:
    the complete new file is linked into place, which fails if the name is taken."""
    parts: Iterable[bytes | memoryview]
    if isinstance(content, str):
        parts = [content.encode("utf-8")]
    elif isinstance(content, bytes | memoryview):
        parts = [content]
    else:
        parts = content
    target = Path(path) if exclusive else output_target(path, follow_symlinks)
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent
        )
        with os.fdopen(descriptor, "wb") as stream:
            for part in parts:
                stream.write(part)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            os.chmod(temporary, _new_file_mode(target) if not target.is_symlink() else _NEW_MODE)
        if exclusive:
            try:
                os.link(temporary, target, follow_symlinks=False)
            except FileExistsError:
                raise OutputError(f"cannot write {path}: it exists already") from None
        else:
            os.replace(temporary, target)
            temporary = None
        _fsync_folder(target.parent)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe_os_error(error)}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return target


@contextlib.contextmanager
def streaming_atomically(
    path: str | os.PathLike[str], *, follow_symlinks: bool = True
) -> Iterator[BinaryIO]:
    """A binary stream to write `path` atomically piece by piece, as the pieces are made.

    The stream is a temporary file in the target's folder. When the block ends normally
    it is fsynced and renamed over the target (as `write_atomically` does); when the
    block raises (an error in the data found half-way, a full disk, an interruption) the
    temporary file is removed and the target is left as it was. A kill -9 leaves at most
    the temporary file, never a partial target. Raises OutputError naming the path and
    the reason when the file cannot be created or written.
    """
    target = output_target(path, follow_symlinks)
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent
        )
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _new_file_mode(target) if not target.is_symlink() else _NEW_MODE)
        os.replace(temporary, target)
        temporary = None
        _fsync_folder(target.parent)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {describe_os_error(error)}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _new_file_mode(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets 0o666 less the umask, as
    open() would give it (mkstemp creates files readable by the owner only)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def _current_umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask would
    change it for every thread for a moment)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _current_umask()
_NEW_MODE = 0o666 & ~_UMASK


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
