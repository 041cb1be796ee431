"""Account pages for personal API tokens: list, create (shown once) and revoke.

Session-authenticated HTML forms, so they are CSRF-protected like every other form; the
tokens themselves are only ever accepted by the API (see auth.py).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.accounts import queries as account_queries
from pbplatform.api import services
from pbplatform.api.forms import TokenForm
from pbplatform.errors import DomainError
from pbplatform.extensions import limiter
from pbplatform.security.access import login_required

bp = Blueprint("api_tokens", __name__)


def _create_limit() -> str:
    return current_app.config.get("API_TOKEN_CREATE_RATE_LIMIT", "10 per hour")


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


create_limit = limiter.limit(
    _create_limit, key_func=_user_key, methods=["POST"], scope="api-token-create"
)


def _tokens_page(form: TokenForm | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "api/tokens.html",
        token_form=form or TokenForm(formdata=None),
        tokens=services.list_tokens(account_queries.signed_in_user()),
    ), status


def _back() -> ResponseReturnValue:
    return redirect(url_for("accounts.account") + "#api-tokens-heading")


@bp.get("/account/tokens")
@login_required
def index() -> ResponseReturnValue:
    return _tokens_page()


@bp.post("/account/tokens")
@login_required
@create_limit
def create() -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 422)
    try:
        token, plaintext = services.create_token(
            account_queries.signed_in_user(), form.token_name.data
        )
    except DomainError as exc:
        form.token_name.errors = [exc.message]
        return _tokens_page(form, exc.status)
    html = render_template("api/token_created.html", token=token, plaintext=plaintext)
    # Shown once: never cached, never put in the session or a flash message.
    return html, 200, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    token = (
        services.revoke_token(account_queries.signed_in_user(), token_id)
        if token_id < 2**31
        else None
    )
    if token is None:
        raise DomainError("not_found", _("No such token."), status=404)
    flash(_("The token %(prefix)s… is revoked.", prefix=token.prefix), "success")
    return _back()
