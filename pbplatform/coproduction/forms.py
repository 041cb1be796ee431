"""Forms for offering help and for officers reviewing offers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pbplatform import vocabulary
from pbplatform.coproduction.models import OfferKind


class OfferForm(FlaskForm):
    kind = SelectField(
        _l("What do you offer?"),
        default=OfferKind.VOLUNTEER_HOURS,
        choices=vocabulary.choices(OfferKind),
    )
    quantity = DecimalField(
        _l("How much"),
        places=2,
        validators=[InputRequired(message=_l("Enter a quantity as a number."))],
    )
    unit = StringField(
        _l("Unit (for example hours, items, years)"), validators=[Optional(), Length(max=40)]
    )
    description = TextAreaField(
        _l("What exactly do you offer?"), validators=[DataRequired(), Length(max=4000)]
    )
    schedule = StringField(_l("When (optional)"), validators=[Optional(), Length(max=200)])
    duration = StringField(_l("For how long (optional)"), validators=[Optional(), Length(max=120)])
    conditions = TextAreaField(
        _l("Conditions (optional)"), validators=[Optional(), Length(max=2000)]
    )
    only_if_funded = BooleanField(_l("Only if the proposal is funded"), default=True)
    is_anonymous = BooleanField(_l("Show me as “a resident” in public"))


class NewOfferForm(OfferForm):
    """Offer help without a proposal (or, for officers, enter one on a resident's behalf)."""

    cycle = SelectField(_l("Budget cycle"), coerce=int, choices=[])
    proposal = StringField(
        _l("Tracking number of a proposal (optional)"), validators=[Optional(), Length(max=24)]
    )
    offerer_name = StringField(
        _l("Offer made by (officers entering a letter, call or meeting)"),
        validators=[Optional(), Length(max=120)],
    )


class AcceptForm(FlaskForm):
    value = StringField(
        _l("Money value (leave empty for hours at the published rate)"),
        validators=[Optional(), Length(max=20)],
    )
    basis = TextAreaField(_l("Basis of the valuation"), validators=[Optional(), Length(max=2000)])


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for declining"), validators=[DataRequired(), Length(max=2000)]
    )


class DeliveryForm(FlaskForm):
    delivered_on = DateField(_l("Delivered on"), validators=[InputRequired()])
    description = TextAreaField(
        _l("What was delivered"), validators=[DataRequired(), Length(max=2000)]
    )
    quantity = DecimalField(_l("Quantity delivered (optional)"), places=2, validators=[Optional()])
    complete = BooleanField(_l("The offer is now completely delivered"))


class LapseForm(FlaskForm):
    note = TextAreaField(
        _l("What happens next for the proposal"), validators=[DataRequired(), Length(max=2000)]
    )


class LinkForm(FlaskForm):
    proposal = StringField(
        _l("Tracking number of the proposal"), validators=[DataRequired(), Length(max=24)]
    )
