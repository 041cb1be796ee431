"""Reads for the discussion: a proposal's thread, flags, and questions waiting for an answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle
from pbplatform.db import utcnow
from pbplatform.discussion.models import Comment, CommentFlag
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import area_scope


def comment_by_id(comment_id: int) -> Comment | None:
    return db.session.get(Comment, comment_id)


def thread(proposal_id: int) -> Sequence[Comment]:
    """Top-level comments, oldest first, each with its replies loaded."""
    return db.session.scalars(
        sa.select(Comment)
        .where(Comment.proposal_id == proposal_id, Comment.parent_id.is_(None))
        .options(selectinload(Comment.replies), selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()


def all_comments(proposal_id: int) -> Sequence[Comment]:
    return db.session.scalars(
        sa.select(Comment)
        .where(Comment.proposal_id == proposal_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()


def user_flagged(comment_id: int, user_id: int) -> bool:
    found = db.session.scalar(
        sa.select(CommentFlag.id).where(
            CommentFlag.comment_id == comment_id, CommentFlag.user_id == user_id
        )
    )
    return found is not None


def resolve_flags(comment_id: int) -> None:
    db.session.execute(
        sa.update(CommentFlag)
        .where(CommentFlag.comment_id == comment_id, CommentFlag.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )


def flagged_comments_for(officer: User) -> list[tuple[Comment, int]]:
    """Comments with open flags on proposals in the officer's areas, with the flag count."""
    rows = db.session.execute(
        sa.select(Comment, sa.func.count(CommentFlag.id))
        .join(CommentFlag, CommentFlag.comment_id == Comment.id)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .where(CommentFlag.resolved_at.is_(None), *area_scope(officer))
        .group_by(Comment.id)
        .order_by(Comment.id)
    ).all()
    return [(c, n) for c, n in rows]


def open_flag_reasons(comment_ids: list[int]) -> dict[int, list[str]]:
    """The reasons residents gave in the open reports of these comments, oldest first (not who
    gave them): what the officer weighs before hiding the comment or dismissing the reports."""
    rows = db.session.execute(
        sa.select(CommentFlag.comment_id, CommentFlag.reason)
        .where(CommentFlag.comment_id.in_(comment_ids), CommentFlag.resolved_at.is_(None))
        .order_by(CommentFlag.comment_id, CommentFlag.id)
    )
    reasons: dict[int, list[str]] = {}
    for comment_id, reason in rows:
        reasons.setdefault(comment_id, []).append(reason)
    return reasons


def unanswered_for(officer: User) -> list[tuple[Proposal, Comment]]:
    """Proposals in the officer's areas with a resident's question older than the cycle's
    `answer_within_days` and no official answer since; with the oldest such question."""
    answer = aliased(Comment)
    answered_since = (
        sa.select(answer.id)
        .where(
            answer.proposal_id == Comment.proposal_id,
            answer.official.is_(True),
            answer.created_at >= Comment.created_at,
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(Comment, Proposal, Cycle.answer_within_days)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .join(Cycle, Cycle.id == Proposal.cycle_id)
        .where(
            Comment.parent_id.is_(None),
            Comment.official.is_(False),
            Comment.hidden_at.is_(None),
            ~answered_since,
            *area_scope(officer),
        )
        .order_by(Comment.created_at)
    ).all()
    now = utcnow()
    found: dict[int, tuple[Proposal, Comment]] = {}
    for comment, proposal, days in rows:  # each cycle has its own answer deadline
        if comment.created_at <= now - timedelta(days=days) and proposal.id not in found:
            found[proposal.id] = (proposal, comment)
    return list(found.values())
