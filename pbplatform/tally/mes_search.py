"""The add1 completions of the Method of Equal Shares, on one core or two.

Both completions raise each voter's share step by step, one currency unit at a time:

- ``equalshares/add1`` (Pabulib): budget / voters, then floor(budget / voters) + 1, + 2, ...;
- ``equalshares/add1-until-exhaustive`` (pabutools' ``voter_budget_increment=1``):
  budget / voters, + 1, + 2, ...

and stop at the first step with an *event*: the run goes over budget (the previous step's run
is the outcome), or nothing more can change (every supported project funded, the outcome is
exhaustive, or no larger share changes the run; this step's run is the outcome). The reported
share is therefore that of the first event's step, or of the step just before it: the largest
share that still fits. It does not depend on how the steps were visited, which is what lets
the search skip steps that certainly repeat a run (``hi``) and split the steps between two
processes and still give the very same outcome and explanation.

Splitting: after a first block of steps in this process, a forked child takes every other
block of ``BLOCK`` steps. Each process stops at its own first event, or once it has passed
the earliest event either has found (shared through an anonymous shared page); the outcome is
the earliest event. It is used when the machine has two cores, this process runs one thread
(forking a threaded process is unsafe) and ``PBP_TALLY_JOBS`` is not ``1``.
"""

from __future__ import annotations

import math
import mmap
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

BLOCK = 12  # steps per block: long enough for a process to reuse rounds from step to step
NONE = 2**62  # "no event yet" in the shared page

OVER, FINAL = "over", "final"


@dataclass(frozen=True)
class Steps:
    """Step 0 is ``first``; step k >= 1 is ``base + k`` (``base = first`` or its floor)."""

    first: Fraction
    base: Fraction

    def share(self, k: int) -> Fraction:
        return self.first if k == 0 else self.base + k

    def same_until(self, k: int, hi: float) -> int | None:
        """Last step whose share is below ``hi`` (so gives step k's run); None: every step."""
        if hi == math.inf:
            return None
        return max(k, math.ceil(Fraction(hi) - self.base) - 1)


def search(steps: Steps, evaluate: Callable[[int, int], tuple[object, str | None]],
           jobs: int | None = None) -> tuple[int, str]:
    """The first step with an event, and the event.

    ``evaluate(k, next_k)`` runs step k (``next_k``: the next step this process may ask for)
    and returns the run and its event (None, OVER or FINAL); a run with no event has ``hi``.
    """
    found = _scan(steps, evaluate, range_end=BLOCK, own=lambda k: True, limit=None)
    if found is not None:
        return found
    if (jobs or default_jobs()) < 2:
        return _scan(steps, evaluate, range_end=None, own=lambda k: True, limit=None, start=BLOCK)
    return _split(steps, evaluate)


def default_jobs() -> int:
    wanted = os.environ.get("PBP_TALLY_JOBS", "")
    if wanted.isdigit():
        return int(wanted)
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    return min(2, os.cpu_count() or 1)


def _scan(steps: Steps, evaluate, *, range_end: int | None, own: Callable[[int], bool],
          limit: SharedMin | None, start: int = 0) -> tuple[int, str] | None:
    """Visit own steps from ``start`` in order, skipping repeats, up to the first event."""
    k = _next_own(start, own)
    while range_end is None or k < range_end:
        if limit is not None and k >= limit.get():
            return None  # the other process has found an earlier event
        following = _next_own(k + 1, own)
        run, event = evaluate(k, following)
        if event is not None:
            if limit is not None:
                limit.offer(k)
            return k, event
        same = steps.same_until(k, run.hi)
        if same is None:  # every larger share repeats this run: it never changes again
            return k, FINAL
        k = _next_own(max(same + 1, following), own)
    return None


def _next_own(k: int, own: Callable[[int], bool]) -> int:
    while not own(k):
        k += BLOCK - k % BLOCK  # start of the next block
    return k


class SharedMin:
    """The earliest event step found so far, in a page both processes see."""

    def __init__(self) -> None:
        self.page = mmap.mmap(-1, 8)
        self.page[:] = struct.pack("q", NONE)

    def get(self) -> int:
        return struct.unpack("q", self.page[:])[0]

    def offer(self, k: int) -> None:
        # a lost race can only leave a later step here, which costs work, never correctness
        if k < self.get():
            self.page[:] = struct.pack("q", k)


def _split(steps: Steps, evaluate) -> tuple[int, str]:
    limit = SharedMin()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: even blocks; report its first event and leave at once
        os.close(read)
        try:
            found = _scan(steps, evaluate, range_end=None, own=lambda k: k // BLOCK % 2 == 0,
                          limit=limit, start=BLOCK)
            os.write(write, (f"{found[0]} {found[1]}" if found else "none").encode())
        finally:
            os._exit(0)  # no cleanup: the parent's files, sockets and atexit hooks are its own
    os.close(write)
    try:
        mine = _scan(steps, evaluate, range_end=None, own=lambda k: k // BLOCK % 2 == 1,
                     limit=limit, start=BLOCK)
        reply = _read_all(read)
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    theirs = _parse(reply)
    if theirs is None and mine is None:  # the child failed: do its blocks here
        return _scan(steps, evaluate, range_end=None, own=lambda k: True, limit=None,
                     start=BLOCK)
    if theirs is None:
        if reply.strip() != "none":  # failed child: its blocks before ours must be redone
            earlier = _scan(steps, evaluate, range_end=mine[0],
                            own=lambda k: k // BLOCK % 2 == 0, limit=None, start=BLOCK)
            return earlier or mine
        return mine
    return theirs if mine is None or theirs[0] < mine[0] else mine


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def _parse(reply: str) -> tuple[int, str] | None:
    step, _, event = reply.strip().partition(" ")
    return (int(step), event) if step.isdigit() and event in (OVER, FINAL) else None
