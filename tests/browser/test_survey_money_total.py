"""A resident on a phone, in German, answers the demo's budget calculator (where would you cut
1.5 million euros): the running total that JavaScript keeps current writes money as the
server does ('1.000,00 €'), not '1000 EUR' beside 'von 1.500.000,00 €'."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from pbplatform.demo.loader import load_demo
from tests.browser.helpers import assert_no_horizontal_scroll, choose_language, committed, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_app):
    with committed(live_app):
        load_demo()


def test_the_budget_calculators_running_total_is_money_in_german(demo, browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_url, "resident@demo.pbplatform.org", "participate-2026")
        choose_language(page, "de")
        page.get_by_role("link", name="Umfragen", exact=True).click()
        page.get_by_role("link", name="Haushaltsrechner").first.click()
        inputs = page.locator("input[data-alloc]")
        for n in range(inputs.count()):
            inputs.nth(n).fill("")
        total = page.locator("[data-alloc-sum]").first
        # expect() waits for the deferred script, which may run after the first fill.
        expect(total).to_have_text("0,00\xa0€")
        inputs.first.fill("1000")
        expect(total).to_have_text("1.000,00\xa0€")
        assert "von 1.500.000,00\xa0€" in page.locator(".alloc-total").first.inner_text()
        assert_no_horizontal_scroll(page)
    finally:
        context.close()
