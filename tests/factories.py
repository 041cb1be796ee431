"""Test data builders, exposed as fixtures returning callables (Indico style).

They write through the real models and database; use the feature services in tests of
behaviour, and these only to set the scene.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from pbplatform.accounts.models import User
from pbplatform.accounts.passwords import hash_password
from pbplatform.cycles.models import Area, Cycle, CycleArea, CyclePhase
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.security.access import MFA_VERIFIED

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def create_user(
    role: str = "resident",
    *,
    email: str | None = None,
    name: str | None = None,
    area: Area | None = None,
    officer_areas: tuple[Area, ...] = (),
    password: str = PASSWORD,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"{role}{n}@example.org",
        display_name=name or f"{role.title()} {n}",
        password_hash=hash_password(password),
        role=role,
        home_area=area,
    )
    user.officer_area_list = list(officer_areas)
    db.session.add(user)
    db.session.flush()
    return user


def create_area(name: str | None = None) -> Area:
    n = next(_seq)
    area = Area(name=name or f"Area {n}", code=f"A{n}")
    db.session.add(area)
    db.session.flush()
    return area


def create_cycle(
    phase: str = "proposals",
    *,
    areas: int | list[Area] = 2,
    area_budget: int = 100_000_00,
    district_budget: int = 200_000_00,
    **fields: Any,
) -> Cycle:
    n = next(_seq)
    area_list = [create_area() for _ in range(areas)] if isinstance(areas, int) else areas
    cycle = Cycle(
        slug=f"cycle-{n}",
        name=f"Cycle {n}",
        tracking_prefix="TC",
        phase=phase,
        district_budget_minor=district_budget,
        **fields,
    )
    cycle.areas = [CycleArea(area=a, budget_minor=area_budget) for a in area_list]
    # Dated so that `phase` is the current one: it began a day ago and the next starts later,
    # so `Cycle.current_phase` (what pages and casts go by) is the phase the test put it in.
    dated = ("proposals", "review", "voting")
    current = dated.index(phase) if phase in dated else (-1 if phase == "draft" else 2)
    start = utcnow() - timedelta(days=1 + 10 * current)
    cycle.phase_dates = [
        CyclePhase(phase=p, starts_at=start + timedelta(days=10 * i))
        for i, p in enumerate(("proposals", "review", "voting"))
    ]
    if phase in ("voting", "counting", "results"):
        cycle.rules_frozen_at = utcnow()
    db.session.add(cycle)
    db.session.flush()
    return cycle


def create_proposal(
    cycle: Cycle,
    *,
    area: Area | None = None,
    status: str = "approved",
    cost: int = 10_000_00,
    author: User | None = None,
    kind: str = "spending",
    title: str | None = None,
    **fields: Any,
) -> Proposal:
    n = next(_seq)
    proposal = Proposal(
        cycle=cycle,
        area=area,
        tracking_number=f"{cycle.tracking_prefix}-T-{n:05d}",
        kind=kind,
        title=title or f"Proposal {n}",
        description="A proposal for the neighbourhood.",
        estimated_cost_minor=cost,
        author=author,
        status=status,
        officer_cost_minor=cost if status == "approved" else None,
        savings_per_year_minor=cost if kind == "saving" else None,
        **fields,
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def login_as(client: FlaskClient, user: User) -> None:
    """Sign a test client in as `user` (the login form itself is tested in accounts).

    This simulates a COMPLETE login: for officers and admins the session is also marked as
    having passed the TOTP second factor (tests/accounts/test_mfa.py tests that step).
    """
    sign_in(client, user.get_id(), user.id)


def sign_in(client: FlaskClient, login_id: str, user_id: int) -> None:
    """`login_as` for tests that hold ids only (threads outside the test's session)."""
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
        session[MFA_VERIFIED] = user_id


@pytest.fixture
def make_user(db):
    return create_user


@pytest.fixture
def make_area(db):
    return create_area


@pytest.fixture
def make_cycle(db):
    return create_cycle


@pytest.fixture
def make_proposal(db):
    return create_proposal


__all__ = [
    "Decimal",
    "PASSWORD",
    "create_area",
    "create_cycle",
    "create_proposal",
    "create_user",
    "login_as",
]


def create_published_version(cycle, version: int, config: dict, outcome: dict):
    """A published result version as publication leaves it: the row and the authenticated
    `results.publish` audit entry that attests its content hash (results.services)."""
    from pbplatform.audit import services as audit
    from pbplatform.db import utcnow
    from pbplatform.results.models import ResultVersion
    from pbplatform.results.services import content_hash

    row = ResultVersion(
        cycle_id=cycle.id,
        version=version,
        config=config,
        outcome=outcome,
        content_hash=content_hash(config, outcome),
        published_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("results.publish", row, after={"content_hash": row.content_hash})
    return row


def create_decided_proposal(cycle, *, status: str = "adopted", reason: str | None = None):
    """A proposal on a published count's district list (funded, rank 1) and a confirmed council
    decision on it, recorded and confirmed by two officers through the services."""
    from pbplatform.decisions import services as decisions

    proposal = create_proposal(cycle, area=None)
    row = {
        "id": str(proposal.id),
        "tracking_number": proposal.tracking_number,
        "title": proposal.title,
        "cost": proposal.officer_cost_minor,
        "score": 3,
        "selected": True,
        "conditional": False,
        "rank": 1,
        "explanation": "Funded: fits the budget.",
        "reason": "funded",
        "remaining_before": None,
        "channel_scores": {"online": 2, "paper": 1},
    }
    outcome = {"lists": [{"key": "district", "area_id": None, "name": "", "projects": [row]}]}
    version = create_published_version(cycle, 1, {"rule": "greedy"}, outcome)
    recorder, confirmer = create_user("officer"), create_user("officer")
    draft = decisions.start_decision(cycle, version, "district", recorder)
    decisions.set_session(draft, recorder, date(2026, 11, 20), "https://bvv.example.org/m/1")
    decisions.record_entry(
        draft, recorder, proposal, decisions.EntryInput(status=status, reason=reason)
    )
    decisions.confirm_decision(draft, confirmer)
    return proposal
