"""Journey 6: on a 375x667 phone proposals, ballot, review and results fit the width."""

from __future__ import annotations

import pytest

from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.services import cast_ballot
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    screenshot,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
# Real titles are long, and German compounds do not break by themselves.
TITLES = (
    "Spielplatz am Fennpfuhl: neue Schaukeln, Sandkasten und Trinkbrunnen",
    "Grünflächenbewirtschaftungsmaßnahmenkatalog",
    "Benches",
    "Longer opening hours for the Anton-Saefkow library on Saturdays",
)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def scene(live_app):
    """A voting cycle with long titles, a voter, and a second cycle with published results."""
    with committed(live_app):
        home = create_area(unique("Neu-Hohenschönhausen Nord"))
        cycle = create_cycle(
            "voting", areas=[home], area_budget=1_250_000_00, district_budget=12_500_000_00
        )
        for n, title in enumerate(TITLES):
            create_proposal(
                cycle, area=home if n % 2 else None, cost=(n + 1) * 123_456_78, title=title
            )
        voter = create_user("resident", area=home)

        done = create_cycle(
            "voting", areas=[home], area_budget=1_250_000_00, district_budget=12_500_000_00
        )
        ids = [
            create_proposal(
                done, area=home if n % 2 else None, cost=(n + 1) * 123_456_78, title=title
            ).id
            for n, title in enumerate(TITLES)
        ]
        cast_ballot(done, f"phone:{done.slug}", {i: 1 for i in ids[1:]}, area_id=home.id)
        unseal(done)  # as closing voting does
        done.phase = "counting"
        publish_results(run_count(done, create_user("officer")), create_user("admin"))
        return cycle.slug, voter.email, done.slug


def test_proposals_ballot_and_results_fit_a_phone(phone, live_url, scene):
    slug, voter, done = scene
    phone.goto(f"{live_url}/proposals?cycle={slug}")
    assert phone.locator(".card").count() == len(TITLES)
    screenshot(phone, "proposals-phone")
    assert_no_horizontal_scroll(phone)

    log_in(phone, live_url, voter)
    phone.goto(f"{live_url}/cycles/{slug}/ballot")
    assert_accessible(phone)
    screenshot(phone, "ballot-phone")
    assert_no_horizontal_scroll(phone)
    # Every choice is reachable and visible without sideways scrolling.
    for box in phone.locator("input[type=checkbox]").all():
        rect = box.bounding_box()
        assert rect is not None
        assert rect["x"] + rect["width"] <= PHONE["width"]

    phone.locator("input[type=checkbox]").first.tap()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Review my ballot").tap()
    assert phone.locator("h1").inner_text() == "Check your ballot"
    screenshot(phone, "ballot-review-phone")
    assert_no_horizontal_scroll(phone)

    phone.goto(f"{live_url}/cycles/{done}/results")
    assert_accessible(phone)
    screenshot(phone, "results-phone")
    assert_no_horizontal_scroll(phone)
    # Whether a project is funded is on screen, not in a column off to the right.
    funded = phone.locator("td[data-label=Funded]").all()
    assert len(funded) == len(TITLES)
    for cell in funded:
        rect = cell.bounding_box()
        assert rect is not None
        assert rect["x"] + rect["width"] <= PHONE["width"]
