"""Reads for following and notifications."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from pbplatform.notifications.models import (
    EmailFrequency,
    Follow,
    Letter,
    Notification,
    NotificationSetting,
)
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import area_scope

PAGE_SIZE = 50


def follow_of(user_id: int, **target: int) -> Follow | None:
    ((column, value),) = target.items()
    return db.session.scalar(
        sa.select(Follow).where(Follow.user_id == user_id, getattr(Follow, column) == value)
    )


def follows_of(user_id: int) -> Sequence[Follow]:
    return db.session.scalars(
        sa.select(Follow).where(Follow.user_id == user_id).order_by(Follow.created_at.desc())
    ).all()


def is_following(user_id: int, **target: int) -> bool:
    return follow_of(user_id, **target) is not None


def proposal_follower_ids(proposal_id: int) -> list[int]:
    return list(
        db.session.scalars(sa.select(Follow.user_id).where(Follow.proposal_id == proposal_id))
    )


def area_follower_ids(area_id: int | None, cycle_id: int) -> list[int]:
    """Followers of the area (district-wide items: none) and of the cycle."""
    conditions = [Follow.cycle_id == cycle_id]
    if area_id is not None:
        conditions.append(Follow.area_id == area_id)
    return list(db.session.scalars(sa.select(Follow.user_id).where(sa.or_(*conditions))))


def cycle_follower_ids(cycle_id: int) -> list[int]:
    """Followers of the cycle and of any area that has a budget in it."""
    from pbplatform.cycles.models import CycleArea

    areas = sa.select(CycleArea.area_id).where(CycleArea.cycle_id == cycle_id)
    return list(
        db.session.scalars(
            sa.select(Follow.user_id).where(
                sa.or_(Follow.cycle_id == cycle_id, Follow.area_id.in_(areas))
            )
        )
    )


def follower_ids_of_cycle_proposals(cycle_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Follow.user_id)
            .join(Proposal, Proposal.id == Follow.proposal_id)
            .where(Proposal.cycle_id == cycle_id)
        )
    )


def email_frequencies(user_ids: list[int]) -> dict[int, EmailFrequency]:
    rows = db.session.execute(
        sa.select(NotificationSetting.user_id, NotificationSetting.email).where(
            NotificationSetting.user_id.in_(user_ids)
        )
    )
    return {user_id: EmailFrequency(email) for user_id, email in rows}


def unmailed_by_user(frequency: EmailFrequency) -> dict[int, list[Notification]]:
    """Notifications not yet e-mailed, per person whose choice is `frequency` (daily: also
    those with no setting, the default)."""
    chosen = sa.select(NotificationSetting.user_id).where(NotificationSetting.email == frequency)
    if frequency == EmailFrequency.DAILY:
        anyone_else = sa.select(NotificationSetting.user_id)
        who = sa.or_(Notification.user_id.in_(chosen), Notification.user_id.not_in(anyone_else))
    else:
        who = Notification.user_id.in_(chosen)
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.mailed_at.is_(None), who)
        .order_by(Notification.user_id, Notification.id)
    )
    found: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        found[row.user_id].append(row)
    return dict(found)


def mark_all_mailed(user_id: int, when: datetime) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.mailed_at.is_(None))
        .values(mailed_at=when)
    )


def notifications_of(user_id: int, page: int = 1) -> Sequence[Notification]:
    return db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def email_frequency(user_id: int) -> EmailFrequency:
    setting = db.session.get(NotificationSetting, user_id)
    return EmailFrequency(setting.email) if setting is not None else EmailFrequency.DAILY


def letters_due(officer: User) -> Sequence[Letter]:
    """Letters not yet printed, oldest first, for proposers who still agree to contact, on
    proposals in the officer's areas (the review queue's scope)."""
    return db.session.scalars(
        sa.select(Letter)
        .join(Proposal, Proposal.id == Letter.proposal_id)
        .where(
            Letter.printed_at.is_(None),
            Proposal.contact_consent.is_(True),
            *area_scope(officer),
        )
        .order_by(Letter.proposal_id, Letter.id)
    ).all()
