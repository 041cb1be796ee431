"""Officer and admin home pages and the ballot's running total, at 1280 and 390 px, in English
and German: no sideways scrolling, axe-core finds no violations, the total works with and
without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    choose_language,
    committed,
    log_in,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user

pytestmark = pytest.mark.browser
SIZES = ({"width": 1280, "height": 800}, {"width": 390, "height": 844})


@pytest.fixture
def scene(live_app):
    with committed(live_app):
        area = create_area(unique("Fennpfuhl-Nord"))
        review = create_cycle("review", areas=[area])
        create_proposal(review, area=area, status="pending", title="Benches by the pond")
        voting = create_cycle("voting", areas=[area], area_budget=100_000_00)
        playground = create_proposal(voting, area=area, cost=60_000_00, title="Playground")
        create_proposal(voting, area=area, cost=30_000_00, title="Library hours")
        return {
            "admin": create_user("admin", area=area).email,
            "officer": create_user("officer", officer_areas=(area,)).email,
            "resident": create_user("resident", area=area).email,
            "slug": voting.slug,
            "playground": playground.id,
        }


def _axe_clean(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [(v["id"], len(v["nodes"])) for v in results.response["violations"]]
    assert violations == [], f"{page.url}: {violations}"


def _switch_to_german(page) -> None:
    choose_language(page, "de")
    assert page.locator("html").get_attribute("lang") == "de"


def _check(page, url: str) -> None:
    for size in SIZES:
        page.set_viewport_size(size)
        answer = page.goto(url)
        assert answer.status == 200, url
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        _axe_clean(page)


@pytest.mark.parametrize("german", [False, True], ids=["en", "de"])
def test_dashboards_fit_and_are_accessible(page, live_url, scene, german):
    log_in(page, live_url, scene["admin"])
    if german:
        _switch_to_german(page)
    _check(page, live_url + "/admin")
    _check(page, live_url + "/officer")
    text = page.locator("main").inner_text()
    assert ("Wartet auf Sie" if german else "Waiting for you") in text
    # the header links to the home page of the role
    page.get_by_role("link", name="Startseite der Verwaltung" if german else "Officer home").click()
    page.wait_for_load_state()
    assert page.url.endswith("/officer")


@pytest.mark.parametrize("german", [False, True], ids=["en", "de"])
def test_ballot_total_updates_live(page, live_url, scene, german):
    log_in(page, live_url, scene["resident"])
    if german:
        _switch_to_german(page)
    url = f"{live_url}/cycles/{scene['slug']}/ballot"
    _check(page, url)
    line = page.locator("[data-total-section=area]")
    page.locator(f"#p-{scene['playground']}").check()
    amount = line.locator("[data-total-amount]").inner_text()
    assert amount == ("60.000,00\xa0€" if german else "€60,000.00")
    assert page.locator("[data-total-button]").is_hidden()  # the script keeps it current
    assert_no_horizontal_scroll(page)
    _axe_clean(page)


def test_ballot_total_without_javascript(browser, live_url, scene):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_url, scene["resident"])
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_url}/cycles/{scene['slug']}/ballot")
        page.locator(f"#p-{scene['playground']}").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Update total").click()
        line = page.locator("[data-total-section=area]").inner_text()
        assert re.search(r"€60,000.00\s+of €100,000.00", line)
        assert page.locator(f"#p-{scene['playground']}").is_checked()
        assert_no_horizontal_scroll(page)
    finally:
        context.close()


def test_an_officer_in_german_reads_counts_and_times_in_german_at_390_px(page, live_url, live_app):
    """The waiting counts in the singular where one waits, and the survey wording history's
    times in German and the site's time zone, on a phone."""
    from dataclasses import replace
    from decimal import Decimal

    from babel.dates import format_datetime, get_timezone

    from pbplatform.coproduction.services import make_offer
    from pbplatform.surveys.editing import edit_question
    from pbplatform.surveys.services import ItemInput, create_survey, respond_online
    from tests.surveys.conftest import allocation, answers_of

    with committed(live_app):
        area = create_area(unique("Frankfurter Allee Süd"))
        cycle = create_cycle("review", areas=[area])
        proposal = create_proposal(cycle, area=area, title="Benches by the pond")
        resident = create_user("resident", area=area)
        make_offer(
            by=resident,
            proposal=proposal,
            kind="volunteer_hours",
            quantity=Decimal(5),
            unit="hours",
            description="Painting",
        )
        officer = create_user("officer")  # district-wide: the survey belongs to no area
        question = allocation(items=[ItemInput("Green spaces"), ItemInput("Road safty")])
        survey = create_survey(officer, [question], title="Priorities")
        respond_online(survey, resident, answers_of(survey, ["60", "40"]))
        fixed = replace(question, items=[ItemInput("Green spaces"), ItemInput("Road safety")])
        [change] = edit_question(survey.questions[0], officer, fixed)
        survey_id, changed_at, email = survey.id, change.changed_at, officer.email
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_url, email)
    _switch_to_german(page)
    page.goto(live_url + "/officer")
    card = page.locator('[data-waiting="offers"]').inner_text()
    assert " ".join(card.split()) == "1 Hilfsangebot zu bewerten"
    page.goto(f"{live_url}/officer/surveys/{survey_id}")
    zone = get_timezone(live_app.config["BABEL_DEFAULT_TIMEZONE"])
    history = page.locator("table", has_text="Road safety")
    assert format_datetime(changed_at, "medium", tzinfo=zone, locale="de") in history.inner_text()
    assert "UTC" not in history.inner_text()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
