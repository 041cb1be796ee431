"""Fixing a question's wording after people answered: question text and option labels may
change, each change kept with who, when, before and after (shown to officers; the results say
"wording changed on ..."); anything that would change what the stored answers mean (the kind
of question, options added or removed, allocation bounds or total, the scale) is refused with
a form error, and nothing is stored."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from sqlalchemy.exc import IntegrityError

from pbplatform.audit.models import AuditEntry
from pbplatform.extensions import db
from pbplatform.surveys.models import (
    AllocationUnit,
    SurveyItem,
    SurveyQuestion,
    SurveyWordingChange,
)
from pbplatform.surveys.services import ItemInput, respond_online
from tests.factories import login_as
from tests.surveys.conftest import allocation, answers_of

ITEMS = "Green spaces | Grünflächen | 10 | 60\nRoad safty | Verkehrssicherheit\nLibraries"


@pytest.fixture
def answered(make_user, make_survey):
    officer = make_user("officer")
    survey = make_survey(
        [
            allocation(
                items=[
                    ItemInput("Green spaces", "Grünflächen", Decimal(10), Decimal(60)),
                    ItemInput("Road safty", "Verkehrssicherheit"),
                    ItemInput("Libraries"),
                ],
            )
        ],
        hide_results_until_close=False,
    )
    respond_online(survey, make_user(), answers_of(survey, ["50", "30", "20"]))
    db.session.flush()
    return survey, officer


def _form(**changes):
    data = {
        "kind": "allocation",
        "text": "Spread the increase",
        "text_de": "Verteilen Sie die Erhöhung",
        "items": ITEMS,
        "unit": "points",
        "total": "100",
        "scale_max": 5,
        "allow_dont_know": "y",
        "max_length": 1000,
        "required": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _edit_url(survey):
    return f"/officer/surveys/{survey.id}/questions/{survey.questions[0].id}/edit"


def test_the_edit_form_shows_the_question_as_stored(client, answered):
    survey, officer = answered
    login_as(client, officer)
    page = client.get(_edit_url(survey)).get_data(as_text=True)
    assert "Road safty | Verkehrssicherheit" in page
    assert "Green spaces | Grünflächen | 10 | 60" in page
    assert "Only the wording can change" in page  # people have answered


def test_wording_is_fixed_after_answers_with_a_history(app, client, answered):
    survey, officer = answered
    question = survey.questions[0]
    login_as(client, officer)
    fixed = ITEMS.replace("Road safty", "Road safety")
    response = client.post(
        _edit_url(survey), data=_form(text="Spread the 100 points of the increase", items=fixed)
    )
    assert response.status_code == 303
    db.session.expire_all()
    q = db.session.get(SurveyQuestion, question.id)
    assert q.text == "Spread the 100 points of the increase"
    assert [i.text for i in q.items] == ["Green spaces", "Road safety", "Libraries"]
    assert q.items[0].min_value == 10  # nothing else changed
    changes = db.session.scalars(
        sa.select(SurveyWordingChange).order_by(SurveyWordingChange.id)
    ).all()
    assert [(c.item_id, c.field, c.before, c.after) for c in changes] == [
        (None, "text", "Spread the increase", "Spread the 100 points of the increase"),
        (q.items[1].id, "text", "Road safty", "Road safety"),
    ]
    assert {c.changed_by_id for c in changes} == {officer.id}
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "survey.wording")
    )
    # Officers see who changed what; the public results say when the wording changed.
    history = client.get(f"/officer/surveys/{survey.id}").get_data(as_text=True)
    assert "Road safty" in history
    assert "Road safety" in history
    assert officer.display_name in history
    public = app.test_client().get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    day = format_date(changes[0].changed_at.date(), "medium", locale="en")  # as every date
    assert f"Wording changed on {day}" in public
    assert officer.display_name not in public


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"kind": "rating"}, "the type of question"),
        ({"items": ITEMS + "\nSport"}, "the number of items"),
        ({"items": "\n".join(ITEMS.splitlines()[:2])}, "the number of items"),
        ({"items": ITEMS.replace("| 10 | 60", "| 10 | 70")}, "the maximum of “Green spaces”"),
        ({"items": ITEMS.replace("| 10 | 60", "| 0 | 60")}, "the minimum of “Green spaces”"),
        ({"total": "200"}, "the total"),
        ({"unit": "percent"}, "the unit"),
    ],
)
def test_changes_of_meaning_are_refused_after_answers(client, answered, change, said):
    survey, officer = answered
    login_as(client, officer)
    before = [(i.text, i.min_value, i.max_value) for i in survey.questions[0].items]
    response = client.post(_edit_url(survey), data=_form(text="Reworded", **change))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "People have answered" in html
    assert said in html
    db.session.expire_all()
    q = db.session.get(SurveyQuestion, survey.questions[0].id)
    assert q.text == "Spread the increase"  # nothing stored, not even the wording
    assert [(i.text, i.min_value, i.max_value) for i in q.items] == before
    assert db.session.scalar(sa.select(sa.func.count(SurveyWordingChange.id))) == 0


def test_before_any_answer_the_whole_question_can_change(client, make_user, make_survey):
    officer = make_user("officer")
    survey = make_survey()
    login_as(client, officer)
    url = f"/officer/surveys/{survey.id}/questions/{survey.questions[0].id}/edit"
    response = client.post(url, data=_form(kind="rating", items="Useful\nWell kept"))
    assert response.status_code == 303
    db.session.expire_all()
    q = db.session.get(SurveyQuestion, survey.questions[0].id)
    assert q.kind == "rating"
    assert [i.text for i in q.items] == ["Useful", "Well kept"]
    assert db.session.scalar(sa.select(sa.func.count(SurveyItem.id))) == 2
    # Nobody answered yet: no history to show.
    assert db.session.scalar(sa.select(sa.func.count(SurveyWordingChange.id))) == 0


def test_another_areas_officer_cannot_edit(client, make_user, make_survey, make_cycle):
    cycle = make_cycle("proposals")
    area_a, area_b = (ca.area for ca in cycle.areas)
    survey = make_survey(area_id=area_a.id)
    login_as(client, make_user("officer", officer_areas=(area_b,)))
    url = f"/officer/surveys/{survey.id}/questions/{survey.questions[0].id}/edit"
    assert client.post(url, data=_form(text="Mine now")).status_code == 403
    other = make_survey(title="Other")
    wrong = f"/officer/surveys/{other.id}/questions/{survey.questions[0].id}/edit"
    login_as(client, make_user("officer"))
    assert client.get(wrong).status_code == 404  # the question is not the survey's


def test_a_money_question_round_trips_through_the_form(client, make_user, make_survey):
    """The form shows money in euros and today's budgets as stored: sent back unchanged but
    for a label, it is a wording fix, not a change of meaning (a budget-simulator cut)."""
    officer = make_user("officer")
    survey = make_survey(
        [
            allocation(
                total="40000000",
                unit=AllocationUnit.MONEY,
                items=[
                    ItemInput("Libraries", "Bibliotheken", None, Decimal(30000000), 42000000),
                    ItemInput("Parks", None, Decimal(150), None, 12345678),
                ],
                is_cut=True,
            )
        ]
    )
    q = survey.questions[0]
    respond_online(survey, make_user(), answers_of(survey, ["30000000", "10000000"]))
    login_as(client, officer)
    url = f"/officer/surveys/{survey.id}/questions/{q.id}/edit"
    page = client.get(url).get_data(as_text=True)
    items = re.search(r'<textarea[^>]*name="items"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert (
        items.strip()
        == "Libraries | Bibliotheken |  | 300000 | 420000\nParks |  | 1.5 | 123456.78 | 123456.78"
    )
    data = _form(
        text="Spread the cut",
        items=items.replace("Parks", "Parks and green spaces"),
        unit="money",
        total="400000",
        is_cut="y",
    )
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    assert [i.text for i in db.session.get(SurveyQuestion, q.id).items] == [
        "Libraries",
        "Parks and green spaces",
    ]


def test_the_wording_history_gives_times_in_the_readers_language_and_the_sites_zone(
    app, client, answered
):
    from babel.dates import format_datetime, get_timezone

    survey, officer = answered
    login_as(client, officer)
    fixed = ITEMS.replace("Road safty", "Road safety")
    assert client.post(_edit_url(survey), data=_form(items=fixed)).status_code == 303
    [change] = db.session.scalars(sa.select(SurveyWordingChange)).all()
    zone = get_timezone(app.config["BABEL_DEFAULT_TIMEZONE"])
    for lang in ("en", "de"):
        page = client.get(f"/officer/surveys/{survey.id}", headers={"Accept-Language": lang})
        html = page.get_data(as_text=True)
        shown = format_datetime(change.changed_at, "medium", tzinfo=zone, locale=lang)
        assert shown in html, lang
        assert change.changed_at.strftime("%Y-%m-%d %H:%M") not in html, lang  # not ISO, UTC
        assert "(UTC)" not in html


def test_the_audit_names_what_changed_in_data_not_in_the_officers_language(
    client, make_user, make_survey
):
    """Before anyone answered the whole question may change; the audit entry records which
    settings changed as names (and items by position), not in the officer's words."""
    officer = make_user("officer")
    survey = make_survey(
        [
            allocation(
                items=[
                    ItemInput("Green spaces", "Grünflächen", Decimal(10), Decimal(60)),
                    ItemInput("Road safty", "Verkehrssicherheit"),
                    ItemInput("Libraries"),
                ],
            )
        ]
    )
    item = survey.questions[0].items[0]
    login_as(client, officer)
    response = client.post(
        _edit_url(survey),
        data=_form(total="200", items=ITEMS.replace("| 10 | 60", "| 10 | 70")),
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 303
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "survey.question_edit")
    ).one()
    assert entry.after["changed"] == ["total", f"max_value:{item.position}"]


# The survey's own title and introduction: wording, editable after answers, in the same history.

SURVEY_WORDING = {
    "title": "Barriers to co-production 2027",
    "title_de": "Hürden der Koproduktion 2027",
    "introduction": "Spread the increase as you would.",
    "introduction_de": "",
}


def test_the_title_and_introduction_change_after_answers_with_a_history(app, client, answered):
    survey, officer = answered
    login_as(client, officer)
    form = client.get(f"/officer/surveys/{survey.id}/edit").get_data(as_text=True)
    assert 'value="Barriers to co-production"' in form  # as stored
    assert "People have answered this survey." in form
    response = client.post(f"/officer/surveys/{survey.id}/edit", data=SURVEY_WORDING)
    assert response.status_code == 303
    db.session.expire_all()
    assert survey.title == "Barriers to co-production 2027"
    assert survey.introduction_de is None  # an empty German text is none, as at creation
    changes = db.session.scalars(
        sa.select(SurveyWordingChange).order_by(SurveyWordingChange.id)
    ).all()
    assert [(c.question_id, c.field, c.before, c.after) for c in changes] == [
        (None, "title", "Barriers to co-production", "Barriers to co-production 2027"),
        (None, "title_de", None, "Hürden der Koproduktion 2027"),
        (None, "introduction", "", "Spread the increase as you would."),
    ]
    assert {c.changed_by_id for c in changes} == {officer.id}
    [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "survey.wording"))
    assert entry.after["wording"][0] == [
        None,
        "title",
        "Barriers to co-production",
        "Barriers to co-production 2027",
    ]
    # Officers see who changed what; the public results say when.
    history = client.get(f"/officer/surveys/{survey.id}").get_data(as_text=True)
    assert "Title (German)" in history
    assert "Hürden der Koproduktion 2027" in history
    assert officer.display_name in history
    public = app.test_client().get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    day = format_date(changes[0].changed_at.date(), "medium", locale="en")
    assert f"Wording changed on {day} (the survey's title or introduction" in public
    assert officer.display_name not in public
    # Saving the same wording again records nothing.
    assert client.post(f"/officer/surveys/{survey.id}/edit", data=SURVEY_WORDING).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(SurveyWordingChange.id))) == 3


def test_before_any_answer_the_title_changes_without_a_history(client, make_user, make_survey):
    officer, survey = make_user("officer"), make_survey()
    login_as(client, officer)
    response = client.post(f"/officer/surveys/{survey.id}/edit", data=SURVEY_WORDING)
    assert response.status_code == 303
    db.session.expire_all()
    assert survey.title == "Barriers to co-production 2027"
    assert db.session.scalar(sa.select(sa.func.count(SurveyWordingChange.id))) == 0


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_a_survey_keeps_a_title(client, answered, title):
    survey, officer = answered
    login_as(client, officer)
    response = client.post(
        f"/officer/surveys/{survey.id}/edit", data={**SURVEY_WORDING, "title": title}
    )
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert survey.title == "Barriers to co-production"
    assert db.session.scalar(sa.select(sa.func.count(SurveyWordingChange.id))) == 0


def test_another_areas_officer_cannot_edit_the_title(client, make_user, make_survey, make_area):
    here, there = make_area(), make_area()
    survey = make_survey(area_id=here.id)
    login_as(client, make_user("officer", officer_areas=(there,)))
    assert client.post(f"/officer/surveys/{survey.id}/edit", data=SURVEY_WORDING).status_code == 403
    db.session.expire_all()
    assert survey.title == "Barriers to co-production"


def test_the_database_keeps_survey_wording_apart_from_question_wording(answered):
    survey, officer = answered
    question = survey.questions[0]
    for bad in (
        {"question_id": question.id, "field": "title"},
        {"question_id": None, "field": "text"},
        {"question_id": None, "field": "colour"},
    ):
        with db.session.begin_nested():
            db.session.add(SurveyWordingChange(survey_id=survey.id, before="a", after="b", **bad))
            with pytest.raises(IntegrityError):
                db.session.flush()
