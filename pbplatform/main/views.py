"""Home page, language switch, health check and the page nginx shows for a body too large."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from urllib.parse import unquote

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge, TooManyRequests

from pbplatform.errors import http_error_answer
from pbplatform.main import queries
from pbplatform.security.access import login_required, public
from pbplatform.security.ratelimit import storage_answers
from pbplatform.security.redirects import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    cycles = queries.cycles_newest_first()
    voted = (
        {cid: p.channel for cid, p in queries.my_participations(current_user).items()}
        if current_user.is_authenticated
        else {}
    )
    return render_template("main/index.html", cycles=cycles, voted=voted)


@bp.get("/my")
@login_required
def mine() -> ResponseReturnValue:
    """The resident's proposals, offers and votes (only that and through which channel)."""
    from pbplatform.coproduction.services import offers_of
    from pbplatform.decisions.queries import outcome_for

    user = current_user._get_current_object()
    participations = queries.my_participations(user)
    proposals = queries.my_proposals(user)
    return render_template(
        "main/mine.html",
        proposals=proposals,
        outcomes={p.id: outcome_for(p) for p in proposals},
        offers=offers_of(user),
        participations=participations,
        vote_cycles=queries.cycles_by_id(set(participations)),
    )


@bp.post("/language")
@public
def set_language() -> ResponseReturnValue:
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """The database and the rate-limit store (Redis). With the store down the site is
    "degraded": 503 if rate-limited routes refuse (RATELIMIT_FALLBACK=refuse), 200 if they
    run on per-process limits (memory)."""
    storage = storage_answers()
    if not queries.database_answers():
        return jsonify(status="unavailable", database=False, rate_limit_storage=storage), 503
    if storage is not False:
        return jsonify(status="ok", database=True, rate_limit_storage=storage)
    status = 200 if current_app.config.get("RATELIMIT_FALLBACK") == "memory" else 503
    return jsonify(status="degraded", database=True, rate_limit_storage=False), status


# What nginx refuses before the app sees the request (config/nginx/pbplatform.conf's
# error_page): a body over client_max_body_size, a download over the per-address limit.
_PROXY_REFUSALS: dict[str, Callable[[], HTTPException]] = {
    "too-large": RequestEntityTooLarge,
    "too-many": lambda: TooManyRequests(retry_after=60),  # nginx's window: a minute
}


def _is_api(uri: str) -> bool:
    """Whether the app would route `uri` (raw, as nginx saw it) to the API: decoded and
    without dot segments or doubled slashes, as the app's routing reads it."""
    path = posixpath.normpath("/" + unquote(uri.split("?", 1)[0]).lstrip("/"))
    return path == "/api" or path.startswith("/api/")


@bp.get("/errors/<reason>")
@public
def refused_by_proxy(reason: str) -> ResponseReturnValue:
    """nginx's error_page fetches this for the app's own answer to what nginx refused: the
    page in the reader's language, or problem+json for the API (nginx names the refused
    request in X-Refused-URI), with the refusal's headers (Retry-After). Without that
    header (asked for directly) there is nothing."""
    refused_uri = request.headers.get("X-Refused-URI")
    if refused_uri is None or reason not in _PROXY_REFUSALS:
        raise NotFound()
    return http_error_answer(_PROXY_REFUSALS[reason](), as_problem=_is_api(refused_uri))
