"""Caching headers for published results.

A versioned URL (`?version=N`) names content that never changes: its files are cached for a
year as immutable. A URL without a version follows the newest publication, so it is cached
briefly. The results page carries the header, the language switcher (with a session's CSRF
token) and, when logged in, the account's links: it is `private`, briefly for anonymous
visitors, revalidated every time for signed-in ones; its ETag names the version, the language,
the history of publications and who is looking.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from flask import Response, request, session
from flask_login import current_user

from pbplatform.security.sessions import ignores_session

IMMUTABLE = "public, max-age=31536000, immutable"
UNVERSIONED_MAX_AGE = 60  # seconds a URL without `version=` may be reused
# The page's CSRF token expires (Flask-WTF: an hour); a reused page must be younger.
TOKEN_WINDOW = 1800


def page_etag(content_hash: str, locale: str, history: tuple[Any, ...]) -> str:
    viewer = current_user.get_id() if current_user.is_authenticated else "anonymous"
    window = int(time.time() // TOKEN_WINDOW)
    parts = repr((content_hash, locale, history, viewer, window)).encode()
    return hashlib.sha256(parts).hexdigest()[:32]


def not_modified(etag: str) -> bool:
    """The client holds this ETag, and no flash message waits to be shown on a fresh page."""
    return request.if_none_match.contains_weak(etag) and not session.get("_flashes")


def file_not_modified(etag: str) -> bool:
    """The client holds this file's ETag (a file shows no flash message: unlike a page, a
    waiting one does not matter)."""
    return request.if_none_match.contains_weak(etag)


def page_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag, weak=True)
    response.cache_control.private = True
    if current_user.is_authenticated:
        response.cache_control.no_cache = True
    else:
        response.cache_control.max_age = UNVERSIONED_MAX_AGE
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def file_headers(response: Response, sha256: str, *, versioned: bool) -> Response:
    """A published file's caching headers. `public`: the same bytes for every reader, so an
    anonymous download sets no cookie and no `Vary: Cookie` (security/sessions.py)."""
    ignores_session()
    response.set_etag(sha256)
    if versioned:
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = f"public, max-age={UNVERSIONED_MAX_AGE}"
    return response
