"""Reads for following and notifications."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pbplatform.accounts.models import User
from pbplatform.db import rows_changed
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


# An audience: a SELECT of the user ids to tell (column `user_id`), any number of them; the
# database joins it with the e-mail choices and the notifications are written in bulk.
Audience = sa.Select[Any] | sa.CompoundSelect[Any]


def proposal_followers(proposal_id: int) -> Audience:
    return sa.select(Follow.user_id).where(Follow.proposal_id == proposal_id)


def area_followers(area_id: int | None, cycle_id: int) -> Audience:
    """Followers of the area (district-wide items: none) and of the cycle."""
    conditions = [Follow.cycle_id == cycle_id]
    if area_id is not None:
        conditions.append(Follow.area_id == area_id)
    return sa.select(Follow.user_id).where(sa.or_(*conditions))


def cycle_followers(cycle_id: int) -> Audience:
    """Followers of the cycle and of any area that has a budget in it."""
    from pbplatform.cycles.models import CycleArea

    areas = sa.select(CycleArea.area_id).where(CycleArea.cycle_id == cycle_id)
    return sa.select(Follow.user_id).where(
        sa.or_(Follow.cycle_id == cycle_id, Follow.area_id.in_(areas))
    )


def cycle_proposal_followers(cycle_id: int) -> Audience:
    return (
        sa.select(Follow.user_id)
        .join(Proposal, Proposal.id == Follow.proposal_id)
        .where(Proposal.cycle_id == cycle_id)
    )


def these_users(user_ids: Iterable[int]) -> Audience:
    """A few people named by id (the person asked, the offerer...)."""
    return sa.select(User.id.label("user_id")).where(User.id.in_(sorted(set(user_ids))))


def _people(audience: Audience, exclude: int | None) -> sa.Subquery:
    who = audience.subquery()
    people = sa.select(who.c.user_id)
    if exclude is not None:
        people = people.where(who.c.user_id != exclude)
    return people.distinct().subquery()


def insert_notifications(audience: Audience, exclude: int | None, values: dict[str, Any]) -> int:
    """Write one notification with these values for each person of the audience (once, but
    `exclude`), in one INSERT ... SELECT whatever their number; `mailed_at` is set at once for
    those who want no e-mail (the digest skips them). Returns how many rows it wrote."""
    people = _people(audience, exclude)
    columns = Notification.__table__.c
    never = NotificationSetting.email == EmailFrequency.NEVER
    rows = sa.select(
        people.c.user_id,
        *(sa.literal(value, columns[name].type).label(name) for name, value in values.items()),
        sa.case(
            (never, sa.literal(values["created_at"], columns["mailed_at"].type)),
            else_=sa.null(),
        ).label("mailed_at"),
    ).outerjoin(NotificationSetting, NotificationSetting.user_id == people.c.user_id)
    written = db.session.execute(
        sa.insert(Notification)
        .from_select(["user_id", *values, "mailed_at"], rows)
        .execution_options(preserve_rowcount=True)  # an INSERT's count is kept only if asked
    )
    return rows_changed(written)


def wants_mail_at_once(audience: Audience, exclude: int | None) -> bool:
    """Whether anyone of the audience wants each notification by e-mail at once."""
    people = _people(audience, exclude)
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    NotificationSetting.user_id == people.c.user_id,
                    NotificationSetting.email == EmailFrequency.IMMEDIATE,
                )
            )
        )
    )


def claim_unmailed(frequency: EmailFrequency, when: datetime) -> list[int]:
    """Mark as mailed, now, the notifications not yet mailed of the people whose choice is
    `frequency` (daily: also those with no setting, the default); the ids this UPDATE changed.

    The claim is what makes mailing idempotent: whoever mails a notification claims it first in
    the transaction that writes the e-mail. A second claimant at the same time (another job,
    the digest) waits on PostgreSQL for the first to commit, then finds `mailed_at` set and
    takes nothing; if the first rolls back (a killed worker), the rows are free again."""
    chosen = sa.select(NotificationSetting.user_id).where(NotificationSetting.email == frequency)
    if frequency == EmailFrequency.DAILY:
        anyone_else = sa.select(NotificationSetting.user_id)
        who = sa.or_(Notification.user_id.in_(chosen), Notification.user_id.not_in(anyone_else))
    else:
        who = Notification.user_id.in_(chosen)
    return _claim(who, when)


def claim_unmailed_of(user_id: int, when: datetime) -> list[int]:
    """Claim, as `claim_unmailed` does, one person's notifications not yet mailed."""
    return _claim(Notification.user_id == user_id, when)


def _claim(who: sa.ColumnElement[bool], when: datetime) -> list[int]:
    claimed = db.session.scalars(
        sa.update(Notification)
        .where(Notification.mailed_at.is_(None), who)
        .values(mailed_at=when)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed)


def notifications_by_user(ids: list[int]) -> dict[int, list[Notification]]:
    """These notifications, per person, oldest first, with what their e-mail names."""
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.id.in_(ids))
        .options(
            selectinload(Notification.proposal),
            selectinload(Notification.cycle),
            selectinload(Notification.meeting),  # an invitation's day is said from it
        )
        .order_by(Notification.user_id, Notification.id)
    )
    found: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        found[row.user_id].append(row)
    return dict(found)


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(ids))))}


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
