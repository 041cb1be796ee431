"""The optional compiled modules of the count: the kernel of the certified float MES runs
(``_kernel.c``) and the reader and grouper of approval ballots (``_ballots.c``).

They are built at install time when a C compiler is there, and skipped otherwise. Every
function in them ports one pure-Python/numpy function, which stays the reference and the
fallback. The kernel's take certified decisions only (each bound is checked, and an unsure
run goes to the exact method), so they give the same outcomes; the kernel only saves the
fixed cost of many small numpy calls, which dominates the hundreds of runs of an add1 count on
a small election. The reader answers "unsure" on anything but plain, well-formed ballots,
which the pure reader then reads (and names the line of any fault).

Which path a count takes is an argument of ``count`` and ``read_pabulib`` (``engine``:
``"auto"``, ``"python"`` or ``"compiled"``), applied here for the duration of that call; only
the command line reads ``PBP_TALLY_KERNEL``. The tests run both paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType

import numpy as np

try:
    from . import _kernel  # type: ignore[attr-defined]
except ImportError:  # built without a C compiler
    _kernel = None
try:
    from . import _ballots  # type: ignore[attr-defined]
except ImportError:
    _ballots = None


def rows_of(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nonzero columns in one flat list, as the kernel takes them: ``offsets``
    (rows + 1) and ``columns``, row r's being ``columns[offsets[r]:offsets[r + 1]]``."""
    n_rows, n_cols = matrix.shape
    # positions in the raveled matrix: several times faster than np.nonzero's index pairs
    at = np.flatnonzero(np.ascontiguousarray(matrix).ravel())
    offsets = np.searchsorted(at, np.arange(n_rows + 1, dtype=np.int64) * n_cols)
    return offsets.astype(np.int64), (at % n_cols if n_cols else at).astype(np.int64)


ENGINES = ("auto", "python", "compiled")
# the engine of the count running in this context (None: the process default); a context
# variable, so that a count on one thread cannot switch another's
_engine: ContextVar[str | None] = ContextVar("pbp_tally_engine", default=None)
_default = "auto"


def built() -> bool:
    return _kernel is not None and _ballots is not None


def _check(engine: str) -> None:
    from ..model import TallyConfigError

    if engine not in ENGINES:
        raise TallyConfigError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "compiled" and not built():
        raise TallyConfigError("the compiled modules are not built here; use engine 'auto'")


@contextmanager
def using(engine: str | None) -> Iterator[None]:
    """Run what the block counts on ``engine`` (None: keep the current one)."""
    if engine is None:
        yield
        return
    _check(engine)
    token = _engine.set(engine)
    try:
        yield
    finally:
        _engine.reset(token)


def set_default(engine: str) -> None:
    """The engine of every count that names none (the test suite's pure-Python run)."""
    global _default
    _check(engine)
    _default = engine


def _python() -> bool:
    return (_engine.get() or _default) == "python"


def active() -> ModuleType | None:
    """The compiled kernel, unless absent or the count runs on the Python engine."""
    return None if _python() else _kernel


def ballots() -> ModuleType | None:
    """The compiled reader of approval ballots (``_ballots.c``), on the same terms."""
    return None if _python() else _ballots
