"""A published version's downloads, built once at publication and served as stored.

Every list's anonymous ballots (`ballots.pb`) are written when the version is published, in
the same transaction, into `result_files` (the database: every app server sees the same bytes,
and backups hold them with the result). Serving reads no ballot: one statement finds the file's
SHA-256 (with the version's row stamp for the content-hash check, results.cache) and the bytes
are sent from the machine's file cache (pbplatform/filecache.py), copied from the row on the
first download; a ballot row changed after publication does not change the file people hold.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pbplatform.cycles.models import Cycle
from pbplatform.cycles.queries import SLUG_LENGTH
from pbplatform.extensions import db
from pbplatform.filecache import Published
from pbplatform.results import cache, queries
from pbplatform.results.models import ResultFile, ResultVersion
from pbplatform.routing import INT4_MAX
from pbplatform.tally.io.writer import pabulib_text


@dataclass(frozen=True)
class StoredFile:
    id: int
    sha256: str


def build_files(version: ResultVersion) -> list[ResultFile]:
    """Write every list's `ballots.pb` of `version` (called by `publish_results`)."""
    built = []
    for lst in version.outcome["lists"]:
        content = build_content(version, lst["key"])
        built.append(
            ResultFile(
                version_id=version.id,
                list_key=lst["key"],
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
    db.session.add_all(built)
    db.session.flush()
    return built


def build_content(version: ResultVersion, key: str) -> bytes:
    """One list's `ballots.pb` from the database (KeyError for a list the version lacks)."""
    return pabulib_text(queries.export_election(version, key)).encode()


def stored_file(version_id: int, key: str) -> StoredFile | None:
    """The stored file's id and SHA-256 (its ETag), without its bytes."""
    row = db.session.execute(
        sa.select(ResultFile.id, ResultFile.sha256).where(
            ResultFile.version_id == version_id, ResultFile.list_key == key
        )
    ).first()
    return StoredFile(*row) if row else None


@dataclass(frozen=True)
class Download:
    """What a `ballots.pb` request needs, read in one statement: the published version, its
    row stamp (results.cache.seen) and the list's stored file (None: built before files were
    stored)."""

    version_id: int
    version: int
    published_at: datetime | None
    row_stamp: str
    file: StoredFile | None


@functools.cache
def _download_query(dialect: str, numbered: bool) -> sa.Select[Any]:
    """Built once per process (building a statement costs more than running a cached one)."""
    query = (
        sa.select(
            ResultVersion.id,
            ResultVersion.version,
            ResultVersion.published_at,
            cache.stamp_column(dialect),
            ResultFile.id,
            ResultFile.sha256,
        )
        .join(Cycle, Cycle.id == ResultVersion.cycle_id)
        .outerjoin(
            ResultFile,
            sa.and_(
                ResultFile.version_id == ResultVersion.id,
                ResultFile.list_key == sa.bindparam("key"),
            ),
        )
        .where(Cycle.slug == sa.bindparam("slug"), ResultVersion.published_at.is_not(None))
    )
    if numbered:
        query = query.where(ResultVersion.version == sa.bindparam("number"))
    return query.order_by(ResultVersion.version.desc()).limit(1)


def find_download(slug: str, number: int | None, key: str) -> Download | None:
    """The newest published version of cycle `slug` (or published version `number`) with list
    `key`'s stored file; None if there is no such cycle or published version."""
    if len(slug) > SLUG_LENGTH or (number is not None and not 0 < number <= INT4_MAX):
        return None
    query = _download_query(db.session.get_bind().dialect.name, number is not None)
    params: dict[str, Any] = {"slug": slug, "key": key, "number": number}
    row = db.session.execute(query, params).first()
    if row is None:
        return None
    version_id, version, published_at, raw, file_id, sha256 = row
    stored = StoredFile(file_id, sha256) if file_id is not None else None
    return Download(version_id, version, published_at, cache.stamp(raw), stored)


def published(download: Download, name: str) -> Published:
    """The stored file as the file cache serves it (its bytes read only to fill the cache)."""
    assert download.file is not None
    file_id = download.file.id
    return Published(
        sha256=download.file.sha256,
        load=lambda: file_content(file_id),
        mimetype="text/plain",
        download_name=name,
        last_modified=download.published_at,
        compressible=True,
    )


def file_content(file_id: int) -> bytes:
    """The stored bytes of a file whose id `stored_file` just gave (its row exists)."""
    return db.session.scalars(sa.select(ResultFile.content).where(ResultFile.id == file_id)).one()
