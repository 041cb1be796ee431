"""Independent recount (case 16): the published anonymous ballots, recounted by the tally's own
reader and by the `pbplatform tally` command, give the published funding list."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from pbplatform.results.services import publish_results, run_count
from pbplatform.tally import RuleConfig, count, read_pabulib
from pbplatform.tally.cli import main as tally_main
from pbplatform.voting.services import cast_ballot
from tests.factories import create_area, create_cycle, create_proposal
from tests.sealed import unseal


def _export(client, cycle, area):
    response = client.get(f"/cycles/{cycle.slug}/results/ballots.pb?area={area}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


def _recount(text):
    election = read_pabulib(io.StringIO(text))
    meta = election.meta
    config = RuleConfig(rule=meta["rule"], tie_break=meta["tie_break"], seed=meta["tie_seed"])
    return election, count(election, config)


def test_exported_ballots_recount_to_the_published_result(client, db, counted, tmp_path, capsys):
    s = counted
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    published = {lst["key"]: lst for lst in version.outcome["lists"]}
    for area, key in (
        (s.home.id, f"area-{s.home.id}"),
        (s.other.id, f"area-{s.other.id}"),
        ("district", "district"),
    ):
        text = _export(client, s.cycle, area)
        assert "user" not in text.lower()  # anonymous: no account or participation in the file
        election, outcome = _recount(text)
        assert outcome.selected == published[key]["tally"]["selected"], key
        assert [(p.id, int(p.score)) for p in outcome.projects] == [
            (p["id"], p["score"]) for p in published[key]["projects"]
        ]
        assert election.meta["content_hash"] == version.content_hash
        # The same with the command anyone can run.
        path = tmp_path / f"{key}.pb"
        path.write_text(text, encoding="utf-8")
        capsys.readouterr()
        assert tally_main(["tally", str(path), "--json", "--seed", "lichtenberg-2026"]) == 0
        assert (
            json.loads(capsys.readouterr().out)["selected"] == published[key]["tally"]["selected"]
        )
    # Per-channel numbers survive the export (Pabulib's voting_method column).
    election, outcome = _recount(_export(client, s.cycle, s.home.id))
    assert {b.channel for b in election.ballots} == {"online", "paper"}
    assert outcome.result(str(s.b.id)).channel_scores == {"online": 1, "paper": 1}


def test_unknown_list_is_not_found(client, db, counted):
    publish_results(run_count(counted.cycle, counted.counter), counted.checker)
    url = f"/cycles/{counted.cycle.slug}/results/ballots.pb"
    assert client.get(f"{url}?area=999999").status_code == 404
    assert client.get(f"{url}?area=nonsense").status_code == 404


@pytest.mark.parametrize("tie_break", ["default", "name"])
def test_cumulative_points_recount(client, db, tie_break, make_user):
    area = create_area("Rummelsburg")
    cycle = create_cycle(
        "voting",
        areas=[area],
        area_budget=50_000_00,
        district_budget=0,
        ballot_rule="cumulative",
        points_total=Decimal(5),
        tie_break=tie_break,
        tie_seed="seed-1",
    )
    projects = [create_proposal(cycle, area=area, cost=c * 1000_00) for c in (20, 25, 15, 10)]
    votes = [{0: "2.5", 1: "2.5"}, {1: "1.5", 2: "3.5"}, {2: 5}, {3: "0.5", 0: "4.5"}]
    for n, ballot in enumerate(votes):
        cast_ballot(
            cycle, f"t:{n}", {projects[k].id: v for k, v in ballot.items()}, area_id=area.id
        )
    unseal(cycle)  # as closing voting does
    cycle.phase = "counting"
    db.session.flush()
    version = publish_results(run_count(cycle, make_user("admin")), make_user("admin"))
    home = next(lst for lst in version.outcome["lists"] if lst["area_id"] == area.id)
    scores = {p["id"]: p["score"] for p in home["projects"]}
    assert scores[str(projects[0].id)] == 7
    assert scores[str(projects[2].id)] == 8.5
    _, outcome = _recount(_export(client, cycle, area.id))
    assert outcome.selected == home["tally"]["selected"]
    assert outcome.spent <= 50_000_00


def test_command_recounts_with_the_files_declared_weights_and_seed(
    client, db, counted, tmp_path, capsys
):
    """No flags needed: the export declares tie-break, seed, weights and combination."""
    s = counted
    s.cycle.channel_weights = {"online": "1", "paper": "3"}
    db.session.flush()
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    published = {lst["key"]: lst for lst in version.outcome["lists"]}[f"area-{s.home.id}"]
    path = tmp_path / "home.pb"
    path.write_text(_export(client, s.cycle, s.home.id), encoding="utf-8")
    capsys.readouterr()
    assert tally_main(["tally", str(path), "--json"]) == 0
    recount = json.loads(capsys.readouterr().out)
    assert recount["selected"] == published["tally"]["selected"]
    scores = {p["id"]: p["score"] for p in recount["projects"]}
    assert scores == {p["id"]: p["score"] for p in published["projects"]}
    assert scores[str(s.b.id)] == 4  # one online vote (x1) and one paper vote (x3)
