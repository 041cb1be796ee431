"""Reads for co-authors, amendments and merge consent."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.codesign.models import (
    Amendment,
    Answer,
    CoAuthor,
    MergeConsent,
    MergeOriginal,
    MergeRequest,
    MergeStatus,
)
from pbplatform.cycles.models import Phase
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus


def user_by_email(email: str) -> User | None:
    email = email.strip()
    if not email or len(email) > 254:
        return None
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def author_ids(proposal: Proposal) -> set[int]:
    """The author and the co-authors who accepted."""
    ids = set(
        db.session.scalars(
            sa.select(CoAuthor.user_id).where(
                CoAuthor.proposal_id == proposal.id, CoAuthor.status == Answer.ACCEPTED
            )
        )
    )
    if proposal.author_id is not None:
        ids.add(proposal.author_id)
    return ids


def coauthor(proposal_id: int, user_id: int) -> CoAuthor | None:
    return db.session.scalar(
        sa.select(CoAuthor).where(CoAuthor.proposal_id == proposal_id, CoAuthor.user_id == user_id)
    )


def coauthors(proposal_id: int) -> Sequence[CoAuthor]:
    return db.session.scalars(
        sa.select(CoAuthor)
        .where(CoAuthor.proposal_id == proposal_id, CoAuthor.status == Answer.ACCEPTED)
        .order_by(CoAuthor.id)
    ).all()


def invitation_by_id(row_id: int) -> CoAuthor | None:
    return db.session.get(CoAuthor, row_id)


def amendments(proposal_id: int) -> Sequence[Amendment]:
    return db.session.scalars(
        sa.select(Amendment).where(Amendment.proposal_id == proposal_id).order_by(Amendment.id)
    ).all()


def amendment_by_id(amendment_id: int) -> Amendment | None:
    return db.session.get(Amendment, amendment_id)


def consents(request_id: int) -> Sequence[MergeConsent]:
    return db.session.scalars(
        sa.select(MergeConsent).where(MergeConsent.request_id == request_id)
    ).all()


def consent_by_id(consent_id: int) -> MergeConsent | None:
    return db.session.get(MergeConsent, consent_id)


def merge_request(request_id: int) -> MergeRequest | None:
    return db.session.get(MergeRequest, request_id)


def open_merges_of(proposal: Proposal) -> list[MergeRequest]:
    """Pending merge requests that concern the proposal (as target or as a duplicate)."""
    as_original = sa.select(MergeOriginal.request_id).where(
        MergeOriginal.proposal_id == proposal.id
    )
    return list(
        db.session.scalars(
            sa.select(MergeRequest)
            .where(
                MergeRequest.status == MergeStatus.PENDING,
                sa.or_(MergeRequest.target_id == proposal.id, MergeRequest.id.in_(as_original)),
            )
            .order_by(MergeRequest.id)
        )
    )


def waiting_for(user: User) -> dict[str, list]:
    """What a resident is asked to answer: invitations, amendments, merge consents."""
    invitations = db.session.scalars(
        sa.select(CoAuthor).where(CoAuthor.user_id == user.id, CoAuthor.status == Answer.PENDING)
    ).all()
    my_proposals = (
        sa.select(Proposal.id)
        .where(Proposal.author_id == user.id)
        .union(
            sa.select(CoAuthor.proposal_id).where(
                CoAuthor.user_id == user.id, CoAuthor.status == Answer.ACCEPTED
            )
        )
    )
    open_amendments = db.session.scalars(
        sa.select(Amendment).where(
            Amendment.proposal_id.in_(my_proposals), Amendment.status == Answer.PENDING
        )
    ).all()
    merges = db.session.scalars(
        sa.select(MergeConsent)
        .join(MergeRequest)
        .where(
            MergeConsent.user_id == user.id,
            MergeConsent.answer == Answer.PENDING,
            MergeRequest.status == MergeStatus.PENDING,
        )
    ).all()
    return {
        "invitations": list(invitations),
        "amendments": list(open_amendments),
        "merges": list(merges),
    }


def panel(proposal: Proposal, user: User | None) -> dict:
    """What the proposal page shows of co-design: co-authors, amendments, a pending merge, and
    what the person looking may do."""
    authors = author_ids(proposal)
    is_author = user is not None and user.id in authors
    return {
        "coauthors": coauthors(proposal.id),
        "amendments": amendments(proposal.id),
        "merges": open_merges_of(proposal),
        "is_author": is_author,
        "can_amend": user is not None
        and not is_author
        and proposal.status == ProposalStatus.PENDING
        and proposal.cycle.current_phase in (Phase.PROPOSALS, Phase.REVIEW),
    }
