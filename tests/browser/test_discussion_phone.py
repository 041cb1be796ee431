"""The discussion page on a 390 px phone, in English and German: nothing scrolls sideways (a
long link, a long word, a reply, an official answer, an offline comment, a hidden one, the
moderation forms opened, the officers' answer form) and axe-core finds no violation, for a
visitor, a resident and an officer of the area."""

from __future__ import annotations

import pytest

from pbplatform.discussion import services as discussion
from pbplatform.discussion.models import CommentChannel
from tests.browser.axe import axe_violations
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

PHONE = {"width": 390, "height": 844}
LONG_LINK = "https://www.berlin.de/ba-lichtenberg/politik-und-verwaltung/" + "a" * 120
LONG_WORD = "Grünflächenunterhaltungsverpflichtungsvereinbarungsentwurf" * 2


@pytest.fixture(scope="module")
def scene(live_app):
    with committed(live_app):
        home = create_area(unique("Fennpfuhl"))
        cycle = create_cycle("review", areas=[home])
        proposal = create_proposal(
            cycle, area=home, status="approved", title=unique("Shade trees for the playground")
        )
        resident = create_user(email=unique("resident") + "@example.org", area=home)
        officer = create_user(
            "officer", email=unique("officer") + "@example.org", officer_areas=(home,)
        )
        asked = discussion.post_comment(
            proposal, resident, f"Which trees? See {LONG_LINK} and {LONG_WORD}."
        )
        discussion.post_comment(proposal, resident, "And who waters them?", asked.id)
        discussion.post_official_answer(
            proposal,
            officer,
            "Lime trees, watered by the parks office for three years.",
            "Straßen- und Grünflächenamt, Fachbereich Grünflächenunterhaltung",
            asked.id,
        )
        discussion.enter_offline_comment(
            proposal, officer, "Please keep the old chestnut.", CommentChannel.LETTER, "Erika M."
        )
        rude = discussion.post_comment(proposal, resident, "Something rude.")
        discussion.hide_comment(rude, officer, "Insulting another resident.")
        return proposal.tracking_number, resident.email, officer.email


@pytest.mark.parametrize(("lang", "heading"), [("en", "Discussion"), ("de", "Diskussion")])
def test_the_discussion_fits_a_phone_and_passes_axe(browser, live_url, scene, lang, heading):
    number, resident, officer = scene
    for who, role in ((None, "visitor"), (resident, "resident"), (officer, "officer")):
        context = browser.new_context(locale="en-GB", viewport=PHONE)
        page = context.new_page()
        try:
            if who:
                log_in(page, live_url, who)
            page.goto(live_url)
            page.locator("form.lang select").select_option(lang)  # the site's own switch
            page.locator("form.lang button").click()
            page.wait_for_load_state()
            answer = page.goto(f"{live_url}/proposals/{number}/discussion")
            assert answer.status == 200
            assert page.locator("h1").inner_text().startswith(heading)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            if role == "officer":
                assert page.locator("#officer-form").count() == 1
            assert_no_horizontal_scroll(page)
            overflowing = page.evaluate(
                """() => [...document.querySelectorAll('main *')]
                     .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                     .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""
            )
            assert overflowing == [], f"{lang} {role}: wider than the phone: {overflowing[:5]}"
            assert_accessible(page)
            assert axe_violations(page) == [], f"{lang} {role}"
            screenshot(page, f"discussion-{lang}-{role}")
        finally:
            context.close()
