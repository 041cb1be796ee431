"""Named respondents' personal data: a named (paper or e-mailed) response an officer entered
may be linked to the respondent's account, found by e-mail within the officer's remit; a
linked response is theirs (`user_id`): in their personal-data download and deleted by their
erasure (pbplatform/privacy/registry.py). Unlinked ones are found by name for a request by
letter or phone, then linked or erased; every step is audited. Flushes, never commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.accounts.services import find_user_by_email
from pbplatform.audit import services as audit
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys import queries
from pbplatform.surveys.models import ResponseChannel, Survey, SurveyResponse


def find_account(officer: User, email: str) -> User:
    """The account with this e-mail address, if its home area is in the officer's remit
    (whether an address outside the remit exists is not said)."""
    account = find_user_by_email(email.strip())
    if account is None or not officer.can_act_on_area(account.home_area_id):
        raise _refusal("no_such_account", _("No account in your areas has this e-mail address."))
    return account


# Where the refusal is shown: beside the form's e-mail field, in the API's `errors`.
EMAIL_FIELD = "respondent_email"


def _refusal(code: str, said: str, status: int = 422) -> DomainError:
    errors = [{"field": EMAIL_FIELD, "message": said, "rule": code}]
    return DomainError(code, said, status=status, errors=errors)


def refuse_if_answered(survey: Survey, account: User) -> None:
    """One response per person and survey (the unique constraint holds it too)."""
    if queries.own_response(survey, account) is not None:
        said = _("This account already has a response to this survey.")
        raise _refusal("already_answered", said, status=409)


def link(response: SurveyResponse, account: User, officer: User) -> None:
    """Link an unlinked named response to its respondent's account."""
    if response.channel != ResponseChannel.NAMED or response.user_id is not None:
        raise DomainError(
            "not_linkable", _("Only an unlinked named response can be linked."), status=409
        )
    survey = db.session.get(Survey, response.survey_id)
    assert survey is not None  # noqa: S101 - the foreign key holds it
    refuse_if_answered(survey, account)
    response.user_id = account.id
    db.session.flush()
    audit.record(
        "survey.named_linked",
        response,
        actor=officer,
        area_id=survey.area_id,
        after={"survey_id": survey.id, "user_id": account.id},
    )


def erase(response: SurveyResponse, officer: User) -> None:
    """Erase a named response and its answers (a respondent's request by letter or phone),
    and the name the audit entry of its entry held."""
    if response.channel != ResponseChannel.NAMED:
        raise DomainError("not_named", _("Only a named response can be erased here."), status=409)
    survey = db.session.get(Survey, response.survey_id)
    response_id, survey_id = response.id, response.survey_id
    forget_names([response_id])
    db.session.delete(response)
    db.session.flush()
    audit.record(
        "privacy.named_response_erased",
        actor=officer,
        area_id=survey.area_id if survey else None,
        after={"survey_id": survey_id, "response_id": response_id},
    )


def forget_names(response_ids: list[int]) -> int:
    """The respondent's name in the audit entries about these named responses goes (the
    entry stays: that an answer was entered, when and by whom). Returns the entries changed."""
    return sum(audit.forget_object_personal("SurveyResponse", i) for i in response_ids)


def forget_linked_names(user_id: int) -> int:
    """For an account's erasure: the names its linked named responses were entered under."""
    ids = db.session.scalars(
        sa.select(SurveyResponse.id).where(
            SurveyResponse.user_id == user_id, SurveyResponse.channel == ResponseChannel.NAMED
        )
    )
    return forget_names(list(ids))
