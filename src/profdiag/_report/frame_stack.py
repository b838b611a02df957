"""Room on CPython's frame stack for WeasyPrint's deep recursion.

CPython 3.11 keeps the frames of Python calls on a stack made of chunks: 16 KiB each,
mapped from the operating system when a call does not fit in the current one and
unmapped again as soon as the call that opened a chunk returns. WeasyPrint lays a
document out by recursing into nested boxes, so its call depth swings across chunk
edges thousands of times per report: a counsellor report cost about 2,300 ``mmap`` /
``munmap`` pairs and 2,700 page faults, some 20 ms of system time (a tenth of the
rendering; docs/performance.md, 4d).

`call_with_room` calls a function from a frame that reserves about 1 MiB of value stack
it never uses. That frame does not fit in a 16 KiB chunk, so CPython maps one chunk big
enough for it (2 MiB, a power of two), and every frame of the call below it fits in the
rest of that chunk: one mapping per call instead of thousands. The reserved slots are
never written, so the memory they stand for is never touched. On other Python versions
the frame is merely large; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

RESERVED_SLOTS = 1 << 17
"""Value-stack slots reserved by the outer frame: 1 MiB of 8-byte slots, so the chunk
CPython maps for it is 2 MiB and leaves about 1 MiB (some 5,000 frames) for the call."""


def call_with_room(function: Callable[[], T]) -> T:
    """``function()``, with its whole call tree in one frame-stack chunk of 2 MiB.

    Examples
    --------
    >>> call_with_room(lambda: sum(range(4)))
    6
    """
    return function()


call_with_room.__code__ = call_with_room.__code__.replace(
    co_stacksize=call_with_room.__code__.co_stacksize + RESERVED_SLOTS
)
