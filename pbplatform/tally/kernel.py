"""The optional compiled modules of the count: the kernel of the certified float MES runs
(``_kernel.c``) and the reader and grouper of approval ballots (``_ballots.c``).

They are built at install time when a C compiler is there, and skipped otherwise. Every
function in them ports one pure-Python/numpy function, which stays the reference and the
fallback. The kernel's take certified decisions only (each bound is checked, and an unsure
run goes to the exact method), so they give the same outcomes; the kernel only saves the
fixed cost of many small numpy calls, which dominates the hundreds of runs of an add1 count on
a small election. The reader answers "unsure" on anything but plain, well-formed ballots,
which the pure reader then reads (and names the line of any fault).

``PBP_TALLY_KERNEL=0`` runs the pure-Python path of both (the tests run both).
"""

from __future__ import annotations

import os
from types import ModuleType

import numpy as np

try:
    from . import _kernel
except ImportError:  # built without a C compiler
    _kernel = None
try:
    from . import _ballots
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


def active() -> ModuleType | None:
    """The compiled kernel, unless absent or turned off by ``PBP_TALLY_KERNEL=0``."""
    return None if _off() else _kernel


def ballots() -> ModuleType | None:
    """The compiled reader of approval ballots (``_ballots.c``), on the same terms."""
    return None if _off() else _ballots


def _off() -> bool:
    return os.environ.get("PBP_TALLY_KERNEL", "1") == "0"
