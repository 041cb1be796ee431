"""Build the demo cycle through the real services, into the proposals, voting or results phase.

`load_demo(phase)` deletes the previous demo cycle (slug DEMO_SLUG, with everything hanging off
it) and rebuilds it step by step as people would: residents and officers submit, officers
moderate, value offers, voting opens, ballots come in by every channel, the count runs and a
second officer publishes it. Deterministic content (random.Random(2026)); voting codes and
ballot ids are random by design. Flushes only: the CLI commits. Services format money and
translate, so run it inside a request context (the command does).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import g

from pbplatform.accounts import services as accounts
from pbplatform.accounts.models import User
from pbplatform.accounts.passwords import hash_password
from pbplatform.audit import services as audit
from pbplatform.channels import codes as code_channel
from pbplatform.channels import meetings as meeting_channel
from pbplatform.channels import paper as paper_channel
from pbplatform.channels.models import Meeting, MeetingCountEntry, MeetingTotal, PaperImport
from pbplatform.coproduction import services as coproduction
from pbplatform.coproduction.models import Offer
from pbplatform.cycles import services as cycles
from pbplatform.cycles.models import Area, Cycle
from pbplatform.db import today
from pbplatform.demo import data
from pbplatform.extensions import db
from pbplatform.moderation import services as moderation
from pbplatform.proposals import services as proposals
from pbplatform.proposals.models import Proposal
from pbplatform.results import services as results
from pbplatform.voting import services as voting
from pbplatform.voting.models import Ballot, BallotChoice

DEMO_SLUG = "lichtenberg-2026"
PHASES = ("proposals", "voting", "results")
PASSWORD = "participate-2026"
DOMAIN = "demo.pbplatform.org"
GENERATED_RESIDENTS = 90
ONLINE_VOTERS = range(1, 61)  # resident001..060 vote online
CHECKED_PAPER_VOTERS = range(61, 73)  # resident061..072 vote on paper at the town hall
CODES_PRINTED, CODES_USED = 40, 24
# The demo's calendar (UTC). Phases the demo has not reached yet get dates in the future.
CALENDAR = {
    "proposals": datetime(2026, 3, 2, 8, tzinfo=UTC),
    "review": datetime(2026, 4, 27, 8, tzinfo=UTC),
    "voting": datetime(2026, 6, 1, 8, tzinfo=UTC),
    "counting": datetime(2026, 6, 29, 8, tzinfo=UTC),
    "results": datetime(2026, 7, 13, 8, tzinfo=UTC),
}
WEIGHTS = {"online": "1", "paper": "1", "code": "2", "postal": "2", "meeting": "0.5"}

STAFF = [
    # key, e-mail local part, display name, role, officer areas (codes)
    ("admin", "admin", "Demo Admin", "admin", ()),
    ("officer", "officer", "Olga Officer", "officer", ()),
    ("officer2", "officer2", "Otto Second-Officer", "officer", ()),
    ("fen_officer", "fennpfuhl.officer", "Frieda Fennpfuhl-Officer", "officer", ("FEN",)),
]
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Emine", "Felix", "Greta", "Hamid", "Ines",
               "Jonas", "Katarzyna", "Lukas", "Mai", "Nils", "Olena", "Paul", "Quynh", "Rosa",
               "Sami", "Tobias", "Ute", "Viktor", "Wiebke", "Yusuf", "Zofia"]
LAST_NAMES = ["Schmidt", "Nguyen", "Müller", "Yılmaz", "Weber", "Kowalska", "Becker", "Ivanova",
              "Hoffmann", "Tran", "Krüger", "Hassan", "Wolf", "Petrenko", "Lange"]


@dataclass
class Demo:
    """What the steps share: the cycle, people, proposals by title, offers by key."""

    rng: random.Random
    areas: dict[str, Area]
    staff: dict[str, User]
    resident: User
    residents: list[User]
    cycle: Cycle | None = None
    proposals: dict[str, Proposal] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)


def email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def demo_accounts() -> list[tuple[str, str]]:
    """(e-mail, what it is) of the accounts to try, for the command's output and the README."""
    return [
        (email("admin"), "admin"),
        (email("officer"), "officer (all areas)"),
        (email("officer2"), "second officer (publishes counts, double entry of meeting dots)"),
        (email("fennpfuhl.officer"), "officer limited to Fennpfuhl"),
        (email("resident"), "resident of Fennpfuhl (has not voted)"),
        (email("resident001"), f"... {email(f'resident{GENERATED_RESIDENTS:03d}')}: voters"),
    ]


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Services that audit `current_user` see `user` as the one acting (Flask-Login's g)."""
    saved = g.get("_login_user")
    g._login_user = user
    try:
        yield
    finally:
        if saved is None:
            g.pop("_login_user", None)
        else:
            g._login_user = saved


def load_demo(phase: str = "results") -> Cycle:
    """(Re)create the demo cycle in `phase` (proposals, voting or results). Flushes only."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}")
    delete_demo_cycle()
    demo = _people(random.Random(2026))
    with acting_as(demo.staff["admin"]):
        _create_cycle(demo)
    _submit_proposals(demo)
    _early_moderation(demo)
    _offer_help(demo, review=False)
    if phase in ("voting", "results"):
        _review(demo)
        _offer_help(demo, review=True)
        _open_voting(demo)
        _vote(demo)
    if phase == "results":
        _count_and_publish(demo)
        _report_back(demo)
    _set_calendar(demo, phase)
    return demo.cycle


# --- reset ---------------------------------------------------------------------------------

def delete_demo_cycle() -> bool:
    """Delete the demo cycle and everything under it; True if there was one.

    Most children go by ON DELETE CASCADE from cycles (proposals, offers, ballots, ...). Rows
    that point at proposals or voting sites without a cascade are deleted first.
    """
    cycle_id = db.session.scalar(sa.select(Cycle.id).where(Cycle.slug == DEMO_SLUG))
    if cycle_id is None:
        return False
    db.session.flush()
    ballots = sa.select(Ballot.id).where(Ballot.cycle_id == cycle_id)
    meetings = sa.select(Meeting.id).where(Meeting.cycle_id == cycle_id)
    for stmt in (
        sa.delete(BallotChoice).where(BallotChoice.ballot_id.in_(ballots)),
        sa.delete(MeetingCountEntry).where(MeetingCountEntry.meeting_id.in_(meetings)),
        sa.delete(MeetingTotal).where(MeetingTotal.meeting_id.in_(meetings)),
        sa.delete(PaperImport).where(PaperImport.cycle_id == cycle_id),
        sa.update(Proposal).where(Proposal.cycle_id == cycle_id,
                                  Proposal.merged_into_id.is_not(None))
        .values(status="withdrawn", merged_into_id=None),
        sa.delete(Cycle).where(Cycle.id == cycle_id),
    ):
        db.session.execute(stmt.execution_options(synchronize_session=False))
    db.session.expire_all()
    audit.record("demo.reset", after={"slug": DEMO_SLUG, "deleted_cycle_id": cycle_id})
    return True


# --- people --------------------------------------------------------------------------------

def _area(code: str, name: str) -> Area:
    area = db.session.scalar(sa.select(Area).where(Area.code == code))
    if area is None:
        area = db.session.scalar(sa.select(Area).where(sa.func.lower(Area.name) == name.lower()))
    return area or cycles.create_area(name, code)


def _user(local: str) -> User | None:
    return accounts.find_user_by_email(email(local))


def _people(rng: random.Random) -> Demo:
    areas = {code: _area(code, name) for name, code, _budget in data.AREAS}
    accounts.check_password_policy(PASSWORD)
    staff: dict[str, User] = {}
    for key, local, name, role, limited in STAFF:
        staff[key] = _user(local) or accounts.create_staff_user(
            None, email(local), name, role, [areas[c] for c in limited], PASSWORD)
    resident = _user("resident") or accounts.create_user(
        email("resident"), "Rita Resident", PASSWORD, home_area=areas["FEN"])
    codes = [code for _name, code, _budget in data.AREAS]
    missing = [n for n in range(1, GENERATED_RESIDENTS + 1) if _user(f"resident{n:03d}") is None]
    # One argon2id hash for all generated voters (they share the demo password): hashing 90
    # times at production cost would take half a minute. Named accounts use create_user.
    shared_hash = hash_password(PASSWORD) if missing else ""
    for n in missing:
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        db.session.add(User(email=email(f"resident{n:03d}"), display_name=f"{first} {last}",
                            role="resident", password_hash=shared_hash,
                            home_area=areas[codes[n % len(codes)]]))
    db.session.flush()
    residents = [_user(f"resident{n:03d}") for n in range(1, GENERATED_RESIDENTS + 1)]
    return Demo(rng, areas, staff, resident, residents)  # type: ignore[arg-type]


def _by_label(demo: Demo, who: str) -> User:
    """'resident 7' -> resident007."""
    return demo.residents[int(who.split()[1]) - 1]


# --- cycle and proposals -------------------------------------------------------------------

def _minor(euros: int) -> int:
    return euros * 100


def _create_cycle(demo: Demo) -> None:
    values = {
        "name": "Lichtenberg citizens' budget 2026", "slug": DEMO_SLUG, "currency": "EUR",
        "tracking_prefix": "LI", "district_budget_minor": _minor(data.DISTRICT_BUDGET),
        "hourly_rate_minor": _minor(25), "coproduction_cap_pct": 50,
        "savings_target_minor": _minor(data.SAVINGS_TARGET),
        "savings_share_pct": data.SAVINGS_SHARE_PCT,
    }
    budgets = {demo.areas[code].id: _minor(budget) for _n, code, budget in data.AREAS}
    # Only the proposals date now (it names the year in tracking numbers); the rest at the end,
    # so the calendar cannot move the cycle on while it is being built.
    cycle = cycles.create_cycle(values, budgets, {"proposals": CALENDAR["proposals"]})
    cycles.update_rules(cycle, {
        "ballot_rule": "budget", "count_rule": "greedy", "tie_break": "default",
        "tie_seed": "lichtenberg-2026", "channel_weights": dict(WEIGHTS), "combination": "raw",
        "vote_policy": "registered",
    })
    demo.cycle = cycles.open_phase(cycle, "proposals", actor=demo.staff["admin"])


def _received(rng: random.Random) -> date:
    return min(today(), (CALENDAR["proposals"] + timedelta(days=rng.randint(3, 50))).date())


def _submit(demo: Demo, title: str, area: str | None, category: str, cost: int,
            description: str, author: User, *, kind: str = "spending",
            saving: int | None = None) -> Proposal:
    rng, officer = demo.rng, demo.staff["officer"]
    data_in = proposals.ProposalInput(
        title=title, description=description, category=category,
        area_id=demo.areas[area].id if area else None, estimated_cost_minor=_minor(cost),
        kind=kind, savings_per_year_minor=_minor(saving) if saving else None)
    if title in data.OFFLINE_INTAKE:
        channel, contact = data.OFFLINE_INTAKE[title]
        if contact:
            data_in.contact_name, data_in.contact_details = contact, "by post, address on file"
            data_in.contact_consent = True
        proposal = proposals.submit_proposal(demo.cycle, None, data_in, channel=channel,
                                             entered_by=officer, received_on=_received(rng))
    else:
        proposal = proposals.submit_proposal(demo.cycle, author, data_in)
    demo.proposals[title] = proposal
    return proposal


def _submit_proposals(demo: Demo) -> None:
    authors = iter(demo.residents[:40] * 2)
    mine = {"Benches and shade at Fennpfuhl pond", "Night bus stop shelter",
            "More benches at the pond"}
    for title, area, category, cost, _status, description in data.PROPOSALS:
        author = demo.resident if title in mine else next(authors)
        _submit(demo, title, area, category, cost, description, author)
    for title, saving, description, _impact in data.SAVINGS:
        _submit(demo, title, None, "other", 0, description, next(authors), kind="saving",
                saving=saving)
    title, area, category, cost, description = data.ABUSIVE
    abusive = _submit(demo, title, area, category, cost, description, next(authors))
    for flagger in demo.residents[50:53]:
        proposals.flag_proposal(abusive, flagger, "Insults people who use the youth club.")
    withdrawn = [p for p in data.PROPOSALS if p[4] == "withdrawn"]
    for title, *_rest in withdrawn:
        proposal = demo.proposals[title]
        proposals.withdraw_proposal(proposal, proposal.author)


def _approve(demo: Demo, title: str) -> None:
    proposal = demo.proposals[title]
    if proposal.status == "approved":
        return
    officer = demo.staff["officer"]
    if proposal.area is not None and proposal.area.code == "FEN":
        officer = demo.staff["fen_officer"]
    impact = next((s[3] for s in data.SAVINGS if s[0] == title), None)
    cost = 0 if proposal.is_saving else _minor(data.OFFICER_COSTS.get(
        title, proposal.estimated_cost_minor // 100))
    feasibility = ("Feasible. The responsible department can deliver it within a year; the "
                   "cost estimate includes planning and VAT." if not proposal.is_saving else
                   "Feasible from the next budget year.")
    moderation.approve_proposal(proposal, officer, cost, feasibility, impact)


def _early_moderation(demo: Demo) -> None:
    """While proposals still come in, officers already approve a few and reject the pool."""
    for title, *_rest in data.PROPOSALS[:24:3]:
        _approve(demo, title)
    pool = "Heated outdoor swimming pool in Karlshorst"
    moderation.reject_proposal(demo.proposals[pool], demo.staff["officer"],
                               data.REJECTION_REASONS[pool])
    abusive = demo.proposals[data.ABUSIVE[0]]
    moderation.hide_proposal(abusive, demo.staff["fen_officer"], "Insulting language.")


def _review(demo: Demo) -> None:
    cycles.open_phase(demo.cycle, "review", actor=demo.staff["officer"])
    for title, _area, _cat, _cost, status, _desc in data.PROPOSALS:
        if status == "approved":
            _approve(demo, title)
    for title, *_rest in data.SAVINGS:
        _approve(demo, title)
    merged = [p[0] for p in data.PROPOSALS if p[4] == "merged"]
    target = demo.proposals["Benches and shade at Fennpfuhl pond"]
    moderation.merge_proposals([demo.proposals[t] for t in merged], target,
                               demo.staff["fen_officer"])
    abusive = demo.proposals[data.ABUSIVE[0]]
    moderation.reject_proposal(abusive, demo.staff["fen_officer"],
                               data.REJECTION_REASONS[data.ABUSIVE[0]])
    moderation.resolve_flags(abusive, demo.staff["fen_officer"])


# --- co-production -------------------------------------------------------------------------

def _offer_help(demo: Demo, *, review: bool) -> None:
    """Offers come in while proposals are collected; officers review them before voting."""
    officer = demo.staff["officer"]
    if not review:  # help offered without a proposal yet; an officer links it in review
        demo.offers["unlinked"] = coproduction.make_offer(
            by=_by_label(demo, "resident 9"), kind="volunteer_hours", quantity=Decimal(20),
            unit="hours", description="Twenty hours of help with any gardening project in "
            "Friedrichsfelde.", cycle=demo.cycle, schedule="Weekends")
    else:
        garden = demo.proposals["Neighbourhood garden on Sewanstraße"]
        coproduction.link_offer(demo.offers["unlinked"], garden, officer)
        coproduction.accept_offer(demo.offers["unlinked"], officer)
    for key, title, who, kind, qty, unit, text, value, decision, _after in data.OFFERS:
        if not review:
            by = _by_label(demo, who) if who.startswith("resident ") else officer
            demo.offers[key] = coproduction.make_offer(
                by=by, kind=kind, quantity=Decimal(qty), unit=unit, description=text,
                proposal=demo.proposals[title], schedule="2027",
                offerer_name=None if who.startswith("resident ") else who)
            continue
        offer = demo.offers[key]
        if decision == "accept":
            coproduction.accept_offer(offer, officer, _minor(value) if value else None,
                                      "Valued by the parks department." if value else None)
        elif decision == "decline":
            coproduction.decline_offer(offer, officer, data.DECLINE_REASON)
        elif decision == "withdraw":
            coproduction.withdraw_offer(offer, offer.offerer)


# --- voting --------------------------------------------------------------------------------

def _open_voting(demo: Demo) -> None:
    cycles.open_phase(demo.cycle, "voting", actor=demo.staff["admin"])


def _choices(demo: Demo, area_id: int, *, over_budget: bool = False) -> list[tuple[str, str]]:
    """A voter's ballot: popular proposals more often, dropped from the least popular until the
    choices fit each section's budget (net cost); savings for or against."""
    rng = demo.rng
    sheet = voting.ballot_sheet(demo.cycle, area_id)
    picks: list[tuple[str, str]] = []
    for section in sheet.sections:
        chosen = [i for i in section.items
                  if over_budget or rng.random() < data.POPULARITY.get(i.proposal.title, 0.3)]
        chosen.sort(key=lambda i: -data.POPULARITY.get(i.proposal.title, 0.3))
        while not over_budget and sum(i.net_minor for i in chosen) > section.budget_minor:
            chosen.pop()
        picks += [(str(i.id), "1") for i in chosen]
    for item in sheet.savings:
        yes, no = data.SAVINGS_STANCE.get(item.proposal.title, (0.3, 0.3))
        roll = rng.random()
        if roll < yes:
            picks.append((str(item.id), "1"))
        elif roll < yes + no:
            picks.append((str(item.id), "-1"))
    return picks


def _paper_choices(demo: Demo, area_id: int, **kw: Any) -> str:
    by_id = {str(p.id): p for p in demo.proposals.values()}
    parts = []
    for pid, value in _choices(demo, area_id, **kw):
        p = by_id[pid]
        parts.append(f"{p.tracking_number}:{'for' if value == '1' else 'against'}"
                     if p.is_saving else p.tracking_number)
    return ";".join(parts)


def _vote(demo: Demo) -> None:
    cycle, rng = demo.cycle, demo.rng
    officer, officer2 = demo.staff["officer"], demo.staff["officer2"]
    for n in ONLINE_VOTERS:
        user = demo.residents[n - 1]
        voting.cast_ballot(cycle, voting.voter_key_for(user), _choices(demo, user.home_area_id),
                           area_id=user.home_area_id, channel="online", user_id=user.id)
    # Paper, one by one at an anonymous site in Fennpfuhl (one ballot over budget: invalid).
    fen = demo.areas["FEN"]
    site = paper_channel.create_site(cycle, "Fennpfuhl neighbourhood centre",
                                     "Paul-Junius-Straße 64, 10369 Berlin", fen.id, False,
                                     actor=officer)
    for n in range(1, 11):
        picks = _choices(demo, fen.id, over_budget=(n == 7))
        paper_channel.enter_paper_ballot(cycle, site, f"FEN-{n:04d}", "FEN", picks,
                                         actor=demo.staff["fen_officer"])
    # Paper by CSV from the town hall, where officers check voters off (one empty ballot).
    town_hall = paper_channel.create_site(cycle, "Lichtenberg town hall",
                                          "Möllendorffstraße 6, 10367 Berlin", None, True,
                                          actor=officer)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["serial", "area_code", "choices", "voter_ref"])
    for i, n in enumerate(CHECKED_PAPER_VOTERS, start=1):
        user = demo.residents[n - 1]
        choices = "" if i == 5 else _paper_choices(demo, user.home_area_id)
        writer.writerow([f"RH-{i:04d}", user.home_area.code, choices, user.email])
    paper_channel.import_paper_csv(cycle, town_hall, "town-hall-voting-day.csv",
                                   out.getvalue().encode(), actor=officer)
    # Voting codes of the household survey (district-wide batch: holders choose their area).
    codes = [c for _n, c, _b in data.AREAS]
    _batch, plain = code_channel.generate_codes(cycle, CODES_PRINTED, "Household survey 2026",
                                                actor=demo.staff["admin"])
    for i, text in enumerate(plain[:CODES_USED]):
        area_id = demo.areas[codes[i % len(codes)]].id
        code_channel.redeem_code(cycle, text, _choices(demo, area_id), area_id)
    _meetings(demo, officer, officer2, rng)


def _meetings(demo: Demo, officer: User, officer2: User, rng: random.Random) -> None:
    cycle = demo.cycle
    held = min(today(), (CALENDAR["voting"] + timedelta(days=9)).date())
    for code, place, attendance in (("FEN", "Fennpfuhl neighbourhood centre", 38),
                                    ("KAR", "Karlshorst library", 26)):
        area_id = demo.areas[code].id
        meeting = meeting_channel.create_meeting(cycle, area_id, held, place, attendance, 5,
                                                 actor=officer)
        items = meeting_channel.meeting_proposals(meeting)
        spending = [p for p in items if not p.is_saving]
        dots = {p.id: int(attendance * data.POPULARITY.get(p.title, 0.3) * rng.uniform(0.6, 1.2))
                for p in spending}
        while sum(dots.values()) > meeting.capacity:
            top = max(dots, key=dots.__getitem__)
            dots[top] -= 1
        meeting_channel.enter_counts(meeting, officer, dots)
        if code == "KAR":  # a typo in the second count, found by the comparison and corrected
            typo = dict(dots)
            first = spending[0].id
            typo[first] = dots[first] + 10
            meeting_channel.enter_counts(meeting, officer2, typo)
            meeting_channel.confirm_meeting_counts(meeting, officer2)
        meeting_channel.enter_counts(meeting, officer2, dots)
        meeting_channel.confirm_meeting_counts(meeting, officer2)


# --- results -------------------------------------------------------------------------------

def _count_and_publish(demo: Demo) -> None:
    officer, officer2 = demo.staff["officer"], demo.staff["officer2"]
    cycles.open_phase(demo.cycle, "counting", actor=officer)
    version = results.run_count(demo.cycle, officer)
    results.publish_results(version, officer2)
    cycles.open_phase(demo.cycle, "results", actor=officer2)


def _funded_ids(demo: Demo) -> list[int]:
    version = results.published_version(demo.cycle)
    return [int(row["id"]) for lst in version.outcome["lists"] for row in lst["projects"]
            if row.get("selected")]


def _report_back(demo: Demo) -> None:
    officer = demo.staff["officer"]
    delivered = min(today(), date(2026, 10, 15))
    funded = {p.id: p for p in demo.proposals.values() if p.id in set(_funded_ids(demo))}
    reports = [("done", "Built and opened in October 2026."),
               ("in_progress", "Ordered; installation is planned for spring 2027."),
               ("planned", "Planning has started; the tender goes out in January 2027.")]
    for proposal, (status, report) in zip(sorted(funded.values(), key=lambda p: p.id)[::4],
                                          reports, strict=False):
        moderation.record_delivery(proposal, officer, status, report)
    for key, *_rest, after in data.OFFERS:
        offer = demo.offers[key]
        if after == "fulfil":
            coproduction.record_delivery(offer, officer, delivered_on=delivered,
                                         description="Delivered as offered.",
                                         quantity=offer.quantity)
        elif after == "partly":
            coproduction.record_delivery(offer, officer, delivered_on=delivered,
                                         description="First instalment paid.",
                                         quantity=offer.quantity * Decimal("0.4"))
        elif after == "lapse":
            coproduction.lapse_offer(offer, officer, data.LAPSE_NOTE)


def _set_calendar(demo: Demo, phase: str) -> None:
    """Past phases keep their 2026 dates; phases still to come start after today."""
    reached = cycles.PHASES.index(demo.cycle.phase)
    dates, shift = {}, timedelta(0)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for name, when in CALENDAR.items():
        if cycles.PHASES.index(name) > reached and when + shift <= now:
            shift = now + timedelta(days=21) - when
        dates[name] = when + shift if cycles.PHASES.index(name) > reached else when
    cycle = demo.cycle
    with acting_as(demo.staff["admin"]):
        cycles.update_cycle(cycle, {"slug": cycle.slug},
                            {ca.area_id: ca.budget_minor for ca in cycle.areas}, dates)


def summarize(cycle: Cycle) -> dict[str, Any]:
    """Counts for the command's output: proposals by status, offers by state, ballots by channel."""
    def grouped(column: Any, where: Any) -> dict[str, int]:
        rows = db.session.execute(sa.select(column, sa.func.count()).where(where)
                                  .group_by(column).order_by(column))
        return {str(k): n for k, n in rows}

    return {
        "phase": cycle.phase,
        "proposals": grouped(Proposal.status, Proposal.cycle_id == cycle.id),
        "offers": grouped(Offer.status, Offer.cycle_id == cycle.id),
        "ballots": grouped(Ballot.channel, Ballot.cycle_id == cycle.id),
        "meetings": db.session.scalar(sa.select(sa.func.count(Meeting.id))
                                      .where(Meeting.cycle_id == cycle.id)),
    }
