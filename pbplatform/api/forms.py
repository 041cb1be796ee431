"""The account page's form for a new API token. Only the declared field is ever read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from pbplatform.api.services import NAME_MAX


class TokenForm(FlaskForm):
    token_name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=NAME_MAX)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description=_l("For example the name of the app that will use it."),
    )
