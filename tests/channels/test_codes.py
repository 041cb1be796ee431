"""Voting codes: generated once as a CSV, hashes only in the database, single use."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pbplatform.channels.codes import generate_codes
from pbplatform.channels.csvsafe import csv_text, safe_cell
from pbplatform.channels.models import VotingCode
from pbplatform.cycles.models import CyclePhase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.voting.models import Ballot, Participation
from tests.factories import login_as
from tests.sealed import unseal_all


def _generate(client, cycle, count=3, area_id=0, label="Survey"):
    r = client.post(
        f"/admin/codes/{cycle.slug}", data={"label": label, "count": count, "area_id": area_id}
    )
    assert r.status_code == 200, r.data
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    return rows


def test_generate_exports_once_and_stores_only_hashes(client, db, make_cycle, make_user):
    cycle = make_cycle("voting")
    login_as(client, make_user("admin"))
    rows = _generate(client, cycle, count=5, area_id=cycle.areas[0].area_id)
    assert rows[0] == ["code", "cycle", "area", "batch", "label"]
    plain = [r[0] for r in rows[1:]]
    assert len(set(plain)) == 5
    assert all(len(c) == 11 for c in plain)
    stored = list(db.session.scalars(sa.select(VotingCode)))
    assert len(stored) == 5
    for code in stored:
        assert len(code.code_hash) == 64
        assert all(p.replace("-", "") not in code.code_hash for p in plain)
    page = client.get(f"/admin/codes/{cycle.slug}")
    assert all(p.encode() not in page.data for p in plain)


def test_code_csv_cells_are_formula_safe(client, db, make_cycle, make_user):
    cycle = make_cycle("voting")
    login_as(client, make_user("admin"))
    rows = _generate(client, cycle, count=1, label='=HYPERLINK("http://x")')
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
    for payload in ("=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(1)", "\t=1"):
        assert safe_cell(payload) == "'" + payload
    assert safe_cell("plain") == "plain"
    assert csv_text([['a "b"', "c,d"]]) == '"a ""b""","c,d"\r\n'


def _vote(client, code, proposal, area_id=None):
    data = {"code": code, f"p-{proposal.id}": "1"}
    if area_id:
        data["area_id"] = area_id
    return client.post("/vote/code/cast", data=data)


def test_redeem_once_then_refused(app, client, db, make_cycle, make_proposal, make_user):
    cycle = make_cycle("voting")
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area)
    login_as(client, make_user("admin"))
    code = _generate(client, cycle, count=1, area_id=area.id)[1][0]
    anon = app.test_client()
    page = anon.post("/vote/code", data={"code": code.lower()})
    assert page.status_code == 200
    assert proposal.title.encode() in page.data
    assert _vote(anon, code, proposal).status_code == 200
    again = _vote(anon, code, proposal)
    assert again.status_code == 409
    assert b"already been used" in again.data
    assert anon.post("/vote/code", data={"code": code}).status_code == 409
    assert anon.post("/vote/code", data={"code": "AAAAA-AAAAA"}).status_code == 422
    unseal_all()
    ballots = list(db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle.id)))
    assert [b.channel for b in ballots] == ["code"]
    part = db.session.scalars(
        sa.select(Participation).where(Participation.cycle_id == cycle.id)
    ).one()
    assert part.channel == "code"
    assert part.voter_key.startswith("code:")
    used = db.session.scalars(sa.select(VotingCode)).one()
    assert used.used_on is not None


def test_rule_break_leaves_the_code_unused(client, db, make_cycle, make_proposal, make_user):
    cycle = make_cycle("voting", area_budget=10_000_00)
    area = cycle.areas[0].area
    cheap = make_proposal(cycle, area=area, cost=10_000_00)
    dear = make_proposal(cycle, area=area, cost=5_000_00)
    login_as(client, make_user("admin"))
    code = _generate(client, cycle, count=1)[1][0]  # no area: the holder chooses
    page = client.post("/vote/code", data={"code": code})
    assert b"Your neighbourhood" in page.data
    r = client.post(
        "/vote/code/cast",
        data={"code": code, "area_id": area.id, f"p-{cheap.id}": "1", f"p-{dear.id}": "1"},
    )
    assert r.status_code == 422
    assert db.session.scalars(sa.select(VotingCode)).one().used_on is None
    assert _vote(client, code, cheap, area.id).status_code == 200


def test_code_ballot_shows_gross_coproduction_and_net_cost(
    app, client, db, make_cycle, make_proposal, make_user
):
    """Letter-code voters see the same ballot as online voters (issue 5: costs side by side)."""
    cycle = make_cycle("voting")
    area = cycle.areas[0].area
    make_proposal(cycle, area=area, cost=12_345_00)
    login_as(client, make_user("admin"))
    code = _generate(client, cycle, count=1, area_id=area.id)[1][0]
    page = app.test_client().post("/vote/code", data={"code": code}).get_data(as_text=True)
    for heading in ("Cost", "Co-production", "Net public cost"):
        assert f">{heading}</th>" in page
    assert page.count("€12,345.00") == 2  # gross and net: no offer yet


def test_code_ballot_has_the_review_step_of_the_online_ballot(
    app, client, db, make_cycle, make_proposal, make_user
):
    """Sheet -> review (nothing stored, code unused) -> change keeps the choices -> cast."""
    import re

    cycle = make_cycle("voting")
    area = cycle.areas[0].area
    proposal = make_proposal(cycle, area=area, title="Benches at the pond")
    other = make_proposal(cycle, area=area, title="Library hours")
    login_as(client, make_user("admin"))
    code = _generate(client, cycle, count=1, area_id=area.id)[1][0]
    anon = app.test_client()
    sheet = anon.post("/vote/code", data={"code": code}).get_data(as_text=True)
    assert 'action="/vote/code/review"' in sheet
    assert 'action="/vote/code/cast"' not in sheet  # no casting straight from the sheet
    review = anon.post("/vote/code/review", data={"code": code, f"p-{proposal.id}": "1"})
    assert review.status_code == 200
    text = review.get_data(as_text=True)
    assert "Check your ballot" in text
    assert "Nothing is recorded yet" in text
    assert "Benches at the pond" in text
    assert "Library hours" not in text
    assert re.search(r'action="/vote/code/cast"', text)
    assert f'name="code" value="{code}"' in text
    assert db.session.scalars(sa.select(VotingCode)).one().used_on is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
    change = anon.post(
        "/vote/code/review", data={"code": code, f"p-{proposal.id}": "1", "step": "change"}
    ).get_data(as_text=True)
    assert re.search(rf'id="p-{proposal.id}"[^>]*checked', change)
    assert not re.search(rf'id="p-{other.id}"[^>]*checked', change)
    assert _vote(anon, code, proposal).status_code == 200
    assert db.session.scalars(sa.select(VotingCode)).one().used_on is not None


def test_code_review_refuses_a_rule_break_on_the_sheet(
    client, db, make_cycle, make_proposal, make_user
):
    cycle = make_cycle("voting", area_budget=10_000_00)
    area = cycle.areas[0].area
    a = make_proposal(cycle, area=area, cost=8_000_00)
    b = make_proposal(cycle, area=area, cost=5_000_00)
    login_as(client, make_user("admin"))
    code = _generate(client, cycle, count=1, area_id=area.id)[1][0]
    r = client.post("/vote/code/review", data={"code": code, f"p-{a.id}": "1", f"p-{b.id}": "1"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert 'action="/vote/code/review"' in text  # the sheet again, choices kept
    assert f'id="p-{a.id}" name="p-{a.id}" value="1" checked' in text
    assert db.session.scalars(sa.select(VotingCode)).one().used_on is None


def test_no_codes_after_closing_time_even_before_the_timer_runs(db, make_cycle):
    """The clock closes voting: generating codes is refused although the phase is stored as
    voting (`flask pb advance-phases` has not run yet), and nothing is stored."""
    cycle = make_cycle("voting")
    cycle.phase_dates.append(
        CyclePhase(phase="counting", starts_at=utcnow() - timedelta(minutes=1))
    )
    db.session.flush()
    with pytest.raises(DomainError) as err:
        generate_codes(cycle, 3, "late", cycle.areas[0].area_id)
    assert err.value.code == "voting_over"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VotingCode)) == 0
    assert cycle.phase == "voting"
