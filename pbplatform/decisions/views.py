"""After the vote: officers record and confirm the council's decision and route proposals;
everyone reads the decisions' history."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.audit import services as audit
from pbplatform.cycles.models import Cycle
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.decisions import queries, services
from pbplatform.decisions.forms import AnswerForm, EntryForm, RoutingForm, SessionForm
from pbplatform.decisions.models import CouncilDecision
from pbplatform.errors import DomainError, refuse_back
from pbplatform.proposals.queries import get_proposal
from pbplatform.security.access import officer_required, public, require_area

bp = Blueprint("decisions", __name__)


def _list_area(list_key: str) -> int | None:
    """The area a list key names ("district": None, "area-<id>": the id), else 404."""
    if list_key == queries.DISTRICT:
        return None
    number = list_key.removeprefix("area-")
    if not list_key.startswith("area-") or not number.isdigit() or len(number) > 9:
        abort(404)
    return int(number)


def _remit(area_id: int | None) -> None:
    """Refuse an officer outside their areas: audited on a POST; a GET writes nothing, not
    even an audit entry (the refusal is audited when an action is attempted)."""
    if request.method == "POST":
        require_area(area_id)
    elif not current_user.can_act_on_area(area_id):
        abort(403)


def _draft(cycle: Cycle, list_key: str) -> CouncilDecision:
    _remit(_list_area(list_key))
    draft = queries.draft_for(cycle, list_key)
    if draft is None:
        abort(404)
    return draft


# --- public ---------------------------------------------------------------------------------


@bp.get("/cycles/<slug>/decisions")
@public
def history(slug: str) -> ResponseReturnValue:
    """Every confirmed version of the council's decision on each list, newest first."""
    cycle = cycle_or_404(slug)
    lists = queries.list_decisions(cycle)
    versions = queries.confirmed_history(cycle)
    return render_template(
        "decisions/history.html",
        cycle=cycle,
        versions=versions,
        current=lists.current,
        tampered=lists.tampered,
        comparisons=queries.compare(cycle),
    )


# --- officers: the council's decision -------------------------------------------------------


@bp.get("/officer/cycles/<slug>/decisions")
@officer_required
def manage(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    version = queries.checked_version(cycle)
    lists = []
    for lst in version.outcome["lists"] if version else []:
        lists.append(
            {
                "key": lst["key"],
                "name": lst["name"],
                "mine": current_user.can_act_on_area(lst["area_id"]),
                "current": queries.list_decisions(cycle).current.get(lst["key"]),
                "draft": queries.draft_for(cycle, lst["key"]),
            }
        )
    return render_template("decisions/manage.html", cycle=cycle, version=version, lists=lists)


@bp.post("/officer/cycles/<slug>/decisions/<list_key>/start")
@officer_required
def start(slug: str, list_key: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    require_area(_list_area(list_key))
    version = queries.checked_version(cycle)
    target = url_for(".manage", slug=cycle.slug)
    if version is None:
        return refuse_back(
            DomainError("not_published", _("Decisions follow a published count."), status=409),
            target,
        )
    try:
        services.start_decision(cycle, version, list_key, current_user)
    except DomainError as exc:
        return refuse_back(exc, target)
    return redirect(url_for(".draft", slug=cycle.slug, list_key=list_key), 303)


def _render_draft(
    cycle: Cycle, draft: CouncilDecision, session_form: SessionForm, status: int = 200
) -> ResponseReturnValue:
    version = queries.result_version(draft)
    lst = next(item for item in version.outcome["lists"] if item["key"] == draft.list_key)
    entries = {e.proposal.tracking_number: e for e in draft.entries}
    forms = {}
    for row in lst["projects"]:
        entry = entries.get(row["tracking_number"])
        form = EntryForm(prefix=row["tracking_number"], formdata=None, obj=None)
        if entry is not None:
            form.status.data = entry.status
            form.changes.data = entry.changes
            form.reason.data = entry.reason
            form.amount.data = (
                None if entry.amount_minor is None else Decimal(entry.amount_minor) / 100
            )
        forms[row["tracking_number"]] = form
    return render_template(
        "decisions/draft.html",
        cycle=cycle,
        draft=draft,
        result_version=version,
        lst=lst,
        entries=entries,
        forms=forms,
        session_form=session_form,
    ), status


@bp.route("/officer/cycles/<slug>/decisions/<list_key>/draft", methods=["GET", "POST"])
@officer_required
def draft(slug: str, list_key: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    decision = _draft(cycle, list_key)
    form = SessionForm()
    if request.method == "GET":
        form.session_date.data = decision.session_date
        form.minutes_url.data = decision.minutes_url
        return _render_draft(cycle, decision, form)
    if not form.validate_on_submit():
        return _render_draft(cycle, decision, form, 422)
    try:
        services.set_session(decision, current_user, form.session_date.data, form.minutes_url.data)
    except DomainError as exc:
        form.minutes_url.errors = [*form.minutes_url.errors, exc.message]
        return _render_draft(cycle, decision, form, exc.status)
    flash(_("The council session is saved."), "success")
    return redirect(url_for(".draft", slug=cycle.slug, list_key=list_key), 303)


@bp.post("/officer/cycles/<slug>/decisions/<list_key>/draft/<tracking_number>")
@officer_required
def entry(slug: str, list_key: str, tracking_number: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    decision = _draft(cycle, list_key)
    proposal = get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    form = EntryForm(prefix=tracking_number)
    target = url_for(".draft", slug=cycle.slug, list_key=list_key) + f"#p-{tracking_number}"
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        return refuse_back(DomainError("invalid", " ".join(map(str, errors))), target)
    try:
        services.record_entry(decision, current_user, proposal, form.to_input(cycle.currency))
    except DomainError as exc:
        return refuse_back(exc, target)
    flash(_("The decision on %(number)s is saved.", number=tracking_number), "success")
    return redirect(target, 303)


@bp.post("/officer/cycles/<slug>/decisions/<list_key>/confirm")
@officer_required
def confirm(slug: str, list_key: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    decision = _draft(cycle, list_key)
    try:
        services.confirm_decision(decision, current_user)
    except DomainError as exc:
        audit.record_refusal("decisions.confirm", decision, after={"code": exc.code})
        flash(exc.message, "error")
        return redirect(url_for(".draft", slug=cycle.slug, list_key=list_key), 303)
    flash(
        _("Version %(n)s of the decision is confirmed and public.", n=decision.version), "success"
    )
    return redirect(url_for(".history", slug=cycle.slug), 303)


# --- officers: routing ----------------------------------------------------------------------


@bp.route("/officer/proposals/<tracking_number>/routing", methods=["GET", "POST"])
@officer_required
def routing(tracking_number: str) -> ResponseReturnValue:
    proposal = get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    _remit(proposal.area_id)
    targets = queries.carry_over_targets(proposal)
    form = RoutingForm()
    form.set_choices(targets)
    status = 200
    if form.validate_on_submit():
        try:
            services.route_proposal(
                proposal, current_user, form.to_input(proposal.cycle.currency, targets)
            )
        except DomainError as exc:
            form.form_errors.append(exc.message)
            status = exc.status
        else:
            flash(_("The routing is recorded."), "success")
            return redirect(url_for("proposals.show", tracking_number=tracking_number), 303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "decisions/routing.html",
        proposal=proposal,
        form=form,
        routings=queries.routings_for(proposal),
        answer_form=AnswerForm(),
    ), status


@bp.post("/officer/routings/<int:routing_id>/answer")
@officer_required
def answer(routing_id: int) -> ResponseReturnValue:
    found = queries.routing(routing_id)
    if found is None:
        abort(404)
    require_area(found.area_id)
    target = url_for(".routing", tracking_number=found.proposal.tracking_number)
    form = AnswerForm()
    if not form.validate_on_submit() or form.answered_on.data is None:
        return refuse_back(DomainError("invalid", _("Give the answer and its date.")), target)
    try:
        services.record_answer(found, current_user, form.answer.data or "", form.answered_on.data)
    except DomainError as exc:
        return refuse_back(exc, target)
    flash(_("The authority's answer is recorded."), "success")
    return redirect(url_for("proposals.show", tracking_number=found.proposal.tracking_number), 303)
