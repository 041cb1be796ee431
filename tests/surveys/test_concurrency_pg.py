"""One response per person under 20 simultaneous first submissions, and one response per code
under 20 simultaneous redemptions (PostgreSQL, real commits, separate connections)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.surveys.codes import generate_codes
from pbplatform.surveys.models import Survey, SurveyResponse
from tests.concurrency import race
from tests.factories import create_user, sign_in
from tests.surveys.conftest import allocation

THREADS = 20


def _scene(app, **fields):
    from pbplatform.surveys.services import create_survey

    with app.app_context(), app.test_request_context():
        survey = create_survey(None, [allocation()], title="Race", **fields)
        user = create_user()
        code = generate_codes(survey, 1, "race")[1][0] if fields.get("audience") else None
        db.session.commit()
        q = survey.questions[0]
        sheet = {f"q{q.id}-{q.items[0].id}": "97.5", f"q{q.id}-{q.items[1].id}": "2.5"}
        return {
            "survey": survey.id,
            "user": user.id,
            "login": user.get_id(),
            "sheet": sheet,
            "code": code,
        }


def _purge(app, ids):
    with app.app_context():
        db.session.execute(sa.delete(Survey).where(Survey.id == ids["survey"]))
        db.session.execute(sa.delete(User).where(User.id == ids["user"]))
        db.session.commit()


@pytest.mark.postgres
def test_twenty_simultaneous_submissions_make_one_response(app):
    ids = _scene(app)

    def logged_in(_i: int) -> Any:
        client = app.test_client()
        sign_in(client, ids["login"], ids["user"])
        return client

    def submit(client: Any) -> int:
        return client.post(f"/surveys/{ids['survey']}", data=ids["sheet"]).status_code

    try:
        statuses = race(THREADS, submit, before=logged_in, timeout=120)
        assert statuses == [303] * THREADS
        with app.app_context():
            rows = db.session.scalars(
                sa.select(SurveyResponse).where(SurveyResponse.survey_id == ids["survey"])
            ).all()
            assert len(rows) == 1
            values = sorted(a.value for a in rows[0].answers)
            assert values == [0, 0, 0, Decimal("2.5"), Decimal("97.5")]
    finally:
        _purge(app, ids)


@pytest.mark.postgres
def test_a_code_sent_twenty_times_at_once_gives_one_response(app):
    ids = _scene(app, audience="invited")

    def answer(i: int) -> int:
        client = app.test_client()
        data = {"code": ids["code"], **ids["sheet"]}
        return client.post(f"/surveys/{ids['survey']}/code", data=data).status_code

    try:
        statuses = race(THREADS, answer, timeout=120)
        assert sorted(statuses) == [303] + [409] * (THREADS - 1)
        with app.app_context():
            count = db.session.scalar(
                sa.select(sa.func.count(SurveyResponse.id)).where(
                    SurveyResponse.survey_id == ids["survey"]
                )
            )
            assert count == 1
    finally:
        _purge(app, ids)
