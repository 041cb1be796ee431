"""The count and its publication.

`run_count` turns the cycle's valid ballots into one tally election per area and one for the
district-wide pot, counts each with `pbplatform.tally` under the cycle's declared rule, and
stores everything (inputs' config, outcome, names and costs as they were) as a new
`ResultVersion` whose `content_hash` is the SHA-256 of its canonical JSON. `publish_results`
makes one version public; published versions are never changed (see results.models), and a
re-count is a new version, so the history stays visible.

Every input is read once, in `results.election.count_input` (the rule, every list's
proposals, ballots and dots, the savings list, whose ``budget_bonus_minor`` (the announced
share of savings achieved) is added to the district-wide budget); this module counts and
stores.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform import tally
from pbplatform.accounts.models import User
from pbplatform.audit import chain as audit_chain
from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry
from pbplatform.ballotbox import digest
from pbplatform.ballotbox.services import is_sealed
from pbplatform.cycles import services as cycle_services
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.results import files
from pbplatform.results.election import DISTRICT, ListInput, count_input, turnout
from pbplatform.results.models import ResultVersion
from pbplatform.results.recount import aggregate_rows

__all__ = ["DISTRICT", "can_count", "publish_results", "run_count", "turnout"]

COUNT_PHASES = (Phase.COUNTING, Phase.RESULTS)


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(config: dict[str, Any], outcome: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a version's config and outcome."""
    return hashlib.sha256(
        canonical_json({"config": config, "outcome": outcome}).encode()
    ).hexdigest()


def _project_rows(lst: ListInput, outcome: tally.Outcome) -> list[dict[str, Any]]:
    """The ranked list with names, costs side by side and the running total of funded ones."""
    by_id = {str(p.id): p for p in lst.proposals}
    running, rows = 0, []
    for r in outcome.projects:
        p = by_id[r.id]
        if r.selected:
            running += r.cost
        c = lst.costs[p.id]
        rows.append(
            {
                **r.to_dict(),
                "title": p.record_title,
                "hidden": p.is_hidden,
                "tracking_number": p.tracking_number,
                "gross": c.gross_minor,
                "coproduction": c.coproduction_minor,
                "net": c.net_minor,
                "running_total": running if r.selected else None,
                # Funded thanks to co-production offers: conditional on them.
                "conditional": c.is_conditional,
            }
        )
    return rows


def _count_list(lst: ListInput, config: tally.RuleConfig) -> dict[str, Any]:
    try:
        outcome = tally.count(lst.election, config)
    except tally.TallyError as exc:
        raise DomainError(
            "count_failed", _("The count could not run: %(why)s", why=str(exc)), status=422
        ) from exc
    return {
        "key": lst.key,
        "area_id": lst.area_id,
        "name": lst.name,
        "budget": lst.budget,
        "spent": outcome.spent,
        "left": lst.budget - outcome.spent,
        "ballots_per_channel": lst.ballots_per_channel,
        "invalid_per_channel": lst.invalid_per_channel,
        "aggregate_channels": sorted({a.channel for a in lst.election.aggregates}),
        # The totals as counted, so the list's ballots file can carry them (exact recount).
        "aggregates": aggregate_rows(lst.election.aggregates),
        "tally": outcome.to_dict(),
        "projects": _project_rows(lst, outcome),
        # Projects two officers took off the ballot after voting opened: not counted, and
        # the results page says so (issue 12).
        "withdrawn": lst.withdrawn,
    }


def _require_counter(officer: User) -> None:
    """Counting and publishing act on every area: admins or officers without area limits."""
    if not can_count(officer):
        raise DomainError(
            "forbidden",
            _(
                "Only an administrator or an officer for the whole "
                "district may count and publish results."
            ),
            status=403,
        )


def can_count(user: User) -> bool:
    return user.is_admin or (user.is_officer and not user.officer_area_list)


def run_count(cycle: Cycle, officer: User) -> ResultVersion:
    """Count every list under the cycle's rule and store the outcome as a new version.

    One straight line: lock, read every list's input in one place, count, store.
    """
    _require_counter(officer)
    cycle = cycle_services.lock_cycle(cycle.id)  # serialises concurrent counts (version numbers)
    if cycle.phase not in COUNT_PHASES:
        raise DomainError("not_counting", _("Close voting before counting."), status=409)
    if is_sealed(cycle):  # a phase set around the close: the box's ballots would go uncounted
        raise DomainError(
            "still_sealed",
            _("Some ballots are still sealed: close voting, which unseals them, before counting."),
            status=409,
        )
    try:
        close = check_unsealed(cycle)
    except DomainError as exc:
        # Refused before anything is stored, and audited (the refusal survives the rollback).
        audit.record_refusal(
            "results.count", cycle, actor=officer, after={"code": exc.code, "why": exc.message}
        )
        raise
    given = count_input(cycle)
    config_json = given.config_json
    outcome_json = json.loads(
        canonical_json(
            {
                "lists": [_count_list(lst, given.config) for lst in given.lists],
                "savings": given.savings,
                "turnout": given.turnout,
                "savings_bonus_minor": given.bonus,
                # what the close unsealed (its audit entry), which these ballots match
                "close": close,
            }
        )
    )
    last = (
        db.session.scalar(
            sa.select(sa.func.max(ResultVersion.version)).where(ResultVersion.cycle_id == cycle.id)
        )
        or 0
    )
    version = ResultVersion(
        cycle_id=cycle.id,
        version=last + 1,
        config=config_json,
        outcome=outcome_json,
        content_hash=content_hash(config_json, outcome_json),
        counted_by_id=officer.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "results.count",
        version,
        actor=officer,
        after={
            "cycle": cycle.slug,
            "version": version.version,
            "content_hash": version.content_hash,
        },
    )
    return version


def _close_entry(cycle: Cycle) -> AuditEntry:
    """The newest close entry of the cycle (`ballotbox.unsealed`, or one recorded late by
    `flask pb record-close-entry`) whose hash and HMAC verify. Entries that do not verify are
    passed over (one forged by whoever can append to the log must not stop every count;
    `flask pb audit verify` names it); none at all that verifies is refused."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.action.in_(digest.CLOSE_ACTIONS),
            AuditEntry.object_type == "Cycle",
            AuditEntry.object_id == str(cycle.id),
        )
        .order_by(AuditEntry.id.desc())
    ).all()
    if not entries:
        raise DomainError(
            "close_unrecorded",
            _(
                "The audit log holds no record of what the close of voting unsealed, so the "
                "ballots cannot be checked: nothing was counted."
            ),
            status=409,
        )
    for entry in entries:
        if audit_chain.authentic(entry):
            return entry
    raise DomainError(
        "close_not_authentic",
        _(
            "The audit entry %(id)s recording the close of voting does not verify (hash or "
            "HMAC): it was changed or forged in the database. Nothing was counted.",
            id=entries[0].id,
        ),
        status=409,
    )


def _mismatch(entry: AuditEntry, found: list[tuple[str, int, int]]) -> DomainError:
    from pbplatform.channels.models import Channel
    from pbplatform.vocabulary import label

    parts = []
    for what, before, now in found:
        if what == "contents":
            parts.append(_("same number of ballots, but their contents differ (digest)"))
        elif what == "areas":
            parts.append(_("the ballots' areas differ"))
        else:
            parts.append(
                _(
                    "%(channel)s: %(before)s ballots at the close, %(now)s now",
                    channel=label(what, Channel),
                    before=before,
                    now=now,
                )
            )
    return DomainError(
        "ballots_changed",
        _(
            "The ballots differ from those the close of voting unsealed (audit entry %(id)s): "
            "%(what)s. They were changed in the database; nothing was counted. Please tell "
            "the council.",
            id=entry.id,
            what="; ".join(parts),
        ),
        status=409,
    )


def check_unsealed(cycle: Cycle) -> dict[str, Any]:
    """Refuse unless the cycle's ballots are exactly those the close unsealed: same counts per
    channel and area, same digest (ballotbox.digest). Returns the close's figures.

    On PostgreSQL the ballot tables are locked against writes (SHARE) for the rest of the
    count's transaction, so the count reads the very ballots checked here.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE ballots, ballot_choices IN SHARE MODE"))
    entry = _close_entry(cycle)
    recorded = digest.Figures.from_dict(entry.after or {})
    found = digest.differences(recorded, digest.figures(cycle.id))
    if found:
        raise _mismatch(entry, found)
    close = {"audit_entry": entry.id, **recorded.to_dict()}
    if entry.action == digest.LATE_CLOSE_ACTION:  # shown with the results: attested late
        reason = (entry.after or {}).get("reason", "")
        close["recorded_late"] = {"at": entry.at.isoformat(), "reason": reason}
    return close


def publish_results(version: ResultVersion, officer: User) -> ResultVersion:
    """Make a counted version public; a second person must publish what the first counted."""
    _require_counter(officer)
    if version.is_published:
        raise DomainError("already_published", _("This version is already published."), status=409)
    if version.counted_by_id == officer.id:
        raise DomainError(
            "four_eyes",
            _(
                "A second officer must publish: you ran this count, so "
                "someone else has to check and publish it."
            ),
            status=403,
        )
    newest = db.session.scalar(
        sa.select(sa.func.max(ResultVersion.version)).where(
            ResultVersion.cycle_id == version.cycle_id
        )
    )
    if version.version != newest:
        raise DomainError(
            "superseded", _("A newer count exists; publish the newest version."), status=409
        )
    if content_hash(version.config, version.outcome) != version.content_hash:
        raise DomainError(
            "hash_mismatch",
            _("This version's content does not match its hash; count again."),
            status=409,
        )
    head = audit.chain_head()  # the log as it stands at publication, published with it
    version.audit_head_id = head.id if head else None
    version.audit_head_hash = head.hash if head else None
    version.published_at = utcnow()
    version.published_by_id = officer.id
    db.session.flush()
    # Its downloads are built now, once: later downloads serve these bytes (results.files).
    built = files.build_files(version)
    # The cycle's open data too (pbplatform/delivery/opendata.py); delivery rebuilds it later.
    from pbplatform.delivery.opendata import build_release

    build_release(db.session.get_one(Cycle, version.cycle_id))
    audit.record(
        "results.publish",
        version,
        actor=officer,
        after={
            "version": version.version,
            "content_hash": version.content_hash,
            "audit_head": f"{version.audit_head_id}:{version.audit_head_hash}",
            # Each download's SHA-256, under the entry's HMAC: the file cache checks a file
            # against its row, and whoever writes the row can write both (`file_attested`).
            "files": {file.list_key: file.sha256 for file in built},
        },
    )
    from pbplatform.notifications.services import announce_results  # it imports results' models

    announce_results(version.cycle_id)
    return version


def _publish_entries(version: ResultVersion) -> list[dict[str, Any]]:
    """What the version's authentic `results.publish` entries say (their `after`), those whose
    content hash is the version's: the one reading of the publication both checks below use."""
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "results.publish",
            AuditEntry.object_type == "ResultVersion",
            AuditEntry.object_id == str(version.id),
        )
    )
    said = [(entry, entry.after or {}) for entry in entries]
    return [
        after
        for entry, after in said
        if after.get("content_hash") == version.content_hash and audit_chain.authentic(entry)
    ]


def publication_attested(version: ResultVersion) -> bool:
    """Whether the audit log holds an authenticated `results.publish` entry for this version
    with its content hash. The content hash alone is a plain SHA-256 that whoever can write the
    row can recompute (a forged version inserted by the app role, an outcome re-hashed by the
    owner); the entry carries an HMAC under a key outside the database."""
    return bool(_publish_entries(version))


def file_attested(version: ResultVersion, list_key: str, sha256: str) -> bool:
    """Whether an authentic `results.publish` entry of this version names this download with
    this SHA-256. Entries written before they named files (no "files") attest only the lists
    the version's outcome has: their bytes rest on the guard of result_files alone."""
    for after in _publish_entries(version):
        named = after.get("files")
        if isinstance(named, dict):
            return named.get(list_key) == sha256
        return any(lst.get("key") == list_key for lst in version.outcome.get("lists", []))
    return False


def check_published(version: ResultVersion) -> ResultVersion:
    """Refuse, loudly, to show a version whose content no longer matches its hash, or a
    published version whose publication the audit log does not attest.

    The row is protected by a trigger, but its owner can lift that; a page showing a changed
    outcome beside the old hash would look verified. Nothing is shown instead.
    """
    if content_hash(version.config, version.outcome) != version.content_hash or (
        version.is_published and not publication_attested(version)
    ):
        raise DomainError(
            "result_tampered",
            _(
                "The stored results of version %(n)s do not match their published content "
                "hash: they were changed in the database. They are not shown. Please tell "
                "the council; the published hash and the anonymous ballots allow a recount.",
                n=version.version,
            ),
            status=500,
        )
    return version


def start_count(cycle: Cycle, officer: User) -> Any:
    """The officer's count as a background job (pbplatform/jobs) that calls `run_count`.

    Refusals that need no counting (who may count, the phase) come at once; the job itself
    checks again inside its own transaction. Returns the jobs.models.Job.
    """
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import start_job

    _require_counter(officer)
    if cycle.phase not in COUNT_PHASES:
        raise DomainError("not_counting", _("Close voting before counting."), status=409)
    return start_job(JobKind.COUNT, officer, {"cycle_id": cycle.id})
