from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from pbplatform.meetings.models import AGENDA_MAX, MINUTES_MAX

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class MeetingEventForm(FlaskForm):
    starts_at = StringField(
        _l("Starts at (hh:mm, local time)"),
        validators=[
            Optional(),
            Regexp(
                r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                message=_l("Write the time as hh:mm, e.g. 18:30."),
            ),
        ],
    )
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=AGENDA_MAX)])
    proposals = TextAreaField(
        _l("Proposals discussed (tracking numbers, one per line or separated by commas)"),
        validators=[Optional(), Length(max=2000)],
    )
    minutes = TextAreaField(
        _l("Minutes (after the meeting)"), validators=[Optional(), Length(max=MINUTES_MAX)]
    )
