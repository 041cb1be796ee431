"""Journey 5: German by the switch in the page and by the browser's Accept-Language."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, committed, unique
from tests.factories import create_area, create_cycle

pytestmark = pytest.mark.browser


def _assert_german(page) -> None:
    assert page.locator("html").get_attribute("lang") == "de"
    nav = page.get_by_role("navigation", name="Hauptmenü")
    for link in ("Vorschläge", "Ergebnisse", "Anmelden", "Registrieren"):
        assert nav.get_by_role("link", name=link, exact=True).count() == 1
    assert page.locator("a.skip").inner_text() == "Zum Inhalt springen"
    assert page.get_by_label("Sprache").input_value() == "de"
    assert page.locator("h1").inner_text().startswith("Vorschläge: ")
    assert page.get_by_role("link", name="Einen Vorschlag einreichen").count() == 1
    assert page.get_by_label("Suchen").count() == 1
    assert page.get_by_role("button", name="Anzeigen").count() == 1
    assert "Alle Stadtteile" in page.get_by_label("Stadtteil").inner_text()


@pytest.fixture
def proposals_url(live_app, live_url):
    with committed(live_app):
        cycle = create_cycle("proposals", areas=[create_area(unique("Friedrichsfelde"))])
        return f"{live_url}/proposals?cycle={cycle.slug}"


def test_switch_to_german_keeps_the_page(page, proposals_url):
    page.goto(proposals_url)
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Language").select_option("de")
    page.locator("form.lang").get_by_role("button").click()
    page.wait_for_load_state()
    assert page.url == proposals_url  # back where the switch was used
    _assert_german(page)
    assert_accessible(page)
    # The choice sticks for the session and can be undone the same way.
    page.reload()
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Proposals", exact=True).count() == 1


def test_browser_language_picks_german(browser, proposals_url):
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.goto(proposals_url)
        _assert_german(page)
        assert_accessible(page)
    finally:
        context.close()


def test_home_page_names_phases_in_german_and_hides_drafts(browser, live_app, live_url):
    with committed(live_app):
        voting = create_cycle("voting", areas=[create_area()])
        draft = create_cycle("draft", areas=[create_area()])
        voting.name, draft.name = unique("Haushalt"), unique("Entwurf")
        voting_name, draft_name = voting.name, draft.name
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.goto(live_url + "/")
        card = page.locator(".card", has=page.get_by_role("link", name=voting_name))
        assert card.locator("p").inner_text() == "Phase: Abstimmung"
        assert draft_name not in page.locator("main").inner_text()  # its page is a 404 too
        assert_accessible(page)
    finally:
        context.close()
