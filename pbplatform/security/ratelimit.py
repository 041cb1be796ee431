"""The rate limiter's store (Redis in production) going down: degrade, don't fail.

RATELIMIT_FALLBACK chooses what the rate-limited routes (login, registration, reset, MFA
codes, proposals, the API ...) do while the store is unreachable:

- `refuse` (default): answer 503 with a clear message and Retry-After. No request that should
  be limited runs unlimited, so stopping Redis cannot open the door to password guessing.
- `memory`: Flask-Limiter's in-memory fallback: the same limits, counted per worker process
  (so up to N times looser with N workers) until the store answers again (checked with
  backoff); routes keep working.

Pages without limits never touch the store and are unaffected. /healthz reports the store.
"""

from __future__ import annotations

import logging

import redis.exceptions
from flask import Flask, Response, render_template, request
from flask_babel import gettext
from limits.errors import StorageError

from pbplatform.extensions import limiter

log = logging.getLogger(__name__)
FALLBACKS = ("refuse", "memory")
RETRY_AFTER_SECONDS = 60


def configure_fallback(app: Flask) -> None:
    """Before limiter.init_app: turn the setting into Flask-Limiter's own option."""
    mode = app.config.get("RATELIMIT_FALLBACK", "refuse")
    if mode not in FALLBACKS:
        raise RuntimeError(f"RATELIMIT_FALLBACK must be one of {FALLBACKS}, not {mode!r}")
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = mode == "memory"


def storage_answers() -> bool | None:
    """Whether the rate-limit store answers (memory:// always does); None with limits off."""
    if not limiter.enabled:
        return None
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001  (any failure of the store means "down")
        return False


def _store_down(exc: Exception) -> Response:
    log.error("rate-limit storage unavailable: %s", exc.__class__.__name__)
    message = gettext(
        "This part of the site is briefly unavailable (our protection against abuse cannot be "
        "checked). Nothing was saved; please try again in a few minutes."
    )
    if request.path.startswith("/api/"):
        from pbplatform.errors import problem

        response = problem(503, "rate_limit_unavailable", "Service unavailable", message)
    else:
        html = render_template("errors/error.html", code=503, detail=message)
        response = Response(html, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_storage_errors(app: Flask) -> None:
    for error in (redis.exceptions.RedisError, StorageError):
        app.register_error_handler(error, _store_down)
