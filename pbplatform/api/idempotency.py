"""`Idempotency-Key` for API writes: a retry with the same key returns the first outcome.

Only successful outcomes are remembered (an error rolls the whole request back, so a retry
after an error simply runs again: nothing was stored). The remembered outcome is written in
the same transaction as the write, and UNIQUE(user_id, key_hash) makes a concurrent duplicate
fail and roll back instead of writing twice.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.api.models import ApiIdempotencyKey
from pbplatform.api.services import TokenOwner
from pbplatform.db import insert_unless_present
from pbplatform.errors import DomainError
from pbplatform.extensions import db

HEADER = "Idempotency-Key"
KEY_MAX = 200


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def request_key() -> str | None:
    """The hashed Idempotency-Key header, or None; a malformed key is a 400 problem."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not 0 < len(raw) <= KEY_MAX or not all(0x21 <= ord(ch) <= 0x7E for ch in raw):
        raise DomainError(
            "invalid_parameter",
            _("Idempotency-Key must be 1 to %(n)d visible ASCII characters.", n=KEY_MAX),
            status=400,
        )
    return _sha256(raw)


def fingerprint(data: Any = None) -> str:
    """What the key was used for: method, path and (unless None) the body."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":")) if data is not None else ""
    return _sha256(f"{request.method} {request.path} {body}")


def replay(user: User | TokenOwner, key_hash: str | None, request_hash: str) -> Response | None:
    """The remembered response for this key, or None if the key is new."""
    if key_hash is None:
        return None
    previous = db.session.scalar(
        sa.select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.user_id == user.id, ApiIdempotencyKey.key_hash == key_hash
        )
    )
    if previous is None:
        return None
    if previous.request_hash != request_hash:
        raise DomainError(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
            status=422,
        )
    response = jsonify(previous.body)
    response.status_code = previous.status
    if previous.location:
        response.headers["Location"] = previous.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(
    user: User | TokenOwner,
    key_hash: str | None,
    request_hash: str,
    status: int,
    body: dict[str, Any],
    location: str | None = None,
    *,
    ballot_cycle_id: int | None = None,
) -> None:
    """Store the outcome with the write; a concurrent twin with the same key gets a 409.

    `ballot_cycle_id`: the write cast a ballot in that cycle; the record is deleted when its
    voting closes (ballotbox.services.unseal_box)."""
    if key_hash is None:
        return
    row = {
        "user_id": user.id,
        "key_hash": key_hash,
        "request_hash": request_hash,
        "status": status,
        "body": body,
        "location": location,
        "cycle_id": ballot_cycle_id,
    }
    # ON CONFLICT DO NOTHING (no savepoint): a twin that stored the key first wins.
    if not insert_unless_present(db.session, ApiIdempotencyKey.__table__, row):
        raise DomainError(
            "idempotency_conflict",
            _("A request with this Idempotency-Key is already being processed; retry shortly."),
            status=409,
        )
