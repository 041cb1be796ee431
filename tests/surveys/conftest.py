from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from pbplatform.db import utcnow
from pbplatform.surveys.models import AllocationUnit, QuestionKind
from pbplatform.surveys.services import ItemInput, QuestionInput, create_survey

BARRIERS = [
    "More frontline staff",
    "Training frontline staff",
    "Staff who enable co-production",
    "Project management",
    "Better ICT",
]


def allocation(total="100", unit=AllocationUnit.POINTS, items=BARRIERS, **extra):
    return QuestionInput(
        kind=QuestionKind.ALLOCATION,
        text="Spread the increase",
        text_de="Verteilen Sie die Erhöhung",
        unit=unit,
        total=Decimal(total),
        items=[i if isinstance(i, ItemInput) else ItemInput(i) for i in items],
        **extra,
    )


def rating():
    return QuestionInput(
        kind=QuestionKind.RATING,
        text="Rate it",
        items=[ItemInput("Useful"), ItemInput("Well kept")],
    )


@pytest.fixture
def make_survey(db):
    def make(questions=None, actor=None, **fields):
        fields.setdefault("title", "Barriers to co-production")
        return create_survey(actor, questions or [allocation()], **fields)

    return make


def closed_fields():
    now = utcnow()
    return {"opens_at": now - timedelta(days=10), "closes_at": now - timedelta(days=1)}


def answers_of(survey, values, q=0):
    """{question id: {item id: value}} for the first (or q-th) question, values in item order."""
    question = survey.questions[q]
    return {str(question.id): {str(i.id): v for i, v in zip(question.items, values, strict=False)}}
