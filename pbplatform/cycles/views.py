"""HTTP views for cycles: admin set-up (areas, cycles, rules, phases) and the public page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field

from pbplatform.audit import services as audit
from pbplatform.confirmation import confirmation_page
from pbplatform.cycles import explain, queries, services
from pbplatform.cycles.forms import (
    AreaForm,
    AreaRenameForm,
    RulesForm,
    cycle_form_class,
)
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.errors import DomainError, refuse_back
from pbplatform.security.access import admin_required, public
from pbplatform.vocabulary import member_of

bp = Blueprint("cycles", __name__)


def _cycle_or_404(cycle_id: int) -> Cycle:
    return queries.cycle_by_id_or_404(cycle_id)


def _refused(exc: services.RulesFrozen, action: str, cycle: Cycle) -> None:
    """Audit a refused change to frozen rules; the entry survives the 409's rollback."""
    audit.record_refusal(
        action, cycle, before=exc.extra.get("before"), after=exc.extra.get("after")
    )


# --- areas ---------------------------------------------------------------------------------


@bp.route("/admin/areas", methods=["GET", "POST"])
@admin_required
def areas() -> ResponseReturnValue:
    form = AreaForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_area(form.name.data, form.code.data)
            except DomainError as exc:
                form.name.errors.append(exc.message)
            else:
                flash(_("Area created."), "success")
                return redirect(url_for("cycles.areas"))
        status = 422
    return render_template("cycles/areas.html", form=form, areas=services.list_areas()), status


@bp.route("/admin/areas/<int:area_id>", methods=["GET", "POST"])
@admin_required
def area_edit(area_id: int) -> ResponseReturnValue:
    area = queries.area_by_id_or_404(area_id)
    form = AreaRenameForm(obj=area)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.rename_area(area, form.name.data)
                services.set_area_population(area, form.population.data)
            except DomainError as exc:
                form.name.errors.append(exc.message)
            else:
                flash(_("Area renamed."), "success")
                return redirect(url_for("cycles.areas"))
        status = 422
    return render_template("cycles/area_edit.html", form=form, area=area), status


# --- cycles --------------------------------------------------------------------------------


@bp.get("/admin/cycles")
@admin_required
def admin_index() -> ResponseReturnValue:
    return render_template(
        "cycles/admin_index.html",
        cycles=services.list_cycles(),
        next_phase=services.next_phase,
    )


@bp.route("/admin/cycles/new", methods=["GET", "POST"])
@admin_required
def create() -> ResponseReturnValue:
    areas = services.list_areas()
    form = cycle_form_class(areas)()
    if request.method == "GET":
        form.currency.data = form.currency.data or "EUR"
        form.coproduction_cap_pct.data, form.savings_share_pct.data = 50, 0
        form.hourly_rate.data = "0.00"
        return render_template("cycles/edit.html", form=form, cycle=None)
    if form.validate_on_submit():
        try:
            cycle = services.create_cycle(form.values(), form.area_budgets(), form.phase_dates())
        except DomainError as exc:
            form.slug.errors.append(exc.message)
        else:
            flash(_("Cycle created. Now choose its voting rules."), "success")
            return redirect(url_for("cycles.rules", cycle_id=cycle.id))
    return render_template("cycles/edit.html", form=form, cycle=None), 422


@bp.route("/admin/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(cycle_id: int) -> ResponseReturnValue:
    cycle = _cycle_or_404(cycle_id)
    form = cycle_form_class(services.list_areas())()
    return _edit_frozen(
        cycle,
        form,
        "cycles/edit.html",
        "cycle.update",
        form.slug,
        _("Cycle saved."),
        lambda: services.update_cycle(
            cycle, form.values(), form.area_budgets(), form.phase_dates()
        ),
    )


@bp.route("/admin/cycles/<int:cycle_id>/rules", methods=["GET", "POST"])
@admin_required
def rules(cycle_id: int) -> ResponseReturnValue:
    cycle = _cycle_or_404(cycle_id)
    form = RulesForm()
    return _edit_frozen(
        cycle,
        form,
        "cycles/rules.html",
        "cycle.rules",
        form.count_rule,
        _("Voting rules saved."),
        lambda: services.update_rules(cycle, form.values()),
    )


def _edit_frozen(
    cycle: Cycle,
    form: FlaskForm,
    template: str,
    action: str,
    error_field: Field,
    saved: str,
    save: Callable[[], object],
) -> ResponseReturnValue:
    """GET shows the filled form; POST saves, or answers 422 (bad input) or 409 (frozen rules,
    refusal audited), storing nothing."""
    if request.method == "GET":
        form.fill(cycle)
        return render_template(template, form=form, cycle=cycle)
    if not form.validate_on_submit():
        return render_template(template, form=form, cycle=cycle), 422
    try:
        save()
    except services.RulesFrozen as exc:
        _refused(exc, action, cycle)
        form.form_errors.append(exc.message)
        return render_template(template, form=form, cycle=cycle), 409
    except DomainError as exc:
        error_field.errors.append(exc.message)
        return render_template(template, form=form, cycle=cycle), 422
    flash(saved, "success")
    return redirect(url_for("cycles.admin_index"))


PHASE_CONSEQUENCES = {
    Phase.PROPOSALS: _l("Residents can submit proposals, online and through officers."),
    Phase.REVIEW: _l("Submitting proposals closes; officers finish the review."),
    Phase.VOTING: _l(
        "Voting opens in every channel. The ballot, budgets, areas and voting rules are "
        "frozen and can no longer change."
    ),
    Phase.COUNTING: _l(
        "Voting closes in every channel: no further ballot is accepted. Officers can then "
        "run the count."
    ),
    Phase.RESULTS: _l("The cycle moves to its results; officers can report back on delivery."),
}


@bp.get("/admin/cycles/<int:cycle_id>/advance")
@admin_required
def advance_confirm(cycle_id: int) -> ResponseReturnValue:
    """What opening the next phase does, with the one button that does it."""
    cycle = _cycle_or_404(cycle_id)
    target = member_of(Phase, request.args.get("to", ""))
    if target is None or target != services.next_phase(cycle):
        abort(404)
    return confirmation_page(
        _("Open phase %(phase)s for %(cycle)s?", phase=target.label, cycle=cycle.name),
        [
            _(
                "The cycle moves from phase %(current)s to phase %(next)s.",
                current=Phase(cycle.phase).label,
                next=target.label,
            ),
            str(PHASE_CONSEQUENCES[target]),
        ],
        url_for("cycles.advance", cycle_id=cycle.id),
        _("Open phase: %(phase)s", phase=target.label),
        url_for("cycles.admin_index"),
        {"to": target},
    )


@bp.post("/admin/cycles/<int:cycle_id>/advance")
@admin_required
def advance(cycle_id: int) -> ResponseReturnValue:
    """Move one step forward; `to` names the step so a double submit cannot skip a phase."""
    cycle = _cycle_or_404(cycle_id)
    target = member_of(Phase, request.form.get("to", ""))
    if target is None:
        abort(400)
    actor = current_user._get_current_object()
    try:
        if target == Phase.COUNTING:  # closing voting unseals the box: a job with a progress page
            job = services.start_close_voting(cycle, actor)
            return redirect(url_for("jobs.show", job_id=job.id))
        services.open_phase(cycle, target, actor)
    except DomainError as exc:
        return refuse_back(exc, url_for("cycles.admin_index"), code=302)
    flash(_("The cycle is now in phase: %(phase)s.", phase=target.label), "success")
    return redirect(url_for("cycles.admin_index"))


# --- public --------------------------------------------------------------------------------


@bp.get("/cycles/<slug>")
@public
def show(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    if cycle.current_phase == Phase.DRAFT and not (
        current_user.is_authenticated and current_user.is_officer
    ):
        abort(404)
    starts = services.phase_starts(cycle)
    timeline = [(p, p.label, starts.get(p)) for p in Phase.DRAFT.later]
    weights = [(ch.label, services.channel_weight(cycle, ch)) for ch in services.OFFERED_CHANNELS]
    area_budgets = sorted(cycle.areas, key=lambda ca: ca.area.name)
    return render_template(
        "cycles/show.html",
        cycle=cycle,
        timeline=timeline,
        weights=weights,
        area_budgets=area_budgets,
        ballot_text=explain.explain_ballot_rule(cycle),
        count_text=explain.explain_count_rule(cycle),
        combination_text=explain.explain_combination(cycle),
        policy_text=explain.explain_vote_policy(cycle),
    )
