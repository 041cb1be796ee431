"""Reads for the privacy pages (no writes: a GET never writes)."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.privacy.models import AccountErasure, ConsentRecord, DataExport, Purpose


def current_consents(user: User) -> dict[Purpose, bool]:
    """The answer in force per purpose: the latest record wins."""
    rows = db.session.execute(
        sa.select(ConsentRecord.purpose, ConsentRecord.granted)
        .where(ConsentRecord.user_id == user.id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    return {Purpose(purpose): granted for purpose, granted in rows}


def seen_notice_version(user: User) -> str | None:
    return db.session.scalar(
        sa.select(ConsentRecord.notice_version)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.purpose == Purpose.NOTICE)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )


def live_exports(user: User) -> list[DataExport]:
    """The person's downloads that have not expired, newest first (content not loaded)."""
    return list(
        db.session.scalars(
            sa.select(DataExport)
            .options(sa.orm.defer(DataExport.content))
            .where(DataExport.user_id == user.id, DataExport.expires_at > utcnow())
            .order_by(DataExport.id.desc())
        )
    )


def find_live_export(user: User, export_id: int) -> DataExport | None:
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id or export.expires_at <= utcnow():
        return None
    return export


def is_erased(user_id: int) -> bool:
    return db.session.get(AccountErasure, user_id) is not None


def consent_history(user: User) -> list[ConsentRecord]:
    """Every answer the person gave, oldest first: what they agreed to, when, under which
    notice version (GDPR Art. 7(1))."""
    return list(
        db.session.scalars(
            sa.select(ConsentRecord)
            .where(ConsentRecord.user_id == user.id)
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        )
    )
