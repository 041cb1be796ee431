"""Reads about voting that views need (never what anyone chose: ballots carry no voter)."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.voting.models import Participation
from pbplatform.voting.services import voter_key_for


def channel_voted_by(cycle: Cycle, user: User) -> str | None:
    """The channel through which this person voted in the cycle, or None."""
    return db.session.scalar(
        sa.select(Participation.channel).where(
            Participation.cycle_id == cycle.id,
            Participation.voter_key == voter_key_for(user),
        )
    )
