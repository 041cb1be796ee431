"""Consents: recorded at registration, changed (and withdrawn) on the account page.

Services flush and never commit (see transaction.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.privacy.models import OPTIONAL_PURPOSES, ConsentRecord, Purpose
from pbplatform.privacy.queries import current_consents


def notice_version() -> str:
    return current_app.config["PRIVACY_NOTICE_VERSION"]


def record_registration(user: User, seen_version: str, choices: Mapping[Purpose, bool]) -> None:
    """The notice version the person was shown, and each optional use as they left it
    (unticked unless they ticked it), so the record proves what was and was not agreed."""
    db.session.add(
        ConsentRecord(
            user_id=user.id, purpose=Purpose.NOTICE, granted=True, notice_version=seen_version
        )
    )
    for purpose in OPTIONAL_PURPOSES:
        db.session.add(
            ConsentRecord(
                user_id=user.id,
                purpose=purpose,
                granted=bool(choices.get(purpose)),
                notice_version=seen_version,
            )
        )
    db.session.flush()


def set_consents(user: User, choices: Mapping[Purpose, bool]) -> list[Purpose]:
    """Append a record for each optional use whose answer changed; returns those purposes."""
    now = current_consents(user)
    changed = [p for p in OPTIONAL_PURPOSES if bool(choices.get(p)) != now.get(p, False)]
    for purpose in changed:
        db.session.add(
            ConsentRecord(
                user_id=user.id,
                purpose=purpose,
                granted=bool(choices.get(purpose)),
                notice_version=notice_version(),
            )
        )
    db.session.flush()
    return changed
