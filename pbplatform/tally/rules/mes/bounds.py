"""Float bounds shared by the equal-shares runs, exact and certified: the unit roundoff, the
relative margin on skip bounds, and how far the share can grow while a set of decisions holds.

Each decision of a run compares two prices or budgets that are linear in the share near it
(``margin + slope * (x - s)``, positive while the decision holds). ``positive_until`` gives
the share up to which all of them stay positive, after shrinking each margin and slope by
its error: it can only come out too small (an extra run), never too large (a wrong skip).
"""

from __future__ import annotations

import numpy as np

U = 2.0**-53  # unit roundoff
EPS = 1e-9  # relative safety margin on skip bounds; exact values are ~1e-16 away


def positive_until(
    margin: np.ndarray, slope: np.ndarray, e_margin: np.ndarray, e_slope: np.ndarray, s: float
) -> float:
    """The largest x such that every ``margin + slope * (x - s)`` stays positive, margins and
    slopes first lowered by their errors: ``s`` when one is not positive at ``s`` already,
    ``inf`` when none falls."""
    m = margin - e_margin
    sl = slope - e_slope - 1e-300
    falling = sl < 0
    if not falling.any():
        return float("inf")
    m, sl = m[falling], sl[falling]
    if (m <= 0).any():
        return s
    return float(np.min(s + m / -sl)) * (1 - EPS)
