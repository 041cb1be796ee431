"""HTTP views for proposals: the public list and page, submission, edit, withdraw, flag."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.codesign.queries import panel as codesign_panel
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.coproduction.panel import coproduction_panel
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.cycles.queries import cycle_by_slug, cycle_or_404
from pbplatform.decisions import queries as after_vote
from pbplatform.delivery import queries as delivery_queries
from pbplatform.discussion import queries as discussion_queries
from pbplatform.errors import DomainError, refuse_back
from pbplatform.extensions import limiter
from pbplatform.notifications.queries import is_following
from pbplatform.proposals import queries
from pbplatform.proposals.forms import FlagForm, ProposalForm
from pbplatform.proposals.models import OPEN_STATUSES, Proposal, ProposalStatus
from pbplatform.proposals.services import (
    OPEN_PHASES,
    flag_proposal,
    submit_proposal,
    update_proposal,
    withdraw_proposal,
)
from pbplatform.security.access import login_required, public
from pbplatform.security.addresses import address_key
from pbplatform.surveys.queries import coassessment_panel

bp = Blueprint("proposals", __name__)


def _per_user() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else address_key()


# Anti-automation (case 38): per person, on POST only; off in the testing config.
submit_limit = limiter.limit(
    lambda: current_app.config.get("PROPOSAL_RATE_LIMIT", "20 per hour"),
    key_func=_per_user,
    methods=["POST"],
)
flag_limit = limiter.limit(
    lambda: current_app.config.get("FLAG_RATE_LIMIT", "30 per hour"),
    key_func=_per_user,
    methods=["POST"],
)


def visible_proposal(tracking_number: str) -> Proposal:
    """The proposal, or 404 when it does not exist. Text hidden by moderation shows as a
    placeholder (templates); the project itself stays public, as it stays on the ballot."""
    proposal = queries.get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    return proposal


def _own_proposal(tracking_number: str) -> Proposal:
    proposal = visible_proposal(tracking_number)
    if proposal.author_id is None or proposal.author_id != current_user.id:
        abort(403)
    return proposal


# Complexity: a view: the filters, the phase and the cycle choice of the proposals list are read in
# one place.
@bp.get("/proposals")
@public
def index() -> ResponseReturnValue:
    slug = request.args.get("cycle")
    cycle = cycle_or_404(slug) if slug else queries.newest_cycle()
    if (
        cycle is not None
        and cycle.current_phase == Phase.DRAFT
        and not (current_user.is_authenticated and current_user.is_officer)
    ):
        cycle = None  # a cycle in preparation is not public yet
    if cycle is None:
        if slug:
            abort(404)
        return render_template("proposals/index.html", cycle=None, page=None)
    filters = queries.parse_filters(request.args)
    page = queries.list_proposals(cycle, filters)
    args = {
        k: v
        for k, v in (
            ("cycle", cycle.slug),
            ("area", filters.area),
            ("category", filters.category),
            ("kind", filters.kind),
            ("q", filters.q),
            ("outcome", filters.outcome),
            ("sort", filters.sort),
            ("delivery", filters.delivery),
            ("per_page", filters.per_page if request.args.get("per_page") else None),
        )
        if v not in (None, "")
    }
    return render_template(
        "proposals/index.html",
        cycle=cycle,
        page=page,
        filters=filters,
        args=args,
        costs=cost_breakdown(page.items),
        deliveries=delivery_queries.deliveries_for(p.id for p in page.items),
        delivery_filters=delivery_queries.filter_choices(cycle),
        sort=filters.sort or queries.default_sort(cycle),
        outcome_filters=queries.outcome_filters(),
        outcomes=after_vote.outcomes_in(cycle),
    )


def _cycle_for_submission() -> Cycle | None:
    slug = request.args.get("cycle")
    return cycle_by_slug(slug) if slug else queries.open_cycle_for_proposals()


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
@submit_limit
def new() -> ResponseReturnValue:
    cycle = _cycle_for_submission()
    if cycle is None or cycle.current_phase != Phase.PROPOSALS:
        status = 409 if request.method == "POST" else 200
        return render_template("proposals/closed.html", cycle=cycle), status
    form = ProposalForm()
    form.set_areas(cycle)
    if request.method == "GET" and current_user.home_area_id:
        form.area.data = str(current_user.home_area_id)
    status = 200
    if form.validate_on_submit():
        try:
            proposal = submit_proposal(cycle, current_user, form.to_input(), channel="web")
        except DomainError as exc:
            form.form_errors.append(exc.message)
            status = exc.status
        else:
            flash(
                _(
                    "Thank you. Your proposal has the tracking number %(number)s.",
                    number=proposal.tracking_number,
                ),
                "success",
            )
            return redirect(url_for(".show", tracking_number=proposal.tracking_number), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("proposals/form.html", form=form, cycle=cycle, proposal=None), status


# Complexity: a view: each flag is one permission the proposal page states (edit, withdraw, flag,
# review, offers).
@bp.get("/proposals/<tracking_number>")
@public
def show(tracking_number: str) -> ResponseReturnValue:
    proposal = visible_proposal(tracking_number)
    user = current_user if current_user.is_authenticated else None
    is_author = user is not None and proposal.author_id == user.id
    open_phase = proposal.cycle.current_phase in OPEN_PHASES
    item = (
        delivery_queries.deliverable(proposal)
        if proposal.status == ProposalStatus.APPROVED
        else None
    )
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        cycle=proposal.cycle,
        cost=cost_breakdown([proposal])[proposal.id],
        merged_from=queries.merged_from(proposal),
        is_author=is_author,
        can_edit=is_author and proposal.status == ProposalStatus.PENDING and open_phase,
        can_withdraw=is_author and proposal.status in OPEN_STATUSES and open_phase,
        flag_form=FlagForm() if user and not queries.user_has_flagged(proposal, user) else None,
        can_review=user is not None and user.is_officer and user.can_act_on_area(proposal.area_id),
        offers_panel=None if proposal.is_saving else coproduction_panel(proposal),
        following=user is not None and is_following(user.id, proposal_id=proposal.id),
        comments=discussion_queries.thread(proposal.id),
        codesign=codesign_panel(proposal, user),
        delivery_item=item,
        delivery_record=delivery_queries.delivery_of(proposal) if item else None,
        delivery_coproduction=(
            delivery_queries.coproduction_for([proposal.id])[proposal.id] if item else None
        ),
        outcome=after_vote.outcome_for(proposal),
        decision=after_vote.decision_for(proposal),
        routings=after_vote.routings_for(proposal),
        life=after_vote.timeline(proposal),
        coassessment=coassessment_panel(proposal.id),
    )


@bp.route("/proposals/<tracking_number>/edit", methods=["GET", "POST"])
@login_required
def edit(tracking_number: str) -> ResponseReturnValue:
    proposal = _own_proposal(tracking_number)
    target = url_for(".show", tracking_number=proposal.tracking_number)
    if proposal.status != ProposalStatus.PENDING or proposal.cycle.current_phase not in OPEN_PHASES:
        flash(_("Only pending proposals can be edited."), "error")
        return redirect(target, code=303)
    form = ProposalForm()
    form.set_areas(proposal.cycle)
    if request.method == "GET":
        form.fill_from(proposal)
    status = 200
    if form.validate_on_submit():
        try:
            update_proposal(proposal, current_user, form.to_input())
        except DomainError as exc:
            form.form_errors.append(exc.message)
            status = exc.status
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(target, code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "proposals/form.html", form=form, cycle=proposal.cycle, proposal=proposal
    ), status


@bp.post("/proposals/<tracking_number>/withdraw")
@login_required
def withdraw(tracking_number: str) -> ResponseReturnValue:
    proposal = _own_proposal(tracking_number)
    target = url_for(".show", tracking_number=proposal.tracking_number)
    try:
        withdraw_proposal(proposal, current_user)
    except DomainError as exc:
        return refuse_back(exc, target)
    flash(_("Your proposal is withdrawn."), "success")
    return redirect(target, code=303)


@bp.post("/proposals/<tracking_number>/flag")
@login_required
@flag_limit
def flag(tracking_number: str) -> ResponseReturnValue:
    proposal = visible_proposal(tracking_number)
    target = url_for(".show", tracking_number=proposal.tracking_number)
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Please say why you report this proposal."), "error")
        return redirect(target, code=303)
    try:
        flag_proposal(proposal, current_user, form.reason.data or "")
    except DomainError as exc:
        return refuse_back(exc, target)
    flash(_("Thank you. The moderators will look at it."), "success")
    return redirect(target, code=303)
