"""Error pages for people and RFC 9457 problem documents for the API."""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    Response,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES


class DomainError(Exception):
    """A refusal the user can act on: carries a stable code, a message and a status."""

    status = 422

    def __init__(self, code: str, message: str, status: int | None = None, **extra: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra
        if status is not None:
            self.status = status


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, code: str, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _error_page(
    status: int, error: Exception | None = None, detail: str = ""
) -> Response | tuple[str, int]:
    from flask.globals import request_ctx

    if request_ctx.url_adapter is None:
        # A Host outside TRUSTED_HOSTS: no URL can be built, so the layout cannot render.
        return Response(
            f"{status} {getattr(error, 'name', 'Error')}\n", status=status, mimetype="text/plain"
        )
    try:
        return render_template("errors/error.html", code=status, error=error, detail=detail), status
    except SQLAlchemyError:
        # The layout loads the signed-in user; with the database down that fails too.
        from pbplatform.extensions import db
        from pbplatform.transaction import unavailable_response

        db.session.rollback()
        return unavailable_response()


def _http_error(exc: HTTPException) -> Response:
    return http_error_answer(exc, as_problem=wants_problem_json())


def http_error_answer(exc: HTTPException, *, as_problem: bool) -> Response:
    """The error's page, or its problem+json document, with what the error itself says
    (Allow on 405, Retry-After on 429 ...). `as_problem`: for a request the app routes to
    the API (`wants_problem_json`, or main.refused_by_proxy for what nginx refused)."""
    status = exc.code or 500
    if as_problem:
        code = (exc.name or "error").lower().replace(" ", "_")
        response = problem(status, code, exc.name or "Error", exc.description or "")
    else:
        response = make_response(_error_page(status, exc))
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _domain_error(exc: DomainError) -> Response | tuple[str, int]:
    """A refusal that no view turned into a page of its own: its message and status.

    Views that re-render a form with the message beside a field catch DomainError themselves;
    the API blueprint answers with its own problem+json (extra members, WWW-Authenticate).
    """
    if wants_problem_json():
        return problem(exc.status, exc.code, HTTP_STATUS_CODES.get(exc.status, ""), exc.message)
    return _error_page(exc.status, exc, exc.message)


def show_refusal(form: Any, exc: DomainError) -> None:
    """Show a refusal on the form shown again: beside the field it names (`field=` in the
    error), else at the top of the form; a refusal naming several fields (`fields=`, each
    field's name with its message) is shown at the top and each message beside its field.
    The caller re-renders the page with `exc.status`."""
    field = getattr(form, exc.extra.get("field") or "", None)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)
    for name, message in (exc.extra.get("fields") or {}).items():
        named = getattr(form, name, None)
        if named is not None:
            named.errors = [*named.errors, message]


def refuse_back(exc: DomainError, target: str, code: int = 303) -> ResponseReturnValue:
    """Undo anything the refused action touched, tell the person why, and go back to `target`."""
    from pbplatform.extensions import db

    db.session.rollback()
    flash(exc.message, "error")
    return redirect(target, code=code)


def _csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
    if wants_problem_json():
        return problem(400, "csrf_failed", "CSRF check failed", exc.description or "")
    return _error_page(400, exc)


def _unexpected(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    from flask import current_app

    current_app.logger.exception("unhandled error")
    if wants_problem_json():
        return problem(500, "internal_error", "Internal error")
    return _error_page(500)


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        # Tests should see real tracebacks; people should see a page.
        app.register_error_handler(Exception, _unexpected)
