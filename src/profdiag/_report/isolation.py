"""Running jobs in forked worker processes with a time and a memory limit each.

A worker is forked from the caller (so it shares everything already loaded: fonts,
compiled templates, the profiles), takes one job at a time by index over a pipe and sends
back its result. Inside a worker

- the address space may grow by at most `Limits.memory` bytes past what the worker held
  when it started (``RLIMIT_AS``, Linux): a bigger allocation fails with MemoryError, or
  kills the worker if a C library cannot cope;
- each job has `Limits.seconds` of wall-clock time: an interval timer raises
  `TimeLimitExceeded` in the job; a job that does not answer within a grace period after
  that (stuck in C code) is killed by the caller;
- Ctrl-C is ignored (the caller stops its workers), core dumps are off, and
  ``SOURCE_DATE_EPOCH`` is fixed (see `profdiag._report.render`).

The caller sees every failure as a ReportError: a job's own error, a job past its time,
a worker that died. Any failure stops the remaining jobs; workers never outlive a call.
"""

from __future__ import annotations

import contextlib
import gc
import math
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any, TypeVar

from profdiag.errors import ReportError

T = TypeVar("T")

GRACE_SECONDS = 5.0
"""How long past its time limit a job may stay silent before its worker is killed."""


@dataclass(frozen=True)
class Limits:
    """Per job: wall-clock seconds, and bytes of address space on top of the worker's."""

    seconds: float
    memory: int


class TimeLimitExceeded(BaseException):
    """Raised inside a job that ran past its time limit. A BaseException, so that code
    catching Exception (in a template library, say) cannot swallow it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"ran past its time limit of {format_seconds(seconds)}")


def format_seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def format_bytes(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in the calling (main) thread after `seconds`."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limit_memory(extra: int) -> None:
    """Let this process's address space grow by at most `extra` bytes (Linux only; a no-op
    where the current size cannot be read)."""
    import resource

    current = _address_space()
    if current is None:
        return
    limit = current + extra
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _prepare_worker(limits: Limits, environment: dict[str, str]) -> None:
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.environ.update(environment)
    limit_memory(limits.memory)
    # What the worker inherited lives as long as it does: keep it out of the collector's
    # full passes (and its pages shared with the caller).
    gc.freeze()


def _worker(
    connection: Connection,
    job: Callable[[int], Any],
    limits: Limits,
    environment: dict[str, str],
) -> None:
    _prepare_worker(limits, environment)
    while True:
        try:
            index = connection.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        message: tuple[str, int, Any]
        try:
            with time_limit(limits.seconds):
                message = ("done", index, job(index))
        except ReportError as error:
            message = ("failed", index, str(error))
        except TimeLimitExceeded as error:
            message = ("failed", index, str(error))
        except BaseException as error:  # a worker reports, never raises
            message = ("failed", index, f"{type(error).__name__}: {error}")
        try:
            connection.send(message)
        except (OSError, ValueError):  # the caller has gone
            return
        except Exception as error:  # a result that cannot be pickled
            connection.send(("failed", index, f"its result cannot be sent back ({error})"))


@dataclass
class _Worker:
    process: Any  # multiprocessing's forked Process
    connection: Connection
    index: int | None = None
    deadline: float = math.inf


def run_in_workers(
    count: int,
    job: Callable[[int], T],
    done: Callable[[int, T], None],
    *,
    workers: int,
    limits: Limits,
    describe: Callable[[int], str],
    environment: dict[str, str] | None = None,
    grace: float = GRACE_SECONDS,
) -> None:
    """Run ``job(0) ... job(count - 1)`` on up to `workers` forked processes and call
    ``done(index, result)`` in the caller as each finishes (in any order).

    `describe(index)` names a job in error messages ("the report for profile 3 ('a1')").
    `environment` is set in each worker's os.environ (never in the caller's). A job
    silent `grace` seconds past its time limit has its worker killed.
    Raises ReportError on the first failure, after stopping every worker; an exception
    raised by `done` stops them too and propagates.
    """
    if count == 0:
        return
    context = multiprocessing.get_context("fork")
    pending = deque(range(count))
    pool: list[_Worker] = []
    try:
        for _ in range(max(1, min(workers, count))):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_worker, args=(theirs, job, limits, environment or {}), daemon=True
            )
            process.start()
            theirs.close()
            worker: _Worker = _Worker(process, ours)
            pool.append(worker)
            _assign(worker, pending, limits.seconds + grace)
        while busy := [worker for worker in pool if worker.index is not None]:
            timeout = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
            ready = wait(
                [worker.connection for worker in busy]
                + [worker.process.sentinel for worker in busy],
                timeout=timeout,
            )
            for worker in busy:
                if worker.connection in ready or worker.process.sentinel in ready:
                    index, result = _collect(worker, describe, limits)
                    # the worker starts its next job while the caller stores this result
                    _assign(worker, pending, limits.seconds + grace)
                    done(index, result)
                elif time.monotonic() > worker.deadline:
                    assert worker.index is not None
                    raise ReportError(
                        f"{describe(worker.index)}: ran past its time limit of "
                        f"{format_seconds(limits.seconds)} and did not stop; it was killed"
                    )
    finally:
        _stop(pool)


def _assign(worker: _Worker, pending: deque[int], seconds: float) -> None:
    if pending:
        worker.index = pending.popleft()
        worker.deadline = time.monotonic() + seconds
        # a worker that died already shows up as a closed pipe at the next wait()
        with contextlib.suppress(OSError, ValueError):
            worker.connection.send(worker.index)
    else:
        worker.index = None
        worker.deadline = math.inf
        with contextlib.suppress(OSError, ValueError):
            worker.connection.send(None)


def _collect(worker: _Worker, describe: Callable[[int], str], limits: Limits) -> tuple[int, Any]:
    """The finished job's index and result; a ReportError if it failed or its worker died."""
    index = worker.index
    assert index is not None
    try:
        status, answered, value = worker.connection.recv()
    except (EOFError, OSError):
        worker.process.join(1.0)
        raise ReportError(
            f"{describe(index)}: the rendering process stopped unexpectedly "
            f"({_how_it_ended(worker.process.exitcode)}); it may have needed more than "
            f"its memory limit of {format_bytes(limits.memory)}, or been killed"
        ) from None
    assert answered == index
    if status == "failed":
        raise ReportError(f"{describe(index)}: {value}")
    return index, value


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


def _stop(pool: list[_Worker]) -> None:
    for worker in pool:
        if worker.index is not None and worker.process.is_alive():
            worker.process.kill()
    deadline = time.monotonic() + 2.0
    for worker in pool:
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()
