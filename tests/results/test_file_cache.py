"""Published downloads are sent from each machine's file cache (pbplatform/filecache.py):
copied from the database on the first download after checking the SHA-256, never trusted
blindly afterwards, sent with sendfile or (behind nginx) X-Accel-Redirect, gzip for clients
that accept it; the per-request content-hash check stays one cheap statement."""

from __future__ import annotations

import gzip
import hashlib
import os
import time
from datetime import UTC
from pathlib import Path

import pytest
import sqlalchemy as sa

from pbplatform.results.models import ResultFile
from pbplatform.results.services import publish_results, run_count
from tests.results.conftest import build_counted
from tests.results.test_results_day import statements


@pytest.fixture
def cache_dir(app, tmp_path, monkeypatch):
    """An empty cache: a machine that has served nothing yet."""
    folder = tmp_path / "file-cache"
    monkeypatch.setitem(app.config, "FILE_CACHE_DIR", str(folder))
    return folder


def _published(db):
    s = build_counted(db)
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    db.session.flush()
    return s, version


def _stored(db, version, key="district") -> ResultFile:
    return db.session.scalars(
        sa.select(ResultFile).where(ResultFile.version_id == version.id, ResultFile.list_key == key)
    ).one()


def _url(s, version) -> str:
    return f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district&version={version.version}"


def test_the_first_download_fills_the_cache_and_later_ones_read_no_bytes(db, client, cache_dir):
    s, version = _published(db)
    stored = _stored(db, version)
    first = client.get(_url(s, version))
    assert first.status_code == 200
    assert first.data == stored.content
    cached = cache_dir / stored.sha256[:2] / stored.sha256
    assert cached.read_bytes() == stored.content
    assert not os.access(cached, os.W_OK) or os.geteuid() == 0  # written read-only
    assert oct(cached.stat().st_mode & 0o777) == "0o444"
    with statements() as seen:
        again = client.get(_url(s, version))
    assert again.data == stored.content
    # One statement: the version's row stamp and the file's SHA-256; no bytes, no ballots.
    assert len(seen) == 1, seen
    assert "result_files.content" not in seen[0]


def test_a_file_changed_on_disk_is_not_served(db, client, cache_dir):
    s, version = _published(db)
    stored = _stored(db, version)
    assert client.get(_url(s, version)).data == stored.content
    cached = cache_dir / stored.sha256[:2] / stored.sha256
    forged = stored.content.replace(b"VOTES", b"VOTEZ", 1)
    assert len(forged) == len(stored.content)
    before = cached.stat()
    cached.chmod(0o644)
    cached.write_bytes(forged)
    os.utime(cached, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back: ctime moves
    served = client.get(_url(s, version))
    assert served.status_code == 200
    assert served.data == stored.content
    assert cached.read_bytes() == stored.content  # written anew from the database


def test_bytes_changed_in_the_database_are_refused(app, insider, cache_dir):
    s, version = _published(insider.db)
    insider.lift()
    stored = _stored(insider.db, version)
    forged = stored.content.replace(b"VOTES", b"VOTEZ", 1)
    insider.db.session.execute(
        sa.update(ResultFile).where(ResultFile.id == stored.id).values(content=forged)
    )
    insider.db.session.expire_all()
    answer = app.test_client().get(_url(s, version))
    assert answer.status_code == 500
    assert b"VOTEZ" not in answer.data
    assert not (cache_dir / stored.sha256[:2] / stored.sha256).exists()


def test_gzip_for_clients_that_accept_it(db, client, cache_dir):
    s, version = _published(db)
    stored = _stored(db, version)
    plain = client.get(_url(s, version))
    packed = client.get(_url(s, version), headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == stored.content
    assert "Content-Encoding" not in plain.headers
    for answer in (plain, packed):
        assert "Accept-Encoding" in answer.headers["Vary"]
    assert plain.headers["ETag"] == f'"{stored.sha256}"'
    assert packed.headers["ETag"] == f'"{stored.sha256}-gzip"'
    refused = client.get(_url(s, version), headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    again = client.get(
        _url(s, version),
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304
    assert "Accept-Encoding" in again.headers["Vary"]


def test_a_range_is_answered_from_the_file(db, client, cache_dir):
    s, version = _published(db)
    stored = _stored(db, version)
    part = client.get(_url(s, version), headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.data == stored.content[:10]


def test_behind_nginx_the_app_answers_with_x_accel_redirect(
    app, db, client, cache_dir, monkeypatch
):
    monkeypatch.setitem(app.config, "FILE_CACHE_ACCEL_PREFIX", "/_files/")
    s, version = _published(db)
    stored = _stored(db, version)
    answer = client.get(_url(s, version))
    assert answer.status_code == 200
    assert answer.data == b""
    relative = f"{stored.sha256[:2]}/{stored.sha256}"
    assert answer.headers["X-Accel-Redirect"] == f"/_files/{relative}"
    assert (cache_dir / relative).read_bytes() == stored.content  # there for nginx to send
    assert answer.headers["ETag"] == f'"{stored.sha256}"'
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert "immutable" in answer.headers["Cache-Control"]
    packed = client.get(_url(s, version), headers={"Accept-Encoding": "gzip"})
    assert packed.headers["X-Accel-Redirect"] == f"/_files/{relative}.gz"
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress((cache_dir / f"{relative}.gz").read_bytes()) == stored.content


def test_without_the_setting_no_x_accel_redirect(db, client, cache_dir):
    s, version = _published(db)
    answer = client.get(_url(s, version))
    assert "X-Accel-Redirect" not in answer.headers
    assert answer.data == _stored(db, version).content


def test_the_open_data_zip_is_sent_from_the_cache(db, client, cache_dir):
    s, _ = _published(db)
    answer = client.get(f"/cycles/{s.cycle.slug}/open-data.zip")
    assert answer.status_code == 200
    digest = hashlib.sha256(answer.data).hexdigest()
    assert answer.headers["ETag"] == f'"{digest}"'
    assert Path(cache_dir / digest[:2] / digest).read_bytes() == answer.data
    assert (
        "Content-Encoding"
        not in client.get(
            f"/cycles/{s.cycle.slug}/open-data.zip", headers={"Accept-Encoding": "gzip"}
        ).headers
    )  # a zip is compressed already


def test_a_process_checks_the_version_in_full_again_after_a_while(
    db, client, cache_dir, monkeypatch
):
    """The row stamp spares the full content-hash check only for FULL_CHECK_SECONDS."""
    from pbplatform.results import cache

    s, version = _published(db)
    client.get(_url(s, version))
    with statements() as cheap:
        client.get(_url(s, version))
    monkeypatch.setattr(cache, "FULL_CHECK_SECONDS", 0)
    with statements() as full:
        client.get(_url(s, version))
    assert len(cheap) == 1
    assert any("result_versions.outcome" in statement for statement in full), full


def test_a_cached_file_is_dated_by_its_publication(db, client, cache_dir):
    """Behind nginx the file's mtime is its Last-Modified (tests/serve/test_nginx.py)."""
    s, version = _published(db)
    stored = _stored(db, version)
    time.sleep(0.02)  # written well after the publication: the date must still be its
    assert client.get(_url(s, version), headers={"Accept-Encoding": "gzip"}).status_code == 200
    published = version.published_at
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    for name in (stored.sha256, stored.sha256 + ".gz"):
        cached = cache_dir / stored.sha256[:2] / name
        assert cached.stat().st_mtime == pytest.approx(published.timestamp(), abs=1e-3)
