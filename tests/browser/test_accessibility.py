"""Journey 7: accessibility basics on the public pages, with errors, and the skip link."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    press_and_wait,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def pages(live_app):
    with committed(live_app):
        area = create_area(unique("Alt-Lichtenberg"))
        cycle = create_cycle("proposals", areas=[area])
        proposal = create_proposal(
            cycle, area=area, status="pending", author=create_user("resident", area=area)
        )
        return [
            "/",
            f"/proposals?cycle={cycle.slug}",
            f"/proposals/{proposal.tracking_number}",
            "/results",
            f"/cycles/{cycle.slug}/results",
            "/login",
            "/register",
            "/reset",
        ]


def test_public_pages_meet_the_basics(page, live_url, pages):
    for size in ({"width": 1280, "height": 800}, {"width": 375, "height": 667}):
        page.set_viewport_size(size)
        for path in pages:
            answer = page.goto(live_url + path)
            assert answer.status == 200, path
            assert_accessible(page)
            assert_no_horizontal_scroll(page)


def test_form_errors_are_tied_to_their_fields(page, live_url):
    page.goto(live_url + "/register")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    email = page.get_by_label("E-mail")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{ref}.error").count() for ref in described)
    # Hints are announced with their field, not only shown next to it.
    password = page.get_by_label("Password", exact=True)
    assert "password-hint" in password.get_attribute("aria-describedby").split()
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_jumps_to_the_content(page, live_url):
    page.goto(live_url + "/login")
    page.keyboard.press("Tab")
    skip = page.evaluate("""() => { const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return {cls: el.className, left: r.left, top: r.top, right: r.right}; }""")
    assert skip["cls"] == "skip"
    assert skip["left"] >= 0
    assert skip["right"] <= page.viewport_size["width"]
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the navigation
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.evaluate("document.activeElement.id") == "email"
    # And the whole login works from the keyboard.
    page.keyboard.type("nobody@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("not the password at all")
    press_and_wait(page)
    assert page.get_by_role("alert").inner_text() == "E-mail or password is incorrect."


STAFF_PAGES = (
    "/account",
    "/account/tokens",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{user_id}",
    "/admin/outbox",
    "/admin/cycles",
    "/admin/cycles/new",
    "/admin/cycles/{cycle_id}/edit",
    "/admin/cycles/{cycle_id}/rules",
    "/admin/areas",
    "/admin/areas/{area_id}",
    "/admin/audit",
    "/officer/queue",
    "/officer/proposals/{tn}",
    "/officer/proposals/new",
    "/officer/offers",
    "/offers/new",
    "/offers/mine",
    "/proposals/{tn}/offers",
    "/cycles/{slug}",
    "/cycles/{slug}/how-to-vote",
    "/officer/meetings/{slug}",
    "/officer/paper/{slug}",
    "/admin/codes/{slug}",
    "/admin/census/{slug}",
    "/vote/code",
    "/officer/cycles/{slug}/count",
    "/proposals/new?cycle={slug}",
)


def test_staff_and_account_pages_meet_the_basics(page, live_app, live_url):
    with committed(live_app):
        area = create_area(unique("Karlshorst"))
        cycle = create_cycle("proposals", areas=[area, create_area()])
        admin = create_user("admin", area=area)
        proposal = create_proposal(
            cycle, area=area, status="pending", author=create_user("resident", area=area)
        )
        ids = {
            "user_id": admin.id,
            "cycle_id": cycle.id,
            "area_id": area.id,
            "slug": cycle.slug,
            "tn": proposal.tracking_number,
        }
        email = admin.email
    log_in(page, live_url, email)
    page.set_viewport_size({"width": 375, "height": 667})  # and all of it usable on a phone
    for path in STAFF_PAGES:
        url = path.format(**ids)
        answer = page.goto(live_url + url)
        assert answer.status == 200, url
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
