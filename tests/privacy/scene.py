"""A resident with every kind of personal data the models hold, written through the models."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from pbplatform.accounts.models import MfaEnrolmentToken, RecoveryCode
from pbplatform.api.models import ApiIdempotencyKey
from pbplatform.api.services import create_token
from pbplatform.audit import services as audit
from pbplatform.channels.models import CensusEntry
from pbplatform.codesign.models import Amendment, CoAuthor, MergeConsent, MergeRequest
from pbplatform.coproduction.models import Offer
from pbplatform.db import utcnow
from pbplatform.discussion.models import Comment, CommentFlag
from pbplatform.extensions import db
from pbplatform.mail.services import send_mail
from pbplatform.notifications.models import Follow, Notification, NotificationSetting
from pbplatform.privacy.consents import record_registration
from pbplatform.privacy.models import DataExport, InactivityWarning, Purpose
from pbplatform.proposals.models import ProposalFlag
from pbplatform.voting.models import Participation
from tests.factories import create_cycle, create_proposal, create_user

EMAIL = "ada.lovelace.private@example.org"
NAME = "Ada Lovelace-Byron"
BORN = date(1990, 12, 10)
ADDRESS = "Frankfurter Allee 12, 10247 Berlin"


def rich_resident(phase: str = "voting") -> SimpleNamespace:
    cycle = create_cycle(phase)
    area = cycle.areas[0].area
    user = create_user("resident", email=EMAIL, name=NAME, area=area)
    user.birth_date = BORN
    record_registration(user, "2026-12-07", {Purpose.NEWSLETTER: True})
    # Their own proposal, naming themselves in the text, with contact details.
    proposal = create_proposal(
        cycle,
        area=area,
        status="approved",
        author=user,
        title="Benches at the pond",
        contact_name=NAME,
        contact_details=ADDRESS,
        contact_consent=True,
    )
    proposal.description = f"Proposed by {NAME}, write to {EMAIL}."
    other = create_proposal(cycle, area=area, status="approved")
    offer = Offer(
        cycle=cycle,
        proposal=other,
        offerer=user,
        offerer_name=NAME,
        kind="volunteer_hours",
        quantity=Decimal(4),
        unit="hours",
        description="Painting",
    )
    db.session.add(offer)
    db.session.add(ProposalFlag(proposal_id=other.id, user_id=user.id, reason="Rude words"))
    db.session.add(
        Participation(
            cycle_id=cycle.id, voter_key=f"user:{user.id}", user_id=user.id, channel="online"
        )
    )
    census = CensusEntry(cycle_id=cycle.id, entry_hash="c" * 64, user_id=user.id)
    census.verified_at = utcnow()
    db.session.add(census)
    send_mail(EMAIL, "Welcome", f"Hello {NAME}")
    token, _ = create_token(user, "my script")
    from pbplatform.accounts.reset import _issue_reset_token

    _issue_reset_token(user, 3600)
    db.session.add(
        DataExport(
            user_id=user.id,
            content=b"zip",
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=1),
        )
    )
    db.session.add(
        ApiIdempotencyKey(
            user_id=user.id, key_hash="k" * 64, request_hash="r" * 64, status=201, body={}
        )
    )
    db.session.add(InactivityWarning(user_id=user.id))
    # second-factor secrets a staff account would hold (a promoted resident keeps them)
    db.session.add(RecoveryCode(user_id=user.id, code_hash="h" * 64))
    db.session.add(
        MfaEnrolmentToken(
            user_id=user.id, token_hash="e" * 64, expires_at=utcnow() + timedelta(hours=1)
        )
    )
    # what the person follows, was told, and how they want e-mail
    db.session.add(Follow(user_id=user.id, proposal_id=other.id))
    db.session.add(Notification(user_id=user.id, kind="approved", proposal_id=other.id))
    db.session.add(NotificationSetting(user_id=user.id, email="immediate"))
    # a comment and a report of someone else's comment
    mine = Comment(proposal_id=other.id, author_id=user.id, body="Lovely idea.")
    theirs = Comment(proposal_id=other.id, author_name="Somebody", body="Rubbish.")
    db.session.add_all([mine, theirs])
    db.session.flush()
    db.session.add(CommentFlag(comment_id=theirs.id, user_id=user.id, reason="Rude"))
    # co-design: a co-authorship, an amendment, an answer to a proposed merge
    db.session.add(CoAuthor(proposal_id=other.id, user_id=user.id, status="accepted"))
    db.session.add(
        Amendment(
            proposal_id=other.id,
            amender_id=user.id,
            old_title="Old",
            old_description="Old text",
            title="New",
            description="New text",
        )
    )
    merge = MergeRequest(target_id=other.id, original_ids=[proposal.id])
    db.session.add(merge)
    db.session.flush()
    db.session.add(MergeConsent(request_id=merge.id, user_id=user.id))
    # Their answer to a survey, with the optional attributes they chose to give.
    from pbplatform.surveys.models import QuestionKind
    from pbplatform.surveys.services import (
        Attributes,
        ItemInput,
        QuestionInput,
        create_survey,
        respond_online,
    )

    survey = create_survey(
        None,
        [QuestionInput(kind=QuestionKind.RATING, text="Rate", items=[ItemInput("Useful")])],
        title="Rating",
        asks_attributes=True,
    )
    rated = survey.questions[0]
    respond_online(
        survey,
        user,
        {str(rated.id): {str(rated.items[0].id): "4"}},
        Attributes(org_type="resident", role="Parent", area_id=area.id, age_band="30_44"),
    )
    # The invitation to that survey (once per survey and person).
    from pbplatform.surveys.models import SurveyInvitation

    db.session.add(SurveyInvitation(survey_id=survey.id, user_id=user.id))
    audit.record("auth.login", user, actor=user)
    db.session.flush()
    return SimpleNamespace(
        cycle=cycle, area=area, user=user, proposal=proposal, other=other, offer=offer
    )
