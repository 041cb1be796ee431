"""The council's decision: four eyes, immutability once confirmed, versions with history, and
the results page saying plainly where the decision differs from the count (issue 15 item 2)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from pbplatform.decisions import queries
from pbplatform.decisions.models import CouncilDecision, DecisionEntry, DecisionStatus
from tests.decisions.helpers import confirm, record
from tests.factories import login_as


def _current(cycle, key="district") -> CouncilDecision:
    return queries.list_decisions(cycle).current[key]


def _fresh(app):
    """Per-request memo lives in `g`; tests read in a fresh app context each time."""
    return app.app_context()


def test_a_decision_is_public_only_after_a_second_officer_confirms(app, db, published):
    s = published
    record(app, s.recorder, s.cycle, "district", {s.d.tracking_number: {"status": "adopted"}})
    with _fresh(app):
        assert queries.decision_for(s.d) is None  # a draft is not public
    refused = confirm(app, s.recorder, s.cycle, "district")
    assert refused.status_code == 303
    draft = db.session.scalar(sa.select(CouncilDecision))
    db.session.refresh(draft)
    assert draft.confirmed_at is None
    page = app.test_client().get(f"/proposals/{s.d.tracking_number}").get_data(as_text=True)
    assert "The council&#39;s decision" not in page

    assert confirm(app, s.confirmer, s.cycle, "district").status_code == 303
    db.session.refresh(draft)
    assert draft.confirmed_by_id == s.confirmer.id
    assert len(draft.content_hash) == 64
    with _fresh(app):
        line = queries.decision_for(s.d)
        assert line.status is DecisionStatus.ADOPTED
        assert line.version == 1
        assert line.minutes_url == "https://bvv.example.org/minutes/42"


def test_the_database_refuses_self_confirmation(db, published):
    s = published
    decision = CouncilDecision(
        cycle_id=s.cycle.id,
        result_version_id=s.version.id,
        list_key="district",
        version=1,
        recorded_by_id=s.recorder.id,
    )
    db.session.add(decision)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text(
                "UPDATE council_decisions SET confirmed_by_id = recorded_by_id, "
                "confirmed_at = CURRENT_TIMESTAMP, content_hash = :h, session_date = '2026-11-20' "
                "WHERE id = :id"
            ),
            {"h": "0" * 64, "id": decision.id},
        )


def _confirmed(app, s, entries=None):
    entries = entries or {s.d.tracking_number: {"status": "adopted"}}
    record(app, s.recorder, s.cycle, "district", entries)
    assert confirm(app, s.confirmer, s.cycle, "district").status_code == 303
    return sa.select(CouncilDecision).where(CouncilDecision.confirmed_at.is_not(None))


def test_the_orm_refuses_to_change_a_confirmed_decision(app, db, published):
    decision = db.session.scalar(_confirmed(app, published))
    decision.minutes_url = "https://elsewhere.example.org/"
    with pytest.raises(ValueError, match="confirmed"):
        db.session.flush()


def test_the_database_refuses_to_change_a_confirmed_decision(app, db, published):
    """Plain SQL as the application's role: the row, its entries, a new entry, a delete."""
    s = published
    decision = db.session.scalar(_confirmed(app, s))
    for statement in (
        "UPDATE council_decisions SET minutes_url = 'https://x.example.org/' WHERE id = :id",
        "UPDATE council_decision_entries SET status = 'rejected', reason = 'x' "
        "WHERE decision_id = :id",
    ):
        with pytest.raises(DBAPIError, match="confirmed"), db.session.begin_nested():
            db.session.execute(sa.text(statement), {"id": decision.id})
    with pytest.raises(DBAPIError, match="confirmed"), db.session.begin_nested():
        db.session.execute(
            sa.text(
                "INSERT INTO council_decision_entries (decision_id, proposal_id, status, reason) "
                "VALUES (:id, :p, 'rejected', 'slipped in')"
            ),
            {"id": decision.id, "p": s.e.id},
        )
    if db.session.get_bind().dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="confirmed"), db.session.begin_nested():
            db.session.execute(
                sa.text("DELETE FROM council_decisions WHERE id = :id"), {"id": decision.id}
            )


def test_a_change_is_a_new_version_and_the_history_stays(app, db, published):
    s = published
    n = s.d.tracking_number
    _confirmed(app, s, {n: {"status": "adopted"}})
    record(
        app,
        s.recorder,
        s.cycle,
        "district",
        {
            n: {
                "status": "adopted_with_changes",
                "amount": "120000",
                "changes": "Fewer lanes",
                "reason": "Bridge works",
            }
        },
        session="2026-12-04",
    )
    assert confirm(app, s.confirmer, s.cycle, "district").status_code == 303
    versions = db.session.scalars(
        sa.select(CouncilDecision).order_by(CouncilDecision.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content_hash != versions[1].content_hash
    with _fresh(app):
        line = queries.decision_for(s.d)
        assert (line.version, line.status, line.amount_minor) == (
            2,
            DecisionStatus.ADOPTED_WITH_CHANGES,
            120_000_00,
        )
    history = app.test_client().get(f"/cycles/{s.cycle.slug}/decisions").get_data(as_text=True)
    assert "Version 1" in history
    assert "Version 2" in history
    assert "superseded" in history
    assert versions[0].content_hash in history


def test_the_results_page_says_where_the_decision_differs_from_the_count(app, db, published):
    s = published
    dropped, out_of_order = s.a, s.b  # a funded in Fennpfuhl, b not (it did not fit)
    assert dropped.tracking_number in s.funded
    assert out_of_order.tracking_number not in s.funded
    area_key = f"area-{s.home.id}"
    record(
        app,
        s.recorder,
        s.cycle,
        area_key,
        {
            dropped.tracking_number: {"status": "deferred", "reason": "Site not yet available"},
            out_of_order.tracking_number: {"status": "adopted", "reason": "Urgent tree safety"},
            s.c.tracking_number: {"status": "adopted"},
        },
    )
    assert confirm(app, s.confirmer, s.cycle, area_key).status_code == 303
    for url in (f"/cycles/{s.cycle.slug}/results", f"/cycles/{s.cycle.slug}/decisions"):
        page = app.test_client().get(url).get_data(as_text=True)
        assert "Funded by the count, not adopted by the council" in page
        assert "Not funded by the count, adopted by the council" in page
        assert "Site not yet available" in page
        assert "Urgent tree safety" in page
        assert 'data-deviation="dropped"' in page
        assert 'data-deviation="funded_out_of_order"' in page
    # The list's third project was adopted as counted: no line for it.
    page = app.test_client().get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert page.count("data-deviation=") == 2


def test_the_minutes_link_must_be_http(app, db, published):
    s = published
    client = app.test_client()
    login_as(client, s.recorder)
    base = f"/officer/cycles/{s.cycle.slug}/decisions/district"
    client.post(f"{base}/start")
    r = client.post(
        f"{base}/draft", data={"session_date": "2026-11-20", "minutes_url": "javascript:alert(1)"}
    )
    assert r.status_code == 422
    assert "http://" in r.get_data(as_text=True)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE council_decisions SET minutes_url = 'javascript:alert(1)'")
        )


def test_reasons_are_needed_unless_adopted(app, db, published):
    s = published
    client = record(app, s.recorder, s.cycle, "district", {})
    r = client.post(
        f"/officer/cycles/{s.cycle.slug}/decisions/district/draft/{s.d.tracking_number}",
        data={f"{s.d.tracking_number}-status": "rejected"},
        follow_redirects=True,
    )
    assert "Give the council&#39;s reason." in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DecisionEntry.id))) == 0


def test_an_area_officer_cannot_decide_another_areas_list(app, db, published):
    from tests.factories import create_user

    s = published
    other = create_user("officer", officer_areas=(s.other,))
    client = app.test_client()
    login_as(client, other)
    r = client.post(f"/officer/cycles/{s.cycle.slug}/decisions/area-{s.home.id}/start")
    assert r.status_code == 403


def test_a_decision_changed_in_the_database_is_not_shown(app, insider):
    """With the triggers lifted by someone who can (PostgreSQL: the schema's owner; SQLite:
    inside the test's transaction), a changed entry no longer matches the confirmed hash: the
    proposal shows no decision and the history page says why."""
    from pbplatform.decisions.models import CONFIRMED_GUARD_DROPS
    from tests.decisions.conftest import build_published

    database = insider.db
    s = build_published(database)
    decision = database.session.scalar(
        _confirmed(app, s, {s.d.tracking_number: {"status": "rejected", "reason": "Too costly"}})
    )
    if database.session.get_bind().dialect.name == "postgresql":
        lift = ["ALTER TABLE council_decision_entries DISABLE TRIGGER USER"]
    else:
        lift = CONFIRMED_GUARD_DROPS["sqlite"]
    for statement in lift:
        database.session.execute(sa.text(statement))
    database.session.execute(
        sa.text("UPDATE council_decision_entries SET status = 'adopted', reason = NULL")
    )
    database.session.expire_all()
    with _fresh(app):
        assert queries.decision_for(s.d) is None
    page = app.test_client().get(f"/cycles/{s.cycle.slug}/decisions").get_data(as_text=True)
    assert f"version {decision.version} does not match its confirmed content hash" in page


def test_the_confirming_officer_cannot_change_the_draft_first(app, db, published):
    """Attack 2026-12-07 (evening): a second officer changed an entry of another's draft and
    then confirmed it, so nobody had checked that change. Only the recorder changes a draft."""
    s = published
    record(app, s.recorder, s.cycle, "district", {s.d.tracking_number: {"status": "adopted"}})
    client = app.test_client()
    login_as(client, s.confirmer)
    base = f"/officer/cycles/{s.cycle.slug}/decisions/district"
    number = s.d.tracking_number
    changed = client.post(
        f"{base}/draft/{number}",
        data={f"{number}-status": "rejected", f"{number}-reason": "r"},
        follow_redirects=True,
    )
    assert "Another officer is recording this draft" in changed.get_data(as_text=True)
    session = client.post(
        f"{base}/draft", data={"session_date": "2026-01-01"}, follow_redirects=True
    )
    assert "Another officer is recording this draft" in session.get_data(as_text=True)
    draft = db.session.scalar(sa.select(CouncilDecision))
    db.session.refresh(draft)
    assert [e.status for e in draft.entries] == ["adopted"]
    assert str(draft.session_date) == "2026-11-20"
