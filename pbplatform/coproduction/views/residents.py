"""Residents offering help: on a proposal or on its own, their offers, withdrawing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from pbplatform.coproduction import services
from pbplatform.coproduction.forms import NewOfferForm, OfferForm
from pbplatform.coproduction.models import Offer
from pbplatform.coproduction.panel import coproduction_panel
from pbplatform.coproduction.views import bp
from pbplatform.coproduction.views.common import area_of, find_proposal, locked_offer
from pbplatform.errors import DomainError, show_refusal
from pbplatform.extensions import db, limiter
from pbplatform.proposals.views import visible_proposal  # one rule for hidden proposals
from pbplatform.security.access import login_required, public, require_area
from pbplatform.security.addresses import address_key
from pbplatform.security.redirects import safe_next


def _offer_limit() -> str:
    return current_app.config.get("OFFER_RATE_LIMIT", "30 per hour")


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else address_key()


# Anti-automation: offers per signed-in person and per address (security case 38).
offer_limit_user = limiter.limit(
    _offer_limit, key_func=_user_key, methods=["POST"], scope="offer-user"
)
offer_limit_ip = limiter.limit(
    _offer_limit, key_func=address_key, methods=["POST"], scope="offer-ip"
)


def _offer_input(form: OfferForm) -> dict[str, Any]:
    return {
        "kind": form.kind.data,
        "quantity": form.quantity.data,
        "unit": form.unit.data or "",
        "description": form.description.data,
        "schedule": form.schedule.data,
        "duration": form.duration.data,
        "conditions": form.conditions.data,
        "only_if_funded": form.only_if_funded.data,
        "is_anonymous": form.is_anonymous.data,
    }


def _submitted(form: FlaskForm, make: Callable[[], Offer]) -> tuple[Offer | None, int]:
    """Run `make` for a valid form: the new offer (the person is thanked), or None and the
    refusal's status (rolled back, shown on the form)."""
    try:
        offer = make()
    except DomainError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return None, exc.status
    flash(_("Thank you for your offer. An officer will review it."), "success")
    return offer, 200


@bp.get("/proposals/<tracking_number>/offers")
@public
def proposal_offers(tracking_number: str) -> ResponseReturnValue:
    proposal = visible_proposal(tracking_number)
    return render_template(
        "coproduction/proposal_offers.html",
        proposal=proposal,
        offers_panel=coproduction_panel(proposal),
    )


@bp.post("/proposals/<tracking_number>/offers")
@login_required
@offer_limit_user
@offer_limit_ip
def offer_on_proposal(tracking_number: str) -> ResponseReturnValue:
    proposal = visible_proposal(tracking_number)
    form = OfferForm(prefix="help")
    status = 422
    if form.validate_on_submit():
        offer, status = _submitted(
            form,
            lambda: services.make_offer(by=current_user, proposal=proposal, **_offer_input(form)),
        )
        if offer is not None:
            return redirect(url_for(".proposal_offers", tracking_number=tracking_number), code=303)
    return render_template(
        "coproduction/proposal_offers.html",
        proposal=proposal,
        offers_panel=coproduction_panel(proposal, form),
    ), status


# Complexity: a view with three outcomes (form shown, refused with the reason, saved) for residents
# and officers, who choose the cycle differently.
@bp.route("/offers/new", methods=["GET", "POST"])
@login_required
@offer_limit_user
@offer_limit_ip
def new_offer() -> ResponseReturnValue:
    form = NewOfferForm()
    cycles = services.open_cycles()
    form.cycle.choices = [SelectChoice(c.id, c.name) for c in cycles]
    if not current_user.is_officer:
        del form.offerer_name
    if not cycles:
        return render_template("coproduction/new_offer.html", form=None), (
            409 if request.method == "POST" else 200
        )
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            offer, status = _submitted(
                form, lambda: _create_from_new_form(form, {c.id: c for c in cycles})
            )
            if offer is not None and offer.offerer_id == current_user.id:
                return redirect(url_for(".my_offers"), code=303)
            if offer is not None:
                return redirect(url_for(".review", offer_id=offer.id), code=303)
    return render_template("coproduction/new_offer.html", form=form), status


def _create_from_new_form(form: NewOfferForm, cycles: dict[int, Any]) -> Offer:
    cycle = cycles.get(form.cycle.data)
    proposal = None
    if form.proposal.data:
        proposal = find_proposal(form.proposal.data)
        if (
            proposal is None
            or proposal.cycle_id != form.cycle.data
            or (proposal.is_hidden and not current_user.can_act_on_area(proposal.area_id))
        ):
            raise DomainError(
                "unknown_proposal",
                _("No proposal with this tracking number in this cycle."),
                field="proposal",
            )
    offerer_name = form.offerer_name.data if "offerer_name" in form else None
    if offerer_name and proposal is not None and not current_user.can_act_on_area(proposal.area_id):
        raise DomainError("forbidden", _("That proposal is outside your areas."), status=403)
    return services.make_offer(
        by=current_user,
        proposal=proposal,
        cycle=cycle,
        offerer_name=offerer_name,
        **_offer_input(form),
    )


@bp.get("/offers/mine")
@login_required
def my_offers() -> ResponseReturnValue:
    return _mine_page()


def _mine_page(status: int = 200) -> ResponseReturnValue:
    return render_template(
        "coproduction/mine.html",
        offers=services.offers_of(current_user),
        costs_locked=services.COST_LOCKED_PHASES,
    ), status


@bp.post("/offers/<int:offer_id>/withdraw")
@login_required
def withdraw(offer_id: int) -> ResponseReturnValue:
    offer = locked_offer(offer_id)
    if offer is None:
        abort(404)
    if offer.offerer_id != current_user.id:
        if not current_user.is_officer:
            abort(403)
        if offer.proposal is not None:  # an offer not linked yet is any officer's to triage
            require_area(area_of(offer))
    try:
        services.withdraw_offer(offer, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _mine_page(exc.status)
    flash(_("Your offer is withdrawn."), "success")
    return redirect(safe_next(request.form.get("next"), ".my_offers"), code=303)
