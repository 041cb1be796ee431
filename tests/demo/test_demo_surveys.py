"""The demo ships issue 19's surveys: the staff barriers survey with eight named respondents
(results public after its close, names only with consent), a budget simulator with answers,
a co-assessment of the delivered project shown on its page, and the cycle's evaluation; a
reload replaces them."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.surveys.models import Survey, SurveyKind, SurveyResponse
from tests.demo.test_demo import load


def _by_kind(db) -> dict[str, Survey]:
    return {s.kind: s for s in db.session.scalars(sa.select(Survey))}


def test_demo_surveys(runner, db, client):
    load(runner)
    surveys = _by_kind(db)
    assert set(surveys) == set(SurveyKind)
    barriers = surveys[SurveyKind.STANDARD]
    page = client.get(f"/surveys/{barriers.id}/results").get_data(as_text=True)
    assert "Surrey CC – senior commissioner" in page
    assert "Kent CC – commissioning officer" not in page  # no consent: numbered
    assert "<svg" in page
    counts = {
        kind: db.session.scalar(
            sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == s.id)
        )
        for kind, s in surveys.items()
    }
    assert counts[SurveyKind.STANDARD] == 8
    assert counts[SurveyKind.SIMULATOR] >= 10
    assert counts[SurveyKind.COASSESSMENT] >= 5
    simulator = client.get(f"/surveys/{surveys[SurveyKind.SIMULATOR].id}/results")
    assert "Budget after the mean change" in simulator.get_data(as_text=True)
    delivered = surveys[SurveyKind.COASSESSMENT].proposal
    proposal_page = client.get(f"/proposals/{delivered.tracking_number}").get_data(as_text=True)
    assert "How residents rate the delivered project" in proposal_page


def test_reloading_replaces_the_demo_surveys(runner, db):
    load(runner, "--phase", "voting")  # no published results: the app role may reload
    load(runner, "--phase", "voting")
    kinds = db.session.scalars(sa.select(Survey.kind).order_by(Survey.kind)).all()
    assert kinds == sorted([SurveyKind.STANDARD, SurveyKind.SIMULATOR])
