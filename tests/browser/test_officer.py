"""Journey 2: an officer works the review queue; the author reads the reason for a rejection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from tests.browser.helpers import assert_accessible, committed, log_in, unique
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.browser


def _proposal(number: str) -> Proposal:
    return db.session.scalar(sa.select(Proposal).where(Proposal.tracking_number == number))


def test_officer_approves_and_rejects_and_the_author_sees_why(page, browser, live_app, live_url):
    with committed(live_app):
        area = create_area(unique("Karlshorst"))
        cycle = create_cycle("review", areas=[area])
        author = create_user("resident", area=area, name="Anna Author")
        officer = create_user("officer", name="Olga Officer")
        good = create_proposal(
            cycle,
            area=area,
            status="pending",
            author=author,
            cost=8_000_00,
            title=unique("Drinking fountain"),
        )
        bad = create_proposal(
            cycle,
            area=area,
            status="pending",
            author=author,
            cost=9_000_00,
            title=unique("Private car park"),
        )
        # Reporting back on funded proposals after a count: tests/browser/test_delivery.py.
        good_no, bad_no, good_title = good.tracking_number, bad.tracking_number, good.title
        author_email, officer_email = author.email, officer.email

    log_in(page, live_url, officer_email)
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_load_state()
    assert page.title() == "Review queue · pbplatform"
    assert_accessible(page)
    pending = page.locator("section[aria-labelledby=pending-h]")
    assert good_no in pending.inner_text()
    assert bad_no in pending.inner_text()

    pending.get_by_role("link", name=good_no).click()
    assert_accessible(page)
    page.get_by_label("Officer's cost estimate").fill("12345.67")
    page.get_by_label("Feasibility statement").fill("Feasible: the water main runs nearby.")
    page.get_by_role("button", name="Approve", exact=True).click()
    assert "Approved for the ballot." in page.get_by_role("status").first.inner_text()

    page.get_by_role("link", name="Back to the queue").click()
    page.locator("section[aria-labelledby=pending-h]").get_by_role("link", name=bad_no).click()
    page.get_by_label("Reason (the author will see it)").fill(
        "The council cannot build on private land."
    )
    page.get_by_role("button", name="Reject", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the queue").click()
    assert good_no not in page.locator("section[aria-labelledby=pending-h]").inner_text()
    assert bad_no not in page.locator("section[aria-labelledby=pending-h]").inner_text()

    with live_app.app_context():
        approved, rejected = _proposal(good_no), _proposal(bad_no)
        assert (approved.status, approved.officer_cost_minor) == ("approved", 12345_67)
        assert approved.feasibility == "Feasible: the water main runs nearby."
        assert (rejected.status, rejected.rejection_reason) == (
            "rejected",
            "The council cannot build on private land.",
        )
        logged = db.session.scalars(
            sa.select(AuditEntry.action).where(
                AuditEntry.object_id.in_([str(approved.id), str(rejected.id)])
            )
        ).all()
        assert {"proposal.approved", "proposal.rejected"} <= set(logged)  # audited

    author_context = browser.new_context(locale="en-GB")
    try:
        mine = author_context.new_page()
        log_in(mine, live_url, author_email)
        mine.goto(f"{live_url}/proposals/{bad_no}")
        assert_accessible(mine)
        reason = mine.locator("section[aria-labelledby=reason-h]")
        assert reason.get_by_role("heading").inner_text() == "Why it was not accepted"
        assert "The council cannot build on private land." in reason.inner_text()
        assert "Not accepted" in mine.locator("article header").inner_text()
        mine.goto(f"{live_url}/proposals/{good_no}")
        assert mine.locator("h1").inner_text() == good_title
        assert "On the ballot" in mine.locator("article header").inner_text()
        assert (
            "the water main runs nearby"
            in mine.locator("section[aria-labelledby=feas-h]").inner_text()
        )
        assert "€12,345.67" in mine.locator("dl").first.inner_text()
    finally:
        author_context.close()
