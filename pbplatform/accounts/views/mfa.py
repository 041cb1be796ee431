"""The second login step for officers and admins: a TOTP code, or enrolling an authenticator
app first (security case 36). Both pages are public: they act only on the user held in the
session by the password step (see auth.start_second_factor)."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.wrappers import Response

from pbplatform.accounts import enrolment, mfa, recovery
from pbplatform.accounts import queries as account_queries
from pbplatform.accounts.forms import CodeForm
from pbplatform.accounts.models import User
from pbplatform.accounts.views import bp
from pbplatform.accounts.views.auth import (
    MFA_ENROL_TOKEN,
    MFA_PENDING,
    complete_login,
    enrolment_link_row,
    pending_user,
)
from pbplatform.extensions import limiter
from pbplatform.security.access import officer_required, public
from pbplatform.security.addresses import address_key
from pbplatform.security.redirects import safe_next


def _mfa_limit() -> str:
    return current_app.config.get("MFA_RATE_LIMIT", "5 per minute;20 per hour")


def _pending_key() -> str:
    return "mfa-user:" + str(session.get(MFA_PENDING, "")).partition(":")[0]


def _code_failed(response: Response) -> bool:
    return bool(g.get("mfa_failed"))


# Only wrong codes count, per client address and per account waiting for its code.
mfa_limit_ip = limiter.limit(
    _mfa_limit,
    key_func=address_key,
    methods=["POST"],
    deduct_when=_code_failed,
    scope="mfa-ip",
)
mfa_limit_user = limiter.limit(
    _mfa_limit, key_func=_pending_key, methods=["POST"], deduct_when=_code_failed, scope="mfa-user"
)


def _expired() -> ResponseReturnValue:
    session.pop(MFA_PENDING, None)
    flash(gettext("Please log in again."), "error")
    return redirect(url_for("accounts.login"))


def _submit_code(user: User, form: CodeForm) -> ResponseReturnValue | None:
    """Log in on a valid code; otherwise set the form error and return None. Confirming an
    enrollment burns the enrolment link and shows the new recovery codes once."""
    if form.validate_on_submit():
        link = None if mfa.is_enrolled(user) else enrolment_link_row(user)
        if (mfa.is_enrolled(user) or link is not None) and mfa.check_code(user, form.code.data):
            if link is not None and not enrolment.burn_enrolment_token(link):
                abort(409)  # the link was used in another tab meanwhile: roll this back
            next_url = safe_next(session.get("mfa_next"))
            complete_login(user, mfa_done=True)
            if link is not None:
                codes = recovery.generate_codes(user)
                return render_template(
                    "accounts/recovery_codes.html", codes=codes, next_url=next_url
                )
            return redirect(next_url)
        form.code.errors = [
            gettext(
                "This code is not valid or was already used. Wait for the next code and try again."
            )
        ]
    if form.is_submitted():
        g.mfa_failed = True
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@public
@mfa_limit_ip
@mfa_limit_user
def mfa_code() -> ResponseReturnValue:
    user = pending_user()
    if user is None:
        return _expired()
    if not mfa.is_enrolled(user):
        return redirect(url_for("accounts.mfa_enroll"))
    form = CodeForm()
    done = _submit_code(user, form)
    # 200 even on failure so the failed-attempt audit entry is committed.
    return done or render_template("accounts/mfa_code.html", form=form)


@bp.route("/login/code/setup", methods=["GET", "POST"])
@public
@mfa_limit_ip
@mfa_limit_user
def mfa_enroll() -> ResponseReturnValue:
    user = pending_user()
    if user is None:
        return _expired()
    if mfa.is_enrolled(user):
        return redirect(url_for("accounts.mfa_code"))
    if enrolment_link_row(user) is None or user.totp_secret is None:
        # The password alone does not let anyone bind an app to the account: the secret is
        # made at a password step taken with the enrolment link opened (start_second_factor).
        return render_template("accounts/mfa_needs_link.html")
    form = CodeForm()
    done = _submit_code(user, form)
    return done or render_template(
        "accounts/mfa_enroll.html",
        form=form,
        secret=user.totp_secret,
        uri=mfa.provisioning_uri(user),
    )


@bp.get("/login/code/enrol/<token>")
@public
def mfa_enrol_link(token: str) -> ResponseReturnValue:
    """The mailed enrolment link: remembered in this browser until the password step."""
    if enrolment.find_valid_enrolment_token(token) is None:
        return render_template("accounts/mfa_enrol_invalid.html"), 404
    session[MFA_ENROL_TOKEN] = token
    flash(gettext("Now log in with your password to set up your authenticator app."), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/account/recovery-codes")
@officer_required
def regenerate_recovery_codes() -> ResponseReturnValue:
    """New recovery codes (the old ones stop working), shown once."""
    user = account_queries.signed_in_user()
    codes = recovery.generate_codes(user)
    return render_template(
        "accounts/recovery_codes.html", codes=codes, next_url=url_for("accounts.account")
    )
