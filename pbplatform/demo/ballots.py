"""Demo steps of the voting phase: ballots by every channel (online, paper, codes, meetings)."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from typing import Any

from pbplatform.accounts.models import User
from pbplatform.channels import codes as code_channel
from pbplatform.channels import meetings as meeting_channel
from pbplatform.channels import paper as paper_channel
from pbplatform.channels.models import Channel
from pbplatform.cycles import services as cycles
from pbplatform.cycles.models import Phase
from pbplatform.db import today
from pbplatform.demo import data
from pbplatform.demo.state import CALENDAR, Demo
from pbplatform.voting import services as voting

ONLINE_VOTERS = range(1, 61)  # resident001..060 vote online
CHECKED_PAPER_VOTERS = range(61, 73)  # resident061..072 vote on paper at the town hall
CODES_PRINTED, CODES_USED = 40, 24


def open_voting(demo: Demo) -> None:
    cycles.open_phase(demo.cycle, Phase.VOTING, actor=demo.staff["admin"])


# Complexity: demo data: a plausible ballot is built by a few simple random rules in one place.
def _choices(demo: Demo, area_id: int, *, over_budget: bool = False) -> list[tuple[str, str]]:
    """A voter's ballot: popular proposals more often, dropped from the least popular until the
    choices fit each section's budget (net cost); savings for or against."""
    rng = demo.rng
    sheet = voting.ballot_sheet(demo.cycle, area_id)
    picks: list[tuple[str, str]] = []
    for section in sheet.sections:
        chosen = [
            i
            for i in section.items
            if over_budget or rng.random() < data.POPULARITY.get(i.proposal.title, 0.3)
        ]
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
        parts.append(
            f"{p.tracking_number}:{'for' if value == '1' else 'against'}"
            if p.is_saving
            else p.tracking_number
        )
    return ";".join(parts)


def vote(demo: Demo) -> None:
    """Ballots by every channel, in this order: online, paper at a site, paper by CSV, codes,
    meetings (the order the demo's random numbers are drawn in)."""
    _vote_online(demo)
    _vote_on_paper_at_site(demo)
    _vote_on_paper_by_csv(demo)
    _vote_with_codes(demo)
    _meetings(demo, demo.staff["officer"], demo.staff["officer2"], demo.rng)


def _vote_online(demo: Demo) -> None:
    for n in ONLINE_VOTERS:
        user = demo.residents[n - 1]
        voting.cast_ballot(
            demo.cycle,
            voting.voter_key_for(user),
            _choices(demo, user.home_area_id),
            area_id=user.home_area_id,
            channel=Channel.ONLINE,
            user_id=user.id,
        )


def _vote_on_paper_at_site(demo: Demo) -> None:
    """Paper, one by one at an anonymous site in Fennpfuhl (one ballot over budget: invalid)."""
    cycle, fen = demo.cycle, demo.areas["FEN"]
    site = paper_channel.create_site(
        cycle,
        "Fennpfuhl neighbourhood centre",
        "Paul-Junius-Straße 64, 10369 Berlin",
        fen.id,
        False,
        actor=demo.staff["officer"],
    )
    for n in range(1, 11):
        picks = _choices(demo, fen.id, over_budget=(n == 7))
        paper_channel.enter_paper_ballot(
            cycle, site, f"FEN-{n:04d}", "FEN", picks, actor=demo.staff["fen_officer"]
        )


def _vote_on_paper_by_csv(demo: Demo) -> None:
    """Paper by CSV from the town hall, where officers check voters off (one empty ballot)."""
    officer = demo.staff["officer"]
    town_hall = paper_channel.create_site(
        demo.cycle,
        "Lichtenberg town hall",
        "Möllendorffstraße 6, 10367 Berlin",
        None,
        True,
        actor=officer,
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["serial", "area_code", "choices", "voter_ref"])
    for i, n in enumerate(CHECKED_PAPER_VOTERS, start=1):
        user = demo.residents[n - 1]
        choices = "" if i == 5 else _paper_choices(demo, user.home_area_id)
        writer.writerow([f"RH-{i:04d}", user.home_area.code, choices, user.email])
    paper_channel.import_paper_csv(
        demo.cycle, town_hall, "town-hall-voting-day.csv", out.getvalue().encode(), actor=officer
    )


def _vote_with_codes(demo: Demo) -> None:
    """Voting codes of the household survey (district-wide batch: holders choose their area)."""
    codes = [c for _n, c, _b in data.AREAS]
    _batch, plain = code_channel.generate_codes(
        demo.cycle, CODES_PRINTED, "Household survey 2026", actor=demo.staff["admin"]
    )
    for i, text in enumerate(plain[:CODES_USED]):
        area_id = demo.areas[codes[i % len(codes)]].id
        code_channel.redeem_code(demo.cycle, text, _choices(demo, area_id), area_id)


def _meetings(demo: Demo, officer: User, officer2: User, rng: random.Random) -> None:
    cycle = demo.cycle
    held = min(today(), (CALENDAR[Phase.VOTING] + timedelta(days=9)).date())
    for code, place, attendance in (
        ("FEN", "Fennpfuhl neighbourhood centre", 38),
        ("KAR", "Karlshorst library", 26),
    ):
        area_id = demo.areas[code].id
        meeting = meeting_channel.create_meeting(
            cycle, area_id, held, place, attendance, 5, actor=officer
        )
        items = meeting_channel.meeting_proposals(meeting)
        spending = [p for p in items if not p.is_saving]
        dots = {
            p.id: int(attendance * data.POPULARITY.get(p.title, 0.3) * rng.uniform(0.6, 1.2))
            for p in spending
        }
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
