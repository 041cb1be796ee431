"""Forms of the channels pages. Ballot choices are read with voting.forms.selections_from_form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class MeetingForm(FlaskForm):
    area_id = SelectField(_l("Neighbourhood"), coerce=int, validators=[DataRequired()])
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    attendance = IntegerField(
        _l("Attendance (people present)"),
        validators=[DataRequired(), NumberRange(min=0, max=100_000)],
    )
    dots_per_person = IntegerField(
        _l("Dots per person"), default=5, validators=[DataRequired(), NumberRange(min=1, max=100)]
    )


class AttendanceForm(FlaskForm):
    attendance = IntegerField(
        _l("Attendance (people present)"),
        validators=[DataRequired(), NumberRange(min=0, max=100_000)],
    )


class SiteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=240)])
    area_id = SelectField(_l("Neighbourhood (or all)"), coerce=int, default=0)
    checks_voters = BooleanField(
        _l(
            "Officers at this site check and record each voter "
            "(blocks a second vote in other channels)"
        )
    )


class PaperBallotForm(FlaskForm):
    serial = StringField(_l("Ballot serial"), validators=[DataRequired(), Length(max=40)])
    voter_ref = StringField(
        _l("Voter (e-mail, or identifier|YYYY-MM-DD|postcode)"),
        validators=[Optional(), Length(max=300)],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class CodeBatchForm(FlaskForm):
    label = StringField(
        _l("Label (e.g. household survey, wave 1)"), validators=[DataRequired(), Length(max=120)]
    )
    count = IntegerField(
        _l("Number of codes"), validators=[DataRequired(), NumberRange(min=1, max=50_000)]
    )
    area_id = SelectField(_l("Neighbourhood (or the holder chooses)"), coerce=int, default=0)


class CensusUploadForm(FlaskForm):
    file = FileField(
        _l("Register (CSV: identifier, birth_date, postcode)"), validators=[FileRequired()]
    )


class VerifyForm(FlaskForm):
    identifier = StringField(
        _l("Identifier (as on your letter or ID)"), validators=[DataRequired(), Length(max=120)]
    )
    birth_date = DateField(_l("Birth date"), validators=[DataRequired()])
    postcode = StringField(_l("Postcode"), validators=[DataRequired(), Length(max=20)])


class CodeForm(FlaskForm):
    code = StringField(_l("Your voting code"), validators=[DataRequired(), Length(max=40)])
