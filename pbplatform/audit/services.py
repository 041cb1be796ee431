"""Write audit entries. Every officer and admin action calls `record`; nothing updates them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from pbplatform.audit.models import AuditEntry
from pbplatform.db import utcnow
from pbplatform.extensions import db

GENESIS = "0" * 64


def _clean(text: str) -> str:
    """Neutralise newlines and control characters so names cannot forge log lines."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system"
    return actor.id, _clean(f"{actor.display_name} <{actor.email}>")


def _last_hash() -> str:
    if db.session.get_bind().dialect.name == "postgresql":
        # Serialise writers so the chain never forks under concurrency.
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))
    last = db.session.scalar(sa.select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()))
    return last or GENESIS


def entry_digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.prev_hash,
            entry.at.isoformat(),
            entry.actor_id,
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.before,
            entry.after,
            entry.outcome,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _describe(
    action: str,
    obj: Any,
    actor: Any,
    area_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    outcome: str,
) -> dict[str, Any]:
    """The entry's content, read now (a rollback would expire the objects it names)."""
    actor_id, label = _actor(actor)
    return {
        "actor_id": actor_id,
        "actor_label": label,
        "action": action,
        "object_type": type(obj).__name__ if obj is not None else None,
        "object_id": str(obj.id) if obj is not None else None,
        "area_id": area_id,
        "before": before,
        "after": after,
        "outcome": outcome,
    }


def _append(fields: dict[str, Any]) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow().replace(microsecond=0),
        prev_hash=_last_hash(),
        ip=request.remote_addr if has_request_context() else None,
        **fields,
    )
    entry.entry_hash = entry_digest(entry)
    db.session.add(entry)
    return entry


def record(
    action: str,
    obj: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    area_id: int | None = None,
    outcome: str = "ok",
) -> AuditEntry:
    """Append one entry: who, when, what, before and after."""
    entry = _append(_describe(action, obj, actor, area_id, before, after, outcome))
    db.session.flush()
    return entry


def record_refusal(
    action: str,
    obj: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    area_id: int | None = None,
    outcome: str = "refused",
) -> None:
    """Record a refused attempt so that it survives the request's rollback.

    A refusal answers with an error status, and transaction.py rolls such requests back. So
    this discards the refused request's own work first (nothing of it may be stored), then
    appends the entry and commits it alone. The rollback comes first on purpose: a second
    connection would wait on the request's own locks (the chain's advisory lock, a locked row).
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    fields = _describe(action, obj, actor, area_id, before, after, outcome)
    db.session.rollback()
    _append(fields)
    db.session.commit()


def verify_chain() -> int | None:
    """Return the id of the first entry whose hash does not verify, or None if all do."""
    prev = GENESIS
    for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev or entry_digest(entry) != entry.entry_hash:
            return entry.id
        prev = entry.entry_hash
    return None
