"""The ballot services other channels call (paper, codes, API): checks, casting, invalid ballots."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbplatform.cycles.models import CyclePhase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.voting.models import Ballot
from pbplatform.voting.services import (
    ballot_sheet,
    cast_ballot,
    check_ballot,
    record_invalid_ballot,
    voter_key_for,
)

from .conftest import count_rows


def test_voter_key(scene):
    assert voter_key_for(scene.resident) == f"user:{scene.resident.id}"


def test_sheet_sections_and_costs(scene):
    sheet = ballot_sheet(scene.cycle, scene.home.id)
    area, district = sheet.sections
    assert (area.name, area.budget_minor) == ("Fennpfuhl", 100_000_00)
    assert [i.id for i in area.items] == [scene.a60.id, scene.a70.id, scene.a30.id]
    assert [i.id for i in district.items] == [scene.d150.id, scene.d40.id]
    assert district.budget_minor == 200_000_00
    assert [i.id for i in sheet.savings] == [scene.saving.id]
    item = area.items[0]
    assert (item.gross_minor, item.coproduction_minor, item.net_minor) == (60_000_00, 0, 60_000_00)


def test_over_budget_error_carries_limit_and_total(scene):
    with pytest.raises(DomainError) as err:
        check_ballot(scene.cycle, scene.home.id, {scene.a60.id: 1, scene.a70.id: 1})
    assert err.value.code == "over_budget"
    assert err.value.status == 422
    assert err.value.extra["limit"] == 100_000_00
    assert err.value.extra["total"] == 130_000_00
    assert "€130,000.00" in err.value.message
    assert "€100,000.00" in err.value.message


def test_costs_come_from_the_database(db, scene):
    scene.a30.officer_cost_minor = 101_000_00  # the officer revised the estimate
    db.session.flush()
    with pytest.raises(DomainError) as err:
        check_ballot(scene.cycle, scene.home.id, {scene.a30.id: 1})
    assert err.value.extra["total"] == 101_000_00


def test_duplicate_ids_in_pairs(scene):
    with pytest.raises(DomainError) as err:
        check_ballot(scene.cycle, scene.home.id, [(str(scene.a30.id), 1), (scene.a30.id, 1)])
    assert err.value.code == "duplicate_project"


def test_huge_ballot_is_refused_early(scene):
    with pytest.raises(DomainError) as err:
        check_ballot(scene.cycle, scene.home.id, {i: 1 for i in range(1, 10_001)})
    assert err.value.code == "too_many_projects"


def test_paper_cast_then_online_refused_with_the_channel(db, scene):
    key = voter_key_for(scene.resident)
    cast_ballot(
        scene.cycle, key, {scene.a30.id: 1}, area_id=scene.home.id, channel="paper", serial="P-0001"
    )
    with pytest.raises(DomainError) as err:
        cast_ballot(
            scene.cycle, key, {scene.a60.id: 1}, area_id=scene.home.id, user_id=scene.resident.id
        )
    assert err.value.code == "already_voted"
    assert err.value.status == 409
    assert err.value.extra["channel"] == "paper"
    assert "paper" in err.value.message
    assert count_rows(db) == (1, 1, 1)


def test_a_refused_ballot_leaves_no_participation(db, scene):
    with pytest.raises(DomainError):
        cast_ballot(
            scene.cycle, "user:x", {scene.a60.id: 1, scene.a70.id: 1}, area_id=scene.home.id
        )
    assert count_rows(db) == (0, 0, 0)
    cast_ballot(scene.cycle, "user:x", {scene.a60.id: 1}, area_id=scene.home.id)
    assert count_rows(db) == (1, 1, 1)


def test_invalid_paper_ballot_is_kept_with_its_reason(db, scene):
    ballot = record_invalid_ballot(
        scene.cycle, scene.home.id, "paper", "P-0002", "two crosses over budget"
    )
    assert ballot.id is None  # sealed: it gets its id and its row when voting closes
    with pytest.raises(DomainError) as err:  # the same serial twice (found by its keyed hash)
        record_invalid_ballot(scene.cycle, scene.home.id, "paper", "P-0002", "again")
    assert err.value.code == "duplicate_serial"
    assert count_rows(db) == (0, 1, 0)
    stored = db.session.scalars(sa.select(Ballot).where(Ballot.serial == "P-0002")).one()
    assert (stored.is_valid, stored.invalid_reason, stored.channel) == (
        False,
        "two crosses over budget",
        "paper",
    )


def test_cast_after_close_is_refused_under_the_lock(db, scene):
    scene.cycle.phase = "counting"
    db.session.flush()
    with pytest.raises(DomainError) as err:
        cast_ballot(scene.cycle, "user:y", {scene.a30.id: 1}, area_id=scene.home.id)
    assert err.value.code == "voting_closed"
    assert err.value.status == 409
    assert count_rows(db) == (0, 0, 0)


def test_cast_after_closing_time_is_refused_before_the_timer_runs(db, scene):
    """The clock closes voting (INV-4) even while the stored phase still says voting."""
    closing = next(p for p in scene.cycle.phase_dates if p.phase == "voting")
    scene.cycle.phase_dates.append(
        CyclePhase(phase="counting", starts_at=utcnow() - timedelta(seconds=1))
    )
    assert closing.starts_at < utcnow()
    db.session.flush()
    with pytest.raises(DomainError) as err:
        cast_ballot(scene.cycle, "user:y", {scene.a30.id: 1}, area_id=scene.home.id)
    assert err.value.code == "voting_closed"
    assert count_rows(db) == (0, 0, 0)
    assert scene.cycle.phase == "voting"  # nothing written: the timer stores the close


def test_area_outside_the_cycle(scene, make_area):
    with pytest.raises(DomainError) as err:
        check_ballot(scene.cycle, make_area().id, {scene.a30.id: 1})
    assert err.value.code == "invalid_area"
