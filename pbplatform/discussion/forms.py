from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from pbplatform.discussion.models import BODY_MAX, CHANNEL_LABELS, OFFLINE_CHANNELS


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(), Length(max=BODY_MAX)],
        description=_l("Plain text; links are shown as links. Be kind and stay on topic."),
    )
    parent_id = HiddenField()


class FlagCommentForm(FlaskForm):
    reason = StringField(_l("What is wrong with it?"), validators=[DataRequired(), Length(max=300)])


class HideCommentForm(FlaskForm):
    reason = StringField(
        _l("Reason shown in place of the text"), validators=[DataRequired(), Length(max=300)]
    )


class OfficerCommentForm(FlaskForm):
    kind = RadioField(
        _l("What are you posting?"),
        choices=[
            SelectChoice("official", _l("An official answer in the council's name")),
            SelectChoice(
                "offline", _l("A comment that arrived by letter, phone, e-mail or at a meeting")
            ),
        ],
        default="official",
    )
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=BODY_MAX)])
    department = StringField(
        _l("Department (for an official answer)"), validators=[Optional(), Length(max=120)]
    )
    channel = SelectField(
        _l("How it arrived (for a comment entered for a resident)"),
        choices=[SelectChoice(c.value, CHANNEL_LABELS[c]) for c in OFFLINE_CHANNELS],
    )
    author_name = StringField(
        _l("Name the resident gave (optional)"), validators=[Optional(), Length(max=120)]
    )
    parent_id = HiddenField()
