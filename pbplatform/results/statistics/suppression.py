"""Small-cell suppression: a count below MIN_CELL is never shown.

Where a row shows its total and only one of its cells is hidden, that cell could be worked out
by subtraction, so the next smallest cell of the row is hidden as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

MIN_CELL = 5
K = TypeVar("K")


def shown(value: int) -> int | None:
    """The value, or None when it is too small to show."""
    return value if value >= MIN_CELL else None


def suppress_row(cells: Mapping[K, int], total: int | None = None) -> dict[K, int | None]:
    """Each cell or None; with a shown total, never exactly one hidden cell."""
    result: dict[K, int | None] = {k: shown(v) for k, v in cells.items()}
    hidden = [k for k, v in result.items() if v is None]
    if total is not None and shown(total) is not None and len(hidden) == 1:
        rest = sorted((v, str(k), k) for k, v in cells.items() if result[k] is not None)
        if rest:
            result[rest[0][2]] = None
    return result
