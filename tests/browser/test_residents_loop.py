"""Journey of residents in the loop (issue 16): a resident follows a proposal and comments, an
officer answers officially, the resident finds the notification; another resident's amendment is
accepted by the author; at desktop and phone widths, in English and German."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    screenshot,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.browser


def _scene(live_app):
    with committed(live_app):
        home = create_area(unique("Fennpfuhl"))
        cycle = create_cycle("proposals", areas=[home])
        author = create_user(email=unique("author") + "@example.org", area=home)
        proposal = create_proposal(
            cycle, area=home, status="pending", author=author, title=unique("Benches")
        )
        proposal.description = "Six benches by the pond."
        resident = create_user(email=unique("resident") + "@example.org", area=home)
        officer = create_user("officer", email=unique("officer") + "@example.org")
        return proposal.tracking_number, author.email, resident.email, officer.email


def _page(browser, live_url, email, *, locale="en-GB", width=1280, height=900):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    page = context.new_page()
    if email:
        log_in(page, live_url, email)
    return context, page


def test_follow_comment_answer_notify_and_amend(browser, live_app, live_url):
    number, author, resident, officer = _scene(live_app)

    context, page = _page(browser, live_url, resident)
    try:
        page.goto(f"{live_url}/proposals/{number}")
        page.get_by_role("button", name="Follow this proposal").click()
        page.wait_for_load_state()
        assert "You follow this proposal" in page.locator("main").inner_text()
        page.get_by_role("link", name="Join the discussion").click()
        page.get_by_label("Your comment").fill("Will the benches have backrests?")
        page.get_by_role("button", name="Publish").first.click()
        page.wait_for_load_state()
        assert "Your comment is published." in page.locator("main").inner_text()
        assert_accessible(page)
        page.goto(f"{live_url}/proposals/{number}")
        page.get_by_role("link", name="Propose an amendment").click()
        page.get_by_label("Description").fill("Ten benches by the pond.")
        page.get_by_role("button", name="Send the amendment").click()
        page.wait_for_load_state()
        diff = page.locator("div.diff")
        assert diff.locator("del").inner_text() == "Six"
        assert diff.locator("ins").inner_text() == "Ten"
        assert_accessible(page)
    finally:
        context.close()

    context, page = _page(browser, live_url, officer)
    try:
        page.goto(f"{live_url}/proposals/{number}/discussion")
        page.get_by_label("Text", exact=True).fill("Yes, with backrests and armrests.")
        page.get_by_label("Department (for an official answer)").fill("Parks department")
        page.locator("#officer-form + form button[type=submit]").click()
        page.wait_for_load_state()
        assert "Official answer" in page.locator("main").inner_text()
    finally:
        context.close()

    context, page = _page(browser, live_url, author)
    try:
        page.goto(f"{live_url}/notifications")
        page.get_by_role(
            "link", name="Waiting for your answer: invitations, amendments, proposed merges"
        ).click()
        page.locator("main a", has_text=number).first.click()
        page.get_by_role("button", name="Accept the amendment").click()
        page.wait_for_load_state()
        assert "Amendment accepted" in page.locator("main").inner_text()
    finally:
        context.close()

    for lang, answered, new in (
        ("en", "The council answered on a proposal", "New:"),
        ("de", "Der Bezirk hat zu einem Vorschlag geantwortet", "Neu:"),
    ):
        for width, height in ((1280, 900), (390, 844)):
            context, page = _page(browser, live_url, resident, width=width, height=height)
            try:
                page.goto(live_url)
                page.locator("form.lang select").select_option(lang)  # the site's switch
                page.locator("form.lang button").click()
                page.wait_for_load_state()
                page.locator("header nav a[href='/notifications']").click()
                text = page.locator("main").inner_text()
                assert answered in text
                assert new in text
                page.goto(f"{live_url}/proposals/{number}")
                assert "Ten benches by the pond." in page.locator("main").inner_text()
                assert_accessible(page)
                assert_no_horizontal_scroll(page)
                screenshot(page, f"loop-{lang}-{width}")
            finally:
                context.close()
