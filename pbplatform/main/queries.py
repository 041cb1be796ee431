"""What the home page and a resident's own page show: their proposals, offers and where they
voted (never what: ballots carry no link to voters)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Participation
from pbplatform.voting.services import voter_key_for


def my_proposals(user: User) -> Sequence[Proposal]:
    return db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.author_id == user.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all()


def my_participations(user: User) -> dict[int, Participation]:
    """Per cycle id, the one-vote record of this person: the channel and the day, nothing else.
    Matched by account and by the person's key (a census-verified resident's paper vote)."""
    rows = db.session.scalars(
        sa.select(Participation).where(
            sa.or_(Participation.user_id == user.id, Participation.voter_key == voter_key_for(user))
        )
    )
    return {p.cycle_id: p for p in rows}


def cycles_by_id(ids: set[int]) -> dict[int, Cycle]:
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Cycle).where(Cycle.id.in_(ids)))}


def cycles_newest_first() -> Sequence[Cycle]:
    return db.session.scalars(sa.select(Cycle).order_by(Cycle.created_at.desc())).all()


def database_answers() -> bool:
    """Whether the database answers a trivial query (the session is usable again after)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True
