"""`flask pb file-cache prune`: files of this machine's cache that no stored result file or
open-data build references any more (a superseded build's zip) are removed; every file a row
references, files written since the prune began (a concurrent download filling the cache),
and anything that is not a cache file stay."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from pbplatform.delivery.opendata import KEEP, build_release
from tests.results.test_file_cache import _published, _stored, _url, cache_dir  # noqa: F401


def _age(folder: Path, minutes: int = 120) -> None:
    then = time.time() - minutes * 60
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _hashed(digest: str, suffix: str = "") -> str:
    return f"{digest[:2]}/{digest}{suffix}"


def test_prune_removes_only_what_no_row_references(db, client, runner, cache_dir):  # noqa: F811
    s, version = _published(db)
    ballots = _stored(db, version).sha256
    assert client.get(_url(s, version), headers={"Accept-Encoding": "gzip"}).status_code == 200
    first = client.get(f"/cycles/{s.cycle.slug}/open-data.zip")
    superseded = hashlib.sha256(first.data).hexdigest()
    for _ in range(KEEP):  # the first build is deleted by the KEEP-th rebuild
        build_release(s.cycle)
    db.session.flush()
    current = client.get(f"/cycles/{s.cycle.slug}/open-data.zip")
    newest = hashlib.sha256(current.data).hexdigest()
    assert newest != superseded
    (cache_dir / "ab").mkdir(exist_ok=True)
    (cache_dir / "ab" / ".tmp-crashed").write_bytes(b"half a file")  # a writer killed midway
    (cache_dir / "notes.txt").write_text("not ours")  # never touched: not a cache file
    _age(cache_dir)
    young = "cd" * 32  # written after the prune began reading: a download filling the cache
    (cache_dir / "cd").mkdir(exist_ok=True)
    (cache_dir / "cd" / young).write_bytes(b"fresh")
    before = _files(cache_dir)
    assert _hashed(superseded) in before

    dry = runner.invoke(args=["pb", "file-cache", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert superseded in dry.output
    assert ".tmp-crashed" in dry.output
    assert "2 file(s)" in dry.output
    assert "dry run" in dry.output
    assert _files(cache_dir) == before

    done = runner.invoke(args=["pb", "file-cache", "prune"])
    assert done.exit_code == 0, done.output
    assert "removed 2 file(s)" in done.output
    assert _files(cache_dir) == before - {_hashed(superseded), "ab/.tmp-crashed"}
    for kept in (
        _hashed(ballots),
        _hashed(ballots, ".gz"),
        _hashed(newest),
        _hashed(young),
        "notes.txt",
    ):
        assert kept in _files(cache_dir)
    # The cache still serves what is published, without refilling it.
    assert client.get(_url(s, version)).status_code == 200
    assert client.get(f"/cycles/{s.cycle.slug}/open-data.zip").data == current.data


def test_prune_of_a_cache_never_filled(runner, db, cache_dir):  # noqa: F811
    result = runner.invoke(args=["pb", "file-cache", "prune"])
    assert result.exit_code == 0, result.output
    assert "removed 0 file(s)" in result.output
    assert not cache_dir.exists()  # not created by the prune
