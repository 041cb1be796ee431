"""Inviting an area's and a cycle's followers to an open survey, once per survey and person
(`SurveyInvitation`, unique per survey and person), through the notifications module: on the
site and by e-mail as each chose, and by letter to offline proposers who agreed to be
contacted (one letter per address), as co-assessment invitations are. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys import queries
from pbplatform.surveys.models import Audience, Survey, SurveyInvitation
from pbplatform.surveys.services import ensure_open


@dataclass(frozen=True)
class Invited:
    people: int
    letters: int


def _refuse_unless_invitable(survey: Survey, area_id: int | None, cycle_followers: bool) -> None:
    if area_id is None and not cycle_followers:
        raise DomainError(
            "nobody_chosen",
            _("Choose whom to invite: an area's followers, the cycle's followers, or both."),
        )
    if cycle_followers and survey.cycle_id is None:
        raise DomainError(
            "no_cycle",
            _("This survey belongs to no cycle: choose an area whose followers to invite."),
        )
    ensure_open(survey)
    if not survey.questions:  # the invited would find nothing to answer
        raise DomainError(
            "no_questions",
            _("Add a question first: the invited would find nothing to answer."),
            status=409,
        )
    if survey.audience == Audience.INVITED:
        raise DomainError(
            "invited_only",
            _(
                "Only code holders, and people whose answers officers enter, answer this "
                "survey, not residents online: give out codes or paper forms instead."
            ),
            status=409,
        )


def invite_followers(
    survey: Survey, officer: User, area_id: int | None, cycle_followers: bool
) -> Invited:
    """Invite who follows the area (`area_id`) and/or the survey's cycle and has not been
    invited to the survey (nor answered it) yet; see the module docstring."""
    _refuse_unless_invitable(survey, area_id, cycle_followers)
    # One invitation run per survey at a time; the unique constraints hold regardless.
    db.session.execute(sa.select(Survey.id).where(Survey.id == survey.id).with_for_update())
    people = queries.invitable_user_ids(survey, area_id, cycle_followers)
    proposals = queries.invitable_offline_proposals(survey, area_id, cycle_followers)
    db.session.add_all(
        [SurveyInvitation(survey_id=survey.id, user_id=i, invited_by_id=officer.id) for i in people]
        + [
            SurveyInvitation(survey_id=survey.id, proposal_id=p.id, invited_by_id=officer.id)
            for p in proposals
        ]
    )
    db.session.flush()
    from pbplatform.notifications.services import invite_to_survey  # it imports proposals

    letters = invite_to_survey(survey, set(people), proposals)
    audit.record(
        "survey.invite",
        survey,
        actor=officer,
        area_id=survey.area_id,
        after={
            "area_id": area_id,
            "cycle_followers": cycle_followers,
            "people": len(people),
            "letters": letters,
        },
    )
    return Invited(len(people), letters)
