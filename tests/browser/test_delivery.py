"""Journey: after the count an officer records delivery and adds a milestone with a photo; a
resident sees the project in delivery on its page and in the accountability report, on a
desktop and a phone, in English and German (issue 15)."""

from __future__ import annotations

import pytest

from pbplatform.extensions import db
from pbplatform.results.services import publish_results, run_count
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    screenshot,
)
from tests.delivery.conftest import image_bytes
from tests.factories import create_user
from tests.results.conftest import build_counted

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def test_officer_adds_milestone_with_photo_and_residents_follow_delivery(
    page, browser, live_app, live_url
):
    with committed(live_app):
        s = build_counted(db)
        publish_results(run_count(s.cycle, s.counter), s.checker)
        s.cycle.phase = "results"
        officer = create_user("officer", officer_areas=(s.home,), name="Delia Delivery")
        slug, number, officer_email = s.cycle.slug, s.a.tracking_number, officer.email

    log_in(page, live_url, officer_email)
    page.goto(f"{live_url}/officer/queue")
    report_back = page.locator("section[aria-labelledby=report-h]")
    assert number in report_back.inner_text()
    report_back.get_by_role("link", name=number).click()
    assert_accessible(page)
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Progress (percent)").fill("55")
    page.get_by_label("Responsible department").fill("Parks office")
    page.get_by_label("Money committed").fill("40000")
    page.get_by_role("button", name="Save delivery record").click()
    assert "Delivery record saved." in page.get_by_role("status").first.inner_text()
    page.get_by_label("What happened").fill("Playground equipment delivered.")
    page.locator("#on_date").fill("2026-11-20")
    page.get_by_label("Photos (JPEG, PNG or WebP; optional)").set_input_files(
        [{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(320, 240))}]
    )
    page.get_by_role("button", name="Add milestone").click()
    assert "Milestone added." in page.get_by_role("status").first.inner_text()
    photo = page.locator(".milestone-photo img")
    assert photo.count() == 1
    assert page.evaluate("(img) => img.naturalWidth", photo.element_handle()) == 320

    for lang, expect in (
        ("en", ("In progress", "Accountability report")),
        ("de", ("In Arbeit", "Rechenschaftsbericht")),
    ):
        for name, (width, height) in SIZES.items():
            context = browser.new_context(
                locale="de-DE" if lang == "de" else "en-GB",
                viewport={"width": width, "height": height},
            )
            resident = context.new_page()
            try:
                resident.goto(f"{live_url}/proposals/{number}")
                badge = resident.locator("[data-delivery-status=in_progress]").first
                assert badge.inner_text() == expect[0]
                assert "Playground equipment delivered." in resident.content()
                assert resident.locator(".milestone-photo img").evaluate(
                    "(img) => img.complete && img.naturalWidth > 0"
                )
                assert_accessible(resident)
                assert_no_horizontal_scroll(resident)
                screenshot(resident, f"delivery-proposal-{lang}-{name}")
                resident.goto(f"{live_url}/cycles/{slug}/report")
                assert resident.locator("h1").inner_text().startswith(expect[1])
                assert resident.locator("[data-figure=in_progress]").inner_text() == "1"
                assert number in resident.locator("table.report-lines").inner_text()
                assert_accessible(resident)
                assert_no_horizontal_scroll(resident)
                screenshot(resident, f"delivery-report-{lang}-{name}")
            finally:
                context.close()
