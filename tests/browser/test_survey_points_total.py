"""The running total of a points question, kept by JavaScript while a resident types, says
"1 point" / "1 Punkt" for one point as the server does ('1 points' before; the walk of
2026-12-07), and the plural for 2.5 (fractions are said in the plural, as on the server)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pbplatform.surveys.models import AllocationUnit, QuestionKind
from pbplatform.surveys.services import ItemInput, QuestionInput, create_survey
from tests.browser.helpers import choose_language, committed, log_in, unique
from tests.factories import create_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("lang", "one", "some"), [("en", "1 point", "2.5 points"), ("de", "1 Punkt", "2,5 Punkte")]
)
def test_the_running_total_says_one_point_in_the_singular(
    browser, live_app, live_url, lang, one, some
):
    title = unique("Spread the points")
    with committed(live_app):
        officer = create_user("officer")
        resident = create_user("resident")
        question = QuestionInput(
            kind=QuestionKind.ALLOCATION,
            text="Spread 10 points",
            unit=AllocationUnit.POINTS,
            total=Decimal(10),
            items=[ItemInput("Parks"), ItemInput("Libraries")],
        )
        create_survey(officer, [question], title=title)
        email = resident.email

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_url, email)
        choose_language(page, lang)
        page.goto(live_url + "/surveys")
        page.get_by_role("link", name=title).click()
        inputs = page.locator("input[data-alloc]")
        total = page.locator("[data-alloc-sum]").first
        inputs.nth(0).fill("1")
        # expect() waits: the script is deferred and may run after the first fill (CI saw
        # the server's "0 Punkte" once); it then adds up what is already typed.
        expect(total).to_have_text(one)
        inputs.nth(1).fill("1.5")
        expect(total).to_have_text(some)
    finally:
        context.close()
