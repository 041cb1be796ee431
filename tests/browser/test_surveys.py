"""Issue 19's browser journey: an officer creates an allocation survey, a resident answers it on
a phone with the running total shown, and after the close the results table and chart appear
in English and in German."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.surveys.models import Survey
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    unique,
)
from tests.factories import create_user

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}


def test_allocation_survey_from_creation_to_results(browser, live_app, live_url):
    title = unique("Barriers to co-production")
    with committed(live_app):
        officer = create_user("officer")
        resident = create_user("resident")
        emails = officer.email, resident.email

    desk = browser.new_context(locale="en-GB").new_page()
    log_in(desk, live_url, emails[0])
    desk.goto(live_url + "/officer/surveys/new")
    desk.get_by_label("Title", exact=True).fill(title)
    desk.get_by_label("Title in German").fill("Hürden " + title)
    desk.get_by_role("button", name="Create the survey").click()
    desk.wait_for_load_state()
    desk.get_by_label("Question", exact=True).fill("Spread 100 points")
    desk.get_by_label("Question in German").fill("Verteilen Sie 100 Punkte")
    desk.get_by_label("Unit of the total").select_option("points")
    desk.get_by_label("Total to spread").fill("100")
    desk.get_by_label("Items, criteria or options").fill(
        "More frontline staff | Mehr Personal\nBetter ICT | Bessere IT\nTraining | Schulung"
    )
    desk.get_by_role("button", name="Add the question").click()
    desk.wait_for_load_state()
    assert "Spread 100 points" in desk.content()
    assert_accessible(desk)

    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    log_in(phone, live_url, emails[1])
    phone.goto(live_url + "/surveys")
    phone.get_by_role("link", name=title).click()
    phone.get_by_label("More frontline staff").fill("60")
    phone.get_by_label("Better ICT").fill("37.5")
    total = phone.locator("[data-alloc-sum]")
    expect(total).to_have_text(re.compile(r"^97\.5"))  # waits for the deferred script
    assert not phone.get_by_role("button", name="Check the total").is_visible()  # JS keeps it
    phone.get_by_label("Training").fill("2.5")
    expect(total).to_have_text(re.compile(r"^100"))
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name="Send my answer").click()
    phone.wait_for_load_state()
    assert "your answer is saved" in phone.content()

    with committed(live_app):
        survey = db.session.scalar(sa.select(Survey).where(Survey.title == title))
        survey.opens_at = utcnow() - timedelta(days=2)
        survey.closes_at = utcnow() - timedelta(days=1)
        survey_id = survey.id

    phone.goto(f"{live_url}/surveys/{survey_id}/results")
    assert phone.locator("svg[role=img]").count() == 1
    rows = phone.locator("table.survey-table tbody tr th").all_inner_texts()
    assert rows == ["More frontline staff", "Better ICT", "Training"]
    assert "Respondent 1" in phone.content()
    assert_no_horizontal_scroll(phone)
    context.close()

    german = browser.new_context(locale="de-DE", viewport=PHONE).new_page()
    german.goto(f"{live_url}/surveys/{survey_id}/results")
    content = german.content()
    assert "Hürden " + title in content
    assert "Mehr Personal" in content
    assert "Durchschnitt" in content
    assert "37,5" in content
    assert german.locator("svg[role=img]").count() == 1
