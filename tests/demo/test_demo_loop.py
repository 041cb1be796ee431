"""The demo shows residents in the loop (issue 16 item 6): follows and notifications waiting
for the demo resident, an official answer and a hidden comment, an amendment accepted and one
declined, a merge with its authors' consent, and a meeting's public page."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.codesign.models import Amendment, MergeRequest
from pbplatform.demo import loader
from pbplatform.discussion.models import Comment
from pbplatform.meetings.models import MeetingEvent
from pbplatform.notifications.models import Notification


def test_results_demo_has_residents_in_the_loop(app, db):
    with app.test_request_context():
        cycle = loader.load_demo("results")
    from pbplatform.accounts.models import User

    demo_resident = db.session.scalar(sa.select(User).where(User.email == loader.email("resident")))
    waiting = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == demo_resident.id)
    ).all()
    kinds = {n.kind for n in waiting}
    assert {"approved", "voting_opened", "results_published"} <= kinds
    comments = db.session.scalars(sa.select(Comment)).all()
    assert any(c.official for c in comments)
    assert any(c.hidden_at is not None for c in comments)
    statuses = sorted(a.status for a in db.session.scalars(sa.select(Amendment)))
    assert statuses == ["accepted", "declined"]
    [merge] = db.session.scalars(sa.select(MergeRequest)).all()
    assert merge.status == "merged"
    assert all(c.answer == "accepted" for c in merge.consents)
    [event] = db.session.scalars(sa.select(MeetingEvent)).all()
    assert event.invited_at is not None
    assert cycle.slug == loader.DEMO_SLUG
