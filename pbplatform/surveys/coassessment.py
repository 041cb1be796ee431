"""Co-assessment: residents rate a delivered project. The delivery feature calls
`open_coassessment(proposal)` when a funded proposal's delivery is marked done."""

from __future__ import annotations

from datetime import timedelta

from pbplatform.accounts.models import User
from pbplatform.proposals.models import Proposal
from pbplatform.surveys.models import Audience, QuestionKind, Survey, SurveyKind
from pbplatform.surveys.queries import coassessment_survey
from pbplatform.surveys.services import ItemInput, QuestionInput, create_survey

OPEN_DAYS = 90
CRITERIA = (
    ("Delivered as promised", "Wie versprochen umgesetzt"),
    ("Useful", "Nützlich"),
    ("Well kept", "Gut gepflegt"),
)


def open_coassessment(
    proposal: Proposal, actor: User | None = None, days: int = OPEN_DAYS
) -> Survey:
    """The standard rating survey for a delivered proposal (once: an existing one is returned).
    Open to the residents of its area (all residents for a district-wide one), its author and
    its co-producers online, and through officers on paper."""
    existing = coassessment_survey(proposal.id)
    if existing is not None:
        return existing
    from pbplatform.db import utcnow

    now = utcnow()
    survey = create_survey(
        actor,
        [
            QuestionInput(
                kind=QuestionKind.RATING,
                text="How do you rate this project now that it is delivered?",
                text_de="Wie bewerten Sie dieses Projekt nach seiner Umsetzung?",
                items=[ItemInput(en, de) for en, de in CRITERIA],
            ),
            QuestionInput(
                kind=QuestionKind.TEXT,
                text="Comment",
                text_de="Kommentar",
                required=False,
                max_length=2000,
            ),
        ],
        kind=SurveyKind.COASSESSMENT,
        title=f"Rate the delivered project: {proposal.title}",
        title_de=f"Bewerten Sie das umgesetzte Projekt: {proposal.title}",
        introduction="Tell the council how the delivered project turned out.",
        introduction_de="Sagen Sie dem Bezirk, wie das umgesetzte Projekt geworden ist.",
        audience=Audience.AREA if proposal.area_id else Audience.RESIDENTS,
        opens_at=now,
        closes_at=now + timedelta(days=days),
        hide_results_until_close=False,
        cycle_id=proposal.cycle_id,
        area_id=proposal.area_id,
        proposal_id=proposal.id,
    )
    from pbplatform.notifications.services import invite_to_coassessment  # it imports this

    invite_to_coassessment(proposal)  # its followers (author, co-producers) and its area's
    return survey
