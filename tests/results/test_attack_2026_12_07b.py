"""Attack 2026-12-07b (docs/attack-2026-12-07b.md): the per-machine file cache's downloads.

The file cache checks a file against the SHA-256 in its row; but that row is the database's
word. These tests write the row consistently (bytes and SHA-256 together), as the owner with
the guards lifted and as the application's role inserting a file for a list the version never
had; the download must refuse both, since the HMAC'd publication entry does not attest them.
"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from pbplatform.results.models import ResultFile
from tests.results.test_file_cache import _published, _stored, _url, cache_dir

__all__ = ["cache_dir"]  # the fixture


def _forged(content: bytes) -> tuple[bytes, str]:
    forged = content.replace(b"VOTES", b"VOTEZ", 1)
    assert forged != content
    return forged, hashlib.sha256(forged).hexdigest()


def test_a_file_rehashed_in_the_database_is_not_served(app, insider, cache_dir):
    """The owner lifts the guard and writes new bytes with their own SHA-256: the file cache's
    check passes (bytes match the row), the publication entry's does not."""
    s, version = _published(insider.db)
    insider.lift()
    stored = _stored(insider.db, version)
    forged, digest = _forged(stored.content)
    insider.db.session.execute(
        sa.update(ResultFile)
        .where(ResultFile.id == stored.id)
        .values(content=forged, sha256=digest)
    )
    insider.db.session.expire_all()
    answer = app.test_client().get(_url(s, version))
    assert answer.status_code == 500
    assert b"VOTEZ" not in answer.data
    assert not (cache_dir / digest[:2] / digest).exists()


def test_a_file_for_a_list_the_version_never_had_is_not_served(db, client, cache_dir):
    """The application's role may INSERT into result_files (publication does): a forged
    `ballots.pb` under a list key the published version has no list for."""
    s, version = _published(db)
    forged, digest = _forged(_stored(db, version).content)
    db.session.add(
        ResultFile(version_id=version.id, list_key="area-999999", sha256=digest, content=forged)
    )
    db.session.flush()
    url = f"/cycles/{s.cycle.slug}/results/ballots.pb?area=999999&version={version.version}"
    answer = client.get(url)
    assert answer.status_code in (404, 500)
    assert b"VOTEZ" not in answer.data


def test_a_cycle_moved_to_counting_in_the_database_gets_no_late_close_entry(db, runner):
    """`flask pb record-close-entry` records the ballots as they are now. An app-role insider
    who moves a cycle from voting to counting with SQL (no close, so no close entry) and
    stores ballots of their choosing must not get the operator's repair to attest them: the
    command needs the log's authentic record that the cycle was moved to counting."""
    from pbplatform.audit.models import AuditEntry
    from pbplatform.ballotbox.digest import LATE_CLOSE_ACTION
    from pbplatform.cycles.models import Cycle
    from tests.results.test_late_close_entry import REASON, _closed_before_the_digest

    cycle, _counter, _checker = _closed_before_the_digest(db, attested=False)
    db.session.execute(sa.update(Cycle).where(Cycle.id == cycle.id).values(phase="counting"))
    db.session.commit()
    result = runner.invoke(args=["pb", "record-close-entry", cycle.slug, "--reason", REASON])
    assert result.exit_code != 0
    assert "moved to counting" in result.output
    recorded = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == LATE_CLOSE_ACTION, AuditEntry.object_id == str(cycle.id)
        )
    ).all()
    assert recorded == []


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-0," * 500 + "0-0",  # many overlapping ranges
        "bytes=0-1,1-2",
        "items=0-1",  # a unit we do not know
        "bytes=abc",
        "bytes=-99999999999999",  # a suffix longer than the file: the whole file
        "bytes=5-2",
    ],
)
def test_a_range_we_do_not_serve_is_ignored_not_refused(db, client, cache_dir, header):
    """RFC 9110 14.2: a server may ignore Range; a 416 is for a range that starts past the
    end. Werkzeug answered 416 to all of these, so a client asking for them got no file."""
    s, version = _published(db)
    stored = _stored(db, version)
    answer = client.get(_url(s, version), headers={"Range": header})
    assert answer.status_code == 200
    assert answer.data == stored.content
    past = client.get(_url(s, version), headers={"Range": f"bytes={len(stored.content)}-"})
    assert past.status_code == 416
    assert client.get(_url(s, version), headers={"Range": "bytes=2-4"}).data == stored.content[2:5]
