"""Dates and times are said to people in the page's language and the site's time zone, on
every page that shows one (datetimeformat / day, with a "Times in ..." note where a time of day
shows): never ISO 8601 or UTC in visible text. Machine-readable `<time datetime>` attributes
are welcome; the test reads only the text between tags."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient

from pbplatform.channels.models import Meeting
from pbplatform.db import utcnow
from pbplatform.discussion.models import Comment
from pbplatform.meetings.models import MeetingEvent
from pbplatform.notifications.models import Letter, NotificationKind
from pbplatform.privacy.consents import record_registration
from pbplatform.privacy.models import DataExport, Purpose
from tests.factories import login_as
from tests.results.conftest import build_counted

# A day or a time as machines write them: 2027-03-04 (and 2027-03-04T18:30), +00:00, "UTC".
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|[+-]\d{2}:\d{2}\b|\bUTC\b")
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.S)


def visible_text(html: str) -> str:
    return TAG.sub(" ", html)


def _scene(app: Flask, db, client: FlaskClient) -> tuple[object, dict[str, list[str]]]:
    s = build_counted(db)
    slug = s.cycle.slug
    s.a.contact_consent = True
    meeting = Meeting(
        cycle_id=s.cycle.id, area_id=s.home.id, held_on=date(2027, 3, 4), place="Hall"
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingEvent(meeting_id=meeting.id, starts_at="18:30", invited_at=utcnow()))
    asked = utcnow() - timedelta(days=60)  # overdue: on the officers' discussion queue
    db.session.add(
        Comment(proposal_id=s.a.id, author_id=s.resident.id, body="When?", created_at=asked)
    )
    db.session.add(
        Letter(
            proposal_id=s.a.id,
            kind=NotificationKind.MEETING_INVITATION,
            note="2027-03-04, Hall (Fennpfuhl)",  # as invitations store it
        )
    )
    record_registration(
        s.resident, app.config["PRIVACY_NOTICE_VERSION"], {Purpose.NEWSLETTER: True}
    )
    db.session.add(
        DataExport(user_id=s.resident.id, content=b"", expires_at=utcnow() + timedelta(hours=24))
    )
    db.session.flush()
    # The count runs as a job; a second officer publishes it (four eyes).
    login_as(client, s.counter)
    job_page = client.post(f"/officer/cycles/{slug}/count").headers["Location"]
    login_as(client, s.checker)
    assert client.post(f"/officer/cycles/{slug}/results/1/publish").status_code == 303
    tn = s.a.tracking_number
    pages = {
        "officer": [
            job_page,
            f"/officer/cycles/{slug}/count",
            f"/officer/cycles/{slug}/results/1",
            f"/officer/meetings/{meeting.id}/event",
            "/officer/discussion",
            "/officer/letters",
        ],
        "resident": [
            f"/proposals/{tn}",
            f"/proposals/{tn}/discussion",
            f"/cycles/{slug}/meetings",
            f"/meetings/{meeting.id}",
            f"/cycles/{slug}/results",
            "/account/privacy",
        ],
    }
    return s, pages


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_page_says_a_date_or_time_as_iso_or_utc(app, client, db, lang, monkeypatch):
    # The privacy notice's version is a name, shown as written; by default it looks like a day.
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE_VERSION", "notice-7")
    s, pages = _scene(app, db, client)
    said_as_machines = {}  # every page's offenders at once, so one run names them all
    for who, user in (("officer", s.checker), ("resident", s.resident)):
        login_as(client, user)
        for url in pages[who]:
            response = client.get(url, headers={"Accept-Language": lang})
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            found = ISO.findall(visible_text(html))
            day = format_date(date(2027, 3, 4), "medium", locale=lang)
            if ("meeting" in url or "letters" in url) and day not in html:
                found.append(f"not {day}")  # the meeting's day is there, said in the language
            if found:
                said_as_machines[url] = found
    assert sorted(said_as_machines) == [], said_as_machines
