"""The rate limiter's store (Redis in production) going down: degrade, don't fail.

RATELIMIT_FALLBACK chooses what the rate-limited routes (login, registration, reset, MFA
codes, proposals, the API, downloads ...) do while the store is unreachable:

- `refuse` (default): answer 503 with a clear message and Retry-After. No request that should
  be limited runs unlimited, so stopping Redis cannot open the door to password guessing.
- `memory`: Flask-Limiter's in-memory fallback: the same limits, counted per worker process
  (so up to N times looser with N workers) until the store answers again (checked with
  backoff); routes keep working. The API and the downloads count their own limits
  (`hit_all`, `enforce`) the same way.

Pages without limits never touch the store and are unaffected. /healthz reports the store.
"""

from __future__ import annotations

import functools
import logging
import math
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import redis.exceptions
from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import gettext
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisClusterStorage, RedisStorage, Storage
from werkzeug.exceptions import TooManyRequests

from pbplatform.extensions import limiter
from pbplatform.security.addresses import address_key

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
    app.after_request(_rate_limit_headers)


# --- several limits in one round trip (the API's; see api/views.py) -------------------------

# INCR each key; a new key (or one that lost its expiry) gets its window; returns count and
# seconds to the window's end for each key, in order. Atomic: one script, one round trip.
HIT_ALL_LUA = b"""
local out = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    local ttl = redis.call('TTL', key)
    if count == 1 or ttl < 0 then
        redis.call('EXPIRE', key, ARGV[i])
        ttl = tonumber(ARGV[i])
    end
    out[2 * i - 1] = count
    out[2 * i] = ttl
end
return out
"""
MAX_BACKOFF_SECONDS = 64
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Count:
    """One limit after this request: how many requests its window has counted, and when it ends."""

    limit: RateLimitItem
    count: int
    reset_at: float  # epoch seconds

    @property
    def remaining(self) -> int:
        return max(0, self.limit.amount - self.count)

    @property
    def breached(self) -> bool:
        return self.count > self.limit.amount


@dataclass
class _Fallback:
    """The per-process store used while the shared one is down (RATELIMIT_FALLBACK=memory)."""

    storage: MemoryStorage = field(default_factory=MemoryStorage)
    dead_until: float = 0.0
    failures: int = 0


# Per store (each app's limiter configuration has its own): its script, its fallback state.
_scripts: weakref.WeakKeyDictionary[Storage, Any] = weakref.WeakKeyDictionary()
_fallbacks: weakref.WeakKeyDictionary[Storage, _Fallback] = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=64)
def parse_limits(text: str) -> tuple[RateLimitItem, ...]:
    """'60 per minute;1000 per hour' as limit items (settings do not change while running)."""
    return tuple(parse_many(text))


def hit_all(hits: Sequence[tuple[RateLimitItem, str, str]]) -> list[Count]:
    """Count this request against each (limit, key, scope), fixed windows, as Flask-Limiter's
    default strategy counts: with Redis in ONE round trip (Flask-Limiter spends one per limit
    and two more for the X-RateLimit headers). Every window counts the request, also when
    another limit refuses it.

    The store down: RATELIMIT_FALLBACK=refuse raises (the 503 of `_store_down`); `memory`
    counts in this process meanwhile and tries the store again after a growing pause, as
    Flask-Limiter's own fallback does."""
    prefix = (
        [current_app.config["RATELIMIT_KEY_PREFIX"]]
        if current_app.config.get("RATELIMIT_KEY_PREFIX")
        else []
    )
    keys = [(limit, limit.key_for(*prefix, key, scope)) for limit, key, scope in hits]
    store = limiter.storage
    if (fallback := _fallbacks.get(store)) is None:
        fallback = _fallbacks[store] = _Fallback()
    if fallback.dead_until > time.time():
        return _hit_each(fallback.storage, keys)
    try:
        counts = _hit_store(store, keys)
    except (redis.exceptions.RedisError, StorageError):
        if current_app.config.get("RATELIMIT_FALLBACK") != "memory":
            raise
        fallback.failures += 1
        pause = min(2**fallback.failures, MAX_BACKOFF_SECONDS)
        fallback.dead_until = time.time() + pause
        log.error("rate-limit storage unavailable: counting in this process for %d s", pause)
        return _hit_each(fallback.storage, keys)
    fallback.failures = 0
    return counts


def _hit_store(storage: Storage, keys: list[tuple[RateLimitItem, str]]) -> list[Count]:
    if not isinstance(storage, RedisStorage) or isinstance(storage, RedisClusterStorage):
        return _hit_each(storage, keys)  # a cluster spreads the keys over its nodes
    if (script := _scripts.get(storage)) is None:
        script = _scripts[storage] = storage.get_connection().register_script(HIT_ALL_LUA)
    raw = script(
        keys=[storage.prefixed_key(key) for _limit, key in keys],
        args=[limit.get_expiry() for limit, _key in keys],
    )
    now = time.time()
    return [
        Count(limit, int(raw[2 * i]), now + int(raw[2 * i + 1]))
        for i, (limit, _key) in enumerate(keys)
    ]


def _hit_each(storage: Storage, keys: list[tuple[RateLimitItem, str]]) -> list[Count]:
    return [
        Count(limit, storage.incr(key, limit.get_expiry()), storage.get_expiry(key))
        for limit, key in keys
    ]


# --- limits a view counts itself (the API's, the downloads') ---------------------------------


def enforce(hits: Sequence[tuple[RateLimitItem, str, str]]) -> None:
    """Count this request (`hit_all`, one round trip) and keep the limit nearest to refusing
    for the X-RateLimit headers; TooManyRequests (429, Retry-After) if any limit is exceeded."""
    counts = hit_all(hits)
    g.rate_limit = min(counts, key=lambda c: (c.remaining, -c.reset_at))
    if breached := [c for c in counts if c.breached]:
        log.info("ratelimit %s exceeded at %s", breached[0].limit, request.endpoint)
        g.rate_limit = max(breached, key=lambda c: c.reset_at)
        raise TooManyRequests(retry_after=_retry_after(g.rate_limit))


def _retry_after(count: Count) -> int:
    return max(1, math.ceil(count.reset_at - time.time()))


def _rate_limit_headers(response: Response) -> Response:
    """X-RateLimit-* (and Retry-After on a refusal) of the limit `enforce` kept, as
    Flask-Limiter writes them for its own limits."""
    count: Count | None = g.get("rate_limit")
    if count is not None and current_app.config.get("RATELIMIT_HEADERS_ENABLED"):
        response.headers["X-RateLimit-Limit"] = str(count.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(count.remaining)
        response.headers["X-RateLimit-Reset"] = str(int(count.reset_at))
        if count.breached and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(_retry_after(count))
    return response


def limit_per_address(setting: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The view's limit per client address, read from the setting `setting`, counted by
    `enforce` in one round trip instead of Flask-Limiter's three (its hit, then two reads for
    the headers); each view counts on its own, as Flask-Limiter's per-route limits do."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def limited(*args: P.args, **kwargs: P.kwargs) -> R:
            if limiter.enabled:
                limits = parse_limits(current_app.config[setting])
                enforce([(limit, address_key(), str(request.endpoint)) for limit in limits])
            return view(*args, **kwargs)

        return limited

    return decorate
