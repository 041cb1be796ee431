"""Refuse NUL bytes in any request input before a view sees it (security case 31).

No text field has a use for NUL, SQLite would store it silently, and PostgreSQL refuses it
in text at the driver (a DataError that would surface as a misleading 503 "database down").
So a NUL in a page's path is a 404 (no page has such a name, as the API answers too), and a
NUL in its query string, form or upload file names is a 400 "bad request"; nothing is
stored. The JSON API validates its own input (NUL in a path is a 404 problem, in a body a 422
naming the field; see tests/api), so it is left to do so.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request

NUL = "\x00"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _multidict_has_nul(values: Any) -> bool:
    return any(_has_nul(key) or _has_nul(items) for key, items in values.lists())


def refuse_nul_bytes() -> None:
    """before_request hook: 400 if NUL appears in any part of a page request's input."""
    if request.path.startswith("/api/"):
        return
    if _has_nul(request.view_args or {}):
        abort(404)
    found = _multidict_has_nul(request.args)
    if not found and request.method not in ("GET", "HEAD", "OPTIONS"):
        found = _multidict_has_nul(request.form) or any(
            _has_nul(f.filename or "") for f in request.files.values()
        )
    if found:
        abort(400, description="The request contains a NUL character.")
