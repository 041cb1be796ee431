"""Amendments, co-author invitations and merge consent."""

from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from pbplatform.accounts import queries as account_queries
from pbplatform.codesign import queries, services
from pbplatform.codesign.diff import word_diff
from pbplatform.codesign.forms import AmendmentForm, InviteForm, ReasonForm
from pbplatform.codesign.models import Amendment
from pbplatform.errors import DomainError, show_refusal
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import get_proposal
from pbplatform.security.access import login_required, officer_required, public

bp = Blueprint("codesign", __name__)
T = TypeVar("T")


def _found(row: T | None) -> T:
    """The row the URL names, or 404."""
    if row is None:
        abort(404)
    return row


def _proposal(tracking_number: str) -> Proposal:
    return _found(get_proposal(tracking_number))


def _amendment(amendment_id: int) -> Amendment:
    return _found(queries.amendment_by_id(amendment_id))


def _reason() -> str | None:
    """The optional reason of a decline or a merge that proceeds (the service requires it
    where it must be given)."""
    form = ReasonForm()
    return form.reason.data if form.validate_on_submit() else None


def _to_proposal(proposal: Proposal) -> ResponseReturnValue:
    return redirect(url_for("proposals.show", tracking_number=proposal.tracking_number), code=303)


def _form_page(proposal: Proposal, form: AmendmentForm, status: int = 200) -> ResponseReturnValue:
    return render_template("codesign/amend.html", proposal=proposal, form=form), status


@bp.get("/proposals/<tracking_number>/amendments/new")
@login_required
def new_amendment(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    form = AmendmentForm(formdata=None, title=proposal.title, description=proposal.description)
    return _form_page(proposal, form)


@bp.post("/proposals/<tracking_number>/amendments")
@login_required
def propose(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    form = AmendmentForm()
    if not form.validate_on_submit():
        return _form_page(proposal, form, 422)
    try:
        made = services.propose_amendment(
            proposal, account_queries.signed_in_user(), form.title.data, form.description.data
        )
    except DomainError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return _form_page(_proposal(tracking_number), form, exc.status)
    flash(_("Your amendment is sent to the proposal's authors."), "success")
    return redirect(url_for(".amendment", amendment_id=made.id), code=303)


@bp.get("/amendments/<int:amendment_id>")
@public
def amendment(amendment_id: int) -> ResponseReturnValue:
    found = _amendment(amendment_id)
    return render_template(
        "codesign/amendment.html",
        amendment=found,
        proposal=found.proposal,
        title_diff=word_diff(found.old_title, found.title),
        description_diff=word_diff(found.old_description, found.description),
        reason_form=ReasonForm(formdata=None),
    )


@bp.post("/amendments/<int:amendment_id>/accept")
@login_required
def accept_amendment(amendment_id: int) -> ResponseReturnValue:
    found = _amendment(amendment_id)
    services.answer_amendment(found, account_queries.signed_in_user(), accept=True)
    flash(_("Amendment accepted: the proposal's text changed; both versions stay here."), "success")
    return redirect(url_for(".amendment", amendment_id=found.id), code=303)


@bp.post("/amendments/<int:amendment_id>/decline")
@login_required
def decline_amendment(amendment_id: int) -> ResponseReturnValue:
    found = _amendment(amendment_id)
    user = account_queries.signed_in_user()
    services.answer_amendment(found, user, accept=False, reason=_reason())
    flash(_("Amendment declined; the amender sees your reason."), "success")
    return redirect(url_for(".amendment", amendment_id=found.id), code=303)


@bp.post("/proposals/<tracking_number>/coauthors")
@login_required
def invite(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    form = InviteForm()
    if form.validate_on_submit():
        services.invite_coauthor(proposal, account_queries.signed_in_user(), form.email.data)
        # The same words whether or not the address has an account.
        flash(_("If this address belongs to a registered resident, they are invited."), "success")
    else:
        flash(_("Enter an e-mail address."), "error")
    return _to_proposal(proposal)


@bp.post("/officer/proposals/<tracking_number>/coauthors")
@officer_required
def add(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    form = InviteForm()
    if not form.validate_on_submit():
        flash(_("Enter an e-mail address."), "error")
        return _to_proposal(proposal)
    services.add_coauthor(proposal, account_queries.signed_in_user(), form.email.data)
    flash(_("Added as a co-author."), "success")
    return _to_proposal(proposal)


@bp.post("/coauthor-invitations/<int:row_id>/<any(accept, decline):answer>")
@login_required
def answer_invitation(row_id: int, answer: str) -> ResponseReturnValue:
    row = _found(queries.invitation_by_id(row_id))
    services.answer_invitation(row, account_queries.signed_in_user(), accept=answer == "accept")
    flash(_("Your answer is recorded."), "success")
    return redirect(url_for(".asked"), code=303)


@bp.post("/merge-consents/<int:consent_id>/<any(accept, decline):answer>")
@login_required
def answer_merge(consent_id: int, answer: str) -> ResponseReturnValue:
    consent = _found(queries.consent_by_id(consent_id))
    services.answer_merge(consent, account_queries.signed_in_user(), agree=answer == "accept")
    flash(_("Your answer is recorded."), "success")
    return redirect(url_for(".asked"), code=303)


@bp.post("/officer/merges/<int:request_id>/proceed")
@officer_required
def proceed(request_id: int) -> ResponseReturnValue:
    request = _found(queries.merge_request(request_id))
    services.proceed_merge(request, account_queries.signed_in_user(), _reason())
    flash(_("Merged; your reason is recorded."), "success")
    return _to_proposal(request.target)


@bp.get("/my/asked")
@login_required
def asked() -> ResponseReturnValue:
    """What the person is asked to answer: invitations, amendments, merge consents."""
    return render_template(
        "codesign/asked.html", **queries.waiting_for(account_queries.signed_in_user())
    )
