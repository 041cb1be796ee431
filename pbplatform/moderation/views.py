"""HTTP views for moderation: the officers' queue, the review page and its actions, and
proposals officers enter on a resident's behalf."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.codesign.models import MergeStatus
from pbplatform.codesign.services import consent_days, propose_merge
from pbplatform.confirmation import confirmation_page
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.cycles.models import Phase
from pbplatform.cycles.queries import cycle_by_slug
from pbplatform.db import today
from pbplatform.delivery import queries as delivery_queries
from pbplatform.discussion import queries as discussion_queries
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.moderation import services, withdrawal
from pbplatform.moderation.forms import (
    ApproveForm,
    ConfirmForm,
    MergeForm,
    ReasonForm,
    RejectForm,
    WithdrawalForm,
)
from pbplatform.money import to_major, to_minor
from pbplatform.proposals import queries
from pbplatform.proposals.forms import OfficerProposalForm
from pbplatform.proposals.models import Proposal, ProposalStatus
from pbplatform.proposals.services import submit_proposal
from pbplatform.security.access import officer_required, require_area, require_remit
from pbplatform.surveys.queries import earlier_coassessments

bp = Blueprint("moderation", __name__)


def _proposal_in_remit(tracking_number: str) -> Proposal:
    proposal = queries.get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    require_remit(current_user, proposal)
    return proposal


def _review_url(proposal: Proposal) -> str:
    return url_for(".review", tracking_number=proposal.tracking_number)


# Which slot of the review page each action's form fills, so a refused form is shown again
# in place with what was typed (not reset to the stored values) and its fields marked.
FORM_SLOTS = {
    ApproveForm: "approve_form",
    RejectForm: "reject_form",
    MergeForm: "merge_form",
    ReasonForm: "reason_form",
    WithdrawalForm: "withdrawal_form",
}


def _act(
    tracking_number: str, form_class: type, action: Callable[[Proposal, Any], Any], done: str
) -> ResponseReturnValue:
    """Run one review action: remit check, form check, service, then back to the page.
    A refusal shows the review page again with the submitted form and its errors."""
    proposal = _proposal_in_remit(tracking_number)
    form = form_class()
    if not form.validate_on_submit():
        return _refused_form(proposal, form, 422)
    try:
        action(proposal, form)
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
        return _refused_form(proposal, form, exc.status)
    flash(done, "success")
    return redirect(_review_url(proposal), code=303)


def _refused_form(proposal: Proposal, form: Any, status: int) -> ResponseReturnValue:
    slot = FORM_SLOTS.get(type(form))
    if slot is None:  # a button-only form: nothing typed to keep
        errors = [*form.form_errors, *(e for field in form for e in field.errors)]
        flash(" ".join(str(e) for e in errors) or _("Please check the form."), "error")
        return redirect(_review_url(proposal), code=303)
    return _review_page(proposal, **{slot: form}), status


@bp.get("/officer/queue")
@officer_required
def queue() -> ResponseReturnValue:
    pending = queries.pending_for(current_user)
    return render_template(
        "moderation/queue.html",
        pending=pending,
        flagged=queries.flagged_for(current_user),
        report_back=delivery_queries.report_back_for(current_user),
        costs=cost_breakdown(pending),
        withdrawals=withdrawal.waiting_for(current_user),
        overdue_questions=len(discussion_queries.unanswered_for(current_user)),
    )


@bp.get("/officer/proposals/<tracking_number>")
@officer_required
def review(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal_in_remit(tracking_number)
    return _review_page(proposal)


def _stored_forms(proposal: Proposal) -> dict[str, Any]:
    """The review page's forms filled from what is stored (GET)."""
    approve = ApproveForm(formdata=None)
    if proposal.officer_cost_minor is not None:
        approve.officer_cost.data = to_major(proposal.officer_cost_minor)
    else:
        approve.officer_cost.data = to_major(proposal.estimated_cost_minor)
    approve.feasibility.data = proposal.feasibility
    approve.impact_statement.data = proposal.impact_statement
    return {
        "approve_form": approve,
        "reject_form": RejectForm(formdata=None),
        "merge_form": MergeForm(formdata=None),
        "reason_form": ReasonForm(formdata=None),
        "withdrawal_form": WithdrawalForm(formdata=None),
    }


def _review_page(proposal: Proposal, **submitted: Any) -> str:
    forms = _stored_forms(proposal) | submitted
    return render_template(
        "moderation/review.html",
        proposal=proposal,
        cycle=proposal.cycle,
        cost=cost_breakdown([proposal])[proposal.id],
        flags=queries.open_flags(proposal),
        merged_from=queries.merged_from(proposal),
        open_phase=proposal.cycle.current_phase in services.OPEN_PHASES,
        withdrawable=proposal.status == ProposalStatus.APPROVED
        and proposal.cycle.current_phase in withdrawal.WITHDRAWAL_PHASES,
        withdrawal=withdrawal.withdrawal_of(proposal),
        comments=discussion_queries.thread(proposal.id),
        earlier_ratings=earlier_coassessments(proposal.area_id, proposal.cycle_id),
        **forms,
    )


@bp.post("/officer/proposals/<tracking_number>/approve")
@officer_required
def approve(tracking_number: str) -> ResponseReturnValue:
    return _act(
        tracking_number,
        ApproveForm,
        lambda p, f: services.approve_proposal(
            p,
            current_user,
            to_minor(f.officer_cost.data),
            f.feasibility.data,
            f.impact_statement.data,
        ),
        _("Approved for the ballot."),
    )


@bp.post("/officer/proposals/<tracking_number>/reject")
@officer_required
def reject(tracking_number: str) -> ResponseReturnValue:
    return _act(
        tracking_number,
        RejectForm,
        lambda p, f: services.reject_proposal(p, current_user, f.reason.data),
        _("Rejected; the author can see the reason."),
    )


def _originals(form: MergeForm, *, audited: bool = True) -> list[Proposal]:
    """The proposals named in the merge form, each in the officer's remit (a refusal is
    audited on the POST; the GET confirmation page writes nothing and names the proposal)."""
    originals = []
    for number in form.tracking_numbers():
        original = queries.get_proposal(number)
        if original is None:
            raise DomainError(
                "unknown_proposal", _("There is no proposal %(number)s.", number=number[:24])
            )
        if audited:
            require_remit(current_user, original)
        elif not current_user.can_act_on_area(original.area_id):
            raise DomainError(
                "outside_remit",
                _("%(number)s is outside your areas.", number=original.tracking_number),
            )
        originals.append(original)
    return originals


def _merge(target: Proposal, form: MergeForm) -> None:
    """Propose the merge: done at once when no proposal concerned has an author to ask."""
    request = propose_merge(_originals(form), target, current_user)
    if request.status == MergeStatus.PENDING:
        flash(
            _(
                "Every author was asked for consent; the merge happens when all agree, or "
                "after %(days)s days with your reason.",
                days=consent_days(),
            ),
            "info",
        )


@bp.get("/officer/proposals/<tracking_number>/merge")
@officer_required
def merge_confirm(tracking_number: str) -> ResponseReturnValue:
    """The review page's merge form leads here: what merging does, then the one button."""
    target = _proposal_in_remit(tracking_number)
    form = MergeForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        return _review_page(target, merge_form=form), 422
    try:
        originals = _originals(form, audited=False)
    except DomainError as exc:
        form.originals.errors = [exc.message]
        return _review_page(target, merge_form=form), 422
    consequences = [
        _(
            "%(number)s “%(title)s” is merged into %(target)s: it leaves the review queue and "
            "its page points to %(target)s.",
            number=p.tracking_number,
            title=p.title,
            target=target.tracking_number,
        )
        for p in originals
    ]
    consequences.append(_("Merged proposals cannot be reviewed or put on the ballot again."))
    return confirmation_page(
        _("Merge into %(target)s?", target=target.tracking_number),
        consequences,
        url_for(".merge", tracking_number=target.tracking_number),
        _("Merge"),
        _review_url(target),
        {"originals": ", ".join(p.tracking_number for p in originals)},
    )


@bp.post("/officer/proposals/<tracking_number>/merge")
@officer_required
def merge(tracking_number: str) -> ResponseReturnValue:
    return _act(tracking_number, MergeForm, _merge, _("Merge recorded."))


@bp.post("/officer/proposals/<tracking_number>/hide")
@officer_required
def hide(tracking_number: str) -> ResponseReturnValue:
    return _act(
        tracking_number,
        ReasonForm,
        lambda p, f: services.hide_proposal(p, current_user, f.note.data),
        _("Hidden from the public."),
    )


@bp.post("/officer/proposals/<tracking_number>/unhide")
@officer_required
def unhide(tracking_number: str) -> ResponseReturnValue:
    return _act(
        tracking_number,
        ReasonForm,
        lambda p, f: services.unhide_proposal(p, current_user, f.note.data),
        _("Visible to the public again."),
    )


@bp.post("/officer/proposals/<tracking_number>/withdrawal")
@officer_required
def withdraw(tracking_number: str) -> ResponseReturnValue:
    """First officer: propose taking the project off an opened ballot, with a reason."""
    return _act(
        tracking_number,
        WithdrawalForm,
        lambda p, f: withdrawal.propose_withdrawal(p, current_user, f.reason.data),
        _("Withdrawal proposed. A second officer must confirm it."),
    )


@bp.post("/officer/proposals/<tracking_number>/withdrawal/confirm")
@officer_required
def confirm_withdrawal(tracking_number: str) -> ResponseReturnValue:
    """Second officer: confirm; the project leaves the ballot, its votes stay stored."""
    return _act(
        tracking_number,
        ConfirmForm,
        lambda p, f: withdrawal.confirm_withdrawal(p, current_user),
        _("Withdrawal confirmed: the project is off the ballot."),
    )


@bp.post("/officer/proposals/<tracking_number>/withdrawal/cancel")
@officer_required
def cancel_withdrawal(tracking_number: str) -> ResponseReturnValue:
    return _act(
        tracking_number,
        ConfirmForm,
        lambda p, f: withdrawal.cancel_withdrawal(p, current_user),
        _("The proposed withdrawal is cancelled."),
    )


@bp.post("/officer/proposals/<tracking_number>/flags/resolve")
@officer_required
def resolve(tracking_number: str) -> ResponseReturnValue:
    return _act(
        tracking_number,
        ConfirmForm,
        lambda p, f: services.resolve_flags(p, current_user),
        _("Reports resolved."),
    )


# Complexity: a view: the phase gate, the officer's area scope and the form's three outcomes (shown,
# refused, saved) are read in one place on purpose.
@bp.route("/officer/proposals/new", methods=["GET", "POST"])
@officer_required
def new_proposal() -> ResponseReturnValue:
    slug = request.args.get("cycle")
    cycle = cycle_by_slug(slug) if slug else queries.open_cycle_for_proposals()
    if cycle is None or cycle.current_phase != Phase.PROPOSALS:
        status = 409 if request.method == "POST" else 200
        return render_template("proposals/closed.html", cycle=cycle), status
    form = OfficerProposalForm()
    limited = {a.id for a in current_user.officer_area_list}
    scoped = bool(limited) and not current_user.is_admin
    # District-wide proposals need district scope: not offered to area-limited officers.
    form.set_areas(cycle, allowed=limited if scoped else None, district=not scoped)
    if request.method == "GET":
        form.received_on.data = today()
    status = 200
    if form.validate_on_submit():
        data = form.to_input()
        require_area(data.area_id)
        try:
            proposal = submit_proposal(
                cycle,
                None,
                data,
                channel=form.channel.data,
                entered_by=current_user,
                received_on=form.received_on.data,
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
            status = exc.status
        else:
            flash(
                _(
                    "Proposal recorded with tracking number %(number)s. Please tell the "
                    "resident this number.",
                    number=proposal.tracking_number,
                ),
                "success",
            )
            return redirect(_review_url(proposal), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("moderation/new_proposal.html", form=form, cycle=cycle), status
