"""Delivery records and milestones through the real stack (issue 15 item 4)."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.db import today
from pbplatform.delivery.models import Delivery, Milestone
from pbplatform.extensions import db
from tests.delivery.conftest import image_bytes
from tests.factories import create_cycle, create_proposal, login_as


def _record(client, proposal, **data):
    form = {"status": "in_progress", "progress": "40", "committed": "0", "spent": "0"} | data
    return client.post(f"/officer/proposals/{proposal.tracking_number}/delivery", data=form)


def _milestone(client, proposal, text="Ground works started.", photos=(), when=None):
    data = {"on_date": (when or today()).isoformat(), "text": text}
    if photos:
        data["photos"] = [(io.BytesIO(content), name) for name, content in photos]
    return client.post(
        f"/officer/proposals/{proposal.tracking_number}/delivery/milestones",
        data=data,
        content_type="multipart/form-data",
    )


def test_officer_records_delivery_and_the_public_sees_it(client, funded):
    s = funded
    login_as(client, s.officer)
    page = client.get(f"/officer/proposals/{s.a.tracking_number}/delivery")
    assert page.status_code == 200
    response = _record(
        client,
        s.a,
        department="Parks office",
        committed="45000",
        spent="12000.50",
        planned_end=(today() + timedelta(days=90)).isoformat(),
    )
    assert response.status_code == 303
    assert _milestone(client, s.a).status_code == 303
    record = db.session.scalar(sa.select(Delivery).where(Delivery.proposal_id == s.a.id))
    assert (record.status, record.progress, record.department) == (
        "in_progress",
        40,
        "Parks office",
    )
    assert (record.committed_minor, record.spent_minor) == (45_000_00, 12_000_50)
    assert [m.text for m in record.milestones] == ["Ground works started."]
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"delivery.updated", "delivery.milestone"} <= actions

    client.post("/logout")  # the public, signed out
    html = client.get(f"/proposals/{s.a.tracking_number}").get_data(as_text=True)
    assert 'data-delivery-status="in_progress"' in html
    assert "Ground works started." in html
    assert "Parks office" in html
    assert "€12,000.50" in html
    # The list filters: in delivery, done.
    listed = client.get(f"/proposals?cycle={s.cycle.slug}&delivery=in_delivery").get_data(
        as_text=True
    )
    assert s.a.tracking_number in listed
    assert s.b.tracking_number not in listed
    done = client.get(f"/proposals?cycle={s.cycle.slug}&delivery=done").get_data(as_text=True)
    assert s.a.tracking_number not in done


def test_done_is_complete_and_not_done_needs_a_reason(client, funded):
    s = funded
    login_as(client, s.officer)
    assert _record(client, s.c, status="not_done").status_code == 422
    assert db.session.scalar(sa.select(Delivery).where(Delivery.proposal_id == s.c.id)) is None
    page = _record(client, s.c, status="not_done")
    assert "Say why it was not done." in page.get_data(as_text=True)
    assert _record(client, s.c, status="not_done", not_done_reason="Site sold.").status_code == 303
    assert _record(client, s.a, status="done", progress="10").status_code == 303
    done = db.session.scalar(sa.select(Delivery).where(Delivery.proposal_id == s.a.id))
    assert (done.progress, done.actual_end) == (100, today())
    # Done opens the residents' co-assessment of the project (issue 19), once.
    from pbplatform.surveys.queries import coassessment_survey

    assert coassessment_survey(s.a.id) is not None
    assert coassessment_survey(s.c.id) is None  # not done: nothing to rate
    bad = _record(client, s.a, progress="140")
    assert bad.status_code == 422


def test_unfunded_and_out_of_remit_are_refused(client, funded):
    s = funded
    login_as(client, s.officer)
    assert _record(client, s.b).status_code == 409  # not funded
    early = create_proposal(create_cycle("review", areas=[s.home]), area=s.home)
    assert _record(client, early).status_code == 409
    login_as(client, s.outsider)
    assert _record(client, s.a).status_code == 403
    assert _milestone(client, s.a).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == 0


def test_milestone_date_in_the_future_is_refused(client, funded):
    s = funded
    login_as(client, s.officer)
    response = _milestone(client, s.a, when=today() + timedelta(days=2))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_api_carries_delivery_null_before(client, funded):
    s = funded
    body = client.get(f"/api/v1/proposals/{s.a.tracking_number}").get_json()
    assert body["delivery"] is None
    login_as(client, s.officer)
    _record(client, s.a)
    _milestone(client, s.a, photos=[("site.jpg", image_bytes())])
    body = client.get(f"/api/v1/proposals/{s.a.tracking_number}").get_json()
    assert body["delivery"] == {
        "status": "in_progress",
        "progress": 40,
        "milestones": [{"date": today().isoformat(), "text": "Ground works started."}],
    }
    listed = client.get(f"/api/v1/cycles/{s.cycle.slug}/proposals?per_page=50").get_json()
    by_number = {p["tracking_number"]: p for p in listed["items"]}
    assert by_number[s.a.tracking_number]["delivery"]["status"] == "in_progress"
    assert by_number[s.b.tracking_number]["delivery"] is None
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "delivery" in spec["components"]["schemas"]["Proposal"]["properties"]
    assert spec["components"]["schemas"]["Delivery"]["properties"]["status"]["enum"] == [
        "planned",
        "in_progress",
        "done",
        "not_done",
    ]


def test_funded_rows_follow_a_publication_made_by_another_worker(app, funded):
    """The per-process cache of funded rows is keyed by the published version read from the
    database on every call (and its content hash): a newer publication, as another worker
    would make it, is seen at once, never the rows cached for the older one."""
    import copy

    from pbplatform.delivery.queries import funded_rows
    from pbplatform.results.models import ResultVersion
    from pbplatform.results.services import content_hash

    s = funded
    with app.test_request_context():
        assert s.b.id not in funded_rows(s.cycle)  # cached now
        outcome = copy.deepcopy(s.version.outcome)
        for lst in outcome["lists"]:
            for row in lst["projects"]:
                row["selected"] = int(row["id"]) == s.b.id  # only b funded in version 2
        newer = ResultVersion(
            cycle_id=s.cycle.id,
            version=s.version.version + 1,
            config=s.version.config,
            outcome=outcome,
            content_hash=content_hash(s.version.config, outcome),
            published_at=s.version.published_at,
        )
        db.session.add(newer)
        db.session.flush()
        assert set(funded_rows(s.cycle)) == {s.b.id}
