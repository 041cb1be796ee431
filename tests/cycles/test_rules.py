"""The rules form: validated against the tally engine, and frozen once voting opens (INV-5)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.audit.services import verify_chain
from pbplatform.cycles.models import Cycle
from tests.cycles.conftest import cycle_form, rules_form


def _reload(db, cycle):
    db.session.expire_all()
    return db.session.get(Cycle, cycle.id)


def test_rules_saved_and_audited(admin_client, db, make_cycle):
    cycle = make_cycle("draft")
    assert admin_client.get(f"/admin/cycles/{cycle.id}/rules").status_code == 200
    form = rules_form(
        ballot_rule="cumulative",
        points_total="2.5",
        max_points_per_project="1.5",
        count_rule="greedy-threshold",
        count_threshold="100",
        tie_break="name",
        weight_code="3.5",
        combination="normalized",
        vote_policy="census",
        min_age="14",
        max_projects="7",
    )
    assert admin_client.post(f"/admin/cycles/{cycle.id}/rules", data=form).status_code == 302
    cycle = _reload(db, cycle)
    assert cycle.ballot_rule == "cumulative"
    assert cycle.points_total == Decimal("2.5")
    assert cycle.max_points_per_project == Decimal("1.5")
    assert cycle.max_projects is None  # only k-approval keeps k
    assert cycle.count_rule == "greedy-threshold"
    assert cycle.count_threshold == 100
    assert cycle.channel_weights["code"] == "3.5"
    assert cycle.combination == "normalized"
    assert cycle.vote_policy == "census"
    assert cycle.min_age == 14
    assert cycle.tie_break == "name"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "cycle.rules"))
    assert entry.before["ballot_rule"] == "budget"
    assert entry.after["ballot_rule"] == "cumulative"


RULE_ERRORS = [
    ({"count_rule": "greedy-threshold"}, b"greedy-threshold needs a threshold"),
    ({"count_rule": "top-n"}, b"top-n needs n"),
    ({"count_rule": "equalshares"}, b"needs every voter"),  # meeting totals weigh 1
    (
        {
            "count_rule": "phragmen",
            "weight_meeting": "0",
            "ballot_rule": "cumulative",
            "points_total": "5",
        },
        b"phragmen works with approval ballots only",
    ),
    (
        {"count_rule": "equalshares", "weight_meeting": "0", "combination": "normalized"},
        b"use raw combination",
    ),
    ({"count_rule": "greedy-exclusive"}, b"Not a valid choice"),
    ({"ballot_rule": "k_approval"}, b"k-approval needs the most projects per ballot."),
    ({"ballot_rule": "cumulative"}, b"Cumulative voting needs the points per voter."),
    ({"ballot_rule": "cumulative", "points_total": "2.555"}, b"Use at most two decimal places."),
    (
        {"ballot_rule": "cumulative", "points_total": "3", "max_points_per_project": "4"},
        b"cannot exceed the points per voter",
    ),
    ({"weight_online": "-1"}, b"Number must be between 0 and 1000."),
    ({"weight_paper": "NaN"}, b"Not a valid decimal value."),
    ({"weight_code": "-Infinity"}, b"Not a valid decimal value."),
    (
        {"ballot_rule": "cumulative", "points_total": "NaN", "max_points_per_project": "sNaN"},
        b"Not a valid decimal value.",
    ),
    ({"count_rule": "greedy-threshold", "count_threshold": "sNaN"}, b"Not a valid decimal value."),
    ({"ballot_rule": "k_approval", "max_projects": "many"}, b"Not a valid integer value."),
    ({"weight_paper": "abc"}, b"Not a valid decimal value."),
    ({"tie_break": "random"}, b"Not a valid choice"),
    ({"vote_policy": "anyone"}, b"Not a valid choice"),
]


def test_rule_errors_are_form_errors_and_nothing_stored(admin_client, db, make_cycle):
    cycle = make_cycle("draft")
    for overrides, message in RULE_ERRORS:
        form = rules_form(**overrides)
        response = admin_client.post(f"/admin/cycles/{cycle.id}/rules", data=form)
        assert response.status_code == 422, overrides
        assert message in response.data, (overrides, response.data[-3000:])
    cycle = _reload(db, cycle)
    assert cycle.count_rule == "greedy"
    assert cycle.ballot_rule == "budget"
    assert cycle.channel_weights == {}
    saved = sa.select(AuditEntry).where(AuditEntry.action == "cycle.rules")
    assert db.session.scalar(saved) is None


def test_equal_shares_accepted_when_meetings_left_out(admin_client, db, make_cycle):
    cycle = make_cycle("draft")
    form = rules_form(count_rule="equalshares/add1", weight_meeting="0")
    assert admin_client.post(f"/admin/cycles/{cycle.id}/rules", data=form).status_code == 302
    assert _reload(db, cycle).count_rule == "equalshares/add1"


def test_rules_frozen_after_voting_opened(admin_client, db, make_cycle):
    cycle = make_cycle("voting", ballot_rule="budget", count_rule="greedy")
    page = admin_client.get(f"/admin/cycles/{cycle.id}/rules")
    assert b"The voting rules are frozen since voting opened on" in page.data
    unchanged = rules_form(tie_seed="")
    assert admin_client.post(f"/admin/cycles/{cycle.id}/rules", data=unchanged).status_code == 302
    form = rules_form(ballot_rule="k_approval", max_projects="3", tie_seed="")
    response = admin_client.post(f"/admin/cycles/{cycle.id}/rules", data=form)
    assert response.status_code == 409
    assert b"The voting rules are frozen since voting opened on" in response.data
    cycle = _reload(db, cycle)
    assert cycle.ballot_rule == "budget"
    assert cycle.max_projects is None
    refusal = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "cycle.rules"))
    assert refusal.outcome == "refused"
    assert refusal.before == {"ballot_rule": "budget", "max_projects": None}
    assert refusal.after == {"ballot_rule": "k_approval", "max_projects": 3}
    assert refusal.actor_id == admin_client.admin.id
    assert refusal.object_id == str(cycle.id)
    assert verify_chain() is None


def test_budgets_frozen_after_voting_opened(admin_client, db, make_cycle):
    cycle = make_cycle("voting", area_budget=100_000_00)
    first, second = (ca.area for ca in cycle.areas)
    url = f"/admin/cycles/{cycle.id}/edit"
    base = dict(
        name=cycle.name,
        slug=cycle.slug,
        currency=cycle.currency,
        tracking_prefix=cycle.tracking_prefix,
        district_budget="200000.00",
        hourly_rate="0.00",
        phase_start_proposals="",
        phase_start_review="",
        phase_start_voting="",
    )
    attempts = [
        cycle_form([(first, "999999.00"), (second, "100000.00")], **base),  # area budget
        cycle_form([(first, "100000.00")], **base),  # an area dropped
        cycle_form(
            [(first, "100000.00"), (second, "100000.00")], **{**base, "district_budget": "1.00"}
        ),
    ]
    for form in attempts:
        response = admin_client.post(url, data=form)
        assert response.status_code == 409
        assert b"The voting rules are frozen since voting opened on" in response.data
    cycle = _reload(db, cycle)
    assert cycle.district_budget_minor == 200_000_00
    assert sorted(ca.budget_minor for ca in cycle.areas) == [100_000_00, 100_000_00]
    refusals = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "cycle.update", AuditEntry.outcome == "refused"
        )
    ).all()
    assert len(refusals) == 3
    assert refusals[2].after == {"district_budget_minor": 100}
    # The name may still change while voting runs.
    ok = cycle_form([(first, "100000.00"), (second, "100000.00")], **{**base, "name": "New name"})
    assert admin_client.post(url, data=ok).status_code == 302
    assert _reload(db, cycle).name == "New name"
    assert verify_chain() is None
