"""Meetings as events (issue 16 item 4): a public page with time, agenda, proposals discussed
and minutes; the area's followers and the proposers on the agenda are invited, once."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from pbplatform.channels.models import Meeting
from pbplatform.notifications.models import Letter, Notification
from tests.factories import login_as


def _scene(db, make_cycle, make_user, make_proposal):
    cycle = make_cycle("proposals")
    area_a, area_b = (ca.area for ca in cycle.areas)
    officer = make_user("officer", officer_areas=(area_a,))
    author = make_user(area=area_a)
    proposal = make_proposal(cycle, area=area_a, status="pending", author=author)
    offline = make_proposal(
        cycle,
        area=area_a,
        status="pending",
        channel="letter",
        contact_consent=True,
        contact_details="Elm Street 1",
    )
    meeting = Meeting(
        cycle_id=cycle.id, area_id=area_a.id, held_on=date(2027, 3, 4), place="Town hall"
    )
    db.session.add(meeting)
    db.session.flush()
    return cycle, area_a, area_b, officer, author, proposal, offline, meeting


def test_officers_publish_a_meeting_page_and_invite_once(
    app, client, db, make_cycle, make_user, make_proposal
):
    cycle, area_a, area_b, officer, author, proposal, offline, meeting = _scene(
        db, make_cycle, make_user, make_proposal
    )
    neighbour, elsewhere = make_user(), make_user()
    for user, area in ((neighbour, area_a), (elsewhere, area_b)):
        login_as(client, user)
        client.post("/notifications/follow/area", data={"area": str(area.id)})
    # The home page links the cycle's meetings; the list links the meeting.
    listing = client.get(f"/cycles/{cycle.slug}/meetings").get_data(as_text=True)
    assert "Town hall" in listing
    assert "The agenda is not published yet." in client.get(f"/meetings/{meeting.id}").get_data(
        as_text=True
    )
    other = app.test_client()
    login_as(other, make_user("officer", officer_areas=(area_b,)))
    assert other.get(f"/officer/meetings/{meeting.id}/event").status_code == 403
    login_as(client, officer)
    bad = client.post(
        f"/officer/meetings/{meeting.id}/event",
        data={"starts_at": "25:99", "proposals": "NO-SUCH-1"},
    )
    assert bad.status_code == 422
    assert "Write the time as hh:mm" in bad.get_data(as_text=True)
    unknown = client.post(f"/officer/meetings/{meeting.id}/event", data={"proposals": "NO-SUCH-1"})
    assert unknown.status_code == 422
    assert "NO-SUCH-1 is not a proposal of this cycle." in unknown.get_data(as_text=True)
    saved = client.post(
        f"/officer/meetings/{meeting.id}/event",
        data={
            "starts_at": "18:30",
            "agenda": "1. Welcome\n2. Trees <b>or</b> benches",
            "proposals": f"{proposal.tracking_number}, {offline.tracking_number}",
        },
    )
    assert saved.status_code == 303
    page = app.test_client().get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Mar 4, 2027</time>, 18:30" in page  # the day in the page's language
    assert "1. Welcome<br>\n2. Trees &lt;b&gt;or&lt;/b&gt; benches" in page
    assert proposal.tracking_number in page
    assert client.post(f"/officer/meetings/{meeting.id}/invite").status_code == 303
    invited = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.kind == "meeting_invitation")
        )
    )
    assert invited == {neighbour.id, author.id}
    [letter] = db.session.scalars(sa.select(Letter)).all()
    assert (letter.proposal_id, letter.kind) == (offline.id, "meeting_invitation")
    again = client.post(f"/officer/meetings/{meeting.id}/invite")
    assert again.status_code == 409
    # The invitation gives the day in the reader's language, whatever the officer's.
    reader = app.test_client()
    login_as(reader, neighbour)
    for lang, day in (("en", "Mar 4, 2027"), ("de", "04.03.2027")):
        notes = reader.get("/notifications", headers={"Accept-Language": lang})
        assert f"{day}, Town hall ({area_a.name})" in notes.get_data(as_text=True)
    # Minutes afterwards.
    client.post(
        f"/officer/meetings/{meeting.id}/event",
        data={"starts_at": "18:30", "minutes": "Forty residents came."},
    )
    assert "Forty residents came." in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_meeting_days_are_written_in_the_readers_language(
    client, db, make_cycle, make_user, make_proposal
):
    """The list, the public page and the officer's meeting page gave the day as ISO
    (2027-03-04) whatever the language; a resident reads it as the rest of the site writes it."""
    cycle, _a, _b, officer, _author, _p, _o, meeting = _scene(
        db, make_cycle, make_user, make_proposal
    )
    login_as(client, officer)
    pages = (
        f"/cycles/{cycle.slug}/meetings",
        f"/meetings/{meeting.id}",
        f"/officer/meetings/{meeting.id}/event",
        f"/officer/meetings/{cycle.slug}/{meeting.id}",
    )
    for lang, written in (("en", "Mar 4, 2027"), ("de", "04.03.2027")):
        for page in pages:
            response = client.get(page, headers={"Accept-Language": lang})
            assert response.status_code == 200, page
            # what is read, not the <time datetime> attribute that machines read
            text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
            assert written in text, (lang, page)
            assert "2027-03-04" not in text, (lang, page)
