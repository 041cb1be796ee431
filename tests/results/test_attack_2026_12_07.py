"""Holes found by attacking a running production-configured instance on 2026-12-07
(docs/attack-2026-12-07.md). They failed on that day's code. The two case-44 holes are closed
since: a published version shows only if an HMAC-authenticated publication entry in the audit
log records its hash. The case-41 hole is closed too: the close records the unsealed ballots'
counts and digest in its audit entry and the count refuses a difference
(tests/results/test_close_digest.py covers update, insert and delete).

Case 44: a published result forged in the database must be refused or flagged on display,
never shown silently. Case 41/44: the unsealed ballots must not change unnoticed between the
close and the count.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from pbplatform.results.models import ResultVersion
from pbplatform.results.services import content_hash, publish_results, run_count
from pbplatform.voting.models import Ballot, BallotChoice
from tests.results.conftest import build_counted


def _forged_copy(version: ResultVersion) -> tuple[dict, str]:
    outcome = json.loads(json.dumps(version.outcome))
    loser = next(p for lst in outcome["lists"] for p in lst["projects"] if not p["selected"])
    loser["selected"], loser["title"] = True, "Forged winner"
    return outcome, content_hash(version.config, outcome)


def _shown(client, slug: str) -> bool:
    page = client.get(f"/cycles/{slug}/results")
    return page.status_code == 200 and "Forged winner" in page.get_data(as_text=True)


def test_case_44_app_role_inserting_a_published_version_is_refused_or_flagged(app, db):
    """The guard trigger covers UPDATE and DELETE only: the app role can INSERT a new version
    that is already published, with an outcome of its choice and a recomputed (unkeyed)
    SHA-256, and no `results.publish` audit entry. The results page shows it as the newest."""
    s = build_counted(db)
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    db.session.flush()
    outcome, digest = _forged_copy(version)
    try:
        with db.session.begin_nested():
            db.session.execute(
                sa.insert(ResultVersion).values(
                    cycle_id=version.cycle_id,
                    version=version.version + 1,
                    config=version.config,
                    outcome=outcome,
                    content_hash=digest,
                    counted_by_id=version.counted_by_id,
                    counted_at=version.counted_at,
                    published_by_id=version.published_by_id,
                    published_at=version.published_at,
                    audit_head_id=version.audit_head_id,
                    audit_head_hash=version.audit_head_hash,
                )
            )
    except DBAPIError:
        return  # refused by the database: holds
    db.session.expire_all()
    assert not _shown(app.test_client(), s.cycle.slug)


def test_case_44_owner_rehashing_a_published_outcome_is_flagged(app, insider):
    """The content hash is a plain SHA-256: the owner lifts the trigger, changes the outcome
    and recomputes the hash; the page shows it with no warning, although the HMAC-protected
    `results.publish` entry holds the original hash."""
    s = build_counted(insider.db)
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    insider.db.session.flush()
    insider.lift()
    outcome, digest = _forged_copy(version)
    insider.db.session.execute(
        sa.update(ResultVersion)
        .where(ResultVersion.id == version.id)
        .values(outcome=outcome, content_hash=digest)
    )
    insider.db.session.expire_all()
    assert not _shown(app.test_client(), s.cycle.slug)


def test_case_41_ballots_added_after_the_close_do_not_reach_a_count_unnoticed(db):
    """After the close the app role may INSERT/UPDATE/DELETE `ballots` and `ballot_choices`;
    the close records no count or digest of what it unsealed, so forged ballots are counted
    and published (observed live: 20 forged online ballots against 62 online voters)."""
    s = build_counted(db)
    lists_before = run_count(s.cycle, s.counter).outcome
    forged = Ballot(cycle_id=s.cycle.id, area_id=s.home.id, channel="online", is_valid=True)
    forged.choices = [BallotChoice(proposal_id=s.c.id, points=1, stance=1)]
    try:
        with db.session.begin_nested():
            db.session.add(forged)
            db.session.flush()
        version = run_count(s.cycle, s.counter)
    except Exception:  # refused (by the database or the count): holds
        return
    assert version.outcome == lists_before, "a ballot added after the close was counted"
