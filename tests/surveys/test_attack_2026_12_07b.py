"""Attack 2026-12-07b (docs/attack-2026-12-07b.md): a wording change that moves answers.

After people answered, an officer may fix the wording of a question and its items' labels;
the public results say only "Wording changed on <day>". Giving one item's label to another
(swapping "Road safety" and "Libraries") is no fix of wording: every stored answer for the one
then reads as an answer for the other. It is refused like any change of meaning.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.surveys.models import SurveyQuestion, SurveyWordingChange
from tests.factories import login_as
from tests.surveys.test_wording import _edit_url, _form, answered

__all__ = ["answered"]  # the fixture

SWAPPED = "Green spaces | Grünflächen | 10 | 60\nLibraries\nRoad safty | Verkehrssicherheit"
MOVED_DE = "Green spaces | Verkehrssicherheit | 10 | 60\nRoad safty | Grünflächen\nLibraries"


@pytest.mark.parametrize("items", [SWAPPED, MOVED_DE])
def test_labels_moved_between_items_are_refused_after_answers(client, answered, items):
    survey, officer = answered
    login_as(client, officer)
    before = [(i.text, i.text_de) for i in survey.questions[0].items]
    response = client.post(_edit_url(survey), data=_form(items=items))
    assert response.status_code == 422
    assert "People have answered" in response.get_data(as_text=True)
    db.session.expire_all()
    q = db.session.get(SurveyQuestion, survey.questions[0].id)
    assert [(i.text, i.text_de) for i in q.items] == before
    assert db.session.scalar(sa.select(sa.func.count(SurveyWordingChange.id))) == 0
