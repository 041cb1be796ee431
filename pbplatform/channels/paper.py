"""Paper ballots from voting sites: entered one by one or imported as a CSV, all or nothing.

A site either checks voters (every ballot comes with the voter's identity: a census entry
"identifier|birth date|postcode" or an account e-mail, and records a `paper` participation that
blocks voting in every other channel) or is anonymous (only the ballot is stored; the
how-to-vote page says so).

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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.census import (
    FileRejected,
    check_eligibility,
    check_header,
    decode_csv,
    entry_hash,
    parse_date,
    person_key,
)
from pbplatform.channels.models import CensusEntry, PaperImport, VotingSite
from pbplatform.channels.policy import already_voted_message
from pbplatform.cycles.models import Area, Cycle, CycleArea
from pbplatform.cycles.services import ensure_phase_current, lock_cycle
from pbplatform.db import today
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from pbplatform.voting.services import NormalizedChoice, check_ballot, voter_key_for

COLUMNS = ["serial", "area_code", "choices"]
OPTIONAL = ("voter_ref",)
MAX_ROWS = 20_000
MAX_SERIAL = 40
# check_ballot codes that mean "not transcribed faithfully" rather than "the voter broke the rule"
BAD_ROW_CODES = {"invalid_project", "duplicate_project", "invalid_points", "invalid_stance",
                 "invalid_area"}


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


class RowError(Exception):
    pass


# --- sites ---------------------------------------------------------------------------------

def create_site(cycle: Cycle, name: str, address: str, area_id: int | None,
                checks_voters: bool, actor: User | None = None) -> VotingSite:
    if area_id is not None and area_id not in {ca.area_id for ca in cycle.areas}:
        raise DomainError("invalid_area", _("This area does not take part in this cycle."))
    taken = db.session.scalar(sa.select(VotingSite.id).where(
        VotingSite.cycle_id == cycle.id, sa.func.lower(VotingSite.name) == name.strip().lower()))
    if taken is not None:
        raise DomainError("site_taken", _("A voting site with this name exists already."))
    site = VotingSite(cycle_id=cycle.id, name=name.strip(), address=address.strip(),
                      area_id=area_id, checks_voters=checks_voters)
    db.session.add(site)
    db.session.flush()
    audit.record("paper.site_create", site, actor=actor, area_id=area_id,
                 after={"name": site.name, "address": site.address,
                        "checks_voters": checks_voters})
    return site


def list_sites(cycle: Cycle) -> list[VotingSite]:
    return list(db.session.scalars(sa.select(VotingSite).where(VotingSite.cycle_id == cycle.id)
                                   .order_by(VotingSite.name)))


# --- checking rows -------------------------------------------------------------------------

def _context(cycle: Cycle, site: VotingSite, actor: User | None) -> Context:
    areas = {code.upper(): aid for code, aid in db.session.execute(
        sa.select(Area.code, Area.id).join(CycleArea, CycleArea.area_id == Area.id)
        .where(CycleArea.cycle_id == cycle.id))}
    proposals = {p.tracking_number.upper(): p for p in db.session.scalars(
        sa.select(Proposal).where(Proposal.cycle_id == cycle.id))}
    return Context(cycle, site, actor, areas, proposals)


def _area(ctx: Context, code: str) -> int:
    area_id = ctx.areas.get(code.strip().upper())
    if area_id is None:
        raise RowError(_("unknown area %(code)s", code=code.strip()[:20]))
    if ctx.site.area_id is not None and area_id != ctx.site.area_id:
        raise RowError(_("area %(code)s does not vote at site %(site)s", code=code.strip(),
                         site=ctx.site.name))
    if ctx.actor is not None and not ctx.actor.can_act_on_area(area_id):
        raise RowError(_("you may not enter ballots for area %(code)s", code=code.strip()))
    return area_id


def _selection(ctx: Context, area_id: int, item: str) -> tuple[str, str]:
    tn, _sep, value = item.partition(":")
    proposal = ctx.proposals.get(tn.strip().upper())
    if proposal is None:
        raise RowError(_("unknown project %(tn)s", tn=tn.strip()[:24]))
    if not proposal.on_ballot:
        raise RowError(_("project %(tn)s is not on the ballot", tn=proposal.tracking_number))
    if proposal.area_id not in (area_id, None):
        raise RowError(_("project %(tn)s is not on this area's ballot (wrong area)",
                         tn=proposal.tracking_number))
    value = value.strip() or ("for" if proposal.is_saving else "1")
    if proposal.is_saving:
        value = {"for": "1", "against": "-1"}.get(value.lower(), value)
    return str(proposal.id), value


def parse_choices(ctx: Context, area_id: int, text: str) -> list[tuple[str, str]]:
    """'LI-1;LI-2' or 'LI-1:2.5;LI-2:1' (cumulative) or 'LI-9:against' (savings)."""
    items = [i for i in (part.strip() for part in text.split(";")) if i]
    return [_selection(ctx, area_id, item) for item in items]


def _voter(ctx: Context, ref: str) -> tuple[str, int | None]:
    """The voter key (and account) for a voter reference written by the officer."""
    ref = ref.strip()
    if "@" in ref:
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == ref.lower()))
        if user is None:
            raise RowError(_("no account with the e-mail %(ref)s", ref=ref[:80]))
        if ctx.cycle.vote_policy != "codes":
            try:
                check_eligibility(ctx.cycle, user)
            except DomainError as exc:
                raise RowError(exc.message) from None
        return voter_key_for(user), user.id
    parts = [p.strip() for p in ref.split("|")]
    born_on = parse_date(parts[1]) if len(parts) == 3 else None
    if born_on is None:
        raise RowError(_("voter_ref must be an e-mail or identifier|YYYY-MM-DD|postcode"))
    entry = db.session.scalar(sa.select(CensusEntry).where(
        CensusEntry.cycle_id == ctx.cycle.id,
        CensusEntry.entry_hash == entry_hash(parts[0], born_on, parts[2])))
    if entry is None:
        raise RowError(_("the voter is not in the register"))
    if entry.adult_from is not None and entry.adult_from > today():
        raise RowError(_("the voter is below the minimum age until %(day)s",
                         day=entry.adult_from.isoformat()))
    return person_key(entry), entry.user_id


def _check_voter(ctx: Context, row: PaperRow, ref: str) -> None:
    if not ctx.site.checks_voters:
        if ref.strip():
            raise RowError(_("site %(site)s is anonymous: leave voter_ref empty",
                             site=ctx.site.name))
        return
    if not ref.strip():
        raise RowError(_("site %(site)s checks voters: voter_ref is required",
                         site=ctx.site.name))
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
        ballot = check_ballot(ctx.cycle, row.area_id, row.selections)
    except DomainError as exc:
        if exc.code in BAD_ROW_CODES:
            raise RowError(exc.message) from None
        row.invalid_reason = exc.message[:200]
        return
    row.choices = ballot.choices


def check_row(ctx: Context, number: int, serial: str, area_code: str, choices: str,
              voter_ref: str = "") -> PaperRow:
    """One row, checked; RowError (a bad row) or a PaperRow (maybe with invalid_reason)."""
    serial = _check_serial(ctx, serial)
    area_id = _area(ctx, area_code)
    row = PaperRow(number, serial, area_id, parse_choices(ctx, area_id, choices))
    _check_voter(ctx, row, voter_ref)
    _check_rule(ctx, row)
    return row


def _load_taken(ctx: Context, rows: list[PaperRow]) -> list[str]:
    """Errors for serials already stored and voters who already voted (one query per chunk)."""
    errors = []
    by_serial = {r.serial: r for r in rows}
    by_voter = {r.voter_key: r for r in rows if r.voter_key}
    for chunk in _chunks(list(by_serial)):
        for serial in db.session.scalars(sa.select(Ballot.serial).where(
                Ballot.cycle_id == ctx.cycle.id, Ballot.serial.in_(chunk))):
            errors.append((by_serial[serial].number, _(
                "serial %(serial)s is already stored", serial=serial)))
    for chunk in _chunks(list(by_voter)):
        for key, channel in db.session.execute(sa.select(
                Participation.voter_key, Participation.channel).where(
                Participation.cycle_id == ctx.cycle.id, Participation.voter_key.in_(chunk))):
            errors.append((by_voter[key].number, already_voted_message(channel)))
    return [_("row %(n)s: %(reason)s", n=n, reason=reason) for n, reason in sorted(errors)]


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- storing -------------------------------------------------------------------------------

def _ensure_voting(cycle: Cycle) -> Cycle:
    ensure_phase_current(cycle)
    locked = lock_cycle(cycle.id, shared=True)
    if locked.phase != "voting":
        raise DomainError("voting_closed", _("Paper ballots are entered while voting is open."),
                          status=409)
    return locked


def _store_rows(cycle: Cycle, rows: list[PaperRow]) -> None:
    """Participations and ballots of checked rows, in one savepoint; a race refuses them all."""
    try:
        with db.session.begin_nested():
            # Participations first, like cast_ballot: closing voting locks the voting tables
            # in that order (voting.scramble_storage_order), so the two cannot deadlock.
            db.session.add_all([Participation(cycle_id=cycle.id, voter_key=row.voter_key,
                                              user_id=row.user_id, channel="paper")
                                for row in rows if row.voter_key])
            db.session.flush()
            for row in rows:
                ballot = Ballot(cycle_id=cycle.id, area_id=row.area_id, channel="paper",
                                serial=row.serial, is_valid=row.invalid_reason is None,
                                invalid_reason=row.invalid_reason)
                ballot.choices = [BallotChoice(proposal_id=c.proposal_id, points=c.points,
                                               stance=c.stance) for c in row.choices]
                db.session.add(ballot)
    except IntegrityError:
        raise DomainError("paper_conflict", _(
            "A serial or a voter was recorded by someone else at the same time; nothing was "
            "stored. Check the ballots and try again."), status=409) from None


def enter_paper_ballot(cycle: Cycle, site: VotingSite, serial: str, area_code: str,
                       selections: list[tuple[str, str]], voter_ref: str = "",
                       actor: User | None = None) -> Ballot:
    """One ballot typed in by an officer. Bad input raises (nothing stored); a ballot that
    breaks the rule is stored as invalid and returned with `is_valid` False."""
    cycle = _ensure_voting(cycle)
    ctx = _context(cycle, site, actor)
    try:
        serial = _check_serial(ctx, serial)
        area_id = _area(ctx, area_code)
        row = PaperRow(1, serial, area_id, list(selections))
        _check_voter(ctx, row, voter_ref)
        _check_rule(ctx, row)
    except RowError as exc:
        raise DomainError("bad_paper_ballot", str(exc)) from None
    taken = _load_taken(ctx, [row])
    if taken:
        raise DomainError("bad_paper_ballot", taken[0].split(": ", 1)[-1], status=409)
    _store_rows(cycle, [row])
    # For a checked voter the serial stays out of the log: the log's order next to the
    # participations' could otherwise pair a voter with a ballot (secrecy, INV-6/INV-9).
    details = {"valid": row.invalid_reason is None, "voter_checked": row.voter_key is not None}
    if row.voter_key is None:
        details["serial"] = serial
    audit.record("paper.ballot_entered", site, actor=actor, area_id=area_id, after=details)
    return db.session.scalars(sa.select(Ballot).where(
        Ballot.cycle_id == cycle.id, Ballot.serial == serial)).one()


def parse_paper_csv(cycle: Cycle, site: VotingSite, data: bytes,
                    actor: User | None = None) -> list[PaperRow]:
    """Every row checked; FileRejected listing every bad row if there is any."""
    rows = decode_csv(data)
    header = check_header(rows, COLUMNS, OPTIONAL)
    ctx = _context(cycle, site, actor)
    parsed, errors = [], []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            errors.append(_("row %(n)s: expected %(want)s columns, found %(got)s",
                            n=number, want=len(header), got=len(raw)))
            continue
        values = dict(zip(header, raw, strict=True))
        try:
            parsed.append(check_row(ctx, number, values["serial"], values["area_code"],
                                    values["choices"], values.get("voter_ref", "")))
        except RowError as exc:
            errors.append(_("row %(n)s: %(reason)s", n=number, reason=exc))
    if len(parsed) > MAX_ROWS:
        errors.append(_("the file has more than %(max)s ballots", max=MAX_ROWS))
    if not parsed and not errors:
        errors.append(_("the file holds no ballots"))
    errors += _load_taken(ctx, parsed)
    if errors:
        raise FileRejected(errors)
    return parsed


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _claim_file(cycle: Cycle, site: VotingSite, filename: str, digest: str,
                actor: User | None) -> PaperImport:
    """Insert the import row before reading the file: a concurrent import of the same file
    then waits on this unique key and is refused, instead of racing through the rows."""
    record = PaperImport(cycle_id=cycle.id, site_id=site.id, filename=filename[:200],
                         officer_id=actor.id if actor else None, file_sha256=digest,
                         row_count=0, invalid_count=0)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        raise DomainError("already_imported", _("This file has already been imported."),
                          status=409) from None
    return record


def import_paper_csv(cycle: Cycle, site: VotingSite, filename: str, data: bytes,
                     actor: User | None = None) -> PaperImport:
    """Import a whole file or nothing. The file hash is claimed first (unique), so the same
    file sent twice at once is stored once; serials and voters are unique in the database."""
    cycle = _ensure_voting(cycle)
    digest = file_sha256(data)
    record = _claim_file(cycle, site, filename, digest, actor)
    rows = parse_paper_csv(cycle, site, data, actor)
    record.row_count = len(rows)
    record.invalid_count = invalid = sum(1 for r in rows if r.invalid_reason)
    _store_rows(cycle, rows)
    audit.record("paper.import", record, actor=actor, area_id=site.area_id,
                 after={"file_sha256": digest, "site": site.name, "rows": len(rows),
                        "invalid": invalid})
    return record


def list_imports(cycle: Cycle) -> list[PaperImport]:
    return list(db.session.scalars(sa.select(PaperImport).where(
        PaperImport.cycle_id == cycle.id).order_by(PaperImport.id.desc())))


def paper_counts(cycle: Cycle) -> tuple[int, int]:
    """(valid, invalid) paper ballots of the cycle."""
    rows = dict(db.session.execute(sa.select(Ballot.is_valid, sa.func.count(Ballot.id)).where(
        Ballot.cycle_id == cycle.id, Ballot.channel == "paper").group_by(Ballot.is_valid)).all())
    return rows.get(True, 0), rows.get(False, 0)
