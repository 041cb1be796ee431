"""Journey after the vote: one officer records the council's decision on a published list, a
second confirms it, and a resident sees funded and decided on the proposal's page, at desktop
and phone widths, in English and German (issue 15)."""

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


def _published(live_app):
    with committed(live_app):
        home = create_area(unique("Frankfurter Allee Süd"))
        cycle = create_cycle("voting", areas=[home], area_budget=100_000_00, tie_seed="decide")
        a = create_proposal(cycle, area=home, cost=60_000_00, title=unique("Playground"))
        b = create_proposal(cycle, area=home, cost=50_000_00, title=unique("Tree avenue"))
        for n, choices in enumerate(({a.id: 1}, {a.id: 1}, {b.id: 1})):
            cast_ballot(cycle, f"browser:{cycle.slug}:{n}", choices, area_id=home.id)
        unseal(cycle)
        cycle.phase = "counting"
        publish_results(run_count(cycle, create_user("officer")), create_user("admin"))
        cycle.phase = "results"
        recorder = create_user("officer", email=f"rec-{cycle.slug}@example.org")
        confirmer = create_user("officer", email=f"conf-{cycle.slug}@example.org")
        return (
            cycle.slug,
            home.name,
            f"area-{home.id}",
            a.tracking_number,
            recorder.email,
            confirmer.email,
        )


def _as(browser, live_url, email, *, locale="en-GB", width=1280, height=900):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    page = context.new_page()
    if email:
        log_in(page, live_url, email)
    return context, page


def test_officers_decide_and_a_resident_sees_funded_and_decided(browser, live_app, live_url):
    slug, area, key, number, recorder, confirmer = _published(live_app)

    context, page = _as(browser, live_url, recorder)
    try:
        page.goto(f"{live_url}/officer/cycles/{slug}/decisions")
        assert_accessible(page)
        row = page.locator("tr", has_text=area)
        row.get_by_role("button", name="Record the decision").click()
        page.wait_for_load_state()
        assert_accessible(page)
        page.get_by_label("Date of the council session").fill("2026-11-20")
        page.get_by_label("Link to the minutes (optional)").fill("https://bvv.example.org/m/7")
        page.get_by_role("button", name="Save the session").click()
        page.wait_for_load_state()
        section = page.locator(f"#p-{number}")
        section.get_by_label("The council's decision").select_option("adopted")
        section.get_by_role("button", name="Save the decision on this project").click()
        page.wait_for_load_state()
        assert f"The decision on {number} is saved." in page.locator("main").inner_text()
        assert page.get_by_role("button", name="Confirm and publish this decision").count() == 0
    finally:
        context.close()

    context, page = _as(browser, live_url, confirmer)
    try:
        page.goto(f"{live_url}/officer/cycles/{slug}/decisions/{key}/draft")
        page.get_by_role("button", name="Confirm and publish this decision").click()
        page.wait_for_load_state()
        assert "is confirmed and public" in page.locator("main").inner_text()
        assert_accessible(page)
    finally:
        context.close()

    for locale, funded, decided in (
        ("en-GB", "Funded", "Adopted"),
        ("de-DE", "Finanziert", "Beschlossen"),
    ):
        for width, height in ((1280, 900), (390, 844)):
            context, page = _as(browser, live_url, None, locale=locale, width=width, height=height)
            try:
                page.goto(f"{live_url}/proposals/{number}")
                assert page.locator("[data-outcome='funded']").first.inner_text() == funded
                assert page.locator("[data-decision='adopted']").inner_text() == decided
                history = page.locator("ol.timeline").inner_text()
                assert "2026-11-20" not in history or decided in history
                assert decided in history  # the council's decision is a step of its life
                assert_accessible(page)
                assert_no_horizontal_scroll(page)
                screenshot(page, f"decision-{locale}-{width}")
            finally:
                context.close()
