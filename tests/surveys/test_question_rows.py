"""A question is stored by one rule whether it is added or rebuilt by an edit before anyone
answered (surveys.services.set_settings / build_items): the same input gives the same rows.
Both once had their own copy of the rule, and they differed: an add capped a rating item at its
"today's budget" when the input said `is_cut`, which only an allocation can be."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pbplatform.surveys.editing import edit_question, meaning_changes
from pbplatform.surveys.models import AllocationUnit, QuestionKind
from pbplatform.surveys.services import ItemInput, QuestionInput
from tests.surveys.conftest import allocation, rating


def _rows(question) -> tuple:
    settings = (
        question.kind,
        question.required,
        question.unit,
        question.total,
        question.scale_max,
        question.allow_dont_know,
        question.max_length,
        question.is_cut,
    )
    items = [
        (i.position, i.text, i.min_value, i.max_value, i.baseline_minor) for i in question.items
    ]
    return settings, items


def _stray_cut() -> QuestionInput:
    """A rating question whose input carries an allocation's cut settings (ignored)."""
    return QuestionInput(
        kind=QuestionKind.RATING,
        text="Rate it",
        items=[ItemInput("Useful", max_value=Decimal(5), baseline_minor=3)],
        unit=AllocationUnit.MONEY,
        is_cut=True,
    )


def _cut() -> QuestionInput:
    return allocation(
        total="1000",
        unit=AllocationUnit.MONEY,
        items=[ItemInput("Parks", max_value=Decimal(900), baseline_minor=500), ItemInput("Roads")],
        is_cut=True,
    )


@pytest.mark.parametrize("given", [_stray_cut, _cut, rating, allocation])
def test_adding_and_rebuilding_store_the_same_rows(make_survey, make_user, given):
    added = make_survey([given()]).questions[0]
    edited = make_survey([allocation() if given is rating else rating()]).questions[0]
    edit_question(edited, make_user("officer"), given())
    assert _rows(edited) == _rows(added)
    # And the same input read back against the stored rows changes nothing they mean.
    assert meaning_changes(added, given()) == []
