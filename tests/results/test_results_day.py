"""Results day (issue 17 item 3): a published version's files are built once at publication and
served as stored, with strong ETags and long caching on versioned URLs; the results page is
rendered once per version and language; the content-hash refusal still works."""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db as _db
from pbplatform.results.models import ResultVersion
from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.models import Ballot, BallotChoice
from tests.factories import login_as
from tests.limits import limited_app
from tests.results.conftest import build_counted

IMMUTABLE = "public, max-age=31536000, immutable"


def _published(db):
    s = build_counted(db)
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    db.session.flush()
    return s, version


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if "SAVEPOINT" not in statement:  # the test's transaction, not the request's work
            seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)


def test_publication_stores_every_lists_file_with_its_sha256(db):
    from pbplatform.results.models import ResultFile

    s, version = _published(db)
    stored = db.session.scalars(sa.select(ResultFile).where(ResultFile.version_id == version.id))
    by_key = {f.list_key: f for f in stored}
    assert set(by_key) == {lst["key"] for lst in version.outcome["lists"]}
    for f in by_key.values():
        assert f.sha256 == hashlib.sha256(f.content).hexdigest()
    assert b"Playground" in by_key[f"area-{s.home.id}"].content


def test_versioned_download_is_immutable_and_answers_304(db, client):
    s, version = _published(db)
    url = f"/cycles/{s.cycle.slug}/results/ballots.pb?area={s.home.id}&version={version.version}"
    first = client.get(url)
    assert first.status_code == 200
    digest = hashlib.sha256(first.data).hexdigest()
    assert first.headers["ETag"] == f'"{digest}"'
    assert first.headers["Cache-Control"] == IMMUTABLE
    again = client.get(url, headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["Cache-Control"] == IMMUTABLE
    other = client.get(url, headers={"If-None-Match": '"' + "0" * 64 + '"'})
    assert other.status_code == 200
    assert other.data == first.data


def test_download_without_a_version_is_not_cached_immutably(db, client):
    s, version = _published(db)
    latest = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district")
    assert latest.status_code == 200
    assert "immutable" not in latest.headers["Cache-Control"]
    assert latest.headers["Cache-Control"] == "public, max-age=60"
    assert latest.headers["ETag"] == f'"{hashlib.sha256(latest.data).hexdigest()}"'


def test_the_file_stays_as_published_after_a_ballot_row_changes(app, insider):
    s, version = _published(insider.db)
    client = app.test_client()
    url = f"/cycles/{s.cycle.slug}/results/ballots.pb?area={s.home.id}&version={version.version}"
    before = client.get(url)
    assert before.status_code == 200
    assert "Playground" in before.get_data(as_text=True)  # s.a's title
    insider.lift()
    session = insider.db.session
    one = session.scalar(
        sa.select(Ballot.id).where(Ballot.cycle_id == s.cycle.id, Ballot.area_id == s.home.id)
    )
    session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id == one))
    session.execute(sa.delete(Ballot).where(Ballot.id == one))
    session.expire_all()
    after = client.get(url)
    assert after.status_code == 200
    assert after.data == before.data
    assert after.headers["ETag"] == before.headers["ETag"]


def test_the_results_page_is_served_from_the_cache(db, client):
    s, version = _published(db)
    url = f"/cycles/{s.cycle.slug}/results"
    with statements() as first:
        page = client.get(url)
    assert page.status_code == 200
    with statements() as second:
        again = client.get(url)
    assert again.status_code == 200
    assert b"Playground" in again.data
    # The repeat request reads the cycle, its versions' numbers and hashes, a digest of the
    # stored version and the ids and hashes of the council's confirmed decisions (issue 15):
    # no ballots, proposals or users, and no JSON outcome loaded.
    assert len(second) <= 4, second
    assert len(second) < len(first)
    for statement in second:
        tables = statement.split("FROM", 1)[1].split("WHERE")[0]
        assert "proposals" not in tables
        assert "ballot" not in tables
        assert "users" not in tables
        assert "AS result_versions_outcome" not in statement


def test_results_page_headers_and_304(db, client):
    s, version = _published(db)
    url = f"/cycles/{s.cycle.slug}/results?version={version.version}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["ETag"].startswith('W/"')
    assert "private" in page.headers["Cache-Control"]
    assert "immutable" not in page.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304, (page.headers, again.headers)
    # A signed-in visitor's page (their name in the header) is private and revalidated.
    login_as(client, s.resident)
    mine = client.get(url, headers={"If-None-Match": page.headers["ETag"]})
    assert mine.status_code == 200
    assert {"private", "no-cache"} <= set(
        part.strip() for part in mine.headers["Cache-Control"].split(",")
    )


def test_the_page_is_rendered_per_language(db, client):
    s, _ = _published(db)
    url = f"/cycles/{s.cycle.slug}/results"
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    german = client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "How this was counted" in english
    assert "How this was counted" not in german


def _forge(session, version: ResultVersion) -> str:
    outcome = json.loads(json.dumps(version.outcome))
    loser = next(p for lst in outcome["lists"] for p in lst["projects"] if not p["selected"])
    loser["selected"], loser["title"] = True, "Forged winner"
    session.execute(
        sa.update(ResultVersion).where(ResultVersion.id == version.id).values(outcome=outcome)
    )
    session.expire_all()
    return loser["title"]


def test_a_cached_page_is_refused_once_its_row_is_changed(app, insider):
    """The page and file were served (and cached) before the insider changed the row: the
    next requests are refused loudly all the same."""
    s, version = _published(insider.db)
    client = app.test_client()
    page_url = f"/cycles/{s.cycle.slug}/results"
    file_url = f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district&version=1"
    assert client.get(page_url).status_code == 200
    served = client.get(file_url)
    assert served.status_code == 200
    insider.lift()
    title = _forge(insider.db.session, version)
    page = client.get(page_url)
    assert page.status_code == 500
    assert "altered in the database" in page.get_data(as_text=True)
    assert title not in page.get_data(as_text=True)
    refused = client.get(file_url, headers={"If-None-Match": served.headers["ETag"]})
    assert refused.status_code == 500


def test_downloads_are_rate_limited_per_address_but_the_page_is_not():
    with limited_app(RESULT_DOWNLOAD_RATE_LIMIT="3 per minute") as app:
        with app.app_context():
            s, version = _published(_db)
            _db.session.commit()
            slug = s.cycle.slug
        client = app.test_client()
        url = f"/cycles/{slug}/results/ballots.pb?area=district&version=1"
        codes = [client.get(url).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        other = client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 200
        pages = [client.get(f"/cycles/{slug}/results").status_code for _ in range(5)]
        assert pages == [200] * 5


@pytest.mark.parametrize("area", ["nowhere", "999999"])
def test_an_unknown_list_is_404(db, client, area):
    s, _ = _published(db)
    answer = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area={area}")
    assert answer.status_code == 404


def test_a_version_published_before_files_were_stored_is_still_served(app, insider):
    """Simulated by deleting its files, which only the owner can (the app role holds no
    DELETE on result_files and a trigger refuses it: tests/audit/test_roles_pg.py)."""
    db, client = insider.db, app.test_client()
    s, version = _published(db)
    insider.lift()
    from pbplatform.results.models import ResultFile

    stored = db.session.scalar(
        sa.select(ResultFile.content).where(
            ResultFile.version_id == version.id, ResultFile.list_key == "district"
        )
    )
    db.session.execute(sa.delete(ResultFile).where(ResultFile.version_id == version.id))
    url = f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district&version=1"
    built = client.get(url)
    assert built.status_code == 200
    assert built.data == stored
    assert built.headers["Cache-Control"] == "public, max-age=60"


def _stable(html: str) -> str:
    """The page without what changes per request (CSRF tokens, CSP nonces)."""
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_the_page_stays_as_published_after_rows_change(app, insider):
    """Proposals renamed and ballots deleted after publication: a fresh server (no rendered
    body kept) shows the page exactly as published, from the stored version alone."""
    from pbplatform.proposals.models import Proposal

    s, version = _published(insider.db)
    client = app.test_client()
    url = f"/cycles/{s.cycle.slug}/results?version={version.version}"
    before = client.get(url)
    assert before.status_code == 200
    assert "Playground" in before.get_data(as_text=True)  # s.a's title
    insider.lift()
    session = insider.db.session
    session.execute(sa.update(Proposal).where(Proposal.id == s.a.id).values(title="Renamed"))
    gone = session.scalars(sa.select(Ballot.id).where(Ballot.cycle_id == s.cycle.id)).all()
    session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id.in_(gone)))
    session.execute(sa.delete(Ballot).where(Ballot.id.in_(gone)))
    session.expire_all()
    app.extensions.pop("results_cache", None)  # as on another app server
    after = client.get(url)
    assert after.status_code == 200
    assert "Renamed" not in after.get_data(as_text=True)
    assert _stable(after.get_data(as_text=True)) == _stable(before.get_data(as_text=True))
