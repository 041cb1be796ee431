"""The site in a real browser: it renders, and the language switch works by keyboard."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_and_language_switch_by_keyboard(page, live_url):
    page.goto(live_url + "/")
    assert page.locator("h1").inner_text() == "Citizens' budget"
    page.focus("#lang-select")
    page.select_option("#lang-select", "de")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
