"""Budget simulator: money moved between service areas within a cut (or an increase); the
sheet shows today's budgets, the server redraws the balance without JavaScript, and the
results set the mean change against today's budget."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys import services
from pbplatform.surveys.models import AllocationUnit, SurveyKind
from pbplatform.surveys.services import ItemInput
from tests.factories import login_as
from tests.surveys.conftest import allocation

AREAS = [
    ItemInput("Libraries", "Bibliotheken", baseline_minor=400_000_00),
    ItemInput("Parks", "Grünanlagen", baseline_minor=2_000_000_00),
    ItemInput("Youth work", "Jugendarbeit", baseline_minor=1_000_000_00),
]


@pytest.fixture
def simulator(make_survey):
    question = allocation("150000000", AllocationUnit.MONEY, items=AREAS, is_cut=True)
    return make_survey([question], kind=SurveyKind.SIMULATOR, title="Where to cut €1.5M")


def _sheet(survey, values):
    q = survey.questions[0]
    return {f"q{q.id}-{i.id}": v for i, v in zip(q.items, values, strict=True)}


def test_a_cut_cannot_take_more_than_an_area_has(app, simulator, make_user):
    libraries = simulator.questions[0].items[0]
    assert libraries.max_value == 400_000_00
    q = simulator.questions[0]
    raw = {
        str(q.id): {
            str(i.id): v for i, v in zip(q.items, ["50000000", "100000000", "0"], strict=True)
        }
    }
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        services.respond_online(simulator, make_user(), raw)
    assert refused.value.code == "above_maximum"
    assert "€500,000.00" in refused.value.message
    assert "€400,000.00" in refused.value.message


def test_sheet_redraws_the_balance_without_javascript_and_results_against_today(
    client, simulator, make_user
):
    login_as(client, make_user())
    page = client.get(f"/surveys/{simulator.id}").get_data(as_text=True)
    assert "today: €400,000.00" in page
    assert "Spread a cut of exactly €1,500,000.00" in page
    checked = client.post(
        f"/surveys/{simulator.id}",
        data={**_sheet(simulator, ["100000", "500000", ""]), "check": "1"},
    ).get_data(as_text=True)
    assert "€600,000.00" in checked
    saved = client.post(
        f"/surveys/{simulator.id}", data=_sheet(simulator, ["300000", "700000", "500000"])
    )
    assert saved.status_code == 303
    login_as(client, make_user())
    client.post(f"/surveys/{simulator.id}", data=_sheet(simulator, ["100000", "900000", "500000"]))
    simulator.opens_at, simulator.closes_at = (
        utcnow() - timedelta(days=2),
        utcnow() - timedelta(days=1),
    )
    db.session.flush()
    results = client.get(f"/surveys/{simulator.id}/results").get_data(as_text=True)
    assert "Budget after the mean change" in results
    assert "−€200,000.00" in results  # libraries: mean cut
    assert "€200,000.00" in results  # libraries after the cut: 400,000 − 200,000
    assert "€1,200,000.00" in results  # parks: 2,000,000 − 800,000
