"""Login throttling that slows guessing without letting anyone lock out a chosen account.

Only failed logins count, in three buckets (Flask-Limiter, shared through Redis):

- per client address (LOGIN_RATE_LIMIT): one address guessing at many accounts. The address
  is `security.addresses.address_key`, the key of every per-address limit: an IPv4 address,
  or an IPv6 client's /64 (it holds all of it);
- per account AND address (LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT): one address guessing at one
  account. Another address is not affected, so an attacker hammering an officer's e-mail from
  their own machines does not stop the officer logging in from theirs;
- per account from browsers that have never logged in to it (LOGIN_ACCOUNT_RATE_LIMIT, 100 an
  hour by default, ASVS 2.2.1): many addresses (a botnet) guessing at one account. A browser
  that has logged in to the account before carries a signed "known device" cookie for it
  and is exempt from this bucket (the OWASP device-cookie scheme), so even a distributed attack
  keeps the account's owner out only of browsers they never used.

The cookie holds keyed hashes of the e-mail addresses logged in with (never the addresses),
signed with SECRET_KEY; it grants nothing but this exemption.
"""

from __future__ import annotations

import time

from flask import Response, after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from pbplatform.channels.pepper import peppered_hash

DEVICE_COOKIE = "pbp_device"
DEVICE_MAX_AGE = 180 * 24 * 60 * 60
MAX_ACCOUNTS = 5  # per browser


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="pbplatform:known-device")


def _cookie_name() -> str:
    # Over HTTPS the __Host- prefix pins the cookie to this host (as the session cookie).
    return ("__Host-" if current_app.config.get("SESSION_COOKIE_SECURE") else "") + DEVICE_COOKIE


def _account_key(email: str) -> str:
    return peppered_hash("known-device", (email or "").strip().lower()[:254])[:32]


def _known_accounts() -> dict[str, int]:
    raw = request.cookies.get(_cookie_name())
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(value, dict):
        return {}
    now = time.time()
    return {k: v for k, v in value.items() if isinstance(v, int) and now - v < DEVICE_MAX_AGE}


def is_known_device() -> bool:
    """Whether this browser has logged in before to the account whose e-mail was submitted
    (exempts the attempt from the account-wide bucket only)."""
    return _account_key(request.form.get("email", "")) in _known_accounts()


def remember_device(email: str) -> None:
    """After a complete login: mark this browser as known for the account."""
    known = _known_accounts()
    known[_account_key(email)] = int(time.time())
    newest = dict(sorted(known.items(), key=lambda kv: kv[1])[-MAX_ACCOUNTS:])

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(
            _cookie_name(),
            _serializer().dumps(newest),
            max_age=DEVICE_MAX_AGE,
            path="/",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
        return response
