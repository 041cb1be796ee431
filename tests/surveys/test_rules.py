"""Allocation totals, exact means, codes once, double entry, consent, small groups, CSV safety."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.channels.csvsafe import csv_text
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys import services
from pbplatform.surveys.codes import generate_codes, redeem_code
from pbplatform.surveys.export import results_csv_rows, results_json
from pbplatform.surveys.models import AllocationUnit, SurveyResponse
from pbplatform.surveys.queries import results_visible, survey_results
from pbplatform.surveys.services import Attributes, ItemInput
from pbplatform.surveys.stats import exact_text
from tests.surveys.conftest import allocation, answers_of, closed_fields, rating


def test_shares_of_2_5_add_up_and_other_totals_are_refused_naming_the_amounts(
    app, make_survey, make_user
):
    survey = make_survey()
    resident = make_user()
    with app.test_request_context():
        ok = services.respond_online(
            survey, resident, answers_of(survey, ["40", "2.5", "30", "27.5", "0"])
        )
        assert sorted(a.value for a in ok.answers) == [0, Decimal("2.5"), Decimal("27.5"), 30, 40]
        with pytest.raises(DomainError) as refused:
            services.respond_online(
                survey, make_user(), answers_of(survey, ["40", "20", "30", "0", "0"])
            )
    assert refused.value.code == "total_mismatch"
    assert "90 points" in refused.value.message
    assert "100 points" in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 1


def test_a_money_total_in_minor_units(app, make_survey, make_user):
    survey = make_survey(
        [allocation("150000000", AllocationUnit.MONEY, items=["Libraries", "Parks"])]
    )
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            services.respond_online(
                survey, make_user(), answers_of(survey, ["100000000", "49999999"])
            )
        assert "€1,499,999.99" in refused.value.message
        assert "€1,500,000.00" in refused.value.message
        services.respond_online(survey, make_user(), answers_of(survey, ["100000000", "50000000"]))


def test_minimum_and_maximum_per_item(app, make_survey, make_user):
    items = [ItemInput("A", min_value=Decimal(10)), ItemInput("B", max_value=Decimal(50))]
    survey = make_survey([allocation(items=items)])
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        services.respond_online(survey, make_user(), answers_of(survey, ["5", "95"]))
    rules = {e["rule"] for e in refused.value.extra["errors"]}
    assert rules == {"below_minimum", "above_maximum"}


def test_unknown_item_is_refused(app, make_survey, make_user):
    survey = make_survey()
    raw = answers_of(survey, ["100"])
    raw[str(survey.questions[0].id)]["999999"] = "0"
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        services.respond_online(survey, make_user(), raw)
    assert refused.value.code == "unknown_item"


def test_a_resident_changes_their_one_response_until_the_close(app, make_survey, make_user):
    survey = make_survey()
    resident = make_user()
    with app.test_request_context():
        first = services.respond_online(survey, resident, answers_of(survey, ["100"]))
        second = services.respond_online(survey, resident, answers_of(survey, ["0", "100"]))
        assert first.id == second.id
        survey.closes_at = utcnow() - timedelta(seconds=1)
        survey.opens_at = utcnow() - timedelta(days=1)
        with pytest.raises(DomainError) as closed:
            services.respond_online(survey, resident, answers_of(survey, ["100"]))
    assert closed.value.code == "survey_closed"
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 1


def test_exact_means_of_fractional_shares(app, make_survey, make_user):
    survey = make_survey()
    with app.test_request_context():
        for shares in (["2.5", "97.5"], ["2.5", "97.5"], ["5", "95"]):
            services.respond_online(survey, make_user(), answers_of(survey, shares))
        results = survey_results(survey)
    first = next(i for i in results.questions[0].items if i.item.text == "More frontline staff")
    assert first.summary.mean == Fraction(10, 3)
    assert exact_text(first.summary.mean) == "3.3333333333"
    assert exact_text(first.summary.sum) == "10"
    body = results_json(results)
    staff = next(i for i in body["questions"][0]["items"] if i["text"] == "More frontline staff")
    assert staff == {
        "id": first.item.id,
        "text": "More frontline staff",
        "sum": "10",
        "mean": "3.3333333333",
        "median": "2.5",
        "min": "2.5",
        "max": "5",
        "spread": "2.5",
    }
    assert [i["mean"] for i in body["questions"][0]["items"]][:2] == [
        "96.6666666667",
        "3.3333333333",
    ]


def test_exact_text():
    assert exact_text(Fraction(25, 4)) == "6.25"
    assert exact_text(Decimal("2.5000")) == "2.5"
    assert exact_text(100) == "100"
    assert exact_text(Fraction(2, 3)) == "0.6666666667"


def test_a_code_gives_one_response(app, make_survey):
    survey = make_survey(audience="invited")
    with app.test_request_context():
        _batch, codes = generate_codes(survey, 3, "letters")
        redeem_code(survey, codes[0].lower(), answers_of(survey, ["100"]))
        with pytest.raises(DomainError) as again:
            redeem_code(survey, codes[0], answers_of(survey, ["100"]))
        assert again.value.code == "code_used"
        with pytest.raises(DomainError) as wrong:
            redeem_code(survey, "NOTACODE22", answers_of(survey, ["100"]))
        assert wrong.value.code == "invalid_code"
        with pytest.raises(DomainError):  # a refused sheet does not use the code up
            redeem_code(survey, codes[1], answers_of(survey, ["99"]))
        redeem_code(survey, codes[1], answers_of(survey, ["99", "1"]))
    channels = db.session.scalars(sa.select(SurveyResponse.channel)).all()
    assert channels == ["code", "code"]


def test_paper_forms_count_once_two_officers_agree(app, make_survey, make_user):
    survey = make_survey()
    first, second = make_user("officer"), make_user("officer")
    with app.test_request_context():
        assert (
            services.enter_paper(survey, first, "P-7", answers_of(survey, ["60", "40"])).status
            == "waiting"
        )
        mismatch = services.enter_paper(survey, second, "P-7", answers_of(survey, ["50", "50"]))
        assert mismatch.status == "mismatch"
        assert mismatch.differing == [str(survey.questions[0].id)]
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
        done = services.enter_paper(survey, second, "P-7", answers_of(survey, ["60", "40"]))
        assert done.status == "confirmed"
        assert done.response.channel == "paper"
        with pytest.raises(DomainError) as again:
            services.enter_paper(
                survey, make_user("officer"), "P-7", answers_of(survey, ["60", "40"])
            )
    assert again.value.code == "paper_entered"
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 1


def test_named_respondents_are_audited_and_shown_by_name_only_with_consent(
    app, make_survey, make_user
):
    survey = make_survey(**closed_fields())
    officer = make_user("officer")
    survey.closes_at = utcnow() + timedelta(days=1)
    with app.test_request_context():
        services.enter_named(
            survey,
            officer,
            "Surrey CC – senior commissioner",
            answers_of(survey, ["100"]),
            consent_to_name=True,
        )
        services.enter_named(
            survey,
            officer,
            '=HYPERLINK("evil")',
            answers_of(survey, ["0", "100"]),
            consent_to_name=True,
        )
        services.enter_named(survey, officer, "Kent CC – officer", answers_of(survey, ["50", "50"]))
        results = survey_results(survey)
    labels = [c.label for c in results.questions[0].columns]
    assert labels == ["Surrey CC – senior commissioner", '=HYPERLINK("evil")', "Respondent 3"]
    listed = [r["label"] for r in results_json(results)["questions"][0]["responses"]]
    assert "Kent CC – officer" not in str(results_json(results))
    assert len(listed) == 2
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "survey.named_response")
    ).all()
    assert len(actions) == 3
    text = csv_text(results_csv_rows(results))
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_small_groups_are_suppressed_in_breakdowns(app, make_survey, make_user):
    survey = make_survey(asks_attributes=True)
    officer = make_user("officer")
    with app.test_request_context():
        for n in range(5):
            services.enter_named(
                survey,
                officer,
                f"Council {n}",
                answers_of(survey, ["100"]),
                attributes=Attributes(org_type="council"),
            )
        for n in range(4):
            services.enter_named(
                survey,
                officer,
                f"Charity {n}",
                answers_of(survey, ["0", "100"]),
                attributes=Attributes(org_type="voluntary"),
            )
        results = survey_results(survey)
    by_org = results.questions[0].breakdowns[0]
    groups = {g.label: g for g in by_org.groups}
    assert groups["Council"].count == 5
    assert not groups["Council"].suppressed
    assert groups["Voluntary or community organisation"].suppressed
    assert groups["Voluntary or community organisation"].means == {}


def test_results_hidden_until_the_close(app, make_survey, make_user):
    survey = make_survey()
    resident, officer = make_user(), make_user("officer")
    assert not results_visible(survey, resident)
    assert results_visible(survey, officer)
    survey.opens_at, survey.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
    assert results_visible(survey, resident)


def test_ratings_distribution_and_mean(app, make_survey, make_user):
    survey = make_survey([rating()])
    with app.test_request_context():
        for useful in ("5", "4", "dont_know"):
            services.respond_online(survey, make_user(), answers_of(survey, [useful, "3"]))
        with pytest.raises(DomainError) as refused:
            services.respond_online(survey, make_user(), answers_of(survey, ["6", "3"]))
        assert refused.value.code == "rating_range"
        results = survey_results(survey)
    useful = results.questions[0].items[0]
    assert useful.rating_distribution == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1, "dont_know": 1}
    assert useful.rating_mean == Fraction(9, 2)
