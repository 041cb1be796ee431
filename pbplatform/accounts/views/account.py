"""The account page: a person's details and password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import login_user

from pbplatform.accounts import mfa, recovery, services
from pbplatform.accounts import queries as account_queries
from pbplatform.accounts.forms import PasswordChangeForm, ProfileForm, selected_area
from pbplatform.accounts.views import bp
from pbplatform.api.forms import TokenForm
from pbplatform.api.services import list_tokens
from pbplatform.errors import DomainError
from pbplatform.security.access import login_required


def _account_page(
    profile: ProfileForm | None = None,
    password: PasswordChangeForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = account_queries.signed_in_user()
    if profile is None:
        profile = ProfileForm(
            formdata=None, display_name=user.display_name, home_area=str(user.home_area_id or "")
        )
    return render_template(
        "accounts/account.html",
        user=user,
        profile=profile,
        password_form=password or PasswordChangeForm(formdata=None),
        recovery_left=recovery.remaining_codes(user) if mfa.is_enrolled(user) else None,
        tokens=list_tokens(user),
        token_form=TokenForm(formdata=None),
    ), status


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile() -> ResponseReturnValue:
    form = ProfileForm()
    if form.validate_on_submit():
        user = account_queries.signed_in_user()
        try:
            services.update_profile(
                user, form.display_name.data, selected_area(form.home_area.data)
            )
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
        user = account_queries.signed_in_user()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except DomainError as exc:
            form.current_password.errors = [exc.message]
            return _account_page(password=form, status=exc.status)
        login_user(user)  # this session carries the new session token; all others end
        flash(gettext("Your password has been changed."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(password=form, status=422)
