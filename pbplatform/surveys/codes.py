"""Survey codes: single-use codes in batches (post, handing out at a meeting), kept as peppered
hashes only, as voting codes are (channels/codes.py). Redeeming marks the code used with a
conditional UPDATE in the response's transaction, so a code gives one response however often
it is sent at once; the code keeps the day it was used and no link to the response."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.codes import display_code, new_code, normalise_code
from pbplatform.channels.pepper import peppered_hash
from pbplatform.db import rows_changed, today
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys.models import (
    ResponseChannel,
    Survey,
    SurveyCode,
    SurveyCodeBatch,
    SurveyResponse,
)
from pbplatform.surveys.services import Attributes, checked, ensure_open, respond_anonymously

MAX_BATCH = 50_000


def hash_code(code: str) -> str:
    return peppered_hash("survey-code", normalise_code(code))


def generate_codes(
    survey: Survey, count: int, label: str, actor: User | None = None
) -> tuple[SurveyCodeBatch, list[str]]:
    """A batch of codes; the plaintext is returned once and kept nowhere."""
    if survey.is_closed():
        raise DomainError("survey_closed", _("This survey is closed."), status=409)
    if not 0 < count <= MAX_BATCH:
        raise DomainError("bad_count", _("A batch holds 1 to %(max)s codes.", max=MAX_BATCH))
    batch = SurveyCodeBatch(
        survey_id=survey.id, count=count, label=label, created_by_id=actor.id if actor else None
    )
    db.session.add(batch)
    db.session.flush()
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    db.session.execute(
        sa.insert(SurveyCode),
        [{"batch_id": batch.id, "code_hash": hash_code(c)} for c in sorted(codes)],
    )
    audit.record(
        "survey.codes",
        survey,
        actor=actor,
        area_id=survey.area_id,
        after={"count": count, "label": label},
    )
    return batch, sorted(codes)


def code_rows(survey: Survey, batch: SurveyCodeBatch, codes: list[str]) -> list[list[str]]:
    rows = [["code", "survey", "batch", "label"]]
    rows += [[display_code(c), survey.title, str(batch.id), batch.label] for c in codes]
    return rows


def redeem_code(
    survey: Survey, text: str, raw: dict[str, Any], attributes: Attributes | None = None
) -> SurveyResponse:
    """Answer with a code: check the answers, mark the code used (once), store; all or nothing."""
    ensure_open(survey)
    code = (
        db.session.scalar(
            sa.select(SurveyCode)
            .join(SurveyCodeBatch)
            .where(SurveyCode.code_hash == hash_code(text), SurveyCodeBatch.survey_id == survey.id)
        )
        if normalise_code(text)
        else None
    )
    if code is None:
        raise DomainError(
            "invalid_code", _("This code is not valid for this survey. Check it and type it again.")
        )
    checked(survey, raw)
    used = db.session.execute(
        sa.update(SurveyCode)
        .where(SurveyCode.id == code.id, SurveyCode.used_on.is_(None))
        .values(used_on=today())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(used) != 1:
        raise DomainError("code_used", _("This code has already been used."), status=409)
    return respond_anonymously(survey, raw, ResponseChannel.CODE, attributes)
