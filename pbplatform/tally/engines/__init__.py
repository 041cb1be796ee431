"""The count's engines: which path a count takes, behind one declared interface.

The ``"python"`` engine is the pure-Python/numpy code of the rules, the reference and the
fallback. The ``"compiled"`` engine is two optional C modules built at install time when a C
compiler is there (``_kernel.c``: the inner loops of the certified float MES and Phragmen
runs; ``_ballots.c``: the reader and grouper of approval ballots). Both are offered to the
rules as one object of the ``Compiled`` interface below, or None on the Python engine. Every
function of it ports one Python function, named in its docstring, which stays the reference:
the kernel takes certified decisions only (each bound is checked, and an unsure run goes to
the exact method), so it gives the same outcomes, and only saves the fixed cost of many small
numpy calls, which dominates the hundreds of runs of an add1 count on a small election. The
reader answers "unsure" (None) on anything but plain, well-formed ballots, which the pure
reader then reads (and names the line of any fault).

Which engine a count takes is an argument of ``count`` and ``read_pabulib`` (``engine``:
``"auto"``, ``"python"`` or ``"compiled"``), applied here for the duration of that call; only
the command line reads ``PBP_TALLY_KERNEL``. The tests run both engines.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType
from typing import Any, Protocol, cast

import numpy as np


class Compiled(Protocol):
    """The compiled engine, as the rules and the reader call it.

    The kernel's functions take the flat supporter lists (``rows_of``) and the state arrays
    of the float run, positionally, as the Python function each ports holds them; they check
    every size and type (``check_supporters`` checks the static lists once) and raise
    ValueError or TypeError on a mismatch, never read out of bounds.
    """

    def check_supporters(self, *flat: Any) -> None:
        """Check a run's static supporter lists once; the other functions then trust them."""

    def points_run(self, *state: Any) -> Any:
        """``float_points.FastUtility._run``: one certified MES run on points ballots."""

    def approval_candidates(self, *state: Any) -> Any:
        """``float_approval.FastApproval._candidates``: a round's certified cheapest projects."""

    def approval_settle(self, *state: Any) -> Any:
        """``float_approval.FastApproval._settle``: every step of a round but its exact price."""

    def approval_apply(self, *state: Any) -> Any:
        """``float_approval.FastApproval._pay``: pay a round's winner at its price."""

    def approval_cross(self, *state: Any) -> Any:
        """``float_approval.FastApproval.exact``'s live supporters' weights, per winner."""

    def phragmen_loads(self, *state: Any) -> Any:
        """``phragmen``'s near-cheapest new loads, screened in floats."""

    def phragmen_fund(self, *state: Any) -> None:
        """``phragmen``'s move of a funded project's supporters' loads."""

    def approval_table(
        self, text: str, width: int, i_vote: int, i_channel: int, ids: list[str]
    ) -> tuple[Any, ...] | None:
        """``io.pabulib._VoteReader._fast`` for approval ballots: the ballots' project numbers
        and channels, and per channel each project's approvals (see ``io.pabulib._Indexed``);
        None when unsure."""

    def approval_groups(
        self, lengths: np.ndarray, flat: np.ndarray, weights: np.ndarray, n_projects: int
    ) -> tuple[Any, Any, tuple[Any, Any]]:
        """``rules.mes.equal_shares.ballot_groups``: the distinct ballots, each one's weight
        and each project's supporter rows (as ``rows_of`` gives them)."""


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError:  # built without a C compiler
        return None


class _Modules:
    """Both compiled modules as one ``Compiled`` object."""

    def __init__(self, *modules: ModuleType) -> None:
        self._modules = modules

    def __getattr__(self, name: str) -> Any:
        for module in self._modules:
            if hasattr(module, name):
                function = getattr(module, name)
                setattr(self, name, function)  # found once, then a plain attribute
                return function
        raise AttributeError(name)


_kernel, _ballots = _load("_kernel"), _load("_ballots")
_compiled = (
    cast(Compiled, _Modules(_kernel, _ballots))
    if _kernel is not None and _ballots is not None
    else None
)


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
    return _compiled is not None


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


def compiled() -> Compiled | None:
    """The compiled engine, unless it is not built or the count runs on the Python engine."""
    return None if (_engine.get() or _default) == "python" else _compiled
