"""Write audit entries. Every officer and admin action calls `record`; nothing updates them,
except `pseudonymise_person`, which replaces a person's personal fields with a pseudonym."""

from __future__ import annotations

import re
import secrets
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from pbplatform.audit import chain
from pbplatform.audit.chain import GENESIS
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.audit.verify import Head, Report, check_chain
from pbplatform.db import utcnow
from pbplatform.extensions import db

__all__ = [
    "GENESIS",
    "SYSTEM",
    "Head",
    "Report",
    "chain_head",
    "check_chain",
    "forget_object_personal",
    "pseudonymise_person",
    "record",
    "record_refusal",
    "verify_chain",
]

# Keys of before/after whose values are personal: they go to audit_personal, and the chained
# row keeps the key with this marker. "name" is personal only when the object is a person.
PERSONAL_KEYS = frozenset(
    {"email", "display_name", "full_name", "address", "postal_address", "phone", "birth_date"}
)
PERSONAL_MARK = "[personal]"
PERSON_TYPES = frozenset({"User"})


def _clean(text: str) -> str:
    """Neutralise newlines and control characters so names cannot forge log lines."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


# Pass as `actor` to record an entry as the system even inside someone's request.
SYSTEM = object()


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is SYSTEM:
        return None, "system"
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system"
    return actor.id, _clean(f"{actor.display_name} <{actor.email}>")[:120]


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        # Serialise writers so the chain never forks and ids follow the chain's order.
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))


def _newest() -> AuditEntry | None:
    return db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))


def _next_id() -> int:
    """The new entry's id, known before the insert because the hash covers it."""
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(
            sa.text("SELECT nextval(pg_get_serial_sequence('audit_entries', 'id'))")
        )
    return (db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0) + 1


def chain_head() -> Head | None:
    """The newest entry as `Head(id, hash)` (taking the writers' lock, so it stays the head
    until this transaction ends), or None for an empty log."""
    _lock_chain()
    newest = _newest()
    return None if newest is None else Head(newest.id, newest.entry_hash)


def _split(object_type: str | None, values: dict[str, Any] | None) -> tuple[Any, dict | None]:
    """(chained, personal): personal values leave the chained dict, their keys stay marked."""
    if not values:
        return values, None
    keys = PERSONAL_KEYS | ({"name"} if object_type in PERSON_TYPES else set())
    personal = {k: v for k, v in values.items() if k in keys and v is not None}
    chained = {k: (PERSONAL_MARK if k in personal else v) for k, v in values.items()}
    return chained, personal or None


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
    object_type = type(obj).__name__ if obj is not None else None
    before, before_personal = _split(object_type, before)
    after, after_personal = _split(object_type, after)
    data = {k: v for k, v in (("before", before_personal), ("after", after_personal)) if v}
    return {
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(obj.id) if obj is not None else None,
        "area_id": area_id,
        "before": before,
        "after": after,
        "outcome": outcome,
        "personal": (label, request.remote_addr if has_request_context() else None, data or None),
    }


def _append(fields: dict[str, Any]) -> AuditEntry:
    label, ip, data = fields.pop("personal")
    _lock_chain()
    newest = _newest()
    personal = chain.personal_fields(label, ip, data)
    salt = secrets.token_hex(16)
    entry = AuditEntry(
        id=_next_id(),
        at=utcnow().replace(microsecond=0),
        prev_hash=newest.entry_hash if newest else GENESIS,
        personal_digest=chain.personal_digest(salt, personal),
        **fields,
    )
    entry.entry_hash = chain.entry_hash(entry)
    entry.entry_mac = chain.entry_mac(entry.entry_hash)
    entry.personal = AuditPersonal(
        entry_id=entry.id,
        actor_label=label,
        ip=ip,
        data=data,
        salt=salt,
        pseudonymised=False,
        mac=chain.personal_mac(entry.id, False, personal),
    )
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


def verify_chain(heads: list[Head] | tuple[Head, ...] = ()) -> int | None:
    """The id of the first entry that does not verify (or of a published head that is gone),
    or None if the whole chain verifies. See `check_chain` for the reason."""
    return check_chain(heads).bad_id


# --- pseudonymisation (erasure, issue 18) --------------------------------------------------


def _replace(value: Any, needles: list[str], name: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), name, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, dict):
        return {k: _replace(v, needles, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, needles, name) for v in value]
    return value


def _about(user_id: int, needles: list[str]) -> sa.Select[AuditPersonal, AuditEntry]:
    linked = sa.or_(
        AuditEntry.actor_id == user_id,
        sa.and_(AuditEntry.object_type.in_(PERSON_TYPES), AuditEntry.object_id == str(user_id)),
    )
    for needle in needles[:1]:  # the e-mail address: found wherever it was written down
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        linked = sa.or_(
            linked,
            AuditPersonal.actor_label.ilike(pattern, escape="\\"),
            sa.cast(AuditPersonal.data, sa.Text).ilike(pattern, escape="\\"),
        )
    return (
        sa.select(AuditPersonal, AuditEntry)
        .join(AuditEntry, AuditEntry.id == AuditPersonal.entry_id)
        .where(linked)
        .order_by(AuditPersonal.entry_id)
    )


def forget_object_personal(object_type: str, object_id: int) -> int:
    """Replace the personal values of every entry about one object (a named survey response,
    whose entry held the respondent's name) by "[erased]", when the object is erased; the
    chain keeps verifying as for `pseudonymise_person`. Returns the entries changed."""
    rows = db.session.execute(
        sa.select(AuditPersonal)
        .join(AuditEntry, AuditEntry.id == AuditPersonal.entry_id)
        .where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id == str(object_id),
            AuditPersonal.data.is_not(None),
        )
    ).scalars()
    changed = 0
    for personal in rows:
        given = personal.data or {}
        data = {side: dict.fromkeys(values, "[erased]") for side, values in given.items()}
        personal.data, personal.salt, personal.pseudonymised = data, None, True
        personal.mac = chain.personal_mac(
            personal.entry_id, True, chain.personal_fields(personal.actor_label, personal.ip, data)
        )
        changed += 1
    db.session.flush()
    return changed


# Complexity: walks the few places an audit entry can name a person (actor, subject, e-mail in
# details, personal row); each is a branch.
def pseudonymise_person(user_id: int) -> int:
    """Replace the person's name, e-mail and address in every audit entry by a stable pseudonym.

    Call it BEFORE the account's e-mail and name are overwritten: they are what is searched
    for (entries where the person acted or was acted upon, and any entry naming the e-mail,
    such as a failed login). The chain keeps verifying: the chained rows hold only a salted
    digest of the personal fields; the rewritten personal rows lose their salt (so nobody can
    confirm what they said) and are authenticated by their own HMAC. Returns the number of
    entries changed, and records the act itself. Flushes only.
    """
    from pbplatform.accounts.models import User

    user = db.session.get(User, user_id)
    needles = [s for s in (user.email, user.display_name) if s] if user else []
    name = chain.pseudonym(user_id)
    changed = 0
    for personal, entry in db.session.execute(_about(user_id, needles)).all():
        acted = entry.actor_id == user_id
        about = entry.object_type in PERSON_TYPES and entry.object_id == str(user_id)
        label = name if acted else _replace(personal.actor_label, needles, name)
        data = personal.data
        if about and data:
            data = {side: {k: name for k in values} for side, values in data.items()}
        data = _replace(data, needles, name)
        ip = None if acted else personal.ip
        if (label, ip, data) == (personal.actor_label, personal.ip, personal.data):
            continue
        personal.actor_label, personal.ip, personal.data = label, ip, data
        personal.salt, personal.pseudonymised = None, True
        personal.mac = chain.personal_mac(entry.id, True, chain.personal_fields(label, ip, data))
        changed += 1
    db.session.flush()
    if changed:
        # As the system: the person erasing their own account must not be named again.
        record("audit.pseudonymised", after={"user_id": user_id, "entries": changed}, actor=SYSTEM)
    return changed
