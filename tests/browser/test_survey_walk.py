"""Today's survey features as a newcomer meets them, by links from the start page, at 1280 and
390 px, in English and German: an officer edits the wording of an answered question (a change
of meaning is refused beside the field it touches), invites followers, reads the wording
history; the public results say when the wording changed."""

from __future__ import annotations

import pytest

from pbplatform.surveys.models import QuestionKind
from pbplatform.surveys.services import ItemInput, QuestionInput, create_survey, respond_online
from tests.browser.axe import axe_violations
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    committed,
    log_in,
    unique,
)
from tests.factories import create_area, create_cycle, create_user

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RESPONDENTS = 12  # two digits in the counts: a number must not wrap inside a narrow cell


@pytest.fixture(scope="module")
def scene(live_app):
    """An open survey of a cycle, answered by twelve residents: a single choice and a rating."""
    with committed(live_app):
        home = create_area(unique("Fennpfuhl"))
        cycle = create_cycle("results", areas=[home])
        officer = create_user("officer", email=unique("officer").replace(" ", "") + "@x.org")
        survey = create_survey(
            officer,
            [
                QuestionInput(
                    kind=QuestionKind.SINGLE,
                    text="How did you vote?",
                    text_de="Wie haben Sie abgestimmt?",
                    items=[ItemInput("Online", "Online"), ItemInput("On paper", "Auf Papier")],
                ),
                QuestionInput(
                    kind=QuestionKind.RATING,
                    text="How far do you agree?",
                    text_de="Wie sehr stimmen Sie zu?",
                    items=[ItemInput("Voting was easy", "Das Abstimmen war einfach")],
                ),
            ],
            title=unique("How was voting"),
            title_de=unique("Wie war die Abstimmung"),
            cycle_id=cycle.id,
            hide_results_until_close=False,
        )
        choice, rating = survey.questions
        online, paper = choice.items
        for n in range(RESPONDENTS):
            respond_online(
                survey,
                create_user(area=home),
                {
                    str(choice.id): str((online if n % 4 else paper).id),
                    str(rating.id): {str(rating.items[0].id): str(4 + n % 2)},
                },
            )
        return {"survey": survey.id, "title": survey.title, "officer": officer.email}


def _open(browser, live_url, size, lang, who=None):
    context = browser.new_context(locale="en-GB", viewport=size)
    page = context.new_page()
    if who:
        log_in(page, live_url, who)
    page.goto(live_url)
    if lang != "en":
        page.locator("form.lang select").select_option(lang)  # the site's own switch
        page.locator("form.lang button").click()
        page.wait_for_load_state()
    return page


def _to_the_survey(page, scene):
    """Start page -> Manage surveys -> the survey, by links."""
    page.locator("header a[href='/officer/surveys']").click()
    page.locator(f"main a[href='/officer/surveys/{scene['survey']}']").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("size", "lang"), [(DESK, "en"), (PHONE, "de")])
def test_a_change_of_meaning_is_refused_beside_the_field(browser, live_url, scene, size, lang):
    page = _open(browser, live_url, size, lang, scene["officer"])
    try:
        _to_the_survey(page, scene)
        page.locator("main a[href$='/edit']").first.click()
        page.wait_for_load_state()
        page.locator("#kind").select_option("multiple_choice")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        _refused_beside(page, "kind")
        said = {"en": "changing the type of question", "de": "Änderung an der Art der Frage"}
        assert said[lang] in page.locator("#kind-error").inner_text()
        page.locator("#kind").select_option("single_choice")
        page.locator("#items").fill("Online | Online\nOn paper | Auf Papier\nBy post | Per Post")
        page.locator("#required").uncheck()
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        _refused_beside(page, "items", "required")
        assert page.locator("#kind").get_attribute("aria-invalid") is None
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
    finally:
        page.context.close()


def _refused_beside(page, *names):
    """Each field is marked, its message beside it, and the summary at the top links to it."""
    for name in names:
        field = page.locator(f"#{name}")
        assert field.get_attribute("aria-invalid") == "true", name
        assert page.locator(f"#{name}-error").count() == 1, name
        assert f"{name}-error" in field.get_attribute("aria-describedby").split()
        assert page.locator(f".error-summary a[href='#{name}']").count() == 1, name
