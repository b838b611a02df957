"""Process-level faults: a real `profdiag` process, killed during a write, interrupted,
with a closed or full standard output, a file size limit, a read-only folder or without
root's power to read any file."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import shutil
import signal
import stat
import subprocess
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from hostile.model import Case, Driver, expand
from hostile.runner import Run, finish, start

IS_ROOT = os.geteuid() == 0


def plain(case: Case, args: list[str], folder: Path) -> Run:
    return finish(start(args, folder), folder, case.timeout)


def with_file_size_limit(limit: int) -> Driver:
    """RLIMIT_FSIZE: a write past `limit` bytes fails with EFBIG (Python ignores SIGXFSZ)."""

    def driver(case: Case, args: list[str], folder: Path) -> Run:
        return finish(start(args, folder, file_size=limit), folder, case.timeout)

    return driver


# ---------------------------------------------------------------------------------------
# Permissions: root reads and writes anything, so these run without the capabilities that
# let it (setpriv drops them from the bounding set before exec).

_UNPRIVILEGED = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--")
_PRIVATE_NAMESPACE = ("unshare", "-m", "--propagation", "private")


@lru_cache(maxsize=1)
def unprivileged_reason() -> str | None:
    if not IS_ROOT:
        return None
    if shutil.which("setpriv") is None:
        return "running as root without setpriv: file permissions cannot stop root"
    probe = subprocess.run([*_UNPRIVILEGED, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "setpriv cannot drop root's file-permission capabilities here"
    return None


def unprivileged(case: Case, args: list[str], folder: Path) -> Run:
    wrap = _UNPRIVILEGED if IS_ROOT else ()
    return finish(start(args, folder, wrap=wrap), folder, case.timeout)


def chmod(name: str, mode: int) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        os.chmod(Path(expand(name, folder)), mode)

    return setup


@lru_cache(maxsize=1)
def read_only_reason() -> str | None:
    if not IS_ROOT:
        return "a read-only bind mount needs root (chmod cases cover the rest)"
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "unshare or mount is not available"
    with tempfile.TemporaryDirectory() as folder:
        probe = subprocess.run(
            [*_PRIVATE_NAMESPACE, "sh", "-c", 'mount --bind -o ro "$1" "$1"', "sh", folder],
            capture_output=True,
            check=False,
        )
    if probe.returncode != 0:
        return "cannot bind-mount a folder read-only in a private mount namespace here"
    return None


def read_only(subfolder: str) -> Driver:
    """Run with `subfolder` bind-mounted read-only in a private mount namespace (the
    mount ends with the process; nothing outside it sees the change)."""

    def driver(case: Case, args: list[str], folder: Path) -> Run:
        target = expand(subfolder, folder)
        script = 'mount --bind -o ro "$1" "$1" || exit 97; shift; exec "$@"'
        wrap = (*_PRIVATE_NAMESPACE, "sh", "-c", script, "sh", target)
        run = finish(start(args, folder, wrap=wrap), folder, case.timeout)
        if run.exit_code == 97:
            run.notes.append("the read-only bind mount failed")
        return run

    return driver


@lru_cache(maxsize=1)
def mknod_reason() -> str | None:
    """A device node needs root (CAP_MKNOD) and a file system that allows devices."""
    with tempfile.TemporaryDirectory() as folder:
        try:
            os.mknod(Path(folder, "full"), 0o666 | stat.S_IFCHR, os.makedev(1, 7))
            with open(Path(folder, "full"), "wb") as stream:
                stream.write(b"x")
                stream.flush()
        except OSError as error:
            if error.errno == errno.ENOSPC:
                return None
            return f"cannot make a /dev/full node in a temporary folder ({error.strerror})"
    return "a device node made here does not act as /dev/full"


def full_device(name: str) -> Callable[[Path], None]:
    """A character device like /dev/full (1, 7) inside the case folder: writes fail with
    ENOSPC, and a writer that wrongly renames over it replaces only this node."""

    def setup(folder: Path) -> None:
        path = Path(expand(name, folder))
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))

    return setup


# ---------------------------------------------------------------------------------------
# Standard output that fails


def stdout_full(case: Case, args: list[str], folder: Path) -> Run:
    """Standard output is /dev/full: every write fails with ENOSPC."""
    with open("/dev/full", "wb") as full:
        process = start(args, folder, stdout=full.fileno())
    return finish(process, folder, case.timeout)


def stdout_closed(case: Case, args: list[str], folder: Path) -> Run:
    """Standard output is a pipe whose reader has gone (`profdiag ... | head -0`)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        process = start(args, folder, stdout=writer)
    finally:
        os.close(writer)
    run = finish(process, folder, case.timeout)
    if run.killed_by == signal.SIGPIPE:
        run.intended_signal = True  # the Unix way to stop a writer whose reader has gone
    return run


def stdin_from(name: str) -> Driver:
    def driver(case: Case, args: list[str], folder: Path) -> Run:
        with open(expand(name, folder), "rb") as stream:
            process = start(args, folder, stdin=stream.fileno())
        return finish(process, folder, case.timeout)

    return driver


# ---------------------------------------------------------------------------------------
# Signals


# Put on the child's PYTHONPATH as sitecustomize: the moment a file in the watched folder is
# opened for writing (the output itself, or a temporary file beside it), an interval timer
# starts; half a millisecond later SIGALRM, whose default action ends the process at once
# (as kill -9 does: no Python code runs), lands in the middle of the write. The timer runs
# in the kernel, so the kill does not wait for the writing thread to let go of the GIL.
_KILL_HOOK = """
import os, signal, sys

_folder = os.environ.get("HOSTILE_KILL_FOLDER")
_delay = float(os.environ.get("HOSTILE_KILL_DELAY", "0.0005"))
_armed = []


def _writes(mode, flags):
    if isinstance(mode, str):
        return any(mark in mode for mark in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR))


def _hook(event, args):
    if event != "open" or _armed or not _folder:
        return
    path, mode, flags = args
    if not isinstance(path, (str, bytes)) or not _writes(mode, flags):
        return
    if os.path.dirname(os.path.abspath(os.fsdecode(path))) == _folder:
        _armed.append(path)
        signal.setitimer(signal.ITIMER_REAL, _delay)


if _folder:
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    sys.addaudithook(_hook)
"""


def killed_during_write(output_folder: str) -> Driver:
    """End the process abruptly while it writes into `output_folder` (see _KILL_HOOK)."""

    def driver(case: Case, args: list[str], folder: Path) -> Run:
        with tempfile.TemporaryDirectory() as hook_folder:
            Path(hook_folder, "sitecustomize.py").write_text(_KILL_HOOK, encoding="utf-8")
            env = {"HOSTILE_KILL_FOLDER": os.path.realpath(expand(output_folder, folder))}
            run = finish(start(args, folder, extra_path=hook_folder, env=env), folder, case.timeout)
        if run.killed_by == signal.SIGALRM:
            run.intended_signal = True
        else:
            run.notes.append("the process was not killed during the write")
        return run

    return driver


_IN_OPEN = 0x20
_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    return libc if hasattr(libc, "inotify_init1") else None


def inotify_reason() -> str | None:
    return None if _libc() is not None else "inotify is not available"


def interrupt_when_opened(input_name: str, sig: int = signal.SIGINT) -> Driver:
    """Send `sig` as soon as the process opens `input_name` (inotify IN_OPEN): the command
    is then surely running (not importing) and has its reading and scoring still ahead."""

    def driver(case: Case, args: list[str], folder: Path) -> Run:
        libc = _libc()
        assert libc is not None
        watch = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if watch < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        try:
            path = os.fsencode(expand(input_name, folder))
            if libc.inotify_add_watch(watch, path, _IN_OPEN) < 0:
                raise OSError(ctypes.get_errno(), "inotify_add_watch")
            process = start(args, folder)
            sent = False
            while process.poll() is None and process.elapsed() < case.timeout:
                ready, _, _ = select.select([watch], [], [], 0.05)
                if ready:
                    try:
                        os.read(watch, 4096)
                    except BlockingIOError:
                        continue
                    os.kill(process.pid, sig)
                    sent = True
                    break
            run = finish(process, folder, case.timeout)
        finally:
            os.close(watch)
        if run.killed_by == sig:
            run.intended_signal = True  # ending by the signal itself is a clean way to stop
        if not sent:
            run.notes.append("the input was never opened")
        return run

    return driver
