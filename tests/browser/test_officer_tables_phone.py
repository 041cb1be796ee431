"""An officer on a phone, in German, walks from the officer's home to the cycle's tools by
links: the wide tables (offers to review, an offer's costs, paper ballot sites, meetings, the
count's versions, the council's decisions) scroll inside their own box, never the page (at
390 px the count page was 1085 px wide, the others 416 to 656 px)."""

from __future__ import annotations

import pytest

from pbplatform.demo.loader import load_demo
from tests.browser.helpers import assert_no_horizontal_scroll, choose_language, committed, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_app):
    with committed(live_app):
        load_demo()


def test_officer_tools_fit_a_phone_in_german(demo, browser, live_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_url, "officer@demo.pbplatform.org", "participate-2026")
        choose_language(page, "de")
        for link in (
            "Papierstimmzettel und Wahllokale",
            "Stadtteilversammlungen",
            "Auszählen und veröffentlichen",
            "Beschluss der BVV",
            "Mitwirkungsangebote",
        ):
            page.goto(live_url + "/officer")
            page.get_by_role("link", name=link, exact=True).click()
            assert_no_horizontal_scroll(page)
        page.locator("main table a").first.click()  # an offer to review, with its costs
        assert_no_horizontal_scroll(page)
    finally:
        context.close()
