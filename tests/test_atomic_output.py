"""Outputs are atomic: the previous file or the complete new one, never a truncated file."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from profdiag._io import atomic
from profdiag._io.atomic import write_atomically
from profdiag.errors import OutputError


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_writes_text_and_bytes(tmp_path: Path) -> None:
    write_atomically(tmp_path / "a.txt", "привет\n")
    write_atomically(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "привет\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


def test_new_file_gets_the_usual_permissions_and_old_ones_are_kept(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.csv"
        write_atomically(fresh, "x")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644 & ~atomic._UMASK
        kept = tmp_path / "kept.csv"
        kept.write_text("old")
        kept.chmod(0o600)
        write_atomically(kept, "new")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    finally:
        os.umask(umask)


def test_a_failure_while_writing_leaves_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("previous, complete\n")

    def disk_full(_: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OutputError, match=r"scores\.csv: the disk is full"):
        write_atomically(target, "new content that never lands\n" * 1000)
    assert target.read_text() == "previous, complete\n"
    assert leftovers(tmp_path) == []


def test_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder"):
        write_atomically(tmp_path, "x")
    if Path("/dev/full").exists():
        with pytest.raises(OutputError, match="not a regular file"):
            write_atomically("/dev/full", "x")
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # the device is still there


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="the folder does not exist"):
        write_atomically(tmp_path / "no" / "such" / "file.csv", "x")


def test_permission_denied_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(OutputError, match="permission denied"):
        write_atomically(tmp_path / "x.csv", "x")


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    written = write_atomically(link, "new")
    assert written == real
    assert link.is_symlink()
    assert real.read_text() == "new"


_WRITER = """
import hashlib, sys
from profdiag._io.atomic import write_atomically
target = sys.argv[1]
blocks = [bytes([65 + k]) * (8 << 20) for k in range(2)]
k = 0
print("ready", flush=True)
while True:
    write_atomically(target, blocks[k % 2])
    k += 1
"""


@pytest.mark.slow
def test_kill_9_at_random_moments_never_leaves_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    whole = {hashlib.sha256(bytes([65 + k]) * (8 << 20)).hexdigest() for k in range(2)}
    delays = [0.05 + 0.037 * k for k in range(12)]
    for delay in delays:
        process = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
        if target.exists():
            assert hashlib.sha256(target.read_bytes()).hexdigest() in whole
    assert target.exists()
    for stray in leftovers(tmp_path):  # a kill between mkstemp and rename leaves a temp file
        assert stray.startswith(".out.bin.")
