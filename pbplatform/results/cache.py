"""What a repeat request for a published result reuses: the verification of its content hash
and the rendered page body, per app process.

A published version never changes, so its body is rendered once per language and reused. The
content-hash check still runs for every request, cheaply: each request reads the row's version
stamp and a stamp this process has already seen pass the full check is accepted; any other
stamp (the row was changed in the database) reloads the row and runs the full check again,
which refuses it loudly (`services.check_published`). On PostgreSQL the stamp is the row's
`xmin` and `ctid` (the transaction that wrote this version of the row, and where it lies): any
UPDATE (or DELETE and INSERT) of the row changes it, and reading it costs nothing beside the
row's key. Elsewhere (SQLite) it is a digest
of config, outcome and hash. Every FULL_CHECK_SECONDS a process runs the full check again
anyway (a change made behind the database's back, in its files, keeps the stamp).
"""

from __future__ import annotations

import hashlib
import time
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
FULL_CHECK_SECONDS = 300  # a stamp seen to pass is trusted this long, then checked in full again


class _Store:
    def __init__(self) -> None:
        # version id -> (row stamp that passed the full check, when: time.monotonic())
        self.verified: dict[int, tuple[str, float]] = {}
        self.bodies: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        # (version id, list key, SHA-256) of downloads the publication entry attests
        self.files: set[tuple[int, str, str]] = set()


def _store() -> _Store:
    return current_app.extensions.setdefault("results_cache", _Store())


def stamp_column(dialect: str | None = None) -> sa.ColumnElement[Any]:
    """The row's version stamp, to select beside the version's other columns (`stamp()`
    turns the value into what `seen` and `verify` compare)."""
    if (dialect or db.session.get_bind().dialect.name) == "postgresql":
        # The transaction that wrote the row, and where: the same transaction writing it
        # again puts the new row version elsewhere (the old one cannot be vacuumed meanwhile).
        table = ResultVersion.__tablename__
        return sa.cast(sa.literal_column(f"{table}.xmin"), sa.Text) + sa.cast(
            sa.literal_column(f"{table}.ctid"), sa.Text
        )
    return (
        sa.cast(ResultVersion.config, sa.Text)
        + sa.cast(ResultVersion.outcome, sa.Text)
        + ResultVersion.content_hash
    )


def stamp(value: str) -> str:
    return value if len(value) < 64 else hashlib.sha256(value.encode()).hexdigest()


def seen(version_id: int, row_stamp: str) -> bool:
    """This process checked version `version_id` in full while its row had this stamp, less
    than FULL_CHECK_SECONDS ago."""
    found = _store().verified.get(version_id)
    return (
        found is not None
        and found[0] == row_stamp
        and time.monotonic() - found[1] < FULL_CHECK_SECONDS
    )


def file_seen(version_id: int, list_key: str, sha256: str) -> bool:
    """This process found this download, with this SHA-256, attested by the version's
    publication entry (an entry never changes: a different SHA-256 is checked anew)."""
    return (version_id, list_key, sha256) in _store().files


def file_checked(version_id: int, list_key: str, sha256: str) -> None:
    _store().files.add((version_id, list_key, sha256))


def verify(version: ResultVersion, *, full: bool = False) -> ResultVersion:
    """The version, its stored content checked against its hash (raises DomainError if not).

    On a stamp not seen before (or with `full`, before rendering), the row is reloaded
    together with its stamp in one statement, so what is checked (and then rendered) is what
    the stamp describes.
    """
    if not full:
        query = sa.select(stamp_column()).where(ResultVersion.id == version.id)
        current = stamp(db.session.scalars(query).one())
        if seen(version.id, current):
            return version
    loaded, raw = db.session.execute(
        sa.select(ResultVersion, stamp_column())
        .options(undefer(ResultVersion.config), undefer(ResultVersion.outcome))
        .where(ResultVersion.id == version.id)
        .execution_options(populate_existing=True)
    ).one()
    services.check_published(loaded)
    _store().verified[version.id] = (stamp(raw), time.monotonic())
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
