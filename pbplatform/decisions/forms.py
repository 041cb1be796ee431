"""Forms for recording the council's decision and routing a proposal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from pbplatform.cycles.models import Cycle
from pbplatform.decisions.models import DecisionStatus, RoutingKind
from pbplatform.decisions.services import (
    AUTHORITY_MAX,
    TEXT_MAX,
    URL_MAX,
    EntryInput,
    RoutingInput,
)
from pbplatform.money import to_minor
from pbplatform.proposals.forms import not_negative


def http_url(form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(_l("Enter an address starting with http:// or https://."))


class SessionForm(FlaskForm):
    session_date = DateField(_l("Date of the council session"), validators=[DataRequired()])
    minutes_url = StringField(
        _l("Link to the minutes (optional)"),
        validators=[Optional(), Length(max=URL_MAX), http_url],
    )


class EntryForm(FlaskForm):
    status = SelectField(
        _l("The council's decision"),
        choices=[],
        validators=[DataRequired()],
    )
    amount = DecimalField(
        _l("Adopted amount, if changed"), places=2, validators=[Optional(), not_negative]
    )
    changes = TextAreaField(
        _l("What changed (for “adopted with changes”)"),
        validators=[Optional(), Length(max=TEXT_MAX)],
    )
    reason = TextAreaField(
        _l("The council's reason (needed unless adopted as counted)"),
        validators=[Optional(), Length(max=TEXT_MAX)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(s.value, s.label) for s in DecisionStatus]

    def to_input(self, currency: str) -> EntryInput:
        amount = self.amount.data
        return EntryInput(
            status=self.status.data or "",
            amount_minor=to_minor(amount) if amount is not None else None,
            changes=self.changes.data,
            reason=self.reason.data,
        )


class RoutingForm(FlaskForm):
    kind = SelectField(_l("What happened"), validators=[DataRequired()])
    authority = StringField(
        _l("Authority it was forwarded to"), validators=[Optional(), Length(max=AUTHORITY_MAX)]
    )
    cost = DecimalField(
        _l("Cost, if done without a vote"), places=2, validators=[Optional(), not_negative]
    )
    done_on = DateField(_l("Done on"), validators=[Optional()])
    to_cycle = SelectField(_l("Next cycle, if carried over"), validators=[Optional()])
    note = TextAreaField(_l("Note (public)"), validators=[Optional(), Length(max=TEXT_MAX)])

    def set_choices(self, targets: list[Cycle]) -> None:
        self.kind.choices = [SelectChoice(k.value, k.label) for k in RoutingKind]
        self.to_cycle.choices = [SelectChoice("", "—")] + [
            SelectChoice(c.slug, c.name) for c in targets
        ]

    def to_input(self, currency: str, targets: list[Cycle]) -> RoutingInput:
        cost = self.cost.data
        return RoutingInput(
            kind=self.kind.data or "",
            note=self.note.data,
            authority=self.authority.data,
            cost_minor=to_minor(cost) if cost is not None else None,
            done_on=self.done_on.data,
            to_cycle=next((c for c in targets if c.slug == self.to_cycle.data), None),
        )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("The authority's answer"), validators=[DataRequired(), Length(max=TEXT_MAX)]
    )
    answered_on = DateField(_l("Answered on"), validators=[DataRequired()])
