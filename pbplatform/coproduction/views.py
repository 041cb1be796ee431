"""HTTP views for co-production offers: offering help, my offers, the officers' review."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
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
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from pbplatform.audit import services as audit
from pbplatform.coproduction import services
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.coproduction.forms import (
    KIND_LABELS,
    STATUS_LABELS,
    AcceptForm,
    DeclineForm,
    DeliveryForm,
    LapseForm,
    LinkForm,
    NewOfferForm,
    OfferForm,
)
from pbplatform.coproduction.models import OFFER_STATUSES, Offer
from pbplatform.errors import DomainError
from pbplatform.extensions import db, limiter
from pbplatform.money import to_minor
from pbplatform.proposals.models import Proposal
from pbplatform.security.access import login_required, officer_required, public, require_area
from pbplatform.security.redirects import safe_next

bp = Blueprint("coproduction", __name__)


def _offer_limit() -> str:
    return current_app.config.get("OFFER_RATE_LIMIT", "30 per hour")


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


# Anti-automation: offers per signed-in person and per address (security case 38).
offer_limit_user = limiter.limit(_offer_limit, key_func=_user_key, methods=["POST"],
                                 scope="offer-user")
offer_limit_ip = limiter.limit(_offer_limit, key_func=get_remote_address, methods=["POST"],
                               scope="offer-ip")


# --- helpers ---------------------------------------------------------------------------

def _proposal(tracking_number: str) -> Proposal:
    proposal = db.session.scalar(
        sa.select(Proposal).where(Proposal.tracking_number == tracking_number[:24]))
    if proposal is None:
        abort(404)
    if proposal.is_hidden and not (current_user.is_authenticated
                                   and current_user.can_act_on_area(proposal.area_id)):
        abort(404)
    return proposal


def _locked_offer(offer_id: int) -> Offer | None:
    """The offer; POSTs lock its row so concurrent reviews and withdrawals serialise."""
    if request.method == "GET":
        return db.session.get(Offer, offer_id)
    return db.session.get(Offer, offer_id, with_for_update=True, populate_existing=True)


def _area_of(offer: Offer) -> int | None:
    return offer.proposal.area_id if offer.proposal is not None else None


def _officer_offer(offer_id: int) -> Offer:
    offer = _locked_offer(offer_id)
    if offer is None:
        abort(404)
    require_area(_area_of(offer))
    return offer


def _apply_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a refusal beside the field it is about, or at the top of the form."""
    field = getattr(form, exc.extra.get("field", ""), None)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _offer_input(form: OfferForm) -> dict[str, Any]:
    return {
        "kind": form.kind.data, "quantity": form.quantity.data, "unit": form.unit.data or "",
        "description": form.description.data, "schedule": form.schedule.data,
        "duration": form.duration.data, "conditions": form.conditions.data,
        "only_if_funded": form.only_if_funded.data, "is_anonymous": form.is_anonymous.data,
    }


AMOUNT = re.compile(r"\d{1,12}(?:[.,]\d{1,2})?")


def parse_amount(text: str | None) -> int | None:
    """'150', '150.5' or '150,50' -> minor units; empty -> None; anything else is refused
    (thousands separators are ambiguous between locales, so they are not guessed)."""
    text = (text or "").strip()
    if not text:
        return None
    if not AMOUNT.fullmatch(text):
        raise DomainError("bad_value", _("Enter the value as an amount without thousands "
                                         "separators, like 1500.00."), field="value")
    return to_minor(text.replace(",", "."))


def officer_forms(offer: Offer) -> dict[str, FlaskForm]:
    """The officer's forms for one offer; prefixed so several fit on one page."""
    prefix = f"offer{offer.id}"
    return {"accept": AcceptForm(prefix=prefix), "decline": DeclineForm(prefix=prefix),
            "delivery": DeliveryForm(prefix=prefix), "lapse": LapseForm(prefix=prefix),
            "link": LinkForm(prefix=prefix)}


@bp.app_template_global("coproduction_panel")
def coproduction_panel(proposal: Proposal, form: OfferForm | None = None) -> dict[str, Any]:
    """Everything the `_offers.html` partial shows for a proposal."""
    user = current_user if current_user.is_authenticated else None
    offers = services.public_offers(proposal)
    can_offer = (user is not None and proposal.cycle.phase in services.OPEN_PHASES
                 and proposal.status not in services.CLOSED_PROPOSAL_STATUSES
                 and not proposal.is_saving)
    officer = user is not None and user.can_act_on_area(proposal.area_id)
    return {
        "offers": offers, "costs": cost_breakdown([proposal])[proposal.id],
        "cycle": proposal.cycle,
        "form": form or (OfferForm(prefix="help") if can_offer else None),
        "officer": officer, "officer_forms": {o.id: officer_forms(o) for o in offers}
        if officer else {}, "kinds": KIND_LABELS, "statuses": STATUS_LABELS,
        "lapsed": [o for o in offers if o.status == "lapsed"],
    }


# --- residents ---------------------------------------------------------------------------

@bp.get("/proposals/<tracking_number>/offers")
@public
def proposal_offers(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    return render_template("coproduction/proposal_offers.html", proposal=proposal)


@bp.post("/proposals/<tracking_number>/offers")
@login_required
@offer_limit_user
@offer_limit_ip
def offer_on_proposal(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    form = OfferForm(prefix="help")
    status = 422
    if form.validate_on_submit():
        try:
            services.make_offer(by=current_user, proposal=proposal, **_offer_input(form))
        except DomainError as exc:
            db.session.rollback()
            _apply_error(form, exc)
            status = exc.status
        else:
            flash(_("Thank you for your offer. An officer will review it."), "success")
            return redirect(url_for(".proposal_offers", tracking_number=tracking_number),
                            code=303)
    return render_template("coproduction/proposal_offers.html", proposal=proposal,
                           offer_form=form), status


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
            409 if request.method == "POST" else 200)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                offer = _create_from_new_form(form, {c.id: c for c in cycles})
            except DomainError as exc:
                db.session.rollback()
                _apply_error(form, exc)
                status = exc.status
            else:
                flash(_("Thank you for your offer. An officer will review it."), "success")
                if offer.offerer_id == current_user.id:
                    return redirect(url_for(".my_offers"), code=303)
                return redirect(url_for(".review", offer_id=offer.id), code=303)
    return render_template("coproduction/new_offer.html", form=form), status


def _create_from_new_form(form: NewOfferForm, cycles: dict[int, Any]) -> Offer:
    cycle = cycles.get(form.cycle.data)
    proposal = None
    if form.proposal.data:
        proposal = db.session.scalar(sa.select(Proposal).where(
            Proposal.tracking_number == form.proposal.data.strip()))
        if proposal is None or proposal.cycle_id != form.cycle.data or (
                proposal.is_hidden and not current_user.can_act_on_area(proposal.area_id)):
            raise DomainError("unknown_proposal", _("No proposal with this tracking number "
                                                    "in this cycle."), field="proposal")
    offerer_name = form.offerer_name.data if "offerer_name" in form else None
    if offerer_name and proposal is not None and not current_user.can_act_on_area(
            proposal.area_id):
        raise DomainError("forbidden", _("That proposal is outside your areas."), status=403)
    return services.make_offer(by=current_user, proposal=proposal, cycle=cycle,
                               offerer_name=offerer_name, **_offer_input(form))


@bp.get("/offers/mine")
@login_required
def my_offers() -> ResponseReturnValue:
    return render_template("coproduction/mine.html", offers=services.offers_of(current_user),
                           kinds=KIND_LABELS, statuses=STATUS_LABELS,
                           costs_locked=services.COST_LOCKED_PHASES)


@bp.post("/offers/<int:offer_id>/withdraw")
@login_required
def withdraw(offer_id: int) -> ResponseReturnValue:
    offer = _locked_offer(offer_id)
    if offer is None:
        abort(404)
    if offer.offerer_id != current_user.id:
        if not current_user.is_officer:
            abort(403)
        require_area(_area_of(offer))
    try:
        services.withdraw_offer(offer, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render_template("coproduction/mine.html",
                               offers=services.offers_of(current_user), kinds=KIND_LABELS,
                               statuses=STATUS_LABELS,
                               costs_locked=services.COST_LOCKED_PHASES), exc.status
    flash(_("Your offer is withdrawn."), "success")
    return redirect(safe_next(request.form.get("next"), ".my_offers"), code=303)


# --- officers ---------------------------------------------------------------------------

@bp.get("/officer/offers")
@officer_required
def queue() -> ResponseReturnValue:
    status = request.args.get("status", "offered")
    statuses = (status,) if status in OFFER_STATUSES else ("offered",)
    offers = services.review_queue(current_user, statuses)
    return render_template("coproduction/queue.html", offers=offers, status=statuses[0],
                           statuses=STATUS_LABELS, kinds=KIND_LABELS)


@bp.get("/officer/offers/<int:offer_id>")
@officer_required
def review(offer_id: int) -> ResponseReturnValue:
    offer = _officer_offer(offer_id)
    return _review_page(offer, officer_forms(offer))


def _review_page(offer: Offer, forms: dict[str, FlaskForm], status: int = 200):
    costs = cost_breakdown([offer.proposal])[offer.proposal.id] if offer.proposal else None
    return render_template("coproduction/review.html", offer=offer, forms=forms, costs=costs,
                           kinds=KIND_LABELS, statuses=STATUS_LABELS,
                           suggested=services.hours_value(offer)), status


def _officer_action(offer_id: int, name: str, act) -> ResponseReturnValue:
    """Validate the named form, run the service, and on refusal show the review page again."""
    offer = _officer_offer(offer_id)
    forms = officer_forms(offer)
    form = forms[name]
    if not form.validate_on_submit():
        return _review_page(offer, forms, 422)
    try:
        message = act(offer, form)
    except DomainError as exc:
        # Discards the attempt, then keeps a record of the refusal (an officer action).
        audit.record_refusal(f"offer.{name}", offer, after={"code": exc.code},
                             area_id=_area_of(offer))
        db.session.refresh(offer)
        _apply_error(form, exc)
        flash(exc.message, "error")
        return _review_page(offer, forms, exc.status)
    flash(message, "success")
    target = request.form.get("next") or request.args.get("next")
    return redirect(safe_next(target, ".queue"), code=303)


@bp.post("/officer/offers/<int:offer_id>/accept")
@officer_required
def accept(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: AcceptForm) -> str:
        value = parse_amount(form.value.data)
        services.accept_offer(offer, current_user, value_minor=value, basis=form.basis.data)
        return _("Offer accepted.")
    return _officer_action(offer_id, "accept", act)


@bp.post("/officer/offers/<int:offer_id>/decline")
@officer_required
def decline(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: DeclineForm) -> str:
        services.decline_offer(offer, current_user, form.reason.data)
        return _("Offer declined.")
    return _officer_action(offer_id, "decline", act)


@bp.post("/officer/offers/<int:offer_id>/deliveries")
@officer_required
def record_delivery(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: DeliveryForm) -> str:
        quantity: Decimal | None = form.quantity.data
        services.record_delivery(offer, current_user, delivered_on=form.delivered_on.data,
                                 description=form.description.data, quantity=quantity,
                                 complete=form.complete.data)
        return _("Delivery recorded.")
    return _officer_action(offer_id, "delivery", act)


@bp.post("/officer/offers/<int:offer_id>/lapse")
@officer_required
def lapse(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: LapseForm) -> str:
        services.lapse_offer(offer, current_user, form.note.data)
        return _("The lapse is recorded and shown on the proposal page.")
    return _officer_action(offer_id, "lapse", act)


@bp.post("/officer/offers/<int:offer_id>/link")
@officer_required
def link(offer_id: int) -> ResponseReturnValue:
    def act(offer: Offer, form: LinkForm) -> str:
        proposal = db.session.scalar(sa.select(Proposal).where(
            Proposal.tracking_number == form.proposal.data.strip()))
        if proposal is None:
            raise DomainError("unknown_proposal", _("No proposal with this tracking number."),
                              field="proposal")
        require_area(proposal.area_id)
        services.link_offer(offer, proposal, current_user)
        return _("Offer linked to %(number)s.", number=proposal.tracking_number)
    return _officer_action(offer_id, "link", act)
