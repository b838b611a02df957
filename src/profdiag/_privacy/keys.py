"""The pseudonymisation key: 256 random bits in a file only its owner may read.

The file holds one line, the key as 64 hexadecimal digits. It is written once (never
replaced) with mode 0600, and refused when read if group or others have any permission on
it: whoever holds the key can re-identify every pseudonym made with it.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from profdiag._io.atomic import describe_os_error, write_atomically
from profdiag.errors import ArgumentError

__all__ = ["KEY_BYTES", "check_key", "generate_key", "read_key"]

KEY_BYTES = 32
_KEY_FILE_MODE = 0o600
_LONGEST_KEY_FILE = 1024


def generate_key(path: str | os.PathLike[str]) -> Path:
    """Write a new random 256-bit pseudonymisation key to a new file readable by its
    owner only.

    The key comes from the operating system's cryptographic random source (`secrets`) and
    is written as 64 hexadecimal digits on one line, to a file created with mode 0600. An
    existing file is never replaced: a key replaced by mistake would break the link
    between pseudonyms made before and after. Keep the key apart from the data (another
    medium, another person's custody): with it, pseudonyms can be traced back to ids.

    Parameters
    ----------
    path
        The key file to create; its folder must exist.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        The file exists already, or cannot be written (missing folder, permissions, full
        disk); nothing is left behind.

    Examples
    --------
    >>> import os, tempfile
    >>> from profdiag import generate_key
    >>> folder = tempfile.mkdtemp()
    >>> key_file = generate_key(os.path.join(folder, "monitoring.key"))
    >>> oct(os.stat(key_file).st_mode & 0o777), len(key_file.read_text().strip())
    ('0o600', 64)
    """
    key = secrets.token_bytes(KEY_BYTES)
    return write_atomically(path, key.hex() + "\n", mode=_KEY_FILE_MODE, exclusive=True)


def read_key(path: str | os.PathLike[str]) -> bytes:
    """The key in a key file written by `generate_key`.

    Raises
    ------
    ArgumentError
        The file is missing or unreadable, is not a regular file, may be read or changed
        by group or others (POSIX permissions), or does not hold 64 hexadecimal digits.
        The message never shows the file's content.
    """
    source = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        if os.path.islink(path):
            raise ArgumentError(
                f"key file {source} is a symbolic link; give the key file itself"
            ) from None
        raise ArgumentError(f"cannot read key file {source}: {describe_os_error(error)}") from None
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise ArgumentError(f"key file {source} is not a regular file")
        permissions = stat.S_IMODE(status.st_mode)
        if os.name == "posix" and permissions & 0o077:
            raise ArgumentError(
                f"key file {source} may be read or changed by other users (mode "
                f"{permissions:04o}); the key must be readable by its owner only: "
                f"restrict it (chmod 600 {source}) and check who has had access to it"
            )
        content = stream.read(_LONGEST_KEY_FILE + 1)
    text = content.decode("ascii", errors="replace").strip()
    if len(content) > _LONGEST_KEY_FILE or len(text) != 2 * KEY_BYTES:
        raise ArgumentError(
            f"key file {source} does not hold a key: expected {2 * KEY_BYTES} hexadecimal "
            "digits on one line, as generate_key writes"
        )
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ArgumentError(
            f"key file {source} does not hold a key: expected {2 * KEY_BYTES} hexadecimal "
            "digits on one line, as generate_key writes"
        ) from None


def check_key(key: bytes) -> bytes:
    """A key given as bytes must be at least 256 bits long."""
    if not isinstance(key, bytes) or len(key) < KEY_BYTES:
        raise ArgumentError(
            f"a pseudonymisation key is at least {KEY_BYTES} bytes (256 bits); "
            f"got {len(key) if isinstance(key, bytes) else type(key).__name__}"
        )
    return key
