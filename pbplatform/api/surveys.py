"""The survey API: create a survey, answer one, read its results (issue 19 item 7).

Registered on the API blueprint (pbplatform/api/views.py imports this module). A refused
response is a problem+json naming the rule (`code`, and `rule` per error) and stores nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.api import idempotency
from pbplatform.api.auth import api_token_required, bearer_token, current_token_user, token_user
from pbplatform.api.openapi import INT32
from pbplatform.api.views import bp, json_body, validation_error
from pbplatform.errors import DomainError
from pbplatform.security.access import public
from pbplatform.surveys import invitations, named, queries, services, wording
from pbplatform.surveys.answers import to_number
from pbplatform.surveys.export import results_json
from pbplatform.surveys.models import AllocationUnit, QuestionKind, Survey
from pbplatform.surveys.stats import exact_text


def _survey(survey_id: str) -> Survey:
    number = int(survey_id) if survey_id.isascii() and survey_id.isdigit() else 0
    survey = queries.find_survey(number) if 0 < number <= INT32 else None
    if survey is None:
        raise DomainError("not_found", _("There is no such survey."), status=404)
    return survey


def _require_remit(user: User, survey: Survey, refusal: str) -> None:
    """An officer whose remit covers the survey's area, or an admin; else 403 `refusal`."""
    if not (user.is_officer and user.can_act_on_area(survey.area_id)):
        raise DomainError("forbidden", refusal, status=403)


def _when(data: dict[str, Any], key: str) -> datetime | None:
    if key not in data:
        return None
    try:
        value = datetime.fromisoformat(data[key])
    except ValueError:
        raise validation_error(
            [{"field": key, "message": "must be an ISO 8601 date-time"}]
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _number(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    number = to_number(value)
    if number is None:
        raise validation_error(
            [{"field": field, "message": "must be a number of at most 4 decimals"}]
        )
    return number


def _question(data: dict[str, Any], n: int) -> services.QuestionInput:
    kind = QuestionKind(data["type"])
    unit = AllocationUnit(data["unit"]) if "unit" in data else None
    if kind == QuestionKind.ALLOCATION and unit is None:
        raise validation_error(
            [{"field": f"questions[{n}].unit", "message": "is required for an allocation"}]
        )
    items = [
        services.ItemInput(
            i["text"],
            i.get("text_de"),
            _number(i.get("min"), f"questions[{n}].items[{k}].min"),
            _number(i.get("max"), f"questions[{n}].items[{k}].max"),
            i.get("baseline"),
        )
        for k, i in enumerate(data.get("items", []))
    ]
    return services.QuestionInput(
        kind=kind,
        text=data["text"],
        text_de=data.get("text_de"),
        items=items,
        required=data.get("required", True),
        unit=unit,
        total=_number(data.get("total"), f"questions[{n}].total"),
        scale_max=data.get("scale_max", 5),
        allow_dont_know=data.get("allow_dont_know", True),
        max_length=data.get("max_length", 1000),
        is_cut=data.get("cut", False),
    )


def survey_body(survey: Survey) -> dict[str, Any]:
    return {
        "id": survey.id,
        "title": survey.title,
        "opens_at": survey.opens_at.isoformat(),
        "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        "questions": [
            {
                "id": q.id,
                "type": q.kind,
                "text": q.text,
                "unit": q.unit,
                "total": None if q.total is None else exact_text(q.total),
                "items": [{"id": i.id, "text": i.text} for i in q.items],
            }
            for q in survey.questions
        ],
    }


# Complexity: reads a survey and its questions from JSON, one branch per optional field, refusing
# each bad one with its rule.
@bp.post("/surveys")
@api_token_required
def create_survey() -> ResponseReturnValue:
    user = current_token_user()
    data = json_body("SurveyCreation")
    if not user.is_officer or not user.can_act_on_area(data.get("area_id")):
        raise DomainError(
            "forbidden", _("Only officers (for their areas) and admins create surveys."), status=403
        )
    if data.get("area_id") is not None and queries.find_area(data["area_id"]) is None:
        raise validation_error([{"field": "area_id", "message": "is not a known area"}])
    key, request_hash = idempotency.request_key(), idempotency.fingerprint(data)
    if (previous := idempotency.replay(user, key, request_hash)) is not None:
        return previous
    questions = [_question(q, n) for n, q in enumerate(data["questions"])]
    fields: dict[str, Any] = {
        k: data[k]
        for k in (
            "title",
            "title_de",
            "introduction",
            "introduction_de",
            "audience",
            "area_id",
            "hide_results_until_close",
            "asks_attributes",
        )
        if k in data
    }
    for moment in ("opens_at", "closes_at"):
        if moment in data:
            fields[moment] = _when(data, moment)
    survey = services.create_survey(user, questions, **fields)
    body = survey_body(survey)
    idempotency.remember(user, key, request_hash, 201, body)
    return jsonify(body), 201


def _attributes(data: dict[str, Any]) -> services.Attributes | None:
    given = data.get("attributes")
    if given is None:
        return None
    if given.get("area_id") is not None and queries.find_area(given["area_id"]) is None:
        raise validation_error([{"field": "attributes.area_id", "message": "is not a known area"}])
    return services.Attributes(**given)


def _account(officer: User, data: dict[str, Any]) -> User | None:
    """The account a named response is linked to (surveys.named), if one is given."""
    if "respondent_email" not in data:
        return None
    if "respondent_label" not in data:
        raise validation_error(
            [{"field": "respondent_email", "message": "is given only with respondent_label"}]
        )
    return named.find_account(officer, data["respondent_email"])


@bp.post("/surveys/<survey_id>/responses")
@api_token_required
def respond(survey_id: str) -> ResponseReturnValue:
    user: User = current_token_user()
    survey = _survey(survey_id)
    data = json_body("SurveyResponseInput")
    key, request_hash = idempotency.request_key(), idempotency.fingerprint(data)
    if (previous := idempotency.replay(user, key, request_hash)) is not None:
        return previous
    raw, attributes = data["answers"], _attributes(data)
    on_behalf = "respondent_label" in data or "paper_ref" in data
    if on_behalf:
        _require_remit(user, survey, _("Only officers enter answers on someone's behalf."))
    account = _account(user, data)
    body: dict[str, Any]
    if "respondent_label" in data:
        response = services.enter_named(
            survey,
            user,
            data["respondent_label"],
            raw,
            consent_to_name=data.get("consent_to_name", False),
            attributes=attributes,
            account=account,
        )
        body = {"id": response.id, "status": "saved"}
    elif "paper_ref" in data:
        outcome = services.enter_paper(survey, user, data["paper_ref"], raw, attributes)
        body = {"id": outcome.response.id if outcome.response else None, "status": outcome.status}
    else:
        body = {"id": services.respond_online(survey, user, raw, attributes).id, "status": "saved"}
    idempotency.remember(user, key, request_hash, 201, body)
    return jsonify(body), 201


@bp.patch("/surveys/<survey_id>")
@api_token_required
def edit_wording(survey_id: str) -> ResponseReturnValue:
    """As the survey's edit page (surveys.wording): the fields given change, the others are
    kept; the same rules and refusals."""
    user: User = current_token_user()
    survey = _survey(survey_id)
    data = json_body("SurveyWordingPatch")
    _require_remit(
        user, survey, _("Only officers (for the survey's area) and admins edit surveys.")
    )
    kept = {name: getattr(survey, name) for name in wording.FIELDS}
    made = wording.edit_wording(survey, user, wording.SurveyWording(**{**kept, **data}))
    body = {name: getattr(survey, name) for name in wording.FIELDS}
    return jsonify({"id": survey.id, **body, "recorded_changes": len(made)})


@bp.post("/surveys/<survey_id>/invitations")
@api_token_required
def invite(survey_id: str) -> ResponseReturnValue:
    """As the survey page's invite form (surveys.invitations): the same rules and refusals."""
    user: User = current_token_user()
    survey = _survey(survey_id)
    data = json_body("SurveyInvitationInput")
    area_id = data.get("area_id")
    _require_remit(
        user, survey, _("Only officers (for the survey's area) and admins invite people to it.")
    )
    if area_id is not None and queries.find_area(area_id) is None:
        raise validation_error([{"field": "area_id", "message": "is not a known area"}])
    if area_id is not None and not user.can_act_on_area(area_id):
        raise DomainError(
            "forbidden", _("You may invite only the followers of your own areas."), status=403
        )
    key, request_hash = idempotency.request_key(), idempotency.fingerprint(data)
    if (previous := idempotency.replay(user, key, request_hash)) is not None:
        return previous
    invited = invitations.invite_followers(
        survey, user, area_id, bool(data.get("cycle_followers", False))
    )
    body = {"people": invited.people, "letters": invited.letters}
    idempotency.remember(user, key, request_hash, 201, body)
    return jsonify(body), 201


@bp.get("/surveys/<survey_id>/results")
@public
def survey_results(survey_id: str) -> ResponseReturnValue:
    user = token_user() if bearer_token() else None
    survey = _survey(survey_id)
    if not queries.results_visible(survey, user):
        raise DomainError(
            "results_hidden", _("The results are shown once the survey has closed."), status=403
        )
    response = jsonify(results_json(queries.survey_results(survey)))
    if user is not None:
        response.headers["Cache-Control"] = "no-store"
    return response
