"""Authentication: register, log in and out, password reset; their rate limits and the
session lifetime."""

from __future__ import annotations

import time

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from pbplatform.accounts import enrolment, mfa, services, throttle
from pbplatform.accounts import queries as account_queries
from pbplatform.accounts import reset as reset_links
from pbplatform.accounts.forms import (
    LoginForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
    selected_area,
)
from pbplatform.accounts.models import MfaEnrolmentToken, User, load_user
from pbplatform.accounts.views import bp
from pbplatform.audit import services as audit
from pbplatform.errors import DomainError
from pbplatform.extensions import limiter
from pbplatform.links import mail_url
from pbplatform.privacy import registration as privacy_registration
from pbplatform.security.access import MFA_VERIFIED, public
from pbplatform.security.addresses import address_key
from pbplatform.security.redirects import safe_next

# --- rate limits ----------------------------------------------------------------------------
# Login: only failed attempts count, per client address, per account and address, and per
# account from browsers that never logged in to it (see accounts/throttle.py for why this
# slows guessing without letting anyone lock out a chosen account).
# The address is the socket peer unless PROXY_HOPS trusts a proxy (ProxyFix), so a forged
# X-Forwarded-For header cannot reset the counters.


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_address_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _form_limit() -> str:
    return current_app.config.get("ACCOUNT_FORM_RATE_LIMIT", "10 per hour")


def _submitted_email() -> str:
    return "email:" + services.normalise_email(request.form.get("email", ""))[:254]


def _submitted_email_and_address() -> str:
    return _submitted_email() + "|" + address_key()


def _login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


login_limit_ip = limiter.limit(
    _login_limit,
    key_func=address_key,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-ip",
)
login_limit_account_ip = limiter.limit(
    _account_address_limit,
    key_func=_submitted_email_and_address,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-account-ip",
)
login_limit_account = limiter.limit(
    _account_limit,
    key_func=_submitted_email,
    methods=["POST"],
    deduct_when=_login_failed,
    exempt_when=throttle.is_known_device,
    scope="login-account",
)
form_limit_ip = limiter.limit(_form_limit, key_func=address_key, methods=["POST"])


# --- session lifetime ------------------------------------------------------------------------
# Idle timeout: the session is permanent and refreshed on every request, so Flask refuses a
# cookie older than PERMANENT_SESSION_LIFETIME. Absolute timeout: a login older than
# SESSION_ABSOLUTE_SECONDS ends however active it is.


@bp.before_app_request
def end_expired_login() -> None:
    if "_user_id" not in session:
        return
    limit = int(current_app.config.get("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))
    started = session.setdefault("auth_at", int(time.time()))
    if time.time() - started > limit:
        session.clear()


# --- login in one or two steps ---------------------------------------------------------------
# Officers and admins (when OFFICER_MFA_REQUIRED) are not logged in by their password: the
# session only holds MFA_PENDING ("<id>:<session_token>", so a logout, password change or
# MFA reset elsewhere voids it) for MFA_PENDING_SECONDS, and `login_user` runs after a valid
# TOTP code, together with the MFA_VERIFIED mark that access._check requires on every officer
# and admin route.

MFA_PENDING = "mfa_pending"
MFA_ENROL_TOKEN = "mfa_enrol_token"  # an enrolment link opened in this browser (enrolment.py)


def _fresh_session() -> None:
    kept = {k: session[k] for k in ("lang", MFA_ENROL_TOKEN) if k in session}
    session.clear()  # nothing from before the login survives it (fixation)
    session.update(kept)  # except the language chosen and an enrolment link being used


def complete_login(user: User, *, mfa_done: bool = False) -> None:
    _fresh_session()
    login_user(user)
    session.permanent = True
    session["auth_at"] = int(time.time())
    if mfa_done:
        session[MFA_VERIFIED] = user.id
    throttle.remember_device(user.email)
    audit.record("auth.login", user, actor=user, after={"mfa": True} if mfa_done else None)


def start_second_factor(user: User, next_url: str | None) -> ResponseReturnValue:
    """The password was right; ask for the TOTP code (or enrollment) before logging in."""
    _fresh_session()
    session[MFA_PENDING] = user.get_id()
    session["mfa_at"] = int(time.time())
    session["mfa_next"] = (next_url or "")[:500]
    if not mfa.is_enrolled(user) and enrolment_link_row(user) is not None:
        mfa.start_enrollment(user)  # only with the mailed link: the password is not enough
    audit.record("auth.mfa_challenged", user, actor=user)
    return redirect(
        url_for("accounts.mfa_code" if mfa.is_enrolled(user) else "accounts.mfa_enroll")
    )


def enrolment_link_row(user: User) -> MfaEnrolmentToken | None:
    """The valid enrolment link for `user` opened in this browser, if any."""
    return enrolment.find_valid_enrolment_token(session.get(MFA_ENROL_TOKEN), user)


def pending_user() -> User | None:
    """The user who passed the password step in this session, if still valid."""
    limit = int(current_app.config.get("MFA_PENDING_SECONDS", 300))
    raw = session.get(MFA_PENDING)
    if not raw or time.time() - session.get("mfa_at", 0) > limit:
        return None
    user = load_user(str(raw))
    return user if user is not None and user.is_active_account else None


# --- registration, login, logout ------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@public
@form_limit_ip
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        if form.website.data:
            # Honeypot filled: a bot. Show the normal outcome and store nothing.
            return render_template("accounts/registered.html")
        try:
            user = services.register_resident(
                form.email.data,
                form.display_name.data,
                form.password.data,
                selected_area(form.home_area.data),
            )
            if user is not None:
                privacy_registration.on_registered(user, form)
        except DomainError as exc:
            if exc.code != "email_taken":  # a concurrent twin registration looks the same
                form.form_errors.append(exc.message)
                return render_template("accounts/register.html", form=form), 422
        # The same page whether the e-mail was new or taken: no account enumeration. The owner
        # of a taken address gets a mail telling them; a new resident gets a welcome mail.
        return render_template("accounts/registered.html")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limit_ip
@login_limit_account_ip
@login_limit_account
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            if mfa.mfa_required(user):
                return start_second_factor(user, form.next.data)
            complete_login(user)
            return redirect(safe_next(form.next.data))
        g.login_failed = True
        services.record_login_failure(form.email.data)
        form.form_errors.append(gettext("E-mail or password is incorrect."))
    elif form.is_submitted():
        g.login_failed = True
        form.form_errors.append(gettext("E-mail or password is incorrect."))
    # 200 even on failure so the failed-attempt audit entry is committed.
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@public
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        user = account_queries.signed_in_user()
        services.rotate_session_token(user)  # a copied cookie is dead from now on
        audit.record("auth.logout", user, actor=user)
        logout_user()
    session.clear()
    flash(gettext("You have logged out."), "success")
    return redirect(safe_next(request.form.get("next")))


# --- password reset -------------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
@public
@form_limit_ip
def reset_request() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset_links.request_password_reset(
            form.email.data, lambda token: mail_url("accounts.reset", token=token)
        )
        return render_template("accounts/reset_sent.html")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str) -> ResponseReturnValue:
    if reset_links.find_valid_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            reset_links.reset_password(token, form.password.data)
        except DomainError as exc:
            form.form_errors.append(exc.message)
            return render_template("accounts/reset.html", form=form), exc.status
        session.clear()
        flash(gettext("Your password has been changed. Please log in."), "success")
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status
