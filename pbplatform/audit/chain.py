"""The audit chain's arithmetic: canonical hashes and HMACs of entries and of personal rows.

`entry_hash` is the SHA-256 of every chained column (the previous hash included); `entry_mac`
is an HMAC of it under `AUDIT_HMAC_KEY`, a key outside the database, so whoever can write the
database but not read the application's settings cannot re-hash a rewritten chain. The
personal fields are committed to by `personal_digest`, a keyed hash with a per-entry salt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from typing import Any

from flask import current_app

GENESIS = "0" * 64
SCHEME = "pbp-audit-2"


def _key(purpose: str) -> bytes:
    """A key per purpose, derived from AUDIT_HMAC_KEY (or, outside production, SECRET_KEY)."""
    configured = current_app.config.get("AUDIT_HMAC_KEY")
    base = (configured or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(base, f"pbplatform:audit:{purpose}".encode(), hashlib.sha256).digest()


def _mac(purpose: str, payload: str) -> str:
    return hmac.new(_key(purpose), payload.encode(), hashlib.sha256).hexdigest()


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def personal_fields(label: str, ip: str | None, data: dict[str, Any] | None) -> list[Any]:
    return [label, ip, data]


def personal_digest(salt: str, fields: list[Any]) -> str:
    """What the chain holds of the personal fields: nothing readable, nothing guessable."""
    return _mac("personal-commitment", canonical([salt, fields]))


def personal_mac(entry_id: int, pseudonymised: bool, fields: list[Any]) -> str:
    return _mac("personal-row", canonical([entry_id, pseudonymised, fields]))


def entry_hash(entry: Any) -> str:
    """SHA-256 over every column of the chained row except the hash and MAC themselves."""
    at = entry.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    return hashlib.sha256(
        canonical(
            [
                SCHEME,
                entry.id,
                at,
                entry.actor_id,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.area_id,
                entry.before,
                entry.after,
                entry.outcome,
                entry.personal_digest,
                entry.prev_hash,
            ]
        ).encode()
    ).hexdigest()


def entry_mac(digest: str) -> str:
    return _mac("chain", digest)


def authentic(entry: Any) -> bool:
    """Whether the entry's hash and its HMAC (under a key outside the database) verify: what
    whoever can write the database cannot forge."""
    return equal(entry.entry_hash, entry_hash(entry)) and equal(
        entry.entry_mac, entry_mac(entry.entry_hash)
    )


def pseudonym(user_id: int) -> str:
    """The same stable pseudonym for one person in every entry; not reversible without the key."""
    return f"former user {_mac('pseudonym', str(user_id))[:12]}"


def equal(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a, b)
