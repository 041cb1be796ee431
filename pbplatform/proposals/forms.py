"""Forms for residents' proposals, officer-entered proposals and flags."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pbplatform import vocabulary
from pbplatform.cycles.models import Cycle
from pbplatform.money import to_minor
from pbplatform.proposals.models import ProposalCategory, ProposalKind
from pbplatform.proposals.services import (
    CONTACT_DETAILS_MAX,
    CONTACT_NAME_MAX,
    DESCRIPTION_MAX,
    FLAG_REASON_MAX,
    LOCATION_MAX,
    OFFICER_CHANNELS,
    TITLE_MAX,
    ProposalInput,
)

MAX_AMOUNT = Decimal("100000000000")  # major units

DISTRICT_LABEL = _l("District-wide")


def choices(labels: dict[str, Any]) -> list[SelectChoice]:
    """Choices from a dict of labels: only the delivery statuses (moderation) still use it;
    every vocabulary enum has `vocabulary.choices`."""
    return [SelectChoice(value, label) for value, label in labels.items()]


not_negative = NumberRange(min=0, max=MAX_AMOUNT, message=_l("Enter an amount of 0 or more."))


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)]
    )
    kind = SelectField(
        _l("Kind of proposal"),
        choices=vocabulary.choices(ProposalKind),
        default=ProposalKind.SPENDING,
    )
    area = SelectField(_l("Area"), choices=[SelectChoice("", DISTRICT_LABEL)])
    category = SelectField(
        _l("Category"), choices=vocabulary.choices(ProposalCategory), default=ProposalCategory.OTHER
    )
    estimated_cost = DecimalField(
        _l("Estimated cost"), places=2, validators=[InputRequired(), not_negative]
    )
    savings_per_year = DecimalField(
        _l("Saves per year (savings proposals only)"),
        places=2,
        validators=[
            Optional(),
            NumberRange(
                min=Decimal("0.01"), max=MAX_AMOUNT, message=_l("Enter an amount above 0.")
            ),
        ],
    )
    location = StringField(
        _l("Location (optional)"), validators=[Optional(), Length(max=LOCATION_MAX)]
    )

    def set_areas(
        self, cycle: Cycle, allowed: set[int] | None = None, district: bool = True
    ) -> None:
        options = [SelectChoice("", DISTRICT_LABEL)] if district else []
        options += [
            SelectChoice(str(ca.area_id), ca.area.name)
            for ca in cycle.areas
            if allowed is None or ca.area_id in allowed
        ]
        self.area.choices = options

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.kind.data == ProposalKind.SAVING and not self.savings_per_year.data:
            self.savings_per_year.errors.append(
                _l("A savings proposal needs the amount it saves per year.")
            )
            ok = False
        return ok

    def to_input(self) -> ProposalInput:
        saving = self.kind.data == ProposalKind.SAVING
        return ProposalInput(
            title=self.title.data or "",
            description=self.description.data or "",
            area_id=int(self.area.data) if self.area.data else None,
            category=self.category.data,
            kind=self.kind.data,
            estimated_cost_minor=to_minor(self.estimated_cost.data or 0),
            savings_per_year_minor=to_minor(self.savings_per_year.data)
            if saving and self.savings_per_year.data
            else None,
            location=self.location.data or None,
        )

    def fill_from(self, proposal: Any) -> None:
        self.title.data, self.description.data = proposal.title, proposal.description
        self.kind.data, self.category.data = proposal.kind, proposal.category
        self.area.data = str(proposal.area_id) if proposal.area_id else ""
        self.estimated_cost.data = Decimal(proposal.estimated_cost_minor) / 100
        if proposal.savings_per_year_minor:
            self.savings_per_year.data = Decimal(proposal.savings_per_year_minor) / 100
        self.location.data = proposal.location


class OfficerProposalForm(ProposalForm):
    """A proposal that came by letter, phone, e-mail or at a meeting, typed in by an officer."""

    channel = SelectField(_l("Received by"), choices=vocabulary.choices(OFFICER_CHANNELS))
    received_on = DateField(_l("Date received"), validators=[DataRequired()])
    contact_consent = BooleanField(
        _l("The resident agreed that we keep their name and contact details")
    )
    contact_name = StringField(
        _l("Resident's name"), validators=[Optional(), Length(max=CONTACT_NAME_MAX)]
    )
    contact_details = StringField(
        _l("Resident's address, phone or e-mail"),
        validators=[Optional(), Length(max=CONTACT_DETAILS_MAX)],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not self.contact_consent.data and (self.contact_name.data or self.contact_details.data):
            self.contact_consent.errors.append(
                _l(
                    "Contact details are kept only with the resident's consent: tick the box "
                    "or leave them empty."
                )
            )
            ok = False
        return ok

    def to_input(self) -> ProposalInput:
        data = super().to_input()
        data.contact_consent = bool(self.contact_consent.data)
        if data.contact_consent:
            data.contact_name = self.contact_name.data or None
            data.contact_details = self.contact_details.data or None
        return data


class FlagForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this proposal abusive?"),
        validators=[DataRequired(), Length(max=FLAG_REASON_MAX)],
    )
