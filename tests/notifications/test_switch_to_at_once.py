"""Switching e-mail from the daily digest to "at once": what waited for the digest goes out as
one digest e-mail at the switch (claimed, so the job and the digest never mail it again), and
only what happens afterwards comes one e-mail each."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.mail.models import OutboxMessage
from pbplatform.notifications.models import Notification
from tests.factories import login_as


def _mails(db, user):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id)
    ).all()


def _approve(app, officer, proposal):
    client = app.test_client()
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/approve",
        data={"officer_cost": "1500.00", "feasibility": "Parks office can plant."},
    )
    assert response.status_code == 303


def _scene(make_cycle, make_user, make_proposal, client):
    cycle = make_cycle("review")
    area = cycle.areas[0].area
    officer = make_user("officer", officer_areas=(area,))
    proposals = [
        make_proposal(cycle, area=area, status="pending", title=title)
        for title in ("Trees for Elm Street", "Benches by the pond", "A bike shelter")
    ]
    reader = make_user()
    login_as(client, reader)
    for proposal in proposals:
        assert client.post(f"/proposals/{proposal.tracking_number}/follow").status_code == 303
    return officer, proposals, reader


def test_the_waiting_notifications_go_out_as_one_digest_then_each_at_once(
    app, client, db, make_cycle, make_user, make_proposal
):
    from pbplatform.notifications.services import send_digests, send_immediate

    officer, (first, second, third), reader = _scene(make_cycle, make_user, make_proposal, client)
    _approve(app, officer, first)
    _approve(app, officer, second)
    assert _mails(db, reader) == []  # the default: they wait for the daily digest

    assert client.post("/notifications/email", data={"email": "immediate"}).status_code == 303
    [digest] = _mails(db, reader)
    assert digest.subject == "2 notifications"
    assert first.tracking_number in digest.body
    assert second.tracking_number in digest.body
    waiting = sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == reader.id, Notification.mailed_at.is_(None)
    )
    assert db.session.scalar(waiting) == 0  # claimed with the digest that carried them

    _approve(app, officer, third)  # news after the switch: one e-mail, of it alone
    digest_again, at_once = _mails(db, reader)
    assert digest_again.id == digest.id
    assert third.tracking_number in at_once.body
    assert first.tracking_number not in at_once.body
    assert (send_immediate(), send_digests()) == (0, 0)  # nothing is mailed twice
    assert len(_mails(db, reader)) == 2


def test_a_switch_with_nothing_waiting_mails_nothing_and_saving_again_changes_nothing(
    app, client, db, make_cycle, make_user, make_proposal
):
    officer, (first, _second, _third), reader = _scene(make_cycle, make_user, make_proposal, client)
    assert client.post("/notifications/email", data={"email": "immediate"}).status_code == 303
    assert _mails(db, reader) == []
    _approve(app, officer, first)
    [at_once] = _mails(db, reader)
    # Saving "at once" again is no switch: nothing waits, nothing more is sent.
    assert client.post("/notifications/email", data={"email": "immediate"}).status_code == 303
    assert _mails(db, reader) == [at_once]
