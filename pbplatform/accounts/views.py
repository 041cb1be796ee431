"""HTTP views for accounts: register, log in and out, reset a password, the account page,
and the administrators' user management and development outbox."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from pbplatform.accounts import services
from pbplatform.accounts.forms import (
    LoginForm,
    NewStaffForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
    UserRoleForm,
    selected_area,
)
from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Area
from pbplatform.errors import DomainError
from pbplatform.extensions import db, limiter
from pbplatform.security.access import admin_required, login_required, public
from pbplatform.security.redirects import safe_next

bp = Blueprint("accounts", __name__)

# --- rate limits ----------------------------------------------------------------------------
# Login: counted per client IP and per submitted e-mail, and only failed attempts count, so a
# person who types the password right is never locked out by their own successful logins.
# The IP is the socket peer unless PROXY_HOPS trusts a proxy (ProxyFix), so a forged
# X-Forwarded-For header cannot reset the counter.


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _form_limit() -> str:
    return current_app.config.get("ACCOUNT_FORM_RATE_LIMIT", "10 per hour")


def _submitted_email() -> str:
    return "email:" + services.normalise_email(request.form.get("email", ""))[:254]


def _login_failed(response: Response) -> bool:
    return bool(g.get("login_failed"))


login_limit_ip = limiter.limit(_login_limit, key_func=get_remote_address, methods=["POST"],
                               deduct_when=_login_failed, scope="login-ip")
login_limit_email = limiter.limit(_login_limit, key_func=_submitted_email, methods=["POST"],
                                  deduct_when=_login_failed, scope="login-email")
form_limit_ip = limiter.limit(_form_limit, key_func=get_remote_address, methods=["POST"])


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
            services.register_resident(form.email.data, form.display_name.data,
                                       form.password.data, selected_area(form.home_area.data))
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
@login_limit_email
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            lang = session.get("lang")
            session.clear()  # nothing from before the login survives it (fixation)
            if lang:
                session["lang"] = lang  # except the language the person chose
            login_user(user)
            session.permanent = True
            session["auth_at"] = int(time.time())
            audit.record("auth.login", user, actor=user)
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
        user = db.session.get(User, current_user.id)
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
        services.request_password_reset(
            form.email.data,
            lambda token: url_for("accounts.reset", token=token, _external=True))
        return render_template("accounts/reset_sent.html")
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset(token: str) -> ResponseReturnValue:
    if services.find_valid_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            form.form_errors.append(exc.message)
            return render_template("accounts/reset.html", form=form), exc.status
        session.clear()
        flash(gettext("Your password has been changed. Please log in."), "success")
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status


# --- the account page -----------------------------------------------------------------------

def _account_page(profile: ProfileForm | None = None,
                  password: PasswordChangeForm | None = None, status: int = 200
                  ) -> ResponseReturnValue:
    user = db.session.get(User, current_user.id)
    if profile is None:
        profile = ProfileForm(formdata=None, display_name=user.display_name,
                              home_area=str(user.home_area_id or ""))
    return render_template("accounts/account.html", user=user, profile=profile,
                           password_form=password or PasswordChangeForm(formdata=None)), status


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile() -> ResponseReturnValue:
    form = ProfileForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            services.update_profile(user, form.display_name.data,
                                    selected_area(form.home_area.data))
        except DomainError as exc:
            form.home_area.errors = [exc.message]
            return _account_page(profile=form, status=exc.status)
        flash(gettext("Your details have been saved."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(profile=form, status=422)


@bp.post("/account/password")
@login_required
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except DomainError as exc:
            form.current_password.errors = [exc.message]
            return _account_page(password=form, status=exc.status)
        login_user(user)  # this session carries the new session token; all others end
        flash(gettext("Your password has been changed."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(password=form, status=422)


# --- administrators: users ------------------------------------------------------------------

def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _selected_areas(values: list[str]) -> list[Area]:
    return [a for a in (selected_area(v) for v in values) if a is not None]


@bp.get("/admin/users")
@admin_required
def admin_users() -> ResponseReturnValue:
    query = request.args.get("q", "")[:100]
    page = request.args.get("page", 1, type=int) or 1
    per_page = 25
    users, total = services.search_users(query, page=page, per_page=per_page)
    pages = max(1, -(-total // per_page))
    return render_template("accounts/admin_users.html", users=users, total=total, q=query,
                           page=min(max(page, 1), pages), pages=pages)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def admin_new_user() -> ResponseReturnValue:
    form = NewStaffForm()
    if request.method == "GET":
        form.role.data = "officer"
    if form.validate_on_submit():
        actor = db.session.get(User, current_user.id)
        try:
            user = services.create_staff_user(
                actor, form.email.data, form.display_name.data, form.role.data,
                _selected_areas(form.officer_areas.data or []), form.password.data or None)
        except DomainError as exc:
            form.form_errors.append(exc.message)
            return render_template("accounts/admin_new_user.html", form=form), exc.status
        if not form.password.data:
            services.send_invitation(
                user, lambda token: url_for("accounts.reset", token=token, _external=True))
        flash(gettext("The account has been created."), "success")
        return redirect(url_for("accounts.admin_user", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/admin_new_user.html", form=form), status


def _user_page(user: User, form: UserRoleForm | None = None, status: int = 200
               ) -> ResponseReturnValue:
    if form is None:
        form = UserRoleForm(formdata=None, role=user.role,
                            officer_areas=[str(a.id) for a in user.officer_area_list])
    return render_template("accounts/admin_user.html", user=user, form=form), status


@bp.get("/admin/users/<int:user_id>")
@admin_required
def admin_user(user_id: int) -> ResponseReturnValue:
    return _user_page(_get_user(user_id))


@bp.post("/admin/users/<int:user_id>/role")
@admin_required
def admin_change_role(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    form = UserRoleForm()
    if form.validate_on_submit():
        actor = db.session.get(User, current_user.id)
        try:
            services.change_role(actor, user, form.role.data,
                                 _selected_areas(form.officer_areas.data or []))
        except DomainError as exc:
            form.role.errors = [exc.message]
            return _user_page(user, form, exc.status)
        flash(gettext("The role has been saved."), "success")
        return redirect(url_for("accounts.admin_user", user_id=user.id))
    return _user_page(user, form, 422)


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    user = _get_user(user_id)
    actor = db.session.get(User, current_user.id)
    try:
        services.set_active(actor, user, active)
    except DomainError as exc:
        flash(exc.message, "error")
        return _user_page(user, status=exc.status)
    flash(gettext("The account has been reactivated.") if active
          else gettext("The account has been deactivated; its sessions have ended."), "success")
    return redirect(url_for("accounts.admin_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/deactivate")
@admin_required
def admin_deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@admin_required
def admin_reactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)


# --- administrators: development outbox -----------------------------------------------------

@bp.get("/admin/outbox")
@admin_required
def outbox() -> ResponseReturnValue:
    """Outgoing mail as written to the outbox; only outside production (404 there)."""
    if current_app.config.get("ENV_NAME") == "production":
        abort(404)
    import sqlalchemy as sa

    from pbplatform.mail.models import OutboxMessage

    messages = db.session.scalars(sa.select(OutboxMessage)
                                  .order_by(OutboxMessage.id.desc()).limit(100)).all()
    return render_template("accounts/outbox.html", messages=messages)
