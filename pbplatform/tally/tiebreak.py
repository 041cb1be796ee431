"""Declared tie-breaks. Both are total orders, so every count is deterministic.

- ``default``: the field's convention: lower cost first, then more votes, then a lot drawn
  from the published seed (sha256 of seed + project id, smaller digest first). Anyone can redraw
  the lot from the seed published before voting opened.
- ``name``: pabutools' default, comparing project ids as strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from .model import Project

TIE_BREAKS = {
    "default": "lower cost, then more votes, then a lot drawn from the published seed",
    "name": "project ids compared as strings (pabutools' default)",
}

TieKey = Callable[[str], tuple]


def lot(seed: str, project_id: str) -> str:
    import hashlib  # only the default tie-break draws lots: a "name" recount skips the import

    return hashlib.sha256(f"{seed}{project_id}".encode()).hexdigest()


def tie_key(
    name: str, projects: Mapping[str, Project], votes: Mapping[str, Fraction], seed: str
) -> TieKey:
    """Return a key: among equally good projects the smallest key wins."""
    if name == "name":
        return lambda pid: (pid,)

    def default_key(pid: str) -> tuple:
        return (projects[pid].cost, -votes.get(pid, 0), lot(seed, pid))

    return default_key


def describe(name: str, seed: str) -> str:
    text = TIE_BREAKS[name]
    if name == "default":
        text += f" (seed {seed!r})"
    return text
