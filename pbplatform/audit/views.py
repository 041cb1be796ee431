"""HTTP views for audit: the append-only log, for admins (officers are refused: entries of
every area and of authentication events are in it)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from pbplatform.audit import queries
from pbplatform.audit.verify import check_chain
from pbplatform.results.queries import published_audit_heads
from pbplatform.security.access import admin_required

bp = Blueprint("audit", __name__)

PER_PAGE = 50
MAX_PER_PAGE = 100


def _as_json(value: Any) -> str:
    """Readable JSON; the template escapes it like any other text."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _int_arg(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name, "")
    value = int(raw) if raw.isdigit() and len(raw) < 7 else default
    return max(lowest, min(value, highest))


@bp.get("/admin/audit")
@admin_required
def index() -> ResponseReturnValue:
    actions = queries.recorded_actions()
    action = request.args.get("action", "")
    if action not in actions:
        action = ""  # only allow-listed values reach the query, and only as a bound parameter
    page = queries.entries_page(
        action,
        page=_int_arg("page", 1, 1, 10**6),
        per_page=_int_arg("per_page", PER_PAGE, 1, MAX_PER_PAGE),
        max_per_page=MAX_PER_PAGE,
    )
    report = check_chain(published_audit_heads())
    return render_template(
        "audit/index.html",
        page=page,
        actions=actions,
        action=action,
        report=report,
        as_json=_as_json,
    )
