from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from pbplatform.proposals.services import DESCRIPTION_MAX, TITLE_MAX


class AmendmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)]
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the resident to invite"),
        validators=[DataRequired(), Length(max=254)],
    )
