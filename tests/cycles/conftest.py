"""Shared helpers for the cycles tests."""

from __future__ import annotations

import pytest

from tests.factories import login_as


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("admin")
    login_as(client, admin)
    client.admin = admin
    return client


def cycle_form(areas=(), **overrides):
    """A valid create/edit form body; `areas` is a list of (area, "budget")."""
    data = {
        "name": "Lichtenberg 2026",
        "slug": "lichtenberg-2026",
        "currency": "EUR",
        "tracking_prefix": "LI",
        "district_budget": "250000.00",
        "hourly_rate": "25.00",
        "coproduction_cap_pct": "50",
        "savings_target": "",
        "savings_share_pct": "0",
        "answer_within_days": "14",
        "phase_start_proposals": "",
        "phase_start_review": "",
        "phase_start_voting": "",
        "phase_start_counting": "",
        "phase_start_results": "",
    }
    for area, budget in areas:
        data[f"area_{area.id}"] = budget
    data.update(overrides)
    return data


def rules_form(**overrides):
    data = {
        "ballot_rule": "budget",
        "max_projects": "",
        "points_total": "",
        "max_points_per_project": "",
        "count_rule": "greedy",
        "count_threshold": "",
        "count_top_n": "",
        "tie_break": "default",
        "tie_seed": "seed-2026",
        "combination": "raw",
        "vote_policy": "registered",
        "min_age": "",
        "weight_online": "1",
        "weight_paper": "1",
        "weight_code": "1",
        "weight_meeting": "1",
    }
    data.update(overrides)
    return data
