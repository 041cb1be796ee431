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

Leaping (points ballots, whose runs rarely change from step to step and have no ``hi``): a
run far ahead is accepted only when it and the last run are proven to bound every step between
(``mes.same_between``); see ``_leap``. Approval runs scan step by step instead: they reuse the
rounds of the step before, skip by ``hi`` and change every few steps on small elections, where
leaping was measured slower.

Splitting (approval): once this process has run steps for ``SPLIT_AFTER`` seconds (whole
blocks of ``BLOCK`` steps), a forked child takes every other block of the rest. Each process
stops at its own first event, or once it has passed the earliest event either has found
(shared through an anonymous shared page); the outcome is the earliest event. A count that
ends before the deadline never forks, and its outcome does not depend on when the deadline
fell. Splitting is used when the caller allows two jobs (``count(..., jobs=2)``; the command
line does on a machine with two cores) and this process runs one thread (forking a threaded
process is unsafe).
"""

from __future__ import annotations

import math
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, TypeVar

BLOCK = 12  # steps per block: long enough for a process to reuse rounds from step to step
# seconds of steps in this process before forking: the fork, its join and the copy-on-write
# faults it causes in both processes cost about 5 ms (Lodz 2023 Srodmiescie-Wschod), more
# than the whole count of most elections
SPLIT_AFTER = 0.02
NONE = 2**62  # "no event yet" in the shared page

OVER, FINAL = "over", "final"


@dataclass(frozen=True)
class Steps:
    """Step 0 is ``first``; step k >= 1 is ``base + k`` (``base = first`` or its floor).

    Runs give their ``hi`` and aims per unit of scaled weight (weights are scaled to whole
    numbers by ``scale``), that is ``scale`` times smaller than the steps' shares.
    """

    first: Fraction
    base: Fraction
    scale: int = 1

    def share(self, k: int) -> Fraction:
        return self.first if k == 0 else self.base + k

    def last_below(self, share: float) -> int:
        """The last step whose share is at most ``share`` (scaled; 0 if none)."""
        return max(0, math.floor(share * self.scale - float(self.base)))

    def same_until(self, k: int, hi: float) -> int | None:
        """Last step whose share is below ``hi`` (scaled; so gives step k's run); None:
        every step."""
        if hi == math.inf:
            return None
        return max(k, math.ceil(Fraction(hi) * self.scale - self.base) - 1)


Run = TypeVar("Run")  # what ``evaluate`` returns for a step (a MES run)


def search(
    steps: Steps,
    evaluate: Callable[[int, int], tuple[Run, str | None]],
    jobs: int = 1,
    certify: Callable[[Run, Run], tuple[bool, float | None]] | None = None,
) -> tuple[int, str]:
    """The first step with an event, and the event.

    ``evaluate(k, next_k)`` runs step k (``next_k``: the next step this process may ask for)
    and returns the run and its event (None, OVER or FINAL); a run with no event has ``hi``.
    ``certify(a, b)``, where given, tells whether every share from run a's to run b's
    certainly gives run a, and where to aim next: if so, the share up to which run b is
    expected to last; if not, the share where a's run is expected to change (None: no
    estimate). The search then leaps (see ``_leap``) on one core.
    """
    if certify is not None:
        return _leap(steps, evaluate, certify)
    split = jobs >= 2 and can_fork()
    deadline = time.perf_counter() + SPLIT_AFTER
    k = 0
    while True:  # a block at a time, until an event or, with two cores, until the deadline
        found, k = _scan(
            steps,
            evaluate,
            range_end=(k // BLOCK + 1) * BLOCK,
            own=lambda k: True,
            limit=None,
            start=k,
        )
        if found is not None:
            return found
        if split and time.perf_counter() >= deadline:
            return _split(steps, evaluate, k)


def can_fork() -> bool:
    """Whether a second process may be forked: never from a process running threads (a
    threaded web server), whatever the caller asked for."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _scan(
    steps: Steps,
    evaluate,
    *,
    range_end: int | None,
    own: Callable[[int], bool],
    limit: SharedMin | None,
    start: int = 0,
) -> tuple[tuple[int, str] | None, int]:
    """Visit own steps from ``start`` in order, skipping repeats, up to the first event; and
    the next step to visit (when it ends without an event)."""
    k = _next_own(start, own)
    while range_end is None or k < range_end:
        if limit is not None and k >= limit.get():
            return None, k  # the other process has found an earlier event
        following = _next_own(k + 1, own)
        run, event = evaluate(k, following)
        if event is not None:
            if limit is not None:
                limit.offer(k)
            return (k, event), k
        same = steps.same_until(k, run.hi)
        if same is None:  # every larger share repeats this run: it never changes again
            return (k, FINAL), k
        k = _next_own(max(same + 1, following), own)
    return None, k


class _Lasting(Protocol):
    hi: float  # every share below this (per unit of weight) gives the same run


# why complex: the leap search's one loop: probe, prove or bound, move (see the docstring)
def _leap(steps: Steps, evaluate, certify) -> tuple[int, str]:
    """The first step with an event, visiting few steps when runs rarely change.

    Steps before ``k`` are known to give no event, the last of them run ``anchor``. A probe
    at ``t > k`` that ``certify`` proves gives the anchor's run proves every step up to ``t``
    gives it too, so the search moves past ``t``, and leaps on as far as the run is expected
    to last (``_aim``; with no proven pair yet, two steps). A probe that proves nothing (the
    run changed somewhere, or the bounds were too loose) bounds the next probes: the first
    goes where the change is expected, the others halve the distance, down to step ``k``
    itself, whose event counts.
    """
    k, anchor, leap = 0, None, 1
    failed: int | None = None
    failed_run: tuple[_Lasting, str | None] | None = None
    guess: float | None = None
    while True:
        t = _probe(steps, k, anchor, leap, failed, guess)
        if t == failed:  # the bisection can end on the failed probe itself, already run
            assert failed_run is not None, "failed and failed_run are set together"
            run, event = failed_run
        else:
            run, event = evaluate(t, t + 1)
        expected: float | None = None
        proven, expected = certify(anchor, run) if anchor is not None else (False, None)
        if t > k:
            if proven:
                k, anchor, leap = t + 1, run, _aim(steps, leap, expected, t)
            else:  # aim at the expected change once; halve after that
                guess = expected if failed is None else None
                failed, failed_run = t, (run, event)
            continue
        if event is not None:
            return k, event
        last = steps.same_until(k, run.hi)
        if last is None:
            return k, FINAL
        leap = _aim(steps, leap, expected, last) if proven else 2
        k, anchor, guess = last + 1, run, None
        if failed is not None and failed < k:
            failed = None  # else the change lies between here and the failed probe


def _probe(steps: Steps, k: int, anchor, leap: int, failed: int | None, guess: float | None) -> int:
    """The next step to run: short of a failed probe, where the change is expected or else
    halfway; with no failed probe, ``leap`` steps past the anchor's (step ``k`` itself when
    there is no anchor)."""
    if failed is not None:  # never below k: a proven probe just short of it makes k == failed
        if guess is not None:
            return max(k, min(steps.last_below(guess), failed - 1))
        return (k + failed) // 2
    return k if anchor is None else k - 1 + leap


def _aim(steps: Steps, leap: int, reach: float | None, t: int) -> int:
    """The next leap from step ``t``: to the last step expected to repeat its run, at most
    four times the last leap (twice when there is no estimate; 1 is the next step)."""
    if reach is None or reach == math.inf:
        return 2 * leap
    return max(1, min(4 * leap, steps.last_below(reach) - t))


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


# why complex: the fork, and each way the child can end (found, none, failed)
def _split(steps: Steps, evaluate, start: int) -> tuple[int, str]:
    limit = SharedMin()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: even blocks; report its first event and leave at once
        os.close(read)
        try:
            found, _ = _scan(steps, evaluate, range_end=None, own=_even, limit=limit, start=start)
            os.write(write, (f"{found[0]} {found[1]}" if found else "none").encode())
        finally:
            os._exit(0)  # no cleanup: the parent's files, sockets and atexit hooks are its own
    os.close(write)
    try:
        mine, _ = _scan(steps, evaluate, range_end=None, own=_odd, limit=limit, start=start)
        reply = _read_all(read)
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    theirs = _parse(reply)
    if theirs is None and mine is None:  # the child failed: do its blocks here
        found, _ = _scan(
            steps, evaluate, range_end=None, own=lambda k: True, limit=None, start=start
        )
        assert found is not None, "with no end and no limit, a scan stops only at an event"
        return found
    if theirs is None:
        assert mine is not None, "the case of neither returned above"
        if reply.strip() != "none":  # failed child: its blocks before ours must be redone
            earlier, _ = _scan(
                steps, evaluate, range_end=mine[0], own=_even, limit=None, start=start
            )
            return earlier or mine
        return mine
    return theirs if mine is None or theirs[0] < mine[0] else mine


def _even(k: int) -> bool:
    return k // BLOCK % 2 == 0


def _odd(k: int) -> bool:
    return k // BLOCK % 2 == 1


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode()


def _parse(reply: str) -> tuple[int, str] | None:
    step, _, event = reply.strip().partition(" ")
    return (int(step), event) if step.isdigit() and event in (OVER, FINAL) else None
