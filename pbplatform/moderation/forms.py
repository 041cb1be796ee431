"""Forms for the officers' review actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pbplatform.moderation.services import TEXT_MAX
from pbplatform.proposals.forms import not_negative


class ApproveForm(FlaskForm):
    officer_cost = DecimalField(
        _l("Officer's cost estimate"), places=2, validators=[InputRequired(), not_negative]
    )
    feasibility = TextAreaField(
        _l("Feasibility statement"), validators=[DataRequired(), Length(max=TEXT_MAX)]
    )
    impact_statement = TextAreaField(
        _l("Department's impact statement (savings proposals)"),
        validators=[Optional(), Length(max=TEXT_MAX)],
    )


class ConfirmForm(FlaskForm):
    """A bare POST form: only the CSRF token."""


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the author will see it)"), validators=[DataRequired(), Length(max=TEXT_MAX)]
    )


class ReasonForm(FlaskForm):
    note = StringField(
        _l("Reason (kept in the audit log)"), validators=[DataRequired(), Length(max=500)]
    )


class WithdrawalForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown on the proposal's page and the results page)"),
        validators=[DataRequired(), Length(max=2_000)],
    )


class MergeForm(FlaskForm):
    originals = StringField(
        _l("Tracking numbers of duplicates to merge into this proposal (separated by commas)"),
        validators=[DataRequired(), Length(max=500)],
    )

    def tracking_numbers(self) -> list[str]:
        raw = (self.originals.data or "").replace(";", ",").split(",")
        return list(dict.fromkeys(n.strip() for n in raw if n.strip()))
