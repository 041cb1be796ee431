"""What a repeat request for a published result reuses: the verification of its content hash
and the rendered page body, per app process.

A published version never changes, so its body is rendered once per language and reused. The
content-hash check still runs for every request, cheaply: the database digests the stored row
(config, outcome, hash) and a digest this process has already seen pass the full check is
accepted; any other digest (the row was changed in the database) reloads the row and runs the
full check again, which refuses it loudly (`services.check_published`).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import undefer

from pbplatform.extensions import db
from pbplatform.results import services
from pbplatform.results.models import ResultVersion

MAX_BODIES = 64  # rendered bodies kept per process (versions × languages × history states)


class _Store:
    def __init__(self) -> None:
        self.verified: dict[int, str] = {}  # version id -> row digest that passed the check
        self.bodies: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def _store() -> _Store:
    return current_app.extensions.setdefault("results_cache", _Store())


def _digest_column() -> sa.ColumnElement[Any]:
    row = (
        sa.cast(ResultVersion.config, sa.Text)
        + sa.cast(ResultVersion.outcome, sa.Text)
        + ResultVersion.content_hash
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Digested where it is stored: a repeat request transfers 64 characters, not the row.
        return sa.func.encode(sa.func.sha256(sa.func.convert_to(row, "UTF8")), "hex")
    return row


def _digest(value: str) -> str:
    return value if len(value) == 64 else hashlib.sha256(value.encode()).hexdigest()


def verify(version: ResultVersion, *, full: bool = False) -> ResultVersion:
    """The version, its stored content checked against its hash (raises DomainError if not).

    On a digest not seen before (or with `full`, before rendering), the row is reloaded
    together with its digest in one statement, so what is checked (and then rendered) is what
    the digest describes.
    """
    store = _store()
    if not full:
        digest = _digest(
            db.session.scalars(
                sa.select(_digest_column()).where(ResultVersion.id == version.id)
            ).one()
        )
        if store.verified.get(version.id) == digest:
            return version
    loaded, raw = db.session.execute(
        sa.select(ResultVersion, _digest_column())
        .options(undefer(ResultVersion.config), undefer(ResultVersion.outcome))
        .where(ResultVersion.id == version.id)
        .execution_options(populate_existing=True)
    ).one()
    services.check_published(loaded)
    store.verified[version.id] = _digest(raw)
    return loaded


def body(key: tuple[Any, ...], render: Callable[[], str]) -> str:
    """The rendered body for `key` (which names the version, its hash and the language)."""
    bodies = _store().bodies
    found = bodies.get(key)
    if found is None:
        found = bodies[key] = render()
        while len(bodies) > MAX_BODIES:
            bodies.popitem(last=False)
    return found
