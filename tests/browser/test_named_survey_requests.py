"""A data-protection request about a named survey response, in the browser: the officer enters
a named answer, finds it by the respondent's name on the requests page (accessible, no
horizontal scroll on a phone), and erases it after confirming."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.surveys.models import QuestionKind, SurveyResponse
from pbplatform.surveys.services import QuestionInput, create_survey, enter_named
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


def test_an_officer_finds_and_erases_a_named_response(browser, live_app, live_url):
    name = unique("Grace Hopper")
    with committed(live_app):
        officer = create_user("officer")
        survey = create_survey(
            None, [QuestionInput(kind=QuestionKind.TEXT, text="What should change?")], title="Q"
        )
        response = enter_named(survey, officer, name, {str(survey.questions[0].id): "More light"})
        email, response_id = officer.email, response.id

    context = browser.new_context(locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_url, email)
    page.goto(live_url + "/privacy/requests")
    page.get_by_role("link", name="Find answers entered for a named respondent").click()
    page.get_by_label("Name as entered with the answers").fill(name)
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    row = page.locator(f"#response-{response_id}")
    assert name in row.inner_text()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    row.get_by_role("button", name="Erase this response").click()
    page.wait_for_load_state()
    assert "Tick this box to confirm." in page.content()  # not confirmed: nothing erased
    page.locator(f"#erase-confirm-{response_id}").check()
    page.locator(f"#response-{response_id}").get_by_role(
        "button", name="Erase this response"
    ).click()
    page.wait_for_load_state()
    assert "The named response and its answers have been erased." in page.content()
    with live_app.app_context():
        assert (
            db.session.scalar(sa.select(SurveyResponse).where(SurveyResponse.id == response_id))
            is None
        )
