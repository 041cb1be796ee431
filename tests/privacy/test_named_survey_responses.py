"""Named survey responses (an officer types in a named respondent's form) and the respondent's
data rights: linked to their account at entry (found by e-mail within the officer's remit),
the response is in their download and goes with their erasure; unlinked ones are found by
name for a request by letter or phone, then linked or erased, audited, the name leaving the
audit log too."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pbplatform.api.services import create_token
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.audit.services import verify_chain
from pbplatform.extensions import db
from pbplatform.privacy.models import DataExport
from pbplatform.surveys.models import QuestionKind, SurveyAnswer, SurveyResponse
from pbplatform.surveys.services import QuestionInput, create_survey, respond_anonymously
from tests.factories import PASSWORD, create_area, create_user, login_as

ADA = "Ada Lovelace, Friends of Fennpfuhl Park"
ADA_SAYS = "The benches by the pond need mending, writes Ada."
BOB = "Bob Builder, Lichtenberg Traders"
BOB_SAYS = "Bob's paper form: more bins on the high street."


class Scene:
    def __init__(self) -> None:
        self.area, self.other_area = create_area("Fennpfuhl"), create_area("Karlshorst")
        self.officer = create_user("officer", officer_areas=(self.area,))
        self.ada = create_user(email="ada@example.org", name="Ada", area=self.area)
        self.elsewhere = create_user(email="eve@example.org", area=self.other_area)
        self.survey = create_survey(
            None,
            [QuestionInput(kind=QuestionKind.TEXT, text="What should change?")],
            title="Park priorities",
            area_id=self.area.id,
        )
        self.question = self.survey.questions[0]
        db.session.flush()


@pytest.fixture
def scene(db):
    return Scene()


def _enter(client, s, label, text, email=""):
    return client.post(
        f"/officer/surveys/{s.survey.id}/named",
        data={"respondent_label": label, "respondent_email": email, f"q{s.question.id}": text},
    )


def _download(client) -> dict:
    assert client.post("/account/privacy/export").status_code == 303
    export_id = db.session.scalar(sa.select(sa.func.max(DataExport.id)))
    response = client.get(f"/account/privacy/export/{export_id}")
    assert response.status_code == 200
    return json.loads(zipfile.ZipFile(io.BytesIO(response.data)).read("data.json"))


def _entered_names() -> list:
    """The personal values of the audit entries recording named responses."""
    return list(
        db.session.scalars(
            sa.select(AuditPersonal.data)
            .join(AuditEntry, AuditEntry.id == AuditPersonal.entry_id)
            .where(AuditEntry.action == "survey.named_response")
        )
    )


def test_a_linked_named_response_is_in_the_download_and_goes_with_the_erasure(app, client, scene):
    s = scene
    login_as(client, s.officer)
    assert _enter(client, s, ADA, ADA_SAYS, email=" ADA@example.org ").status_code == 303
    assert _enter(client, s, BOB, BOB_SAYS).status_code == 303  # linked to nobody
    db.session.expire_all()
    linked = db.session.scalar(sa.select(SurveyResponse).where(SurveyResponse.user_id == s.ada.id))
    assert linked.respondent_label == ADA
    assert linked.channel == "named"
    linked_id = linked.id

    resident = app.test_client()
    login_as(resident, s.ada)
    data = _download(resident)
    [response] = data["tables"]["survey_responses"]
    assert response["respondent_label"] == ADA
    assert response["survey"] == "Park priorities"
    assert [a["text"] for a in data["tables"]["survey_answers"]] == [ADA_SAYS]
    assert BOB_SAYS not in json.dumps(data, ensure_ascii=False)

    erased = resident.post("/account/privacy/erase", data={"password": PASSWORD, "confirm": "y"})
    assert erased.status_code == 200
    db.session.expire_all()
    assert db.session.get(SurveyResponse, linked_id) is None
    texts = set(db.session.scalars(sa.select(SurveyAnswer.text)))
    assert texts == {BOB_SAYS}
    # The name the officer typed leaves the audit log with the account (Bob's stays).
    names = json.dumps(_entered_names(), ensure_ascii=False)
    assert "Ada Lovelace" not in names
    assert BOB in names
    assert verify_chain() is None


@pytest.mark.parametrize(
    ("email", "status", "said"),
    [
        ("eve@example.org", 422, "No account in your areas has this e-mail address."),
        ("nobody@example.org", 422, "No account in your areas has this e-mail address."),
        ("ada@example.org", 409, "This account already has a response to this survey."),
    ],
)
def test_linking_is_refused_beside_the_field_and_nothing_is_stored(
    client, scene, email, status, said
):
    s = scene
    login_as(client, s.officer)
    if status == 409:
        assert _enter(client, s, ADA, ADA_SAYS, email="ada@example.org").status_code == 303
    before = db.session.scalar(sa.select(sa.func.count(SurveyResponse.id)))
    refused = _enter(client, s, "Someone", "A second form", email=email)
    assert refused.status_code == status
    page = refused.get_data(as_text=True)
    assert 'id="respondent_email-error"' in page
    assert said in page
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == before


def test_the_api_links_and_the_resident_cannot_overwrite_it_online(client, scene):
    s = scene
    officer = {"Authorization": f"Bearer {create_token(s.officer, 'app')[1]}"}
    body = {
        "respondent_label": ADA,
        "respondent_email": "ada@example.org",
        "answers": {str(s.question.id): ADA_SAYS},
    }
    url = f"/api/v1/surveys/{s.survey.id}/responses"
    created = client.post(url, json=body, headers=officer)
    assert created.status_code == 201
    assert db.session.get(SurveyResponse, created.get_json()["id"]).user_id == s.ada.id
    outside = client.post(
        url, json={**body, "respondent_email": "eve@example.org"}, headers=officer
    )
    assert outside.status_code == 422
    assert outside.mimetype == "application/problem+json"
    assert outside.get_json()["errors"][0] == {
        "field": "respondent_email",
        "message": "No account in your areas has this e-mail address.",
        "rule": "no_such_account",
    }
    unnamed = {"respondent_email": "ada@example.org", "answers": body["answers"]}
    alone = client.post(url, json=unnamed, headers=officer)
    assert alone.status_code == 422
    assert alone.get_json()["errors"][0]["field"] == "respondent_email"
    ada = {"Authorization": f"Bearer {create_token(s.ada, 'app')[1]}"}
    online = client.post(url, json={"answers": {str(s.question.id): "changed"}}, headers=ada)
    assert online.status_code == 409
    assert online.get_json()["code"] == "entered_by_officer"
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(SurveyAnswer.text))) == {ADA_SAYS}


class _Found:
    """The request page's text after its heading (a flash of an earlier entry names it too)."""

    def __init__(self, response) -> None:
        self.status_code = response.status_code
        self.text = response.get_data(as_text=True).split("<h1>", 1)[1]

    def get_data(self, as_text: bool = True) -> str:
        return self.text


def _find(client, name):
    return _Found(client.get("/privacy/requests/named-responses", query_string={"name": name}))


def test_unlinked_named_responses_are_found_by_name_and_erased(app, client, scene):
    s = scene
    login_as(client, s.officer)
    assert _enter(client, s, ADA, ADA_SAYS).status_code == 303
    assert _enter(client, s, BOB, BOB_SAYS).status_code == 303
    ada_id = db.session.scalar(
        sa.select(SurveyResponse.id).where(SurveyResponse.respondent_label == ADA)
    )
    found = _find(client, "lovelace").get_data(as_text=True)
    assert "1 named response linked to no account" in found
    assert ADA in found
    assert BOB not in found
    assert "Park priorities" in found
    # Not in another area's officer's remit: neither listed nor erasable.
    other = app.test_client()
    login_as(other, create_user("officer", officer_areas=(s.other_area,)))
    assert ADA not in _find(other, "lovelace").get_data(as_text=True)
    url = f"/privacy/requests/named-responses/{ada_id}/erase?name=lovelace"
    assert other.post(url, data={"confirm": "y"}).status_code == 404

    unconfirmed = client.post(url, data={})
    assert unconfirmed.status_code == 422
    assert "Tick this box to confirm." in unconfirmed.get_data(as_text=True)
    assert db.session.get(SurveyResponse, ada_id) is not None

    erased = client.post(url, data={"confirm": "y"})
    assert erased.status_code == 303
    db.session.expire_all()
    assert db.session.get(SurveyResponse, ada_id) is None
    assert set(db.session.scalars(sa.select(SurveyAnswer.text))) == {BOB_SAYS}
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.named_response_erased")
    )
    assert entry.actor_id == s.officer.id
    assert entry.after == {"survey_id": s.survey.id, "response_id": ada_id}
    names = json.dumps(_entered_names(), ensure_ascii=False)
    assert "Ada Lovelace" not in names
    assert BOB in names
    assert verify_chain() is None
    assert "0 named responses linked to no account" in _find(client, "lovelace").get_data(
        as_text=True
    )


def test_an_unlinked_named_response_is_linked_later_from_the_request_page(client, scene):
    s = scene
    login_as(client, s.officer)
    assert _enter(client, s, ADA, ADA_SAYS).status_code == 303
    ada_id = db.session.scalar(sa.select(SurveyResponse.id))
    url = f"/privacy/requests/named-responses/{ada_id}/link?name=ada"
    refused = client.post(url, data={"email": "eve@example.org", "confirm": "y"})
    assert refused.status_code == 422
    assert "No account in your areas has this e-mail address." in refused.get_data(as_text=True)
    assert client.post(url, data={"email": "ada@example.org", "confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(SurveyResponse, ada_id).user_id == s.ada.id
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "survey.named_linked")
    )
    assert entry.after == {"survey_id": s.survey.id, "user_id": s.ada.id}
    # Linked now: no longer listed for the request workflow, nor linkable again.
    assert ADA not in _find(client, "ada").get_data(as_text=True)
    again = client.post(url, data={"email": "ada@example.org", "confirm": "y"})
    assert again.status_code == 404


def test_the_database_keeps_code_and_paper_responses_linked_to_nobody(scene):
    s = scene
    from pbplatform.surveys.models import ResponseChannel

    response = respond_anonymously(
        s.survey, {str(s.question.id): "anonymous"}, ResponseChannel.CODE
    )
    response.user_id = s.ada.id
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()
