"""Administrators: user management and the development outbox."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from pbplatform.accounts import enrolment, management, mfa
from pbplatform.accounts import queries as account_queries
from pbplatform.accounts import reset as reset_links
from pbplatform.accounts.forms import NewStaffForm, UserRoleForm, selected_area
from pbplatform.accounts.models import Role, User
from pbplatform.accounts.views import bp
from pbplatform.cycles.models import Area
from pbplatform.errors import DomainError
from pbplatform.links import mail_url
from pbplatform.security.access import admin_required

# --- administrators: users ------------------------------------------------------------------


def _get_user(user_id: int) -> User:
    user = account_queries.user_by_id(user_id)
    if user is None:
        abort(404)
    return user


def _send_enrolment_link(user: User, actor: User | None) -> None:
    """A staff account without a second factor gets the single-use link to set one up."""
    if mfa.mfa_required(user) and not mfa.is_enrolled(user):
        enrolment.send_enrolment_link(
            user,
            lambda token: mail_url("accounts.mfa_enrol_link", token=token),
            actor,
        )


def _selected_areas(values: list[str]) -> list[Area]:
    return [a for a in (selected_area(v) for v in values) if a is not None]


@bp.get("/admin/users")
@admin_required
def admin_users() -> ResponseReturnValue:
    query = request.args.get("q", "")[:100]
    page = request.args.get("page", 1, type=int) or 1
    per_page = 25
    users, total = management.search_users(query, page=page, per_page=per_page)
    pages = max(1, -(-total // per_page))
    return render_template(
        "accounts/admin_users.html",
        users=users,
        total=total,
        q=query,
        page=min(max(page, 1), pages),
        pages=pages,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def admin_new_user() -> ResponseReturnValue:
    form = NewStaffForm()
    if request.method == "GET":
        form.role.data = Role.OFFICER
    if form.validate_on_submit():
        actor = account_queries.signed_in_user()
        try:
            user = management.create_staff_user(
                actor,
                form.email.data,
                form.display_name.data,
                form.role.data,
                _selected_areas(form.officer_areas.data or []),
                form.password.data or None,
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
            return render_template("accounts/admin_new_user.html", form=form), exc.status
        if not form.password.data:
            reset_links.send_invitation(user, lambda token: mail_url("accounts.reset", token=token))
        _send_enrolment_link(user, actor)
        flash(gettext("The account has been created."), "success")
        return redirect(url_for("accounts.admin_user", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/admin_new_user.html", form=form), status


def _user_page(
    user: User, form: UserRoleForm | None = None, status: int = 200
) -> ResponseReturnValue:
    if form is None:
        form = UserRoleForm(
            formdata=None, role=user.role, officer_areas=[str(a.id) for a in user.officer_area_list]
        )
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
        actor = account_queries.signed_in_user()
        was_staff = user.is_officer
        try:
            management.change_role(
                actor, user, form.role.data, _selected_areas(form.officer_areas.data or [])
            )
        except DomainError as exc:
            form.role.errors = [exc.message]
            return _user_page(user, form, exc.status)
        if not was_staff:
            _send_enrolment_link(user, actor)
        flash(gettext("The role has been saved."), "success")
        return redirect(url_for("accounts.admin_user", user_id=user.id))
    return _user_page(user, form, 422)


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    user = _get_user(user_id)
    actor = account_queries.signed_in_user()
    try:
        management.set_active(actor, user, active)
    except DomainError as exc:
        flash(exc.message, "error")
        return _user_page(user, status=exc.status)
    flash(
        gettext("The account has been reactivated.")
        if active
        else gettext("The account has been deactivated; its sessions have ended."),
        "success",
    )
    return redirect(url_for("accounts.admin_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/deactivate")
@admin_required
def admin_deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@admin_required
def admin_reactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)


@bp.post("/admin/users/<int:user_id>/mfa/reset")
@admin_required
def admin_reset_mfa(user_id: int) -> ResponseReturnValue:
    user = _get_user(user_id)
    actor = account_queries.signed_in_user()
    management.reset_mfa(actor, user)
    _send_enrolment_link(user, actor)
    flash(
        gettext(
            "The second factor has been reset; the person has been e-mailed a single-use link "
            "to set up a new app."
        ),
        "success",
    )
    return redirect(url_for("accounts.admin_user", user_id=user.id))


# --- administrators: development outbox -----------------------------------------------------


@bp.get("/admin/outbox")
@admin_required
def outbox() -> ResponseReturnValue:
    """Outgoing mail as written to the outbox; only outside production (404 there)."""
    if current_app.config.get("ENV_NAME") == "production":
        abort(404)
    messages = account_queries.recent_outbox()
    return render_template("accounts/outbox.html", messages=messages)
