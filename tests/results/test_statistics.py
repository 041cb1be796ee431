"""Issue 13.3: participation statistics per cycle and area, from participation records only,
with no cell below 5 shown, a formula-safe CSV, and the population admins set on areas."""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from pbplatform.channels.codes import generate_codes, redeem_code
from pbplatform.results.services import publish_results, run_count
from pbplatform.results.statistics.suppression import suppress_row
from pbplatform.voting.models import Ballot
from pbplatform.voting.services import cast_ballot, record_invalid_ballot
from tests.factories import create_area, create_cycle, create_proposal, create_user, login_as
from tests.sealed import unseal


def _scene(db):
    home, other = create_area("=Fennpfuhl"), create_area("Karlshorst")
    home.population = 400
    cycle = create_cycle("voting", areas=[home, other], area_budget=100_000_00)
    a = create_proposal(cycle, area=home, cost=10_000_00, title="Playground")
    b = create_proposal(cycle, area=home, cost=10_000_00, title="+Benches")
    x = create_proposal(cycle, area=other, cost=10_000_00, title="Skate park")
    for n in range(8):  # eight residents online, born 1990 (35 on 2026 polling days)
        user = create_user("resident", area=home)
        user.birth_date = date(1990, 1, 1) if n < 6 else date(1950, 1, 1)
        cast_ballot(
            cycle,
            f"user:{user.id}",
            {a.id: 1, b.id: 1} if n < 7 else {b.id: 1},
            area_id=home.id,
            user_id=user.id,
        )
    for _ in range(3):  # three in the other area: a small cell
        user = create_user("resident", area=other)
        cast_ballot(cycle, f"user:{user.id}", {x.id: 1}, area_id=other.id, user_id=user.id)
    _, codes = generate_codes(cycle, 6, "sample", area_id=home.id)
    for n, code in enumerate(codes):  # the random sample: a on 5 of 6, b on 1
        redeem_code(cycle, code, {a.id: 1} if n < 5 else {b.id: 1}, area_id=home.id)
    record_invalid_ballot(cycle, home.id, "paper", "P-1", "over budget")  # no participant
    unseal(cycle)  # as closing voting does
    cycle.phase = "counting"
    db.session.flush()
    return cycle, home, other, a, b


def test_small_cells_are_hidden_and_cannot_be_worked_out():
    assert suppress_row({"x": 12, "y": 3}, 15) == {"x": None, "y": None}
    assert suppress_row({"x": 12, "y": 3, "z": 7}, 22) == {"x": 12, "y": None, "z": None}
    assert suppress_row({"x": 12, "y": 6}, 18) == {"x": 12, "y": 6}
    assert suppress_row({"x": 2, "y": 1}, 3) == {"x": None, "y": None}


def test_statistics_page_counts_participants_not_ballots(client, db):
    cycle, home, other, *_ = _scene(db)
    text = client.get(f"/cycles/{cycle.slug}/statistics").get_data(as_text=True)
    rows = {
        r["measure"] + "@" + r["area"]: r["value"]
        for r in csv.DictReader(
            io.StringIO(client.get(f"/cycles/{cycle.slug}/statistics.csv").get_data(as_text=True))
        )
    }
    assert rows["online@'=Fennpfuhl"] == "8"
    assert rows["code@'=Fennpfuhl"] == "6"
    assert rows["total@'=Fennpfuhl"] == "14"
    assert rows["percent@'=Fennpfuhl"] == "3.5"  # 14 of 400 residents
    assert rows["online@Karlshorst"] == "<5"  # 3 voters: hidden
    assert rows["total@Karlshorst"] == "<5"
    assert rows["30_44@'=Fennpfuhl"] == "6"
    assert rows["65_plus@'=Fennpfuhl"] == "<5"
    assert rows["18_29@'=Fennpfuhl"] == "<5"
    assert "Participants by channel" in text
    assert ">3<" not in text  # the small cell is not on the page either
    ballots = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot))
    assert ballots == 18  # the paper ballot has no participation record: not a participant


def test_csv_is_formula_safe(client, db):
    cycle, *_ = _scene(db)
    text = client.get(f"/cycles/{cycle.slug}/statistics.csv").get_data(as_text=True)
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), row


def test_mobilisation_compares_self_selected_with_the_code_sample(client, db):
    cycle, home, other, a, b = _scene(db)
    publish_results(run_count(cycle, create_user("officer")), create_user("admin"))
    text = client.get(f"/cycles/{cycle.slug}/statistics?area={home.id}").get_data(as_text=True)
    assert "Mobilisation per project" in text
    # Playground: 7 of 8 online ballots (87.5 %) against 5 of 6 code ballots (83.33 %).
    assert "87.5 %" in text
    assert "83.33 %" in text
    assert "1.05" in text
    # +Benches has 1 sample vote: below 5, its shares are hidden.
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/cycles/{cycle.slug}/statistics.csv").get_data(as_text=True))
        )
    )
    mob = {r[2]: r[3] for r in rows if r[0] == "mobilisation"}
    assert any(k.endswith("Playground") and v == "1.05" for k, v in mob.items())
    assert any(k.endswith("+Benches") and v == "<5" for k, v in mob.items())


def test_unknown_area_is_not_found(client, db):
    cycle, *_ = _scene(db)
    assert client.get(f"/cycles/{cycle.slug}/statistics?area=99999").status_code == 404
    assert client.get("/cycles/nope/statistics").status_code == 404


def test_admin_sets_an_areas_population(client, db):
    area = create_area("Rummelsburg")
    login_as(client, create_user("admin"))
    form = client.get(f"/admin/areas/{area.id}").get_data(as_text=True)
    assert 'name="population"' in form
    answer = client.post(
        f"/admin/areas/{area.id}",
        data={"name": "Rummelsburg", "population": "23500"},
    )
    assert answer.status_code in (302, 303)
    db.session.refresh(area)
    assert area.population == 23500
    bad = client.post(
        f"/admin/areas/{area.id}",
        data={"name": "Rummelsburg", "population": "-4"},
    )
    assert bad.status_code == 422
    db.session.refresh(area)
    assert area.population == 23500


def test_linked_from_the_cycle_page_and_the_results(client, db):
    cycle, *_ = _scene(db)
    publish_results(run_count(cycle, create_user("officer")), create_user("admin"))
    link = f'href="/cycles/{cycle.slug}/statistics"'
    assert link in client.get(f"/cycles/{cycle.slug}").get_data(as_text=True)
    assert link in client.get(f"/cycles/{cycle.slug}/results").get_data(as_text=True)
