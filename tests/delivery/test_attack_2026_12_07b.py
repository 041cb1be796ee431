"""Attack 2026-12-07b (docs/attack-2026-12-07b.md): the open-data zip as the database's word.

The file cache checks the zip against the SHA-256 in its own row, so a row written with bytes
and hash together passed; the application's role may write that table (it builds releases).
A release is served only if the HMAC'd audit entry written when it was built names its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import sqlalchemy as sa

from pbplatform.delivery.models import OpenDataRelease
from tests.results.test_file_cache import _published, cache_dir

__all__ = ["cache_dir"]  # the fixture


def _forged_zip() -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("proposals.csv", "title\nFORGED BY THE APP ROLE\n")
    content = buffer.getvalue()
    return content, hashlib.sha256(content).hexdigest()


def _newest(db, cycle_id: int) -> OpenDataRelease:
    return db.session.scalars(
        sa.select(OpenDataRelease)
        .where(OpenDataRelease.cycle_id == cycle_id)
        .order_by(OpenDataRelease.number.desc())
    ).first()


def test_a_release_rewritten_in_the_database_is_not_served(db, client, cache_dir):
    s, _version = _published(db)
    release = _newest(db, s.cycle.id)
    assert client.get(f"/cycles/{s.cycle.slug}/open-data.zip").status_code == 200
    content, digest = _forged_zip()
    db.session.execute(
        sa.update(OpenDataRelease)
        .where(OpenDataRelease.id == release.id)
        .values(content=content, sha256=digest)
    )
    db.session.expire_all()
    for url in (
        f"/cycles/{s.cycle.slug}/open-data.zip",
        f"/cycles/{s.cycle.slug}/open-data.zip?release={release.number}",
    ):
        answer = client.get(url)
        assert answer.status_code == 500
        assert b"FORGED" not in answer.data


def test_a_release_inserted_in_the_database_is_not_served(db, client, cache_dir):
    s, version = _published(db)
    newest = _newest(db, s.cycle.id)
    content, digest = _forged_zip()
    db.session.add(
        OpenDataRelease(
            cycle_id=s.cycle.id,
            number=newest.number + 1,
            result_version=version.version,
            sha256=digest,
            content=content,
        )
    )
    db.session.flush()
    answer = client.get(f"/cycles/{s.cycle.slug}/open-data.zip")
    assert answer.status_code == 500
    assert b"FORGED" not in answer.data


def test_a_release_built_by_the_site_is_served(db, client, cache_dir):
    s, _version = _published(db)
    release = _newest(db, s.cycle.id)
    answer = client.get(f"/cycles/{s.cycle.slug}/open-data.zip")
    assert answer.status_code == 200
    assert hashlib.sha256(answer.data).hexdigest() == release.sha256
