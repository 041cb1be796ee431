"""Process evaluation: after voting closes, a short survey per cycle (how did you vote, was it
easy, what would you change), whose ratings break down by the way people voted."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.surveys.models import Audience, QuestionKind, Survey, SurveyKind
from pbplatform.surveys.services import ItemInput, QuestionInput, create_survey

OPEN_DAYS = 30
WAYS = (
    ("Online", "Online"),
    ("On paper", "Auf Papier"),
    ("With a code from a letter", "Mit einem Code aus einem Brief"),
    ("At a meeting", "Bei einer Versammlung"),
    ("I did not vote", "Ich habe nicht abgestimmt"),
)
EASE = (
    ("Voting was easy", "Das Abstimmen war einfach"),
    ("I understood the rules", "Ich habe die Regeln verstanden"),
    ("I found the information I needed", "Ich fand die Informationen, die ich brauchte"),
)


def evaluation_of(cycle: Cycle) -> Survey | None:
    return db.session.scalar(
        sa.select(Survey).where(Survey.cycle_id == cycle.id, Survey.kind == SurveyKind.EVALUATION)
    )


def open_evaluation(cycle: Cycle, actor: User | None = None, days: int = OPEN_DAYS) -> Survey:
    """The cycle's evaluation survey (once: an existing one is returned)."""
    existing = evaluation_of(cycle)
    if existing is not None:
        return existing
    now = utcnow()
    questions = [
        QuestionInput(
            kind=QuestionKind.SINGLE,
            text="How did you vote?",
            text_de="Wie haben Sie abgestimmt?",
            items=[ItemInput(en, de) for en, de in WAYS],
        ),
        QuestionInput(
            kind=QuestionKind.RATING,
            text="How far do you agree?",
            text_de="Wie sehr stimmen Sie zu?",
            items=[ItemInput(en, de) for en, de in EASE],
        ),
        QuestionInput(
            kind=QuestionKind.TEXT,
            text="What would you change?",
            text_de="Was würden Sie ändern?",
            required=False,
            max_length=2000,
        ),
    ]
    return create_survey(
        actor,
        questions,
        kind=SurveyKind.EVALUATION,
        title=f"How was voting in {cycle.name}?",
        title_de=f"Wie war die Abstimmung in {cycle.name}?",
        introduction="Three short questions help us run the next citizens' budget better.",
        introduction_de=(
            "Drei kurze Fragen helfen uns, den nächsten Bürgerhaushalt besser zu machen."
        ),
        audience=Audience.RESIDENTS,
        opens_at=now,
        closes_at=now + timedelta(days=days),
        hide_results_until_close=False,
        cycle_id=cycle.id,
    )
