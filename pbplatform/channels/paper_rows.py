"""Checking paper ballot rows, typed in one by one or read from a CSV file.

What is a BAD ROW (the whole file is refused, nothing stored, every bad row listed)? Anything
that means the sheet was not transcribed faithfully or cannot be placed: a missing or extra
column, non-UTF-8 text, an empty or over-long serial, a serial twice in the file or already
stored, an unknown area code or one that does not vote at the site, an unknown tracking number
or one not on that area's ballot, a project twice on one row, points that are not a positive
number (or points on an approval ballot), a missing/unknown voter at a checking site, a voter
twice in the file, or a voter who already voted (the reason names the channel).

What is a VALID ROW WITH AN INVALID BALLOT (stored as invalid with the reason, never dropped)?
A faithful row whose choices break the ballot rule: over budget, too many projects, too many
points, or an empty ballot. The same applies to one-by-one entry.

Paper ballots are entered while voting is open (the cycle's voting phase).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.ballotbox.services import stored_serials
from pbplatform.channels.census import (
    FileRejected,
    check_eligibility,
    check_header,
    csv_records,
    decode_csv,
    entry_hash,
    parse_date,
    person_key,
)
from pbplatform.channels.models import CensusEntry, VotingSite
from pbplatform.channels.policy import already_voted_message
from pbplatform.cycles.models import Area, Cycle, CycleArea, VotePolicy
from pbplatform.db import today
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Participation
from pbplatform.voting.services import (
    BallotCatalogue,
    NormalizedChoice,
    ballot_catalogue,
    check_ballot,
    voter_key_for,
)

COLUMNS = ["serial", "area_code", "choices"]
OPTIONAL = ("voter_ref",)
MAX_ROWS = 20_000
MAX_SERIAL = 40
# check_ballot codes that mean "not transcribed faithfully" rather than "the voter broke the rule"
BAD_ROW_CODES = {
    "invalid_project",
    "duplicate_project",
    "invalid_points",
    "invalid_stance",
    "invalid_area",
}


@dataclass
class PaperRow:
    number: int
    serial: str
    area_id: int
    selections: list[tuple[str, str]]
    voter_key: str | None = None
    user_id: int | None = None
    choices: tuple[NormalizedChoice, ...] = ()
    invalid_reason: str | None = None


@dataclass
class Context:
    """What every row of one entry or import is checked against (loaded once)."""

    cycle: Cycle
    site: VotingSite
    actor: User | None
    areas: dict[str, int]
    proposals: dict[str, Proposal]
    serials: set[str] = field(default_factory=set)
    voters: dict[str, int] = field(default_factory=dict)
    catalogue: BallotCatalogue | None = None  # proposals and costs for check_ballot, once


class RowError(Exception):
    pass


# --- checking rows -------------------------------------------------------------------------


def context(cycle: Cycle, site: VotingSite, actor: User | None) -> Context:
    areas = {
        code.upper(): aid
        for code, aid in db.session.execute(
            sa.select(Area.code, Area.id)
            .join(CycleArea, CycleArea.area_id == Area.id)
            .where(CycleArea.cycle_id == cycle.id)
        )
    }
    proposals = {
        p.tracking_number.upper(): p
        for p in db.session.scalars(sa.select(Proposal).where(Proposal.cycle_id == cycle.id))
    }
    return Context(
        cycle, site, actor, areas, proposals, catalogue=ballot_catalogue(proposals.values())
    )


def _area(ctx: Context, code: str) -> int:
    area_id = ctx.areas.get(code.strip().upper())
    if area_id is None:
        raise RowError(_("unknown area %(code)s", code=code.strip()[:20]))
    if ctx.site.area_id is not None and area_id != ctx.site.area_id:
        raise RowError(
            _("area %(code)s does not vote at site %(site)s", code=code.strip(), site=ctx.site.name)
        )
    if ctx.actor is not None and not ctx.actor.can_act_on_area(area_id):
        raise RowError(_("you may not enter ballots for area %(code)s", code=code.strip()))
    return area_id


def _selection(ctx: Context, area_id: int, item: str) -> tuple[str, str]:
    tn, _sep, value = item.partition(":")
    proposal = ctx.proposals.get(tn.strip().upper())
    if proposal is None:
        raise RowError(_("unknown project %(tn)s", tn=tn.strip()[:24]))
    if not (proposal.on_ballot or proposal.withdrawn_from_ballot):
        raise RowError(_("project %(tn)s is not on the ballot", tn=proposal.tracking_number))
    if proposal.area_id not in (area_id, None):
        raise RowError(
            _(
                "project %(tn)s is not on this area's ballot (wrong area)",
                tn=proposal.tracking_number,
            )
        )
    value = value.strip() or ("for" if proposal.is_saving else "1")
    if proposal.is_saving:
        value = {"for": "1", "against": "-1"}.get(value.lower(), value)
    return str(proposal.id), value


def parse_choices(ctx: Context, area_id: int, text: str) -> list[tuple[str, str]]:
    """'LI-1;LI-2' or 'LI-1:2.5;LI-2:1' (cumulative) or 'LI-9:against' (savings)."""
    items = [i for i in (part.strip() for part in text.split(";")) if i]
    return [_selection(ctx, area_id, item) for item in items]


def ACCOUNT_ONLY() -> str:  # noqa: N802 (a message, read like a constant)
    """Why register details are refused unless the cycle's policy is 'census' (issue 12).

    With 'registered' (and 'codes') the one-vote identity of an account is 'user:<id>' until
    it is verified, while register details give 'census:<hash>': the two never meet, and a
    ballot carries no voter, so a double vote found later could not be taken out of the
    count. The cycle refuses the mix.
    """
    return _(
        "in this cycle voters are identified by their account: write the voter's account "
        "e-mail. Register details cannot be matched with the same person's other votes; "
        "checking voters against the register needs the census policy."
    )


# Complexity: a voter reference is an e-mail, a register number or nothing, each checked against the
# cycle's policy; the branches are the policy table.
def _voter(ctx: Context, ref: str) -> tuple[str, int | None]:
    """The voter key (and account) for a voter reference written by the officer."""
    ref = ref.strip()
    if "@" in ref:
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == ref.lower()))
        if user is None:
            raise RowError(_("no account with the e-mail %(ref)s", ref=ref[:80]))
        if ctx.cycle.vote_policy != VotePolicy.CODES:
            try:
                check_eligibility(ctx.cycle, user)
            except DomainError as exc:
                raise RowError(exc.message) from None
        return voter_key_for(user), user.id
    if ctx.cycle.vote_policy != VotePolicy.CENSUS:
        raise RowError(ACCOUNT_ONLY())
    parts = [p.strip() for p in ref.split("|")]
    born_on = parse_date(parts[1]) if len(parts) == 3 else None
    if born_on is None:
        raise RowError(_("voter_ref must be an e-mail or identifier|YYYY-MM-DD|postcode"))
    entry = db.session.scalar(
        sa.select(CensusEntry).where(
            CensusEntry.cycle_id == ctx.cycle.id,
            CensusEntry.entry_hash == entry_hash(parts[0], born_on, parts[2]),
        )
    )
    if entry is None:
        raise RowError(_("the voter is not in the register"))
    if entry.adult_from is not None and entry.adult_from > today():
        raise RowError(
            _(
                "the voter is below the minimum age until %(day)s",
                day=format_date(entry.adult_from, "medium"),
            )
        )
    return person_key(entry), entry.user_id


def _check_voter(ctx: Context, row: PaperRow, ref: str) -> None:
    if not ctx.site.checks_voters:
        if ref.strip():
            raise RowError(
                _("site %(site)s is anonymous: leave voter_ref empty", site=ctx.site.name)
            )
        return
    if not ref.strip():
        raise RowError(_("site %(site)s checks voters: voter_ref is required", site=ctx.site.name))
    row.voter_key, row.user_id = _voter(ctx, ref)
    if row.voter_key in ctx.voters:
        raise RowError(_("the same voter as row %(n)s", n=ctx.voters[row.voter_key]))
    ctx.voters[row.voter_key] = row.number


def _check_serial(ctx: Context, serial: str) -> str:
    serial = serial.strip()
    if not serial or len(serial) > MAX_SERIAL or not serial.isprintable():
        raise RowError(_("the serial must be 1 to %(n)s printable characters", n=MAX_SERIAL))
    if serial in ctx.serials:
        raise RowError(_("serial %(serial)s appears twice or is already stored", serial=serial))
    ctx.serials.add(serial)
    return serial


def _check_rule(ctx: Context, row: PaperRow) -> None:
    try:
        # A sheet printed before a withdrawal still names the project: stored as cast.
        ballot = check_ballot(
            ctx.cycle, row.area_id, row.selections, ctx.catalogue, include_withdrawn=True
        )
    except DomainError as exc:
        if exc.code in BAD_ROW_CODES:
            raise RowError(exc.message) from None
        row.invalid_reason = exc.message[:200]
        return
    row.choices = ballot.choices


def check_row(
    ctx: Context, number: int, serial: str, area_code: str, choices: str, voter_ref: str = ""
) -> PaperRow:
    """One row, checked; RowError (a bad row) or a PaperRow (maybe with invalid_reason)."""
    return _checked(
        ctx,
        number,
        serial,
        area_code,
        lambda area_id: parse_choices(ctx, area_id, choices),
        voter_ref,
    )


def check_entered_row(
    ctx: Context,
    serial: str,
    area_code: str,
    selections: list[tuple[str, str]],
    voter_ref: str = "",
) -> PaperRow:
    """A ballot typed in one by one (its selections from the ballot form), checked as row 1."""
    return _checked(ctx, 1, serial, area_code, lambda _area_id: list(selections), voter_ref)


def _checked(
    ctx: Context,
    number: int,
    serial: str,
    area_code: str,
    selections: Callable[[int], list[tuple[str, str]]],
    voter_ref: str,
) -> PaperRow:
    """Serial, area, selections (given the area), voter, then the ballot rule, in that order."""
    serial = _check_serial(ctx, serial)
    area_id = _area(ctx, area_code)
    row = PaperRow(number, serial, area_id, selections(area_id))
    _check_voter(ctx, row, voter_ref)
    _check_rule(ctx, row)
    return row


def load_taken(ctx: Context, rows: list[PaperRow]) -> list[str]:
    """Errors for serials already stored and voters who already voted (one query per chunk)."""
    errors = []
    by_serial = {r.serial: r for r in rows}
    by_voter = {r.voter_key: r for r in rows if r.voter_key}
    for serial in stored_serials(ctx.cycle, by_serial):
        errors.append(
            (by_serial[serial].number, _("serial %(serial)s is already stored", serial=serial))
        )
    for chunk in _chunks(list(by_voter)):
        for key, channel in db.session.execute(
            sa.select(Participation.voter_key, Participation.channel).where(
                Participation.cycle_id == ctx.cycle.id, Participation.voter_key.in_(chunk)
            )
        ):
            errors.append((by_voter[key].number, already_voted_message(channel)))
    return [_("row %(n)s: %(reason)s", n=n, reason=reason) for n, reason in sorted(errors)]


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_paper_csv(
    cycle: Cycle,
    site: VotingSite,
    data: bytes,
    actor: User | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> list[PaperRow]:
    """Every row checked; FileRejected listing every bad row if there is any.
    `progress(percent, message key)` hears how far the check got (10 to 60 %)."""
    rows = decode_csv(data)
    header = check_header(rows, COLUMNS, OPTIONAL)
    ctx = context(cycle, site, actor)
    parsed: list[PaperRow] = []
    errors: list[str] = []
    step = max(1, len(rows) // 10)
    for number, values in csv_records(rows, header, errors):
        if progress is not None and number % step == 0:
            progress(10 + 50 * min(number, len(rows)) // max(1, len(rows)), "checking")
        try:
            parsed.append(
                check_row(
                    ctx,
                    number,
                    values["serial"],
                    values["area_code"],
                    values["choices"],
                    values.get("voter_ref", ""),
                )
            )
        except RowError as exc:
            errors.append(_("row %(n)s: %(reason)s", n=number, reason=exc))
    if len(parsed) > MAX_ROWS:
        errors.append(_("the file has more than %(max)s ballots", max=MAX_ROWS))
    if not parsed and not errors:
        errors.append(_("the file holds no ballots"))
    errors += load_taken(ctx, parsed)
    if errors:
        raise FileRejected(errors)
    return parsed
