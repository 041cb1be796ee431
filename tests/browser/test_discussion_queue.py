"""The officers' discussion queue, reached from the officer's home by links: a reported
comment shows what was reported and the reasons residents gave (was: only the proposal's
number and how many reports, beside a button to dismiss them), at 1280 and 390 px, in English
and German; axe-core finds nothing."""

from __future__ import annotations

import pytest

from pbplatform.discussion import services as discussion
from tests.browser.axe import axe_violations
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.browser

LONG_WORD = "Grünflächenunterhaltungsverpflichtungsvereinbarung" * 2


@pytest.mark.parametrize(
    ("size", "lang"),
    [({"width": 390, "height": 844}, "de"), ({"width": 1280, "height": 900}, "en")],
)
def test_the_queue_shows_what_was_reported_and_why(browser, live_app, live_url, size, lang):
    with committed(live_app):
        home = create_area(unique("Fennpfuhl"))
        cycle = create_cycle("review", areas=[home])
        proposal = create_proposal(cycle, area=home, status="approved", title=unique("Benches"))
        resident = create_user(area=home)
        officer = create_user("officer", officer_areas=(home,)).email
        comment = discussion.post_comment(proposal, resident, f"Rude words and {LONG_WORD}.").id
        number = proposal.tracking_number
        reporter_email = create_user(area=home).email
    reporter = browser.new_context(locale="en-GB").new_page()
    try:
        log_in(reporter, live_url, reporter_email)
        reporter.goto(f"{live_url}/proposals/{number}/discussion")
        reporter.locator(f"#comment-{comment} details summary").first.click()
        reporter.locator(f"#flag-{comment}").fill("It insults my neighbour.")
        reporter.locator(f"form[action='/comments/{comment}/flag'] button").click()
        reporter.wait_for_load_state()
    finally:
        reporter.context.close()
    context = browser.new_context(locale="en-GB", viewport=size)
    page = context.new_page()
    try:
        log_in(page, live_url, officer)
        if lang != "en":
            page.locator("form.lang select").select_option(lang)
            page.locator("form.lang button").click()
            page.wait_for_load_state()
        page.locator("header a[href='/officer']").click()
        page.locator("main a[href='/officer/discussion']").click()
        page.wait_for_load_state()
        entry = page.locator("ul.reported > li").filter(has_text=number)
        assert entry.count() == 1
        said = entry.inner_text()
        assert "Rude words" in said
        assert "It insults my neighbour." in said
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
    finally:
        context.close()
