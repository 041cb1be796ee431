"""Journey 1: a resident registers, logs in, proposes, follows the proposal, logs out."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from tests.browser.helpers import assert_accessible, committed, log_in, unique
from tests.factories import create_area, create_cycle

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lilac trams hum at dawn"  # the factories' password is on the deny-list


def test_resident_registers_proposes_and_logs_out(page, browser, live_app, live_url):
    with committed(live_app):
        area = create_area(unique("Fennpfuhl"))
        cycle = create_cycle("proposals", areas=[area, create_area()])
        area_name, slug = area.name, cycle.slug
    email = f"{unique('resident').replace(' ', '-')}@example.org"

    page.goto(live_url + "/")
    page.get_by_role("link", name="Register").click()
    assert_accessible(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Display name").fill("Rosa Resident")
    page.get_by_label("Home area").select_option(label=area_name)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert page.locator("h1").inner_text() == "Check your e-mail"
    assert_accessible(page)

    log_in(page, live_url, email, NEW_PASSWORD)
    assert page.get_by_role("link", name="Rosa Resident").is_visible()

    page.goto(f"{live_url}/proposals?cycle={slug}")
    assert_accessible(page)
    page.get_by_role("link", name="Submit a proposal").click()
    assert_accessible(page)
    # The home area is preselected; district-wide stays one choice away.
    assert page.get_by_label("Area").evaluate("s => s.options[s.selectedIndex].text") == area_name
    page.get_by_label("Title").fill("Benches along the pond")
    page.get_by_label("Description").fill("Six benches so that older neighbours can rest.")
    page.get_by_label("Category").select_option("green")
    page.get_by_label("Estimated cost").fill("2500.50")
    page.get_by_label("Location (optional)").fill("Fennpfuhl pond, east side")
    page.get_by_role("button", name="Submit proposal").click()

    match = re.search(r"/proposals/([A-Z]+-\d{4}-\d{4})$", page.url)
    assert match, page.url
    number = match.group(1)
    assert number in page.get_by_role("status").first.inner_text()  # the flash names it
    assert page.locator("h1").inner_text() == "Benches along the pond"
    assert f"Tracking number: {number}" in page.locator("article header").inner_text()
    assert "Pending review" in page.locator("article header").inner_text()
    timeline = page.locator("section[aria-labelledby=timeline-h]")
    assert "Submitted" in timeline.inner_text()
    assert_accessible(page)

    with live_app.app_context():
        stored = db.session.scalar(sa.select(Proposal).where(Proposal.tracking_number == number))
        author = db.session.scalar(sa.select(User).where(User.email == email))
        assert (stored.author_id, stored.estimated_cost_minor, stored.channel, stored.status) == (
            author.id,
            2500_50,
            "web",
            "pending",
        )
        assert author.home_area.name == area_name

    # The public page is public: anyone can follow the proposal by its number.
    anonymous = browser.new_context(locale="en-GB")
    try:
        public = anonymous.new_page()
        public.goto(f"{live_url}/proposals/{number}")
        assert public.locator("h1").inner_text() == "Benches along the pond"
        assert "Submitted" in public.locator("section[aria-labelledby=timeline-h]").inner_text()
        assert public.get_by_role("link", name="Edit").count() == 0
    finally:
        anonymous.close()

    # Logout is a POST button; a GET does nothing.
    assert page.request.get(live_url + "/logout").status == 405
    assert page.get_by_role("button", name="Log out").is_visible()
    page.get_by_role("button", name="Log out").click()
    assert "You have logged out." in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("link", name="Log in").is_visible()
    assert page.get_by_role("button", name="Log out").count() == 0
