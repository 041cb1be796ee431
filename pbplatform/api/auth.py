"""Bearer-token authentication for the API.

State-changing API calls accept ONLY `Authorization: Bearer <token>`, never the session
cookie: a browser never adds that header on its own, so cross-site requests cannot forge
them, which is why the API blueprint is exempt from CSRF tokens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, make_response, request
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.api.services import TokenOwner, authenticate_token
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.security.access import AccessLevel
from pbplatform.security.addresses import address_key

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_owner() -> TokenOwner:
    """The owner of the request's bearer token (one statement, read once per request), or a
    401 `unauthorized` problem."""
    if (owner := g.get("api_token_owner")) is not None:
        return owner
    plaintext = bearer_token()
    owner = authenticate_token(plaintext) if plaintext else None
    if owner is None:
        raise DomainError(
            "unauthorized",
            _("A valid API token is required: send 'Authorization: Bearer <token>'."),
            status=401,
        )
    g.api_token_owner = owner
    # Never the session cookie's user on a bearer request: anonymous until a view asks for the
    # owner's account (`token_user`), who is then the current user (the audit log's actor)
    # for this request only; nothing is written to the session cookie.
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    return owner


def token_user() -> User:
    """The account the request's bearer token belongs to, or a 401 `unauthorized` problem."""
    user = db.session.get(User, token_owner().id)
    if user is None:  # deleted since the token was read
        raise DomainError("unauthorized", _("This account no longer exists."), status=401)
    g._login_user = user
    return user


def current_token_user() -> User:
    """The account of the token `api_token_required` accepted for this request."""
    return token_user()


def current_token_owner() -> TokenOwner:
    """The owner of the token `api_token_required` accepted (no ORM account: casting)."""
    return token_owner()


def api_token_required(view: F) -> F:
    """Declare a view public to the default-deny hook, then require a valid bearer token."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token_owner()
        response = make_response(view(*args, **kwargs))
        response.headers.setdefault("Cache-Control", "no-store")  # personal answers
        return response

    wrapped.access_level = AccessLevel.PUBLIC  # type: ignore[attr-defined]
    wrapped.api_token_required = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def rate_limit_key() -> str:
    """Per token when one is sent (hashed: keys may end up in Redis), else per client address."""
    plaintext = bearer_token()
    if plaintext:
        return "api-token:" + hashlib.sha256(plaintext.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-ip:" + (address_key() or "unknown")


def read_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "60 per minute")


def write_limit() -> str:
    return current_app.config.get("API_WRITE_RATE_LIMIT", "10 per minute")


def address_limit() -> str:
    # Bounds clients that rotate made-up tokens to dodge the per-token limit.
    return current_app.config.get("API_ADDRESS_RATE_LIMIT", "300 per minute")
