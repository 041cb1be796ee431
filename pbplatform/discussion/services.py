"""Comments: post, answer officially, enter what came offline, flag, hide. Functions flush; the
request commits. Every refusal is a DomainError naming the rule."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.cycles.models import Phase
from pbplatform.db import utcnow
from pbplatform.discussion import queries
from pbplatform.discussion.models import (
    BODY_MAX,
    HIDDEN_REASON_MAX,
    Comment,
    CommentChannel,
    CommentFlag,
)
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.security.access import require_remit

# Control characters other than newline and tab have no place in a plain-text comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def comments_open(proposal: Proposal) -> bool:
    """Open until the cycle's results are published; open again for a project in delivery."""
    if proposal.cycle.current_phase != Phase.RESULTS:
        return True
    from pbplatform.delivery.models import DeliveryStatus
    from pbplatform.delivery.queries import delivery_of  # delivery builds on the discussion

    record = delivery_of(proposal)
    return record is not None and record.status in (DeliveryStatus.IN_PROGRESS, DeliveryStatus.DONE)


def _clean(body: str | None) -> str:
    text = _CONTROL.sub("", (body or "").replace("\r\n", "\n")).strip()
    if not text:
        raise DomainError("empty_comment", _("Write a comment first."), field="body")
    if len(text) > BODY_MAX:
        raise DomainError(
            "comment_too_long",
            _(
                "A comment can be at most %(max)s characters long (this one has %(n)s).",
                max=BODY_MAX,
                n=len(text),
            ),
            field="body",
        )
    return text


def _parent(proposal: Proposal, parent_id: int | None) -> int | None:
    if parent_id is None:
        return None
    parent = queries.comment_by_id(parent_id)
    if parent is None or parent.proposal_id != proposal.id:
        raise DomainError("unknown_parent", _("There is no such comment to answer."), status=404)
    if parent.parent_id is not None:  # one level deep: answer the question, not the answer
        return parent.parent_id
    return parent.id


def _check_open(proposal: Proposal) -> None:
    if not comments_open(proposal):
        raise DomainError(
            "comments_closed",
            _(
                "Comments are closed: the results are published and this project is not "
                "in delivery."
            ),
            status=409,
        )


def post_comment(
    proposal: Proposal,
    author: User,
    body: str | None,
    parent_id: int | None = None,
    channel: CommentChannel = CommentChannel.WEB,
) -> Comment:
    """A resident's comment (or reply); the author then follows the proposal."""
    _check_open(proposal)
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=_parent(proposal, parent_id),
        author_id=author.id,
        body=_clean(body),
        channel=channel,
    )
    db.session.add(comment)
    db.session.flush()
    from pbplatform.notifications.services import follow  # notifications import proposals

    follow(author, proposal=proposal)
    return comment


def post_official_answer(
    proposal: Proposal,
    officer: User,
    body: str | None,
    department: str | None,
    parent_id: int | None = None,
) -> Comment:
    """An answer in the council's name, marked with the department; followers are told."""
    require_remit(officer, proposal)
    _check_open(proposal)
    department = (department or "").strip()[:120]
    if not department:
        raise DomainError(
            "department_missing",
            _("Name the department that answers."),
            field="department",
        )
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=_parent(proposal, parent_id),
        author_id=officer.id,
        body=_clean(body),
        channel=CommentChannel.WEB,
        official=True,
        department=department,
        entered_by_id=officer.id,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record("comment.official", comment, actor=officer, after={"proposal": proposal.id})
    from pbplatform.notifications.services import notify_official_answer

    notify_official_answer(comment)
    return comment


def enter_offline_comment(
    proposal: Proposal,
    officer: User,
    body: str | None,
    channel: CommentChannel,
    author_name: str | None,
    parent_id: int | None = None,
) -> Comment:
    """A comment that came by letter, phone, e-mail or at a meeting, entered by an officer."""
    require_remit(officer, proposal)
    _check_open(proposal)
    if channel not in (
        CommentChannel.LETTER,
        CommentChannel.PHONE,
        CommentChannel.EMAIL,
        CommentChannel.MEETING,
    ):
        raise DomainError("bad_channel", _("Choose how the comment arrived."), field="channel")
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=_parent(proposal, parent_id),
        author_name=(author_name or "").strip()[:120] or None,
        body=_clean(body),
        channel=channel,
        entered_by_id=officer.id,
    )
    db.session.add(comment)
    db.session.flush()
    audit.record("comment.entered", comment, actor=officer, after={"channel": str(channel)})
    return comment


def flag_comment(comment: Comment, user: User, reason: str | None) -> CommentFlag:
    reason = (reason or "").strip()[:300]
    if not reason:
        raise DomainError("reason_missing", _("Say what is wrong with it."), field="reason")
    if queries.user_flagged(comment.id, user.id):
        raise DomainError(
            "already_flagged", _("You have already reported this comment."), status=409
        )
    flag = CommentFlag(comment_id=comment.id, user_id=user.id, reason=reason)
    db.session.add(flag)
    db.session.flush()
    return flag


def hide_comment(comment: Comment, officer: User, reason: str | None) -> Comment:
    """Hide the text with a reason shown in its place; the comment and its replies stay."""
    require_remit(officer, comment.proposal)
    reason = (reason or "").strip()[:HIDDEN_REASON_MAX]
    if not reason:
        raise DomainError(
            "reason_missing", _("Give the reason shown in place of the text."), field="reason"
        )
    comment.hidden_at, comment.hidden_reason, comment.hidden_by_id = utcnow(), reason, officer.id
    queries.resolve_flags(comment.id)
    db.session.flush()
    audit.record("comment.hidden", comment, actor=officer, after={"reason": reason})
    return comment


def unhide_comment(comment: Comment, officer: User) -> Comment:
    require_remit(officer, comment.proposal)
    comment.hidden_at = comment.hidden_reason = comment.hidden_by_id = None
    db.session.flush()
    audit.record("comment.unhidden", comment, actor=officer)
    return comment


def dismiss_flags(comment: Comment, officer: User) -> None:
    require_remit(officer, comment.proposal)
    queries.resolve_flags(comment.id)
    audit.record("comment.flags_dismissed", comment, actor=officer)
