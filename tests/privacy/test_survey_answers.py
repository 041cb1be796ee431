"""A resident's survey answers: every value they gave, with the question it answers, is in
their download (JSON and HTML), nobody else's is, and erasure leaves nothing that links the
values to them. Anonymous (code, paper) responses stay linked to nobody."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.privacy.models import DataExport
from pbplatform.surveys.models import (
    AllocationUnit,
    QuestionKind,
    ResponseChannel,
    SurveyAnswer,
    SurveyResponse,
)
from pbplatform.surveys.services import (
    ItemInput,
    QuestionInput,
    create_survey,
    respond_anonymously,
    respond_online,
)
from tests.factories import PASSWORD, create_user, login_as

MY_TEXT = "The crossing at Weitlingstrasse needs a light, says Ada."
THEIR_TEXT = "Somebody else's comment about the library."
ANONYMOUS_TEXT = "A code holder's comment nobody may see in a download."


def _survey():
    return create_survey(
        None,
        [
            QuestionInput(
                kind=QuestionKind.ALLOCATION,
                text="Spread 100 points over the themes",
                unit=AllocationUnit.POINTS,
                total=Decimal(100),
                items=[ItemInput("Green spaces"), ItemInput("Road safety")],
            ),
            QuestionInput(
                kind=QuestionKind.RATING,
                text="How well kept is the park?",
                items=[ItemInput("Paths"), ItemInput("Benches")],
            ),
            QuestionInput(kind=QuestionKind.TEXT, text="Anything else?", required=False),
        ],
        title="Priorities 2027",
    )


def _answer(survey, green: str, paths: str, text: str) -> dict:
    alloc, rating, free = survey.questions
    return {
        str(alloc.id): {
            str(alloc.items[0].id): green,
            str(alloc.items[1].id): str(100 - int(green)),
        },
        str(rating.id): {str(rating.items[0].id): paths, str(rating.items[1].id): "dont_know"},
        str(free.id): text,
    }


def _scene():
    survey = _survey()
    me = create_user("resident", email="ada.answers@example.org", name="Ada Answers")
    other = create_user("resident")
    respond_online(survey, me, _answer(survey, "70", "4", MY_TEXT))
    respond_online(survey, other, _answer(survey, "15", "2", THEIR_TEXT))
    respond_anonymously(survey, _answer(survey, "50", "3", ANONYMOUS_TEXT), ResponseChannel.CODE)
    db.session.flush()
    return survey, me, other


def _download(client) -> zipfile.ZipFile:
    assert client.post("/account/privacy/export").status_code == 303
    export_id = db.session.scalar(sa.select(sa.func.max(DataExport.id)))
    response = client.get(f"/account/privacy/export/{export_id}")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_download_holds_own_answer_values_with_their_questions(client):
    survey, me, _ = _scene()
    login_as(client, me)
    archive = _download(client)
    data = json.loads(archive.read("data.json"))
    answers = data["tables"]["survey_answers"]
    by_question: dict[str, list[dict]] = {}
    for row in answers:
        by_question.setdefault(row["question"], []).append(row)
    allocation = {r["item"]: r["value"] for r in by_question["Spread 100 points over the themes"]}
    assert {k: Decimal(v) for k, v in allocation.items()} == {
        "Green spaces": 70,
        "Road safety": 30,
    }
    rating = {r["item"]: r["value"] for r in by_question["How well kept is the park?"]}
    assert Decimal(rating["Paths"]) == 4
    assert rating["Benches"] is None  # "don't know"
    [free] = by_question["Anything else?"]
    assert free["text"] == MY_TEXT
    assert all(r["survey"] == "Priorities 2027" for r in answers)
    assert len(answers) == 5
    # Nobody else's values, named or anonymous.
    dumped = json.dumps(data, ensure_ascii=False)
    assert THEIR_TEXT not in dumped
    assert ANONYMOUS_TEXT not in dumped
    [response] = data["tables"]["survey_responses"]
    assert response["survey"] == "Priorities 2027"
    html = archive.read("index.html").decode()
    assert MY_TEXT in html
    assert "How well kept is the park?" in html
    assert "Road safety" in html
    assert THEIR_TEXT not in html


def test_erasure_removes_every_answer_value_of_the_person(client):
    survey, me, other = _scene()
    mine = db.session.scalar(sa.select(SurveyResponse.id).where(SurveyResponse.user_id == me.id))
    login_as(client, me)
    response = client.post("/account/privacy/erase", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 200
    db.session.expire_all()
    # Nothing links a value to the person: their response and its answers are gone ...
    assert db.session.get(SurveyResponse, mine) is None
    left = db.session.scalar(
        sa.select(sa.func.count()).select_from(SurveyAnswer).where(SurveyAnswer.response_id == mine)
    )
    assert left == 0
    texts = set(
        db.session.scalars(sa.select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None)))
    )
    assert texts == {THEIR_TEXT, ANONYMOUS_TEXT}
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.user_id == me.id)
        )
        == 0
    )
    # ... while the other resident's and the anonymous response stay as they were.
    channels = sorted(db.session.scalars(sa.select(SurveyResponse.channel)))
    assert channels == ["code", "online"]
    assert (
        db.session.scalar(
            sa.select(SurveyResponse.user_id).where(SurveyResponse.channel == "online")
        )
        == other.id
    )
    anonymous = db.session.scalar(
        sa.select(SurveyResponse).where(SurveyResponse.channel == ResponseChannel.CODE)
    )
    assert anonymous.user_id is None
    assert survey.id is not None
