"""Paper ballots from voting sites: entered one by one or imported as a CSV, all or nothing.

A site either checks voters (every ballot comes with the voter's identity: a census entry
"identifier|birth date|postcode" or an account e-mail, and records a `paper` participation that
blocks voting in every other channel) or is anonymous (only the ballot is stored; the
how-to-vote page says so). What makes a row bad, and what makes a ballot invalid: see
`paper_rows`. Paper ballots are entered while voting is open (the cycle's voting phase).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.ballotbox.services import audit_serial_hash, seal_ballots, sealed_counts
from pbplatform.channels.models import Channel, PaperImport, VotingSite
from pbplatform.channels.paper_rows import (
    PaperRow,
    RowError,
    check_entered_row,
    context,
    load_taken,
    parse_paper_csv,
)
from pbplatform.cycles.models import Cycle
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from pbplatform.voting.services import require_voting_open

# --- sites ---------------------------------------------------------------------------------

# The refusal code a cast after the closing time raises (voting.services).
VOTING_CLOSED = "voting_closed"


def create_site(
    cycle: Cycle,
    name: str,
    address: str,
    area_id: int | None,
    checks_voters: bool,
    actor: User | None = None,
) -> VotingSite:
    if area_id is not None and area_id not in {ca.area_id for ca in cycle.areas}:
        raise DomainError("invalid_area", _("This area does not take part in this cycle."))
    taken = db.session.scalar(
        sa.select(VotingSite.id).where(
            VotingSite.cycle_id == cycle.id, sa.func.lower(VotingSite.name) == name.strip().lower()
        )
    )
    if taken is not None:
        raise DomainError("site_taken", _("A voting site with this name exists already."))
    site = VotingSite(
        cycle_id=cycle.id,
        name=name.strip(),
        address=address.strip(),
        area_id=area_id,
        checks_voters=checks_voters,
    )
    db.session.add(site)
    db.session.flush()
    audit.record(
        "paper.site_create",
        site,
        actor=actor,
        area_id=area_id,
        after={"name": site.name, "address": site.address, "checks_voters": checks_voters},
    )
    return site


def list_sites(cycle: Cycle) -> list[VotingSite]:
    return list(
        db.session.scalars(
            sa.select(VotingSite).where(VotingSite.cycle_id == cycle.id).order_by(VotingSite.name)
        )
    )


# --- storing -------------------------------------------------------------------------------


def _ensure_voting(cycle: Cycle) -> Cycle:
    try:
        return require_voting_open(cycle)
    except DomainError as exc:
        if exc.code != VOTING_CLOSED:
            raise
        raise DomainError(
            "voting_closed", _("Paper ballots are entered while voting is open."), status=409
        ) from None


def _ballot(row: PaperRow, cycle: Cycle) -> Ballot:
    """The row's ballot, unsaved: it goes into the sealed box (ballotbox)."""
    ballot = Ballot(
        cycle_id=cycle.id,
        area_id=row.area_id,
        channel=Channel.PAPER,
        serial=row.serial,
        is_valid=row.invalid_reason is None,
        invalid_reason=row.invalid_reason,
    )
    ballot.choices = [
        BallotChoice(proposal_id=c.proposal_id, points=c.points, stance=c.stance)
        for c in row.choices
    ]
    return ballot


def _store_rows(cycle: Cycle, rows: list[PaperRow]) -> list[Ballot]:
    """Participations and sealed ballots of checked rows, in one savepoint (so in the same
    transaction, like cast_ballot); a race refuses them all. Returns the unsaved ballots."""
    ballots = [_ballot(row, cycle) for row in rows]
    participations = [
        {
            "cycle_id": cycle.id,
            "voter_key": r.voter_key,
            "user_id": r.user_id,
            "channel": Channel.PAPER,
        }
        for r in rows
        if r.voter_key
    ]
    try:
        with db.session.begin_nested():
            if participations:  # Core executemany: thousands of rows, no ORM objects
                db.session.execute(sa.insert(Participation.__table__), participations)
            seal_ballots(cycle, ballots)
    except IntegrityError:
        raise DomainError(
            "paper_conflict",
            _(
                "A serial or a voter was recorded by someone else at the same time; nothing was "
                "stored. Check the ballots and try again."
            ),
            status=409,
        ) from None
    return ballots


def enter_paper_ballot(
    cycle: Cycle,
    site: VotingSite,
    serial: str,
    area_code: str,
    selections: list[tuple[str, str]],
    voter_ref: str = "",
    actor: User | None = None,
) -> Ballot:
    """One ballot typed in by an officer. Bad input raises (nothing stored); a ballot that
    breaks the rule is stored as invalid and returned with `is_valid` False."""
    cycle = _ensure_voting(cycle)
    ctx = context(cycle, site, actor)
    try:
        row = check_entered_row(ctx, serial, area_code, selections, voter_ref)
    except RowError as exc:
        raise DomainError("bad_paper_ballot", str(exc)) from None
    serial, area_id = row.serial, row.area_id
    taken = load_taken(ctx, [row])
    if taken:
        raise DomainError("bad_paper_ballot", taken[0].split(": ", 1)[-1], status=409)
    (ballot,) = _store_rows(cycle, [row])
    # For a checked voter the serial stays out of the log: the log's order next to the
    # participations' could otherwise pair a voter with a ballot (secrecy, INV-6/INV-9).
    # Otherwise only a keyed hash of it (the README's "Ballot secrecy" table): whoever holds
    # the key can find a serial's entry; a database reader learns nothing of the serial.
    details: dict[str, Any] = {
        "valid": row.invalid_reason is None,
        "voter_checked": row.voter_key is not None,
    }
    if row.voter_key is None:
        details["serial_hash"] = audit_serial_hash(cycle, serial)
    audit.record("paper.ballot_entered", site, actor=actor, area_id=area_id, after=details)
    return ballot


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _claim_file(
    cycle: Cycle, site: VotingSite, filename: str, digest: str, actor: User | None
) -> PaperImport:
    """Insert the import row before reading the file: a concurrent import of the same file
    then waits on this unique key and is refused, instead of racing through the rows."""
    record = PaperImport(
        cycle_id=cycle.id,
        site_id=site.id,
        filename=filename[:200],
        officer_id=actor.id if actor else None,
        file_sha256=digest,
        row_count=0,
        invalid_count=0,
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        raise DomainError(
            "already_imported", _("This file has already been imported."), status=409
        ) from None
    return record


def _refuse_imported(digest: str) -> None:
    if db.session.scalar(sa.select(PaperImport.id).where(PaperImport.file_sha256 == digest)):
        raise DomainError("already_imported", _("This file has already been imported."), status=409)


def start_paper_import(
    cycle: Cycle, site: VotingSite, filename: str, data: bytes, actor: User
) -> Any:
    """Import a CSV as a background job (pbplatform/jobs) with a progress page; returns the
    jobs.models.Job. Voting closed and a file imported before are refused at once (in
    development, without Redis, every refusal is: the job runs in the request); the job
    runs `import_paper_csv` (all or nothing, in its one transaction). The file travels with
    the queued job, not in the database."""
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import start_job

    _ensure_voting(cycle)
    _refuse_imported(file_sha256(data))
    params = {"cycle_id": cycle.id, "site_id": site.id, "filename": filename[:200]}
    # In development (no Redis) the import runs now and a refusal answers as it always did.
    return start_job(JobKind.PAPER_IMPORT, actor, params, upload=data, refuse_inline=True)


def import_paper_csv(
    cycle: Cycle,
    site: VotingSite,
    filename: str,
    data: bytes,
    actor: User | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> PaperImport:
    """Import a whole file or nothing. The file hash is claimed first (unique), so the same
    file sent twice at once is stored once; serials and voters are unique in the database.
    `progress(percent, message key)` hears how far it got (the import job's page)."""
    cycle = _ensure_voting(cycle)
    digest = file_sha256(data)
    record = _claim_file(cycle, site, filename, digest, actor)
    rows = parse_paper_csv(cycle, site, data, actor, progress)
    record.row_count = len(rows)
    record.invalid_count = invalid = sum(1 for r in rows if r.invalid_reason)
    if progress is not None:
        progress(70, "sealing")
    _store_rows(cycle, rows)
    audit.record(
        "paper.import",
        record,
        actor=actor,
        area_id=site.area_id,
        after={"file_sha256": digest, "site": site.name, "rows": len(rows), "invalid": invalid},
    )
    return record


def list_imports(cycle: Cycle) -> list[PaperImport]:
    return list(
        db.session.scalars(
            sa.select(PaperImport)
            .where(PaperImport.cycle_id == cycle.id)
            .order_by(PaperImport.id.desc())
        )
    )


def paper_counts(cycle: Cycle) -> tuple[int, int]:
    """(valid, invalid) paper ballots of the cycle: sealed while voting, unsealed after."""
    valid, invalid = sealed_counts(cycle, Channel.PAPER)
    rows = dict(
        db.session.execute(
            sa.select(Ballot.is_valid, sa.func.count(Ballot.id))
            .where(Ballot.cycle_id == cycle.id, Ballot.channel == Channel.PAPER)
            .group_by(Ballot.is_valid)
        ).all()
    )
    return valid + rows.get(True, 0), invalid + rows.get(False, 0)
