"""Today's survey features as a newcomer meets them, by links from the start page, at 1280 and
390 px, in English and German: an officer edits the wording of an answered question (a change
of meaning is refused beside the field it touches), invites followers, reads the wording
history; the public results say when the wording changed."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

import pytest
from babel.dates import format_date

from pbplatform.db import utcnow
from pbplatform.notifications.services import follow
from pbplatform.surveys.editing import edit_question
from pbplatform.surveys.invitations import invite_followers
from pbplatform.surveys.models import AllocationUnit, QuestionKind, SurveyKind
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
from tests.surveys.conftest import allocation, rating

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RESPONDENTS = 12  # two digits in the counts: a number must not wrap inside a narrow cell


@pytest.fixture(scope="module")
def scene(live_app):
    """An open survey of a cycle, answered by twelve residents: a single choice, a rating and
    a money allocation (a wide table of one column per respondent)."""
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
                allocation(
                    total="1500000",
                    unit=AllocationUnit.MONEY,
                    items=[
                        ItemInput("Libraries", "Bibliotheken"),
                        ItemInput("Green spaces", "Grünflächenunterhaltung"),
                    ],
                ),
            ],
            title=unique("How was voting"),
            title_de=unique("Wie war die Abstimmung"),
            cycle_id=cycle.id,
            hide_results_until_close=False,
        )
        choice, rating, money = survey.questions
        online, paper = choice.items
        for n in range(RESPONDENTS):
            respond_online(
                survey,
                create_user(area=home),
                {
                    str(choice.id): str((online if n % 4 else paper).id),
                    str(rating.id): {str(rating.items[0].id): str(4 + n % 2)},
                    str(money.id): {
                        str(money.items[0].id): "1000000",
                        str(money.items[1].id): "500000",
                    },
                },
            )
        reworded = QuestionInput(
            kind=QuestionKind.SINGLE,
            text="How did you cast your vote?",
            text_de="Wie haben Sie Ihre Stimme abgegeben?",
            items=[ItemInput("Online", "Online"), ItemInput("On paper", "Auf Papier")],
        )
        assert edit_question(choice, officer, reworded)  # the wording changed after answers
        return {"survey": survey.id, "title": survey.title, "officer": officer.email}


@pytest.fixture
def officer(live_app) -> str:
    """A fresh officer per test (logging one in over and over meets the login limits)."""
    with committed(live_app):
        return create_user("officer", email=unique("officer").replace(" ", "") + "@x.org").email


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
def test_a_change_of_meaning_is_refused_beside_the_field(
    browser, live_url, scene, officer, size, lang
):
    page = _open(browser, live_url, size, lang, officer)
    try:
        _to_the_survey(page, scene)
        page.locator("main a[href*='/questions/'][href$='/edit']").first.click()
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


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('.survey-result :is(th, td, caption, p)')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_survey_results_read_whole_on_a_phone(browser, live_url, scene, lang):
    """No number or word of the results tables is split across lines at 390 px (the counts
    "12", the criteria, "Durchschnittliche Bewertung"): the rating and breakdown tables stack
    one block per row, the wide allocation tables scroll in a region the keyboard reaches."""
    page = _open(browser, live_url, PHONE, lang)
    try:
        page.locator("header a[href='/surveys']").click()
        page.locator(f"main a[href='/surveys/{scene['survey']}']").click()
        page.locator(f"main a[href='/surveys/{scene['survey']}/results']").click()
        page.wait_for_load_state()
        assert page.evaluate(BROKEN_WORDS) == []
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("size", "lang"), [(PHONE, "de"), (PHONE, "en"), (DESK, "de")])
def test_officers_read_the_wording_history(browser, live_url, scene, officer, size, lang):
    """Who changed which wording, when, before and after: one labelled block per change on a
    phone (was a table scrolling sideways in a region no keyboard reached: axe
    scrollable-region-focusable)."""
    page = _open(browser, live_url, size, lang, officer)
    try:
        _to_the_survey(page, scene)
        history = page.locator("main table").filter(has_text="How did you cast your vote?")
        assert history.locator("tbody tr").count() == 2  # the question, in English and German
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
        page.locator("main a[href*='/questions/'][href$='/edit']").first.click()
        page.wait_for_load_state()
        assert page.locator("main table tbody tr").count() == 2
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("lang", "said"), [("en", "Wording changed on"), ("de", "Wortlaut geändert am")]
)
def test_the_results_say_on_which_day_the_wording_changed(browser, live_url, scene, lang, said):
    """The day in the reader's language, as every other date on the site (was 2026-12-07)."""
    page = _open(browser, live_url, DESK, lang)
    try:
        page.locator("header a[href='/surveys']").click()
        page.locator(f"main a[href='/surveys/{scene['survey']}']").click()
        page.locator(f"main a[href='/surveys/{scene['survey']}/results']").click()
        page.wait_for_load_state()
        note = page.locator(".survey-result .hint").filter(has_text=said)
        assert note.count() == 1
        today = format_date(utcnow().date(), "medium", locale=lang)
        assert f"{said} {today} (" in note.inner_text()
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_officers_survey_list_fits_a_phone(browser, live_app, live_url, officer, lang):
    """One block per survey at 390 px: title, kind, closing day (the German table was 443 px
    wide with a budget simulator and a long title)."""
    with committed(live_app):
        create_survey(
            None,
            [allocation()],
            kind=SurveyKind.SIMULATOR,
            title=unique("Budget simulator: where would you cut"),
            title_de=unique("Haushaltsrechner: Grünflächenunterhaltungsvereinbarungen"),
        )
    page = _open(browser, live_url, PHONE, lang, officer)
    try:
        page.locator("header a[href='/officer/surveys']").click()
        page.wait_for_load_state()
        kind = {"de": "Haushaltsrechner", "en": "Budget simulator"}[lang]
        assert page.locator("main table tbody tr").filter(has_text=kind).count() >= 1
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        assert axe_violations(page) == []
    finally:
        page.context.close()


@pytest.mark.parametrize(("size", "lang"), [(DESK, "en"), (PHONE, "de")])
def test_a_tick_box_sits_before_its_label(browser, live_url, scene, officer, size, lang):
    """Every form's tick box (here: invite the cycle's followers) is on its label's line, left
    of it (was alone above the label, in the middle of the form's width)."""
    page = _open(browser, live_url, size, lang, officer)
    try:
        _to_the_survey(page, scene)
        box, line = page.evaluate(
            """() => [document.getElementById('cycle_followers').getBoundingClientRect(),
                      document.querySelector('label[for=cycle_followers]').getClientRects()[0]]
                .map(r => ({x: r.x, y: r.y, width: r.width, height: r.height}))"""
        )  # the label's first line
        middle = box["y"] + box["height"] / 2
        assert line["y"] <= middle <= line["y"] + line["height"], (box, line)
        assert box["x"] + box["width"] <= line["x"], (box, line)
        assert_no_horizontal_scroll(page)
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("size", "lang", "said"),
    [(DESK, "en", "1 person invited,"), (PHONE, "de", "1 Person eingeladen,")],
)
def test_inviting_one_follower_says_one_person(
    browser, live_app, live_url, officer, size, lang, said
):
    with committed(live_app):
        home = create_area(unique("Karlshorst"))
        follow(create_user(area=home), area=home)
        survey = create_survey(None, [rating()], title=unique("Rate the reading garden")).id
        area = home.name
    page = _open(browser, live_url, size, lang, officer)
    try:
        _to_the_survey(page, {"survey": survey})
        page.locator("#area_id").select_option(label=area)
        page.locator("form[action$='/invite'] button[type=submit]").click()
        page.wait_for_load_state()
        assert said in page.locator(".flash").first.inner_text()
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("size", "lang", "until"), [(DESK, "en", "Open until"), (PHONE, "de", "Offen bis")]
)
def test_a_follower_follows_the_invitation_to_the_survey(
    browser, live_app, live_url, size, lang, until
):
    """The invitation on the notifications page names the survey in the reader's language and
    says until when it is open (was: the English title again, then '(2027-01-06)')."""
    closes = (utcnow() + timedelta(days=30)).replace(hour=12, minute=0)
    with committed(live_app):
        home = create_area(unique("Rummelsburg"))
        resident = create_user(area=home)
        follow(resident, area=home)
        officer = create_user("officer")
        survey = create_survey(
            officer,
            [rating()],
            title=unique("Rate the drinking fountain"),
            title_de=unique("Bewerten Sie den Trinkbrunnen"),
            closes_at=closes,
        )
        invite_followers(survey, officer, home.id, cycle_followers=False)
        shown, other = (survey.title, survey.title_de)[:: 1 if lang == "en" else -1]
        survey_id, email = survey.id, resident.email
    page = _open(browser, live_url, size, lang, email)
    try:
        page.locator("header a[href='/notifications']").click()
        page.wait_for_load_state()
        link = page.locator(f"a[href='/surveys/{survey_id}']")
        item = page.locator("ol.notifications li").filter(has=link)
        said = item.inner_text()
        assert shown in said
        assert other not in said
        assert f"{until} {format_date(closes.date(), 'medium', locale=lang)}." in said
        assert f"({closes.date().isoformat()})" not in said
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
        item.locator("a").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == shown
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("size", "lang", "said"),
    [(DESK, "en", "Add a question first"), (PHONE, "de", "Fügen Sie zuerst eine Frage hinzu")],
)
def test_followers_are_not_invited_to_a_survey_without_questions(
    browser, live_app, live_url, officer, size, lang, said
):
    """A new survey is open at once and offers the invitation; without a question it is
    refused beside the form (was: followers invited to an empty survey)."""
    with committed(live_app):
        home = create_area(unique("Alt-Hohenschönhausen"))
        follow(create_user(area=home), area=home)
        area = home.name
    page = _open(browser, live_url, size, lang, officer)
    try:
        page.locator("header a[href='/officer/surveys']").click()
        page.locator("main a[href='/officer/surveys/new']").click()
        page.locator("#title").fill(unique("Playgrounds of Hohenschönhausen"))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.locator("#area_id").select_option(label=area)
        page.locator("form[action$='/invite'] button[type=submit]").click()
        page.wait_for_load_state()
        refusal = page.locator("form[action$='/invite'] [role=alert]")
        assert refusal.count() == 1
        assert said in refusal.inner_text()
        assert page.locator(".flash-success").count() == 0
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_the_german_invitation_form_says_who_follows(browser, live_url, scene, officer):
    """'Wer dem Gebiet folgt' (was 'Folgende des Gebiets': 'the following of the area')."""
    page = _open(browser, live_url, PHONE, "de", officer)
    try:
        _to_the_survey(page, scene)
        assert page.get_by_role("heading", name="Einladen, wer folgt").count() == 1
        assert page.get_by_label("Wer dem Gebiet folgt", exact=True).count() == 1
        assert page.get_by_label("Wer dem Bürgerhaushalt der Umfrage folgt").count() == 1
        assert "Folgende" not in page.locator("main").inner_text()
    finally:
        page.context.close()


def test_an_invited_only_survey_refuses_invitations_in_plain_english(
    browser, live_app, live_url, officer
):
    with committed(live_app):
        area = create_area(unique("Karlshorst")).name
        survey = create_survey(
            None, [rating()], title=unique("Rate the tenants' desk"), audience="invited"
        ).id
    page = _open(browser, live_url, DESK, "en", officer)
    try:
        _to_the_survey(page, {"survey": survey})
        page.locator("#area_id").select_option(label=area)
        page.locator("form[action$='/invite'] button[type=submit]").click()
        page.wait_for_load_state()
        refusal = page.locator("form[action$='/invite'] [role=alert]")
        assert refusal.count() == 1
        assert "Only code holders, and people whose answers officers enter, answer this survey" in (
            refusal.inner_text()
        )  # was "Only code holders and people officers enter answer this survey"
    finally:
        page.context.close()


def test_download_my_data_names_the_surveys_and_questions(browser, live_app, live_url, tmp_path):
    """A resident invited to a survey answers it, then downloads their data from the account
    page: each answer with its question's text and item, each invitation with its survey's
    title (was only survey_id)."""
    with committed(live_app):
        home = create_area(unique("Lichtenberg"))
        resident = create_user(area=home)
        follow(resident, area=home)
        officer = create_user("officer")
        survey = create_survey(officer, [rating()], title=unique("Rate the tool library"))
        invite_followers(survey, officer, home.id, cycle_followers=False)
        email, title = resident.email, survey.title
    page = _open(browser, live_url, DESK, "en", email)
    try:
        page.locator("header a[href='/notifications']").click()
        page.locator("ol.notifications a").filter(has_text=title).click()
        page.locator("input[type=radio][value='4']").first.check()
        page.locator("input[type=radio][value='5']").nth(1).check()
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        page.locator("header a[href='/account']").click()
        page.locator("main a[href='/account/privacy']").click()
        page.locator("form[action='/account/privacy/export'] button").click()
        page.wait_for_load_state()
        with page.expect_download() as download:
            page.locator("a[href^='/account/privacy/export/']").first.click()
        path = tmp_path / "mine.zip"
        download.value.save_as(path)
        tables = json.loads(zipfile.ZipFile(path).read("data.json"))["tables"]
        answers = tables["survey_answers"]
        assert {(a["survey"], a["question"], a["item"]) for a in answers} == {
            (title, "Rate it", "Useful"),
            (title, "Rate it", "Well kept"),
        }
        assert [i["survey"] for i in tables["survey_invitations"]] == [title]
    finally:
        page.context.close()
