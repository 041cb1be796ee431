"""Account forms. Only the fields declared here are ever read from a request."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from pbplatform import vocabulary
from pbplatform.accounts.models import Role
from pbplatform.accounts.passwords import PASSWORD_MAX, password_problem
from pbplatform.cycles.models import Area
from pbplatform.extensions import db
from pbplatform.privacy.forms import ConsentFieldsMixin

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def valid_email(form: FlaskForm, field: Any) -> None:
    if not EMAIL_RE.match((field.data or "").strip()):
        raise ValidationError(_l("Enter an e-mail address like name@example.org."))


def area_choices(blank: str | None = None) -> list[tuple[str, str]]:
    areas = db.session.scalars(sa.select(Area).order_by(Area.name)).all()
    choices = [(str(a.id), a.name) for a in areas]
    return ([("", blank)] if blank is not None else []) + choices


def selected_area(value: str | None) -> Area | None:
    return db.session.get(Area, int(value)) if value and value.isdigit() else None


class NewPasswordMixin:
    """Password + confirmation with the policy check (length and deny-list)."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "At least 12 characters. A phrase of several words "
            "is easy to remember and hard to guess."
        ),
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: Any) -> None:
        email = getattr(self, "email", None)
        name = getattr(self, "display_name", None)
        problem = password_problem(
            field.data or "",
            email=(email.data or "") if email else "",
            display_name=(name.data or "") if name else "",
        )
        if problem:
            raise ValidationError(problem)


class RegisterForm(ConsentFieldsMixin, NewPasswordMixin, FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254), valid_email],
        render_kw={"autocomplete": "email"},
    )
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(), Length(min=2, max=80)],
        render_kw={"autocomplete": "nickname"},
        description=_l("Shown next to your proposals."),
    )
    home_area = SelectField(
        _l("Home area"),
        validate_choice=True,
        description=_l("The neighbourhood you live in; you vote for its projects."),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = StringField(
        _l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home_area.choices = area_choices(blank=_l("Choose your area"))
        if len(self.home_area.choices) > 1:
            self.home_area.validators = [DataRequired(message=_l("Choose your home area."))]
        else:
            self.home_area.validators = [Optional()]


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254), valid_email],
        render_kw={"autocomplete": "email"},
    )


class ResetForm(NewPasswordMixin, FlaskForm):
    pass


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(min=2, max=80)]
    )
    home_area = SelectField(_l("Home area"), validate_choice=True, validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home_area.choices = area_choices(blank=_l("No home area"))


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


def role_choices() -> list[Any]:
    return vocabulary.choices(Role)


class UserRoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=True)
    officer_areas = SelectMultipleField(
        _l("Officer areas"),
        validate_choice=True,
        description=_l("Officers only: limit them to these areas. None selected means all areas."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.officer_areas.choices = area_choices()


class NewStaffForm(UserRoleForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), valid_email])
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(min=2, max=80)]
    )
    password = PasswordField(
        _l("Temporary password"),
        validators=[Optional(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
        description=_l("Leave empty to e-mail a link with which the person sets their own."),
    )

    def validate_password(self, field: Any) -> None:
        if field.data:
            problem = password_problem(
                field.data, email=self.email.data or "", display_name=self.display_name.data or ""
            )
            if problem:
                raise ValidationError(problem)


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],  # a recovery code is 11 characters
        render_kw={"autocomplete": "one-time-code"},
        description=_l("The six digits your authenticator app shows now."),
    )
