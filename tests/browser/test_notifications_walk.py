"""Notification e-mail as a resident meets it: invited to a survey by an officer (in the
browser), the e-mail's links lead to this site, and its one-click unsubscribe link opens a
page that says what happened and where to go next, in English and German, at 1280 and 390 px.
The mail is read from the outbox as a mail client would get it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.mail.services import send_mail
from pbplatform.notifications.models import EmailFrequency
from pbplatform.notifications.services import follow, set_email_frequency, unsubscribe_token
from pbplatform.proposals.models import EventKind
from pbplatform.proposals.services import add_event
from pbplatform.surveys.services import create_survey
from tests.browser.axe import axe_violations
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.surveys.conftest import rating

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _open(browser, live_url, size, lang, who=None):
    context = browser.new_context(locale="en-GB", viewport=size)
    page = context.new_page()
    if who:
        log_in(page, live_url, who)
    page.goto(live_url)
    if lang != "en":
        page.locator("form.lang select").select_option(lang)  # the site's own switch
        page.locator("form.lang button").click()
        page.wait_for_load_state()
    return page


def _invited_by_e_mail(browser, live_app, live_url) -> tuple[str, str]:
    """A follower of an area who wants each e-mail at once; an officer invites the area's
    followers to a survey in the browser. The e-mail's body, and the follower's address."""
    with committed(live_app):
        home = create_area(unique("Friedrichsfelde"))
        resident = create_user(area=home)
        follow(resident, area=home)
        set_email_frequency(resident, EmailFrequency.IMMEDIATE)
        officer = create_user("officer")
        survey = create_survey(officer, [rating()], title=unique("Rate the senior sports"))
        survey_id, area, email, officer_email = survey.id, home.name, resident.email, officer.email
    desk = _open(browser, live_url, DESK, "en", officer_email)
    try:
        desk.goto(f"{live_url}/officer/surveys/{survey_id}")
        desk.locator("#area_id").select_option(label=area)
        desk.locator("form[action$='/invite'] button[type=submit]").click()
        desk.wait_for_load_state()
    finally:
        desk.context.close()
    with committed(live_app):
        mail = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.recipient == email)
        ).one()
        return mail.body, email


def test_the_e_mails_links_lead_to_this_site(browser, live_app, live_url):
    """Every link in the e-mail is on the site that wrote it (was http://127.0.0.1:5000
    whatever the site's address: PUBLIC_BASE_URL was read from nowhere)."""
    body, _email = _invited_by_e_mail(browser, live_app, live_url)
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 3  # the survey, the notifications page, the unsubscribe link
    assert all(link.startswith(live_url + "/") for link in links), links
    page = _open(browser, live_url, PHONE, "de")
    try:
        page.goto(links[-1])
        assert page.locator("h1").inner_text() == "E-Mails abbestellen"
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("size", "lang"), [(PHONE, "de"), (DESK, "en")])
def test_the_unsubscribe_pages_lead_on(browser, live_app, live_url, size, lang):
    """Done, or a link that is not valid (forged, or cut short by a mail program): each page
    says what happened and links to where the e-mail choice is made (the done page had no
    link; a broken link was a bare 'Page not found' with a link to the start page)."""
    with committed(live_app):
        token = unsubscribe_token(create_user())
    broken = token[:-6]  # the end of a long link lost in a wrapped line
    page = _open(browser, live_url, size, lang)
    try:
        for link, status in ((broken, 404), (token, 200)):
            answer = page.goto(f"{live_url}/notifications/unsubscribe/{link}")
            assert answer.status == status
            if status == 200:  # the one click
                page.locator("main form button").click()
                page.wait_for_load_state()
                assert page.locator("[role=status]").count() == 1
            onward = page.locator("main a[href^='/login?next=/notifications']")
            assert onward.count() == 1, link
            assert_accessible(page)
            assert_no_horizontal_scroll(page)
            assert axe_violations(page) == []
        onward.click()
        page.wait_for_load_state()
        assert page.locator("#email").count() == 1  # the login form, then the notifications
    finally:
        page.context.close()


@pytest.mark.parametrize("size", [DESK, PHONE])
def test_the_development_outbox_wraps_long_links_and_opens_them(browser, live_app, live_url, size):
    """README: in development, follow the mail's links from /admin/outbox. A signed link is
    longer than a line: it wraps inside the page (the page was 2,052 px wide at 1280) and is a
    link to click (was plain text to copy)."""
    with committed(live_app):
        resident = create_user()
        link = f"{live_url}/notifications/unsubscribe/{unsubscribe_token(resident)}"
        send_mail(resident.email, "Stop e-mails", f"To stop these e-mails with one click: {link}")
        admin = create_user("admin").email
    page = _open(browser, live_url, size, "en", admin)
    try:
        page.locator("header a[href='/admin']").click()
        page.locator("main a[href='/admin/outbox']").click()
        page.wait_for_load_state()
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
        page.locator(f"main a[href='{link}']").first.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Stop e-mails"
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("size", "lang", "said"),
    [(DESK, "en", "Council decision (version 1): Adopted"), (PHONE, "de", "(Fassung 1)")],
)
def test_a_council_decision_reads_as_one(browser, live_app, live_url, size, lang, said):
    """A followed proposal's council decision, on the notifications page, says what was decided
    (was the event's machine note 'adopted:1')."""
    with committed(live_app):
        home = create_area(unique("Karlshorst"))
        cycle = create_cycle("results", areas=[home])
        proposal = create_proposal(cycle, area=home, status="approved", title=unique("Garden"))
        resident = create_user(area=home)
        follow(resident, proposal=proposal)
        add_event(proposal, EventKind.COUNCIL_DECISION, "adopted:1")  # as decisions confirm
        number, email = proposal.tracking_number, resident.email
    page = _open(browser, live_url, size, lang, email)
    try:
        page.locator("header a[href='/notifications']").click()
        page.wait_for_load_state()
        item = page.locator("ol.notifications li").filter(has_text=number)
        assert said in item.inner_text()
        assert "adopted:1" not in item.inner_text()
    finally:
        page.context.close()


H1_WORDS_BROKEN = """() => {
  const h1 = document.querySelector('h1');
  const broken = [];
  const walk = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) {
        broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def test_the_german_headings_keep_their_words_whole_on_a_phone(browser, live_app, live_url):
    """'Benachrichtigungen' at 390 px (was split 'Benachrichtigunge' / 'n')."""
    with committed(live_app):
        email = create_user().email
    page = _open(browser, live_url, PHONE, "de", email)
    try:
        page.locator("header a[href='/notifications']").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Benachrichtigungen"
        assert page.evaluate(H1_WORDS_BROKEN) == []
    finally:
        page.context.close()
