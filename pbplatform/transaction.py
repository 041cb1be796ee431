"""One transaction per request or CLI command: commit once at the end, roll back on error.

Services flush and never commit. A request whose response is a success commits after the
view returns; any exception or error status rolls everything back, so nothing partial stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from pbplatform.extensions import db

log = logging.getLogger(__name__)


def _finish(response: Response) -> Response:
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except SQLAlchemyError:
        log.exception("commit failed")
        db.session.rollback()
        return unavailable_response()
    return response


def unavailable_response() -> Response:
    if request.path.startswith("/api/"):
        body = jsonify(
            type="about:blank",
            title="Service unavailable",
            status=503,
            code="unavailable",
            detail="Please try again in a moment.",
        )
        body.status_code = 503
        body.mimetype = "application/problem+json"
        return body
    # The page must not reach the database again: with a session cookie, Flask-Login would
    # load the user while rendering the layout, fail, and turn the 503 into a bare 500.
    g._login_user = current_app.login_manager.anonymous_user()
    html = render_template("errors/error.html", code=503)
    return current_app.response_class(html, status=503)


def register_transaction_handling(app: Flask) -> None:
    app.after_request(_finish)

    @app.teardown_request
    def _rollback_leftovers(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    @app.errorhandler(DBAPIError)
    def _database_down(exc: DBAPIError) -> Response:
        log.error("database error: %s", exc.__class__.__name__)
        db.session.rollback()
        return unavailable_response()


def cli_transaction(command: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a click command: commit if it returns, roll back if it raises."""

    @wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return wrapped
