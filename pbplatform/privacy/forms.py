"""Privacy forms: the consent part of registration, consents, download and erasure."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from pbplatform.privacy.models import Purpose


class OptionalConsentsMixin:
    """The optional uses, unticked unless the person ticks them."""

    consent_newsletter = BooleanField(
        _l("Send me the newsletter about the citizens' budget (optional)"), default=False
    )
    consent_proposal_contact = BooleanField(
        _l("The council may contact me about my proposals (optional)"), default=False
    )

    def consent_choices(self) -> dict[Purpose, bool]:
        return {
            Purpose.NEWSLETTER: bool(self.consent_newsletter.data),
            Purpose.PROPOSAL_CONTACT: bool(self.consent_proposal_contact.data),
        }


class ConsentFieldsMixin(OptionalConsentsMixin):
    """Added to the registration form: the notice version the page showed, and the optional
    uses."""

    notice_version = HiddenField(default=lambda: current_app.config["PRIVACY_NOTICE_VERSION"])

    def validate_notice_version(self, field: Any) -> None:
        # Missing (a client that never loaded the page): the notice linked from it is current.
        if field.data and field.data != current_app.config["PRIVACY_NOTICE_VERSION"]:
            field.data = current_app.config["PRIVACY_NOTICE_VERSION"]
            raise ValidationError(
                _l("The privacy notice has changed since the page was loaded. Read it again.")
            )

    def seen_version(self) -> str:
        return self.notice_version.data or current_app.config["PRIVACY_NOTICE_VERSION"]


class ConsentForm(OptionalConsentsMixin, FlaskForm):
    """The account page's consents: each can be withdrawn at any time."""


class ExportForm(FlaskForm):
    """Button only."""


class EraseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remove_contributions = BooleanField(
        _l(
            "Also remove my proposals and offers where nobody else's work depends on them "
            "(otherwise they stay, shown under \u201cformer resident\u201d)"
        )
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(message=_l("Tick this box to confirm."))],
    )


class OfficerEraseAccountForm(FlaskForm):
    email = StringField(_l("E-mail of the account"), validators=[DataRequired(), Length(max=254)])
    confirm = BooleanField(
        _l("The person's identity and request have been checked."),
        validators=[DataRequired(message=_l("Tick this box to confirm."))],
    )


class OfficerEraseContactForm(FlaskForm):
    name = StringField(
        _l("Name as recorded on the proposals or offers"),
        validators=[DataRequired(), Length(max=120)],
    )
    confirm = BooleanField(
        _l("The person's identity and request have been checked."),
        validators=[DataRequired(message=_l("Tick this box to confirm."))],
    )
