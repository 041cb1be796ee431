"""`flask pb demo`: the demo cycle is built through the services into every phase, has
something in every state, and re-running it resets instead of duplicating."""

from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

import pytest
import sqlalchemy as sa

from pbplatform import tally
from pbplatform.accounts.models import User
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.channels.models import Channel, Meeting
from pbplatform.coproduction.models import Offer, OfferStatus
from pbplatform.cycles.models import Cycle
from pbplatform.delivery.models import Delivery, DeliveryStatus
from pbplatform.demo.loader import DEMO_SLUG, PASSWORD, email
from pbplatform.extensions import db as extension_db
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.results import queries
from pbplatform.results import services as results
from pbplatform.results.election import count_input
from pbplatform.results.models import ResultVersion
from pbplatform.voting.models import Ballot, Participation
from tests.accounts.helpers import pass_mfa

TREES = "Street trees on Weißenseer Weg"


def load(runner, *args: str) -> str:
    result = runner.invoke(args=["pb", "demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def demo_cycle(db) -> Cycle:
    return db.session.scalars(sa.select(Cycle).where(Cycle.slug == DEMO_SLUG)).one()


def grouped(db, column, where) -> dict[str, int]:
    return dict(
        db.session.execute(sa.select(column, sa.func.count()).where(where).group_by(column)).all()
    )


def login(client, address: str) -> None:
    response = client.post("/login", data={"email": address, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    if "/login/code" in response.headers["Location"]:  # officers: the TOTP step (case 36)
        user_id = extension_db.session.scalar(sa.select(User.id).where(User.email == address))
        assert pass_mfa(client, user_id, PASSWORD).status_code in (200, 302)  # 200: codes


@pytest.fixture
def results_demo(runner, db) -> Cycle:
    load(runner)  # the default phase is results
    return demo_cycle(db)


def test_proposals_phase(runner, db, client):
    output = load(runner, "--phase", "proposals")
    cycle = demo_cycle(db)
    assert cycle.phase == "proposals"
    statuses = grouped(db, Proposal.status, Proposal.cycle_id == cycle.id)
    assert statuses["pending"] >= 10
    assert statuses["approved"] >= 5
    channels = grouped(db, Proposal.channel, Proposal.cycle_id == cycle.id)
    assert {"web", "letter", "phone", "email", "meeting"} <= set(channels)
    assert set(grouped(db, Offer.status, Offer.cycle_id == cycle.id)) == {"offered"}
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0
    assert "participate-2026" in output
    assert email("officer2") in output
    # Dates still to come lie ahead, so the calendar does not move the cycle on by itself.
    assert client.get(f"/cycles/{DEMO_SLUG}").status_code == 200
    db.session.refresh(cycle)
    assert cycle.phase == "proposals"


def test_voting_phase_leaves_the_demo_resident_a_vote(runner, db, client):
    load(runner, "--phase", "voting")
    cycle = demo_cycle(db)
    assert cycle.phase == "voting"
    assert cycle.rules_frozen
    # While voting is open the ballots are sealed: who voted by which channel shows, not what.
    assert set(grouped(db, SealedBallot.channel, SealedBallot.cycle_id == cycle.id)) == {
        "online",
        "paper",
        "code",
    }
    assert not grouped(db, Ballot.channel, Ballot.cycle_id == cycle.id)
    resident = db.session.scalars(sa.select(User).where(User.email == email("resident"))).one()
    assert resident.home_area.code == "FEN"
    assert (
        db.session.scalar(
            sa.select(Participation.channel).where(
                Participation.cycle_id == cycle.id, Participation.user_id == resident.id
            )
        )
        is None
    )
    assert {"offered", "accepted", "declined", "withdrawn"} <= set(
        grouped(db, Offer.status, Offer.cycle_id == cycle.id)
    )
    login(client, email("resident"))
    page = client.get(f"/cycles/{DEMO_SLUG}/ballot", follow_redirects=True)
    assert page.status_code == 200
    assert TREES in page.get_data(as_text=True)
    benches = db.session.scalars(
        sa.select(Proposal).where(
            Proposal.cycle_id == cycle.id, Proposal.title.startswith("Benches")
        )
    ).one()
    assert (
        client.post(f"/cycles/{DEMO_SLUG}/ballot/cast", data={f"p-{benches.id}": "1"}).status_code
        == 200
    )
    assert (
        db.session.scalar(
            sa.select(Participation.channel).where(
                Participation.cycle_id == cycle.id, Participation.user_id == resident.id
            )
        )
        == "online"
    )
    assert db.session.scalar(sa.select(ResultVersion.id)) is None  # nothing counted yet


def test_results_phase_has_everything(results_demo, db):
    cycle = results_demo
    assert cycle.phase == "results"
    proposals = db.session.scalars(sa.select(Proposal).where(Proposal.cycle_id == cycle.id)).all()
    assert {p.status for p in proposals} == set(ProposalStatus)
    assert any(p.is_hidden for p in proposals)
    deliveries = db.session.scalars(
        sa.select(Delivery).join(Proposal).where(Proposal.cycle_id == cycle.id)
    ).all()
    assert {d.status for d in deliveries} == set(DeliveryStatus)
    assert all(d.milestones for d in deliveries)
    assert any(m.photos for d in deliveries for m in d.milestones)
    savings = [p for p in proposals if p.is_saving]
    assert savings
    assert all(p.impact_statement for p in savings if p.status == "approved")
    offers = grouped(db, Offer.status, Offer.cycle_id == cycle.id)
    assert set(offers) == set(OfferStatus)
    ballots = grouped(db, Ballot.channel, Ballot.cycle_id == cycle.id)
    assert {"online", "paper", "code"} <= set(ballots)
    invalid = db.session.scalar(
        sa.select(sa.func.count(Ballot.id)).where(
            Ballot.cycle_id == cycle.id, Ballot.is_valid.is_(False)
        )
    )
    assert invalid >= 2
    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.cycle_id == cycle.id)).all()
    assert meetings
    assert all(m.status == "confirmed" and m.totals for m in meetings)
    assert all(len({e.officer_id for e in m.entries}) == 2 for m in meetings)


def test_published_result_verifies_and_shows_every_channel(
    results_demo, db, client, tmp_path, capsys
):
    version = queries.published_version(results_demo)
    assert version is not None
    assert version.published_by_id != version.counted_by_id
    assert results.content_hash(version.config, version.outcome) == version.content_hash
    assert Fraction(version.config["channel_weights"]["meeting"]) == Fraction(1, 2)
    lists = version.outcome["lists"]
    assert {ch for lst in lists for ch in lst["ballots_per_channel"]} == {"online", "paper", "code"}
    assert any("meeting" in lst["aggregate_channels"] for lst in lists)
    page = client.get(f"/cycles/{DEMO_SLUG}/results").get_data(as_text=True)
    assert version.content_hash in page
    for channel in ("online", "paper", "code"):  # "Online 12" (or the bare code) per list
        label = re.escape(Channel(channel).label)
        assert re.search(rf"({label}|{channel}):? \d+", page), channel
    assert Channel.MEETING.label in page or "meeting" in page
    # Issue 13: every list's ballots file recounts to the page, meeting dots included.
    from pbplatform.tally.cli import main as tally_main

    for lst in lists:
        area = "district" if lst["area_id"] is None else lst["area_id"]
        answer = client.get(f"/cycles/{DEMO_SLUG}/results/ballots.pb?area={area}")
        path = tmp_path / f"{lst['key']}.pb"
        path.write_bytes(answer.get_data())
        capsys.readouterr()
        assert tally_main(["tally", str(path), "--check"]) == 0, capsys.readouterr().out
        assert capsys.readouterr().out == "reproduced\n"


def test_a_project_is_funded_only_thanks_to_its_offers(results_demo, db):
    cycle = results_demo
    version = queries.published_version(cycle)
    trees = db.session.scalars(
        sa.select(Proposal).where(Proposal.cycle_id == cycle.id, Proposal.title == TREES)
    ).one()
    key = f"area-{trees.area_id}"
    lst = next(item for item in version.outcome["lists"] if item["key"] == key)
    row = next(r for r in lst["projects"] if r["id"] == str(trees.id))
    assert row["selected"]
    assert row["conditional"]
    assert row["net"] < row["gross"]
    # Recount the same list with every project at its gross cost: the trees no longer fit.
    given = count_input(cycle)
    election = next(item.election for item in given.lists if item.key == key)
    published = {r["id"]: r for r in lst["projects"]}  # costs as they were at the count

    def recount(cost: str) -> dict[str, bool]:
        at_cost = dataclasses.replace(
            election,
            projects=[
                dataclasses.replace(p, cost=published[p.id][cost]) for p in election.projects
            ],
        )
        outcome = tally.count(at_cost, given.config)
        return {r.id: r.selected for r in outcome.projects}

    assert recount("net") == {r["id"]: r["selected"] for r in lst["projects"]}
    assert recount("gross")[str(trees.id)] is False


def test_savings_list_with_a_target_line(results_demo, db, client):
    savings = queries.published_version(results_demo).outcome["savings"]
    assert savings["target_minor"] == 50_000_00
    assert savings["target_met"]
    assert sum(1 for item in savings["items"] if item["target_line_after"]) == 1
    assert any(not item["recommended"] for item in savings["items"])
    assert client.get(f"/cycles/{DEMO_SLUG}/results").status_code == 200


def test_rerunning_resets_instead_of_duplicating(runner, db):
    load(runner, "--phase", "voting")
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    counts = [db.session.scalar(sa.select(sa.func.count(m.id))) for m in (Proposal, Offer)]
    load(runner, "--phase", "voting")
    cycle = demo_cycle(db)
    assert [db.session.scalar(sa.select(sa.func.count(m.id))) for m in (Proposal, Offer)] == counts
    assert db.session.scalar(sa.select(sa.func.count(Cycle.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == db.session.scalar(
        sa.select(sa.func.count(Proposal.id)).where(Proposal.cycle_id == cycle.id)
    )
    assert (
        db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.cycle_id != cycle.id))
        == 0
    )


def test_if_empty_does_nothing_when_a_cycle_exists(runner, db):
    load(runner, "--phase", "proposals")
    cycle_id = demo_cycle(db).id
    output = load(runner, "--phase", "results", "--if-empty")
    assert "not loaded" in output
    cycle = demo_cycle(db)
    assert cycle.id == cycle_id
    assert cycle.phase == "proposals"


def test_demo_accounts_can_log_in(runner, db, client):
    load(runner, "--phase", "proposals")
    login(client, email("officer"))
    page = client.get("/officer/queue")
    assert page.status_code == 200
    assert "LI-2026-" in page.get_data(as_text=True)


def test_reloading_over_published_results(runner, db):
    """Published results are a public record: on PostgreSQL the app's role may not delete
    them (a trigger), and the command says so instead of failing with a traceback."""
    load(runner, "--phase", "results")
    again = runner.invoke(args=["pb", "demo", "--phase", "proposals"])
    if db.session.get_bind().dialect.name == "postgresql":
        assert again.exit_code == 1
        assert "public record" in again.output
    else:
        assert again.exit_code == 0, again.output


def test_results_demo_shows_delivery_report_and_open_data(results_demo, db, client):
    cycle = results_demo
    report = client.get(f"/cycles/{cycle.slug}/report").get_data(as_text=True)
    for status in ("done", "in_progress", "planned", "not_done"):
        assert re.search(rf'data-figure="{status}">(<a [^>]*>)?[1-9]', report), status
    assert "The school building is to be renovated" in report
    zipped = client.get(f"/cycles/{cycle.slug}/open-data.zip")
    assert zipped.status_code == 200
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    assert "milestones.csv" in names


def test_the_demo_offer_of_hours_reads_in_german(results_demo, db, client):
    """The demo's accepted offer of volunteer hours was valued with an English sentence typed
    into the demo ('12 hours at the published rate'), shown as is in German: it is valued by
    the rule, which is said in the reader's language."""
    offer = db.session.scalars(
        sa.select(Offer).where(
            Offer.cycle_id == results_demo.id,
            Offer.description == "Planting flowers along the new path with neighbours.",
        )
    ).one()
    assert offer.value_minor == 300_00
    number = offer.proposal.tracking_number
    german = client.get(f"/proposals/{number}/offers", headers={"Accept-Language": "de"})
    html = german.get_data(as_text=True)
    assert "Wert: 300,00\xa0€ (12 Stunden zum veröffentlichten Satz von 25,00\xa0€" in html
    assert "hours" not in html


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "{n} funded proposals have no delivery report yet"),
        ("de", "{n} geförderte Vorschläge haben noch keinen Umsetzungsbericht"),
    ],
)
def test_the_officers_home_figure_is_found_where_it_leads(results_demo, client, lang, sentence):
    """The officer's home counts funded proposals without a delivery report and links the
    review list, whose heading counts every funded proposal (19 beside 15): the list says
    which of its figures the home page showed."""
    login(client, email("officer"))
    headers = {"Accept-Language": lang}
    home = client.get("/officer", headers=headers).get_data(as_text=True)
    n = int(re.search(r'data-waiting="report_back">.*?class="count">(\d+)<', home).group(1))
    assert n > 0
    queue = client.get("/officer/queue", headers=headers).get_data(as_text=True)
    assert sentence.format(n=n) in queue
