from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from pbplatform.notifications.models import FREQUENCY_LABELS


class EmailChoiceForm(FlaskForm):
    email = RadioField(
        _l("E-mail about what you follow"),
        choices=[SelectChoice(kind.value, label) for kind, label in FREQUENCY_LABELS.items()],
    )


class FollowAreaForm(FlaskForm):
    area = SelectField(_l("Neighbourhood"), coerce=int, validate_choice=True)


class FollowCycleForm(FlaskForm):
    cycle = SelectField(_l("Citizens' budget"), coerce=int, validate_choice=True)
