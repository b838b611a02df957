"""The counsellor's PIN: stored as a salted scrypt hash, checked with a growing lockout."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from profdiag._io.atomic import write_atomically
from profdiag.errors import ArgumentError

_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"
MIN_LENGTH = 4


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) for a PIN of at least MIN_LENGTH characters."""
    if len(pin) < MIN_LENGTH:
        raise ArgumentError(f"the PIN has {len(pin)} characters; expected at least {MIN_LENGTH}")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{_PREFIX}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    """True when `pin` hashes to `stored` (compared in constant time)."""
    _, n, r, p, salt, digest = stored.split("$")
    actual = hashlib.scrypt(
        pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(actual, bytes.fromhex(digest))


def write_pin_file(path: Path, pin: str) -> Path:
    """Store the hash of `pin` in `path` (atomically, readable by the owner only)."""
    written = write_atomically(path, hash_pin(pin) + "\n")
    written.chmod(0o600)
    return written


def read_pin_file(path: Path) -> str:
    """The stored hash; ArgumentError when the file is missing or not a PIN file."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ArgumentError(f"{path}: cannot read the PIN file ({error.strerror})") from None
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != _PREFIX or not all(part.isalnum() for part in parts):
        raise ArgumentError(
            f"{path}: not a PIN file (expected one line scrypt$n$r$p$salt$hash, as "
            "written by the kiosk's pin command)"
        )
    return text


@dataclass
class Lockout:
    """Failed PIN attempts per client and in all: after `free` failures each further one
    locks out for a delay that doubles (from `base` seconds, capped at `cap`)."""

    free: int = 5
    global_free: int = 20
    base: float = 2.0
    cap: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, client: str) -> float:
        """Seconds `client` must still wait before the next attempt (0: may try now)."""
        now = self.clock()
        with self._lock:
            waits = [self._until(key) - now for key in (client, "*")]
        return max(0.0, *waits)

    def failed(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            for key, free in ((client, self.free), ("*", self.global_free)):
                count = self._failures.get(key, (0, 0.0))[0] + 1
                delay = 0.0 if count < free else min(self.cap, self.base * 2 ** (count - free))
                self._failures[key] = (count, now + delay)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _until(self, key: str) -> float:
        return self._failures.get(key, (0, -math.inf))[1]
