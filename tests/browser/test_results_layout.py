"""Issue 13.2/13.3: the results and statistics pages fit 1280 px and 390 px without sideways
scrolling (document width equals viewport width, and no section scrolls inside), in English
and German, and axe-core finds no violations there."""

from __future__ import annotations

from datetime import date

import pytest

from pbplatform.channels.codes import generate_codes, redeem_code
from pbplatform.channels.meetings import confirm_meeting_counts, create_meeting, enter_counts
from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.services import cast_ballot, record_invalid_ballot
from tests.browser.axe import axe_violations
from tests.browser.helpers import assert_accessible, committed, screenshot, unique
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 800}, {"width": 390, "height": 844})


@pytest.fixture(scope="module")
def published(live_app):
    """Every channel counts: online, paper (one invalid), codes x2, meeting dots x0.5."""
    with committed(live_app):
        home, other = create_area(unique("Fennpfuhl")), create_area(unique("Karlshorst"))
        home.population = 12_000
        cycle = create_cycle(
            "voting",
            areas=[home, other],
            area_budget=100_000_00,
            district_budget=200_000_00,
            tie_seed="layout",
            channel_weights={"online": "1", "paper": "1", "code": "2", "meeting": "0.5"},
        )
        titles = (
            "Repair the Anton-Saefkow-Platz playground and its climbing frame",
            "Tree avenue",
            "Benches and shade at the pond",
            "Community fridge",
        )
        ps = [
            create_proposal(cycle, area=home, cost=c * 1000_00, title=unique(t))
            for c, t in zip((60, 50, 30, 20), titles, strict=True)
        ]
        d = create_proposal(cycle, area=None, cost=150_000_00, title=unique("Cycle lanes"))
        for n in range(12):
            choice = {ps[n % 4].id: 1, ps[(n + 2) % 4].id: 1, d.id: 1}
            channel = "paper" if n % 3 == 0 else "online"
            cast_ballot(
                cycle,
                f"layout:{cycle.slug}:{n}",
                choice,
                area_id=home.id,
                channel=channel,
                serial=f"L-{n}" if channel == "paper" else None,
            )
        record_invalid_ballot(cycle, home.id, "paper", "L-99", "over budget")
        _, codes = generate_codes(cycle, 6, "sample", area_id=home.id)
        for n, code in enumerate(codes):
            redeem_code(cycle, code, {ps[n % 2].id: 1}, area_id=home.id)
        meeting = create_meeting(cycle, home.id, date(2026, 5, 4), "Hall", 20)
        for officer in (create_user("officer"), create_user("officer")):
            enter_counts(meeting, officer, {ps[2].id: 30, ps[3].id: 25})
        confirm_meeting_counts(meeting)
        unseal(cycle)  # as closing voting does
        cycle.phase = "counting"
        publish_results(run_count(cycle, create_user("officer")), create_user("admin"))
        return cycle.slug, home.id


def _check(page, url: str) -> None:
    answer = page.goto(url)
    assert answer.status == 200, url
    page.wait_for_load_state()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] == widths[1], f"{url} is wider than the viewport: {widths}"
    scrolling = page.evaluate(
        """() => [...document.querySelectorAll('main section, main table, main figure')]
             .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + '#' + e.id)"""
    )
    assert scrolling == [], f"{url}: scrolls inside {scrolling}"
    assert_accessible(page)
    assert axe_violations(page) == [], url


@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
def test_results_and_statistics_fit_and_are_accessible(browser, live_url, published, locale):
    slug, home_id = published
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        for size in SIZES:
            page.set_viewport_size(size)
            for path in (
                f"/cycles/{slug}/results",
                f"/cycles/{slug}/statistics",
                f"/cycles/{slug}/statistics?area={home_id}",
            ):
                _check(page, live_url + path)
            page.goto(f"{live_url}/cycles/{slug}/results")
            screenshot(page, f"results-{locale}-{size['width']}")
        assert page.locator("html").get_attribute("lang") == locale[:2]
    finally:
        context.close()


def test_funded_rows_stand_out_and_details_fold(page, live_url, published):
    slug, _ = published
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_url}/cycles/{slug}/results")
    funded = page.locator("table.results tr.funded").first
    unfunded = page.locator("table.results tr.unfunded").first
    look = "e => getComputedStyle(e).backgroundColor"
    assert funded.evaluate(look) != unfunded.evaluate(look)
    details = funded.locator("details")
    assert not details.locator("dl").is_visible()
    details.locator("summary").click()
    assert details.locator("dl").is_visible()
    assert "raw" in details.inner_text()
    assert "weighted" in details.inner_text()
    chart = page.locator("figure.chart-figure svg").first
    assert chart.get_attribute("role") == "img"
    assert page.locator("figure.chart-figure line").count() >= 1  # the budget line


@pytest.mark.parametrize(("locale", "decimal", "other"), [("de-DE", ",", "."), ("en-GB", ".", ",")])
def test_the_charts_scores_are_written_as_the_table_writes_them(
    browser, live_url, published, locale, decimal, other
):
    """The bars' scores follow the page's language, as the ranked table beside them does
    (the German chart said 12.5 beside a table saying 12,5)."""
    slug, _ = published
    context = browser.new_context(locale=locale)
    page = context.new_page()
    try:
        page.goto(f"{live_url}/cycles/{slug}/results")
        scores = page.locator("figure.chart-figure svg text[font-size='12']").evaluate_all(
            "texts => texts.map(t => t.textContent.trim())"
        )
        fractional = [s for s in scores if not s.isdigit()]
        assert fractional, scores  # the meeting's half-weighted dots make some
        assert all(decimal in s and other not in s for s in fractional), scores
    finally:
        context.close()
