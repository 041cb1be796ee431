"""Co-authors, amendments and merge consent. Functions flush; the request commits.

Who counts as an author: the proposal's author and every co-author who accepted. Amendments and
merge requests are answered by them; a merge needs every author's consent, or proceeds after the
waiting time (`MERGE_CONSENT_DAYS`) with the officer's reason recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.codesign import queries
from pbplatform.codesign.models import (
    Amendment,
    Answer,
    CoAuthor,
    MergeConsent,
    MergeRequest,
    MergeStatus,
)
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.proposals.services import (
    DESCRIPTION_MAX,
    OPEN_PHASES,
    TITLE_MAX,
    add_event,
)
from pbplatform.security.access import require_remit


def _notify(user_id: int | None, kind: str, proposal: Proposal, note: str | None = None) -> None:
    if user_id is not None:
        from pbplatform.notifications.services import notify_user  # it imports proposals

        notify_user(user_id, kind, proposal, proposal.cycle_id, note)


def _require_author(proposal: Proposal, user: User) -> None:
    if user.id not in queries.author_ids(proposal):
        raise DomainError("not_author", _("Only the proposal's authors can do this."), status=403)


# -- co-authors ---------------------------------------------------------------------------


def invite_coauthor(proposal: Proposal, author: User, email: str | None) -> CoAuthor | None:
    """Invite a registered resident by e-mail address. The answer is the same whether or not
    the address has an account (no one learns who is registered); None when it has none."""
    _require_author(proposal, author)
    invitee = queries.user_by_email(email or "")
    if invitee is None or invitee.id in queries.author_ids(proposal) or not invitee.is_active:
        return None
    existing = queries.coauthor(proposal.id, invitee.id)
    if existing is not None:
        return existing
    row = CoAuthor(proposal_id=proposal.id, user_id=invitee.id, invited_by_id=author.id)
    db.session.add(row)
    db.session.flush()
    _notify(invitee.id, "coauthor_invited", proposal, author.display_name)
    return row


def add_coauthor(proposal: Proposal, officer: User, email: str | None) -> CoAuthor:
    """An officer adds a resident who proposed offline (and now has an account) at once."""
    require_remit(officer, proposal)
    resident = queries.user_by_email(email or "")
    if resident is None:
        raise DomainError(
            "no_account", _("No account has this e-mail address."), field="email", status=404
        )
    row = queries.coauthor(proposal.id, resident.id)
    if row is None:
        row = CoAuthor(proposal_id=proposal.id, user_id=resident.id, invited_by_id=officer.id)
        db.session.add(row)
    row.status, row.answered_at = Answer.ACCEPTED, utcnow()
    db.session.flush()
    audit.record("proposal.coauthor_added", proposal, actor=officer, after={"user": resident.id})
    _follow(resident, proposal)
    return row


def answer_invitation(row: CoAuthor, user: User, accept: bool) -> CoAuthor:
    if row.user_id != user.id or row.status != Answer.PENDING:
        raise DomainError("not_invited", _("There is no open invitation for you."), status=404)
    row.status, row.answered_at = (Answer.ACCEPTED if accept else Answer.DECLINED), utcnow()
    db.session.flush()
    if accept:
        add_event(row.proposal, "coauthor_joined", user.display_name)
        _follow(user, row.proposal)
    return row


def _follow(user: User, proposal: Proposal) -> None:
    from pbplatform.notifications.services import follow

    follow(user, proposal=proposal)


# -- amendments ---------------------------------------------------------------------------


def _new_text(proposal: Proposal, title: str | None, description: str | None) -> tuple[str, str]:
    """The amendment's text, checked like a proposal's, and different from the current one."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title or not description:
        raise DomainError("missing_fields", _("A title and a description are required."))
    if len(title) > TITLE_MAX or len(description) > DESCRIPTION_MAX:
        raise DomainError("too_long", _("The title or the description is too long."))
    if (title, description) == (proposal.title, proposal.description):
        raise DomainError("no_change", _("The amendment changes nothing."), field="description")
    return title, description


def _amendable(proposal: Proposal) -> bool:
    return proposal.status == ProposalStatus.PENDING and proposal.cycle.current_phase in OPEN_PHASES


def propose_amendment(
    proposal: Proposal, amender: User, title: str | None, description: str | None
) -> Amendment:
    """Another resident proposes a new text for a pending proposal."""
    if not _amendable(proposal):
        raise DomainError(
            "not_amendable",
            _("Only pending proposals can be amended, while proposals are collected or reviewed."),
            status=409,
        )
    if amender.id in queries.author_ids(proposal):
        raise DomainError("own_proposal", _("Authors edit their proposal directly."), status=409)
    title, description = _new_text(proposal, title, description)
    amendment = Amendment(
        proposal_id=proposal.id,
        amender_id=amender.id,
        old_title=proposal.title,
        old_description=proposal.description,
        title=title,
        description=description,
    )
    db.session.add(amendment)
    db.session.flush()
    for author_id in queries.author_ids(proposal):
        _notify(author_id, "amendment_proposed", proposal, amender.display_name)
    _follow(amender, proposal)
    return amendment


def answer_amendment(
    amendment: Amendment, author: User, accept: bool, reason: str | None = None
) -> Amendment:
    """Accept: the text changes (both versions stay on the amendment) and the amender becomes
    a co-author. Decline: with a reason the amender sees."""
    proposal = amendment.proposal
    reason = _check_answer(amendment, author, accept, reason)
    amendment.status = Answer.ACCEPTED if accept else Answer.DECLINED
    amendment.reason, amendment.answered_by_id, amendment.answered_at = reason, author.id, utcnow()
    if accept:
        _take_amendment(amendment, author)
    else:
        _notify(amendment.amender_id, "amendment_declined", proposal, reason)
    db.session.flush()
    return amendment


def _check_answer(
    amendment: Amendment, author: User, accept: bool, reason: str | None
) -> str | None:
    """The refusals of an answer, in order; returns the cleaned reason."""
    proposal = amendment.proposal
    _require_author(proposal, author)
    if amendment.status != Answer.PENDING:
        raise DomainError("answered", _("This amendment has been answered already."), status=409)
    if accept and not _amendable(proposal):  # attack 2026-12-07: accepted after the vote
        raise DomainError(
            "not_amendable",
            _(
                "The proposal is no longer pending review, so its text cannot change; decline "
                "the amendment with a reason."
            ),
            status=409,
        )
    if accept and (proposal.title, proposal.description) != (
        amendment.old_title,
        amendment.old_description,
    ):
        raise DomainError(
            "stale_amendment",
            _("The proposal changed since this amendment was made; decline it with a reason."),
            status=409,
        )
    cleaned = (reason or "").strip()[:500] or None
    if not accept and cleaned is None:
        raise DomainError("reason_missing", _("Give the amender a reason."), field="reason")
    return cleaned


def _take_amendment(amendment: Amendment, author: User) -> None:
    """The proposal gets the amendment's text; the amender becomes a co-author."""
    proposal = amendment.proposal
    proposal.title, proposal.description = amendment.title, amendment.description
    db.session.flush()
    add_event(proposal, "amended", amendment.amender.display_name if amendment.amender else None)
    if (
        amendment.amender_id is not None
        and queries.coauthor(proposal.id, amendment.amender_id) is None
    ):
        db.session.add(
            CoAuthor(
                proposal_id=proposal.id,
                user_id=amendment.amender_id,
                invited_by_id=author.id,
                status=Answer.ACCEPTED,
                answered_at=utcnow(),
            )
        )


# -- merging with consent ------------------------------------------------------------------


def consent_days() -> int:
    return int(current_app.config.get("MERGE_CONSENT_DAYS", 14))


def propose_merge(originals: Sequence[Proposal], target: Proposal, officer: User) -> MergeRequest:
    """Ask every author of the proposals concerned; with no author to ask, merge at once."""
    from pbplatform.moderation.services import check_merge

    check_merge(originals, target, officer)
    people = sorted({uid for p in (target, *originals) for uid in queries.author_ids(p)})
    request = MergeRequest(
        target_id=target.id, original_ids=[p.id for p in originals], proposed_by_id=officer.id
    )
    db.session.add(request)
    db.session.flush()
    for user_id in people:
        db.session.add(MergeConsent(request_id=request.id, user_id=user_id))
        _notify(user_id, "merge_proposed", target, ", ".join(p.tracking_number for p in originals))
    db.session.flush()
    audit.record(
        "proposal.merge_proposed",
        target,
        actor=officer,
        after={"originals": request.original_ids, "ask": people},
    )
    if not people:
        _execute(request, officer)
    return request


def answer_merge(consent: MergeConsent, user: User, agree: bool) -> MergeRequest:
    request = consent.request
    if consent.user_id != user.id or request.status != MergeStatus.PENDING:
        raise DomainError("not_asked", _("There is no open question for you."), status=404)
    consent.answer, consent.answered_at = (Answer.ACCEPTED if agree else Answer.DECLINED), utcnow()
    db.session.flush()
    if not agree:
        request.status, request.closed_at = MergeStatus.REFUSED, utcnow()
        db.session.flush()
        _notify(request.proposed_by_id, "merge_refused", request.target, user.display_name)
    elif all(c.answer == Answer.ACCEPTED for c in queries.consents(request.id)):
        officer = db.session.get(User, request.proposed_by_id) if request.proposed_by_id else None
        _execute(request, officer or user)
    return request


def proceed_merge(request: MergeRequest, officer: User, reason: str | None) -> MergeRequest:
    """After the waiting time without every answer (and no refusal), merge with a reason."""
    if request.status != MergeStatus.PENDING:
        raise DomainError("not_pending", _("This merge is no longer waiting."), status=409)
    if utcnow() < request.created_at + timedelta(days=consent_days()):
        raise DomainError(
            "too_early",
            _("The authors have %(days)s days to answer.", days=consent_days()),
            status=409,
        )
    reason = (reason or "").strip()[:500]
    if not reason:
        raise DomainError("reason_missing", _("Record why the merge goes ahead."), field="reason")
    request.proceed_reason = reason
    _execute(request, officer)
    return request


def _execute(request: MergeRequest, officer: User) -> None:
    from pbplatform.moderation.services import merge_proposals

    originals = [db.session.get(Proposal, pid) for pid in request.original_ids]
    merge_proposals([p for p in originals if p is not None], request.target, officer)
    request.status, request.closed_at = MergeStatus.MERGED, utcnow()
    db.session.flush()
