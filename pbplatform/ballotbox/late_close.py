"""Recording the close entry of a cycle that was already counting when close entries (the
figures and digest of the unsealed ballots, see `digest`) were introduced: without one its
count is refused (`results.services.check_unsealed`).

`record_late_close` writes a `ballotbox.close_recorded_late` entry from the ballots as they are
now, with the operator's reason, marked as recorded after the fact; the count accepts it and
the results page says the close was attested late. It refuses whenever any close entry of
the cycle exists (authentic or not), so it can never replace a real close's entry and launder
ballots changed since; outside the counting phase; while ballots are still sealed; and while
the audit chain does not verify (whoever removed a real close entry broke the chain); and
unless the log's newest authentic phase entry of the cycle moved it to counting (a phase set
with SQL, skipping the close and its entry, is not laundered).
Flushes, never commits (the command does).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.audit import chain as audit_chain
from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry
from pbplatform.audit.verify import Head
from pbplatform.ballotbox import digest
from pbplatform.ballotbox.services import is_sealed
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.errors import DomainError
from pbplatform.extensions import db

MAX_REASON = 500


def has_close_entry(cycle: Cycle) -> bool:
    """Whether the log holds any close entry of the cycle, real or late, valid or not."""
    found = sa.select(AuditEntry.id).where(
        AuditEntry.action.in_(digest.CLOSE_ACTIONS),
        AuditEntry.object_type == "Cycle",
        AuditEntry.object_id == str(cycle.id),
    )
    return db.session.scalar(found.limit(1)) is not None


def moved_to_counting(cycle: Cycle) -> bool:
    """Whether the newest authentic `cycle.phase` entry of the cycle moved it to counting.
    Whoever can write the database can set the phase without a close (and so without a close
    entry) and store ballots of their choosing; they cannot write that entry's HMAC."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.action == "cycle.phase",
            AuditEntry.object_type == "Cycle",
            AuditEntry.object_id == str(cycle.id),
        )
        .order_by(AuditEntry.id.desc())
    )
    newest = next((entry for entry in entries if audit_chain.authentic(entry)), None)
    return newest is not None and (newest.after or {}).get("phase") == Phase.COUNTING


def _refuse_unless_allowed(cycle: Cycle, reason: str, heads: list[Head]) -> None:
    if not reason or len(reason) > MAX_REASON:
        raise DomainError(
            "reason_needed",
            _("Give the reason (at most %(n)s characters): it is published.", n=MAX_REASON),
        )
    if cycle.phase != Phase.COUNTING:
        raise DomainError(
            "not_counting",
            _("A close entry can be recorded late only for a cycle in counting."),
            status=409,
        )
    if is_sealed(cycle):
        raise DomainError(
            "still_sealed", _("Ballots are still sealed: close voting instead."), status=409
        )
    if has_close_entry(cycle):
        raise DomainError(
            "close_entry_exists",
            _(
                "This cycle already has a close entry; it is never replaced (its count "
                "checks the ballots against it)."
            ),
            status=409,
        )
    if not moved_to_counting(cycle):
        raise DomainError(
            "phase_unattested",
            _(
                "The audit log does not show this cycle moved to counting (no authentic "
                "phase entry): its phase was set in the database. Nothing was recorded."
            ),
            status=409,
        )
    report = audit.check_chain(heads)
    if not report.ok:
        raise DomainError(
            "chain_broken",
            _(
                "The audit chain does not verify (entry %(id)s: %(why)s): an entry may have "
                "been removed. Nothing was recorded; run `flask pb audit verify`.",
                id=report.bad_id,
                why=report.reason,
            ),
            status=409,
        )


def record_late_close(cycle: Cycle, reason: str, heads: list[Head] | None = None) -> AuditEntry:
    """Record the cycle's close entry after the fact, from its ballots as stored now."""
    from pbplatform.cycles.services import lock_cycle

    cycle = lock_cycle(cycle.id)
    reason = " ".join(reason.split())
    _refuse_unless_allowed(cycle, reason, heads or [])
    return audit.record(
        digest.LATE_CLOSE_ACTION,
        cycle,
        actor=audit.SYSTEM,
        after={
            "recorded_after_the_fact": True,
            "reason": reason,
            "unsealed": 0,
            **digest.figures(cycle.id).to_dict(),
        },
    )
