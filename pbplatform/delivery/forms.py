"""Officers' forms for delivery: the record and a milestone with photos."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pbplatform.delivery.models import DeliveryStatus
from pbplatform.delivery.services import DEPARTMENT_MAX, TEXT_MAX, DeliveryInput
from pbplatform.money import to_minor
from pbplatform.proposals.forms import not_negative

MAX_AMOUNT = Decimal("100000000000")


def _minor(value: Decimal | None) -> int:
    return to_minor(value) if value is not None else 0


class DeliveryForm(FlaskForm):
    status = SelectField(_l("Status"), default=DeliveryStatus.PLANNED.value)
    progress = IntegerField(
        _l("Progress (percent)"), default=0, validators=[InputRequired(), NumberRange(0, 100)]
    )
    department = StringField(
        _l("Responsible department"), validators=[Optional(), Length(max=DEPARTMENT_MAX)]
    )
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_end = DateField(_l("Planned end"), validators=[Optional()])
    actual_start = DateField(_l("Actual start"), validators=[Optional()])
    actual_end = DateField(_l("Actual end"), validators=[Optional()])
    committed = DecimalField(
        _l("Money committed"),
        places=2,
        default=0,
        validators=[Optional(), not_negative, NumberRange(max=MAX_AMOUNT)],
    )
    spent = DecimalField(
        _l("Money spent"),
        places=2,
        default=0,
        validators=[Optional(), not_negative, NumberRange(max=MAX_AMOUNT)],
    )
    not_done_reason = TextAreaField(
        _l("Why it was not done (if not done)"), validators=[Optional(), Length(max=TEXT_MAX)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(s.value, s.label) for s in DeliveryStatus]

    def to_input(self) -> DeliveryInput:
        return DeliveryInput(
            status=self.status.data or "",
            progress=self.progress.data or 0,
            department=self.department.data,
            planned_start=self.planned_start.data,
            planned_end=self.planned_end.data,
            actual_start=self.actual_start.data,
            actual_end=self.actual_end.data,
            committed_minor=_minor(self.committed.data),
            spent_minor=_minor(self.spent.data),
            not_done_reason=self.not_done_reason.data,
        )


class MilestoneForm(FlaskForm):
    on_date = DateField(_l("Date"), validators=[DataRequired()])
    text = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    photos = FileField(
        _l("Photos (JPEG, PNG or WebP; optional)"),
        render_kw={"multiple": True, "accept": "image/jpeg,image/png,image/webp"},
    )
