"""Discussion with official answers (issue 16 item 2): residents comment and answer one level
deep in plain text, officers answer in the council's name and enter offline comments, residents
report and officers hide with a reason, overdue questions show in the officers' queue, and
comments close with the results."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pbplatform.db import utcnow
from pbplatform.discussion.models import Comment
from pbplatform.extensions import db as _db
from pbplatform.notifications.models import Notification
from tests.factories import login_as
from tests.limits import limited_app


def _scene(make_cycle, make_user, make_proposal, phase="review"):
    cycle = make_cycle(phase)
    area_a, area_b = (ca.area for ca in cycle.areas)
    proposal = make_proposal(cycle, area=area_a, status="approved", title="Trees for Elm Street")
    officer = make_user("officer", officer_areas=(area_a,))
    return cycle, area_a, area_b, proposal, officer


def _comments(db, proposal):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.id)
    ).all()


def _say(client, proposal, body, parent=None):
    data = {"body": body} | ({"parent_id": str(parent)} if parent else {})
    return client.post(f"/proposals/{proposal.tracking_number}/comments", data=data)


def test_residents_comment_and_answer_one_level_deep(
    client, db, make_cycle, make_user, make_proposal
):
    _, _, _, proposal, _ = _scene(make_cycle, make_user, make_proposal)
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    login_as(client, alice)
    response = _say(client, proposal, "Which trees?\nOaks would be nice: https://example.org/oaks.")
    assert response.status_code == 303
    [question] = _comments(db, proposal)
    assert response.headers["Location"].endswith(f"#comment-{question.id}")
    login_as(client, bob)
    assert _say(client, proposal, "Limes!", parent=question.id).status_code == 303
    reply = _comments(db, proposal)[-1]
    # An answer to the answer joins the same thread (one level deep).
    assert _say(client, proposal, "Or both.", parent=reply.id).status_code == 303
    third = _comments(db, proposal)[-1]
    assert (reply.parent_id, third.parent_id) == (question.id, question.id)
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Which trees?<br>\nOaks would be nice" in page
    assert '<a href="https://example.org/oaks" rel="nofollow ugc noopener">' in page
    assert "Limes!" in page
    assert "Alice" in page
    # Commenters follow the proposal.
    discussion = client.get(f"/proposals/{proposal.tracking_number}/discussion")
    assert discussion.status_code == 200


def test_comments_are_plain_text(client, db, make_cycle, make_user, make_proposal):
    _, _, _, proposal, _ = _scene(make_cycle, make_user, make_proposal)
    login_as(client, make_user())
    evil = "<script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)"
    assert _say(client, proposal, evil).status_code == 303
    page = client.get(f"/proposals/{proposal.tracking_number}/discussion").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page


def test_bad_comments_are_refused_beside_the_field(
    client, db, make_cycle, make_user, make_proposal
):
    _, _, _, proposal, _ = _scene(make_cycle, make_user, make_proposal)
    login_as(client, make_user())
    empty = _say(client, proposal, "   ")
    assert empty.status_code == 422
    too_long = _say(client, proposal, "x" * 2001)
    assert too_long.status_code == 422
    assert "Field cannot be longer than 2000 characters." in too_long.get_data(as_text=True)
    assert _say(client, proposal, "Hi", parent=999999).status_code == 404
    assert _comments(db, proposal) == []


def test_official_answers_notify_and_clear_the_overdue_list(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, _, area_b, proposal, officer = _scene(make_cycle, make_user, make_proposal)
    asker, follower = make_user(), make_user()
    login_as(client, follower)
    client.post(f"/proposals/{proposal.tracking_number}/follow")
    login_as(client, asker)
    _say(client, proposal, "When will the trees be planted?")
    [question] = _comments(db, proposal)
    officers = app.test_client()
    login_as(officers, officer)
    assert "No question is overdue." in officers.get("/officer/discussion").get_data(as_text=True)
    question.created_at = utcnow() - timedelta(days=cycle.answer_within_days + 1)
    db.session.flush()
    listed = officers.get("/officer/discussion").get_data(as_text=True)
    assert proposal.tracking_number in listed
    # The other area's officer neither sees it nor may answer.
    other = app.test_client()
    login_as(other, make_user("officer", officer_areas=(area_b,)))
    assert proposal.tracking_number not in other.get("/officer/discussion").get_data(as_text=True)
    refused = other.post(
        f"/officer/proposals/{proposal.tracking_number}/comments",
        data={
            "answer-kind": "official",
            "answer-body": "Soon.",
            "answer-department": "Parks",
            "answer-channel": "letter",
        },
    )
    assert refused.status_code == 403
    # An official answer without a department is refused beside the field.
    missing = officers.post(
        f"/officer/proposals/{proposal.tracking_number}/comments",
        data={"answer-kind": "official", "answer-body": "In spring.", "answer-channel": "letter"},
    )
    assert missing.status_code == 422
    assert "Name the department that answers." in missing.get_data(as_text=True)
    answered = officers.post(
        f"/officer/proposals/{proposal.tracking_number}/comments",
        data={
            "answer-kind": "official",
            "answer-body": "In spring.",
            "answer-department": "Parks Department",
            "answer-channel": "letter",
            "answer-parent_id": str(question.id),
        },
    )
    assert answered.status_code == 303
    answer = _comments(db, proposal)[-1]
    assert (answer.official, answer.department, answer.parent_id) == (
        True,
        "Parks Department",
        question.id,
    )
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Official answer" in page
    assert "Parks Department" in page
    assert "No question is overdue." in officers.get("/officer/discussion").get_data(as_text=True)
    told = db.session.scalars(
        sa.select(Notification.user_id).where(Notification.kind == "official_answer")
    ).all()
    assert sorted(told) == sorted([asker.id, follower.id])
    # Notifications name the department, never copy the text: hiding the answer hides it
    # everywhere (attack 2026-12-07 found a hidden answer still in notifications and digests).
    notes = db.session.scalars(
        sa.select(Notification.note).where(Notification.kind == "official_answer")
    ).all()
    assert notes == ["Parks Department", "Parks Department"]


def test_officers_enter_comments_that_came_offline(
    client, db, make_cycle, make_user, make_proposal
):
    _, _, _, proposal, officer = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/comments",
        data={
            "answer-kind": "offline",
            "answer-body": "Please keep the old chestnut.",
            "answer-channel": "letter",
            "answer-author_name": "Erika M.",
        },
    )
    assert response.status_code == 303
    [entered] = _comments(db, proposal)
    assert (entered.channel, entered.author_name, entered.entered_by_id, entered.official) == (
        "letter",
        "Erika M.",
        officer.id,
        False,
    )
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "received by letter, entered by an officer" in page


def test_reported_comments_are_hidden_with_a_reason(
    app, client, db, make_cycle, make_user, make_proposal
):
    _, _, area_b, proposal, officer = _scene(make_cycle, make_user, make_proposal)
    login_as(client, make_user())
    _say(client, proposal, "You are all idiots.")
    [rude] = _comments(db, proposal)
    reporter = app.test_client()
    login_as(reporter, make_user())
    assert reporter.post(f"/comments/{rude.id}/flag", data={"reason": "Insult"}).status_code == 303
    officers = app.test_client()
    login_as(officers, officer)
    assert proposal.tracking_number in officers.get("/officer/discussion").get_data(as_text=True)
    other = app.test_client()
    login_as(other, make_user("officer", officer_areas=(area_b,)))
    assert other.post(f"/officer/comments/{rude.id}/hide", data={"reason": "x"}).status_code == 403
    hidden = officers.post(f"/officer/comments/{rude.id}/hide", data={"reason": "Insult to others"})
    assert hidden.status_code == 303
    page = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "You are all idiots." not in page
    assert "Hidden by moderation: Insult to others" in page
    assert "No reported comments." in officers.get("/officer/discussion").get_data(as_text=True)


def test_comments_close_with_the_results(client, db, make_cycle, make_user, make_proposal):
    _, _, _, proposal, _ = _scene(make_cycle, make_user, make_proposal, phase="results")
    login_as(client, make_user())
    response = _say(client, proposal, "Too late?")
    assert response.status_code == 409
    assert "Comments are closed" in response.get_data(as_text=True)
    assert _comments(db, proposal) == []


def test_comments_are_rate_limited():
    with limited_app(COMMENT_RATE_LIMIT="2 per minute") as app:
        with app.app_context():
            from tests.factories import create_cycle, create_proposal, create_user

            cycle = create_cycle("review")
            proposal = create_proposal(cycle, area=cycle.areas[0].area)
            user = create_user()
            _db.session.commit()
            tn = proposal.tracking_number
            client = app.test_client()
            login_as(client, user)
        codes = [
            client.post(f"/proposals/{tn}/comments", data={"body": f"Hi {i}"}).status_code
            for i in range(3)
        ]
        assert codes == [303, 303, 429]


def test_the_api_reads_and_writes_comments(app, client, db, make_cycle, make_user, make_proposal):
    from pbplatform.api.services import create_token

    _, _, _, proposal, officer = _scene(make_cycle, make_user, make_proposal)
    resident = make_user(name="Cem")
    token = {"Authorization": f"Bearer {create_token(resident, 'app')[1]}"}
    url = f"/api/v1/proposals/{proposal.tracking_number}/comments"
    made = client.post(url, json={"body": "Benches too?"}, headers=token)
    assert made.status_code == 201
    assert (made.json["channel"], made.json["official"], made.json["author"]) == (
        "api",
        False,
        "Cem",
    )
    refused = client.post(url, json={"body": ""}, headers=token)
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    [comment] = _comments(db, proposal)
    login_as(client, officer)
    client.post(f"/officer/comments/{comment.id}/hide", data={"reason": "Off topic"})
    body = app.test_client().get(url).json
    [item] = body["items"]
    assert (item["hidden"], item["body"], item["hidden_reason"]) == (True, None, "Off topic")
    assert body["open"] is True
    assert app.test_client().post(url, json={"body": "x"}).status_code == 401
