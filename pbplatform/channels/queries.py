"""Reads the channel pages need: whether a cycle has voting codes, one meeting or site."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from pbplatform.channels.models import VotingCodeBatch
from pbplatform.extensions import db

T = TypeVar("T")


def has_code_batches(cycle_id: int) -> bool:
    found = db.session.scalar(
        sa.select(VotingCodeBatch.id).where(VotingCodeBatch.cycle_id == cycle_id).limit(1)
    )
    return found is not None


def by_id(model: type[T], object_id: int) -> T | None:
    return db.session.get(model, object_id)
