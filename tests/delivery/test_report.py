"""The public accountability report, and co-production during delivery (issue 15 item 5)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from pbplatform.coproduction import services as coproduction
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from tests.delivery.test_delivery import _record
from tests.factories import create_user, login_as


def _figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">(?:<a [^>]*>)?([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


def test_report_counts_money_and_reasons(client, funded):
    s = funded
    login_as(client, s.officer)
    _record(client, s.a, status="done", spent="55000")
    _record(client, s.c, status="not_done", not_done_reason="The site was sold.")
    html = client.get(f"/cycles/{s.cycle.slug}/report").get_data(as_text=True)
    # Funded: a, c (Fennpfuhl), d, e (district-wide), x (Karlshorst).
    assert _figure(html, "adopted") == "5"
    assert (_figure(html, "done"), _figure(html, "not_done")) == ("1", "1")
    assert _figure(html, "planned") == "3"  # no record yet counts as planned
    assert _figure(html, "rate") == "20 %"
    assert "The site was sold." in html
    assert "€55,000.00" in html
    assert f"/proposals?cycle={s.cycle.slug}&amp;delivery=done" in html
    assert f"/proposals/{s.a.tracking_number}" in html
    assert "print.css" in html
    # Per area: only Fennpfuhl's two.
    area = client.get(f"/cycles/{s.cycle.slug}/report?area={s.home.id}").get_data(as_text=True)
    assert _figure(area, "adopted") == "2"
    assert _figure(area, "rate") == "50 %"
    assert s.d.tracking_number not in area
    district = client.get(f"/cycles/{s.cycle.slug}/report?area=district").get_data(as_text=True)
    assert _figure(district, "adopted") == "2"
    # In German.
    client.post("/language", data={"lang": "de", "next": "/"})
    german = client.get(f"/cycles/{s.cycle.slug}/report").get_data(as_text=True)
    assert "Rechenschaftsbericht" in german


def test_report_before_publication_says_so(client, counted):
    html = client.get(f"/cycles/{counted.cycle.slug}/report").get_data(as_text=True)
    assert "The report starts once the results are published." in html


def test_offers_during_delivery_on_funded_projects_only(client, funded):
    s = funded
    resident = create_user("resident", area=s.home)
    offer = coproduction.make_offer(
        by=resident,
        proposal=s.a,
        kind="volunteer_hours",
        quantity=Decimal(10),
        unit=None,
        description="Painting",
    )
    with pytest.raises(DomainError):
        coproduction.make_offer(
            by=resident,
            proposal=s.b,  # not funded
            kind="volunteer_hours",
            quantity=Decimal(10),
            unit=None,
            description="Painting",
        )
    coproduction.accept_offer(offer, s.officer, value_minor=250_00, basis="10 hours at 25")
    coproduction.record_delivery(
        offer, s.officer, delivered_on=date.today(), description="Half", quantity=Decimal(4)
    )
    db.session.flush()
    html = client.get(f"/proposals/{s.a.tracking_number}").get_data(as_text=True)
    assert "€250.00" in html  # promised
    assert "€100.00" in html  # delivered: 4 of 10 hours
    report = client.get(f"/cycles/{s.cycle.slug}/report").get_data(as_text=True)
    assert _figure(report, "coproduction-delivered") == "€100.00"
    # The form to offer help shows on the funded project's page during delivery.
    login_as(client, resident)
    page = client.get(f"/proposals/{s.a.tracking_number}").get_data(as_text=True)
    assert "Offer your help" in page
    assert "Offer your help" not in client.get(f"/proposals/{s.b.tracking_number}").get_data(
        as_text=True
    )


# --- residents' ratings (co-assessment) in the report: one aggregate per cycle --------------


def _rate_with(survey, user, values):
    from pbplatform.surveys import services as surveys

    q = survey.questions[0]
    raw = {str(q.id): {str(i.id): v for i, v in zip(q.items, values, strict=True)}}
    surveys.respond_online(survey, user, raw)


def _expected_score(proposal_id):
    """The per-project computation: the mean of the criteria's means on the proposal page."""
    from fractions import Fraction

    from pbplatform.surveys.queries import coassessment_panel

    panel = coassessment_panel(proposal_id)
    if panel is None or panel.ratings is None:
        return None
    means = [i.rating_mean for i in panel.ratings.items if i.rating_mean is not None]
    if not means:
        return None
    return (sum(means, Fraction(0)) / len(means), panel.ratings.question.scale_max, panel.count)


ANSWERS = [  # three criteria; "dont_know" counts for nothing
    ["5", "4", "dont_know"],
    ["2", "4", "3"],
    ["3", "dont_know", "1"],
    ["4", "5", "2"],
    ["1", "2", "dont_know"],
    ["5", "5", "5"],
]


def test_report_ratings_take_one_query_whatever_the_number_rated(app, client, funded):
    """The report's statements do not grow with the number of rated projects, and each rating
    is exactly the proposal page's (Fractions; fewer than 5 answers shows nothing)."""
    from pbplatform.surveys.coassessment import open_coassessment
    from tests.statements import statements

    s = funded
    projects = [s.a, s.c, s.d, s.e, s.x]
    with app.test_request_context():
        surveys = [open_coassessment(p) for p in projects]
    voters = {p.id: [create_user("resident", area=p.area) for _n in ANSWERS] for p in projects}

    def answer(k, proposal, survey, n):
        with app.test_request_context():
            for user, values in zip(voters[proposal.id][k:n], ANSWERS[k:n], strict=True):
                _rate_with(survey, user, values)

    # One project rated by 5; the others by 0 to 3 (not shown yet).
    for i, (p, survey) in enumerate(zip(projects, surveys, strict=True)):
        answer(0, p, survey, 5 if i == 0 else i - 1)
    url = f"/cycles/{s.cycle.slug}/report"
    client.get(url)  # warm the per-process caches
    with statements() as one_rated:
        html = client.get(url).get_data(as_text=True)
    assert "of 5, 5 answers" in html
    # Every project rated (by 5 or 6).
    for i, (p, survey) in enumerate(zip(projects, surveys, strict=True)):
        answer(5 if i == 0 else max(i - 1, 0), p, survey, 6 if i % 2 else 5)
    db.session.expire_all()
    with statements() as all_rated:
        html = client.get(url).get_data(as_text=True)
    assert len(all_rated) == len(one_rated), (len(one_rated), len(all_rated))
    from pbplatform.surveys.queries import coassessment_scores

    with app.test_request_context():
        scores = coassessment_scores([p.id for p in projects])
        for p in projects:
            expected = _expected_score(p.id)
            found = scores[p.id]
            assert (found.mean, found.scale_max, found.answers) == expected
            assert f"{found.answers} answers" in html
