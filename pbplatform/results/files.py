"""A published version's downloads, built once at publication and served as stored.

Every list's anonymous ballots (`ballots.pb`) are written when the version is published, in
the same transaction, into `result_files` (the database: every app server sees the same bytes,
and backups hold them with the result). Serving reads the stored bytes: no ballot is read per
download, and a ballot row changed after publication does not change the file people hold.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.results import queries
from pbplatform.results.models import ResultFile, ResultVersion
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


def file_content(file_id: int) -> bytes:
    """The stored bytes of a file whose id `stored_file` just gave (its row exists)."""
    return db.session.scalars(sa.select(ResultFile.content).where(ResultFile.id == file_id)).one()
