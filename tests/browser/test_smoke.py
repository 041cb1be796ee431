"""The site in a real browser: it renders, and the language switch works by keyboard."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_and_language_switch_by_keyboard(page, live_url):
    page.goto(live_url + "/")
    assert page.locator("h1").inner_text() == "Citizens' budget"
    page.focus("#lang-select")
    page.select_option("#lang-select", "de")
    page.keyboard.press("Tab")
    with page.expect_navigation():  # not the old page's load state: that races the submit
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "de"
