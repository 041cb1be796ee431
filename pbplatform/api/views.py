"""The API blueprint: CSRF exemption, rate limits, problem+json errors and request parsing.

Routes live in `resources` (reads) and `writes` (token-authenticated POSTs); importing this
module registers them on `bp`.
"""

from __future__ import annotations

import json
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests, UnsupportedMediaType

from pbplatform.api.auth import address_limit, rate_limit_key, read_limit, write_limit
from pbplatform.api.openapi import PER_PAGE_MAX, SCHEMAS, openapi_document
from pbplatform.api.schema import Validator
from pbplatform.errors import DomainError, problem
from pbplatform.extensions import csrf, limiter
from pbplatform.security.addresses import address_key
from pbplatform.security.ratelimit import enforce, parse_limits

bp = Blueprint("api", __name__)
# Writes accept only `Authorization: Bearer` (see auth.py), which no browser adds by itself.
csrf.exempt(bp)
# The API counts its own limits, all in one round trip to the store (`_rate_limit`).
limiter.counts_itself(bp)
log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
PER_PAGE_DEFAULT = 20
VALIDATOR = Validator(openapi_document())
_INTEGER = re.compile(r"-?[0-9]{1,12}")


@bp.before_request
def _rate_limit() -> None:
    """Per token (or address without one) for every request, a stricter one per token for
    writes, and per address for every request (bounds made-up tokens), in one round trip."""
    if not limiter.enabled:
        return
    key = rate_limit_key()
    hits = [(limit, key, "api") for limit in parse_limits(read_limit())]
    if request.method not in ("GET", "HEAD", "OPTIONS"):  # writes: POST and PATCH
        hits += [(limit, key, "api-write") for limit in parse_limits(write_limit())]
    address = address_key()
    hits += [(limit, address, "api-address") for limit in parse_limits(address_limit())]
    enforce(hits)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    extra = {
        k: _jsonable(k, v)
        for k, v in exc.extra.items()
        if k not in ("type", "title", "status", "code", "detail")
    }
    response = problem(exc.status, exc.code, _title(exc.status), exc.message, **extra)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="pbplatform"'
    return response


@bp.errorhandler(TooManyRequests)
def _rate_limited(exc: TooManyRequests) -> Response:
    response = problem(
        429,
        "rate_limited",
        "Too many requests",
        _("Too many requests; please wait a moment and try again."),
    )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _jsonable(key: str, value: Any) -> Any:
    """Problem members as JSON; `limit` and `total` always as numbers (points may be text)."""
    if key in ("limit", "total") and isinstance(value, str | Decimal):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return int(number) if number == number.to_integral_value() else float(number)
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        422: "Unprocessable content",
    }.get(status, "Error")


def validation_error(
    errors: list[dict[str, str]], status: int = 422, code: str = "validation_error"
) -> DomainError:
    listed = "; ".join(f"{e['field']} {e['message']}" for e in errors[:20])
    return DomainError(
        code,
        _("The request is not valid: %(errors)s", errors=listed),
        status=status,
        errors=errors[:100],
    )


def json_body(schema_name: str) -> dict[str, Any]:
    """The request's JSON object, checked against a published schema (422 lists the fields)."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send the body as application/json."))
    request.max_content_length = MAX_BODY_BYTES  # 413 beyond this, before reading
    try:
        data = json.loads(
            request.get_data(cache=True).decode("utf-8"),
            parse_constant=_no_constants,
            parse_float=_number,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DomainError(
            "malformed_json", _("The body is not valid JSON (UTF-8)."), status=400
        ) from None
    errors = VALIDATOR.errors(data, SCHEMAS[schema_name])
    if errors:
        raise validation_error(errors)
    return data


def _number(text: str) -> int | float:
    """JSON numbers with no fractional part (1.0, 1e3) are integers, as JSON Schema says."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def query_args(params: list[dict[str, Any]]) -> dict[str, Any]:
    """Known query parameters, typed and checked against their schemas; others are ignored."""
    values: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for param in params:
        name, schema = param["name"], param["schema"]
        raw = request.args.get(name)
        if raw is None:
            continue
        value: Any = raw
        if schema.get("type") == "integer":
            if not _INTEGER.fullmatch(raw):
                errors.append({"field": name, "message": "must be an integer"})
                continue
            value = int(raw)
        found = VALIDATOR.errors(value, schema, name)
        errors.extend(found)
        if not found:
            values[name] = value
    if errors:
        raise validation_error(errors, status=400, code="invalid_parameter")
    return values


def paging(args: dict[str, Any]) -> tuple[int, int]:
    """Page number and size; the size is capped at PER_PAGE_MAX."""
    return args.get("page", 1), min(args.get("per_page", PER_PAGE_DEFAULT), PER_PAGE_MAX)


def safe_text(value: str, limit: int) -> bool:
    """A path segment worth looking up: short, printable, no NUL (which PostgreSQL refuses)."""
    return 0 < len(value) <= limit and value.isprintable()


from pbplatform.api import resources, writes  # noqa: E402,F401  (routes register on bp)
from pbplatform.api import surveys as _surveys  # noqa: E402,F401
