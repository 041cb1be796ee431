"""Lookups shared by the residents' and officers' views, and the offers panel template global."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_login import current_user
from flask_wtf import FlaskForm

from pbplatform.coproduction import services
from pbplatform.coproduction.costs import cost_breakdown
from pbplatform.coproduction.forms import (
    AcceptForm,
    DeclineForm,
    DeliveryForm,
    LapseForm,
    LinkForm,
    OfferForm,
)
from pbplatform.coproduction.models import Offer, OfferStatus
from pbplatform.coproduction.views import bp
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal


def locked_offer(offer_id: int) -> Offer | None:
    """The offer; POSTs lock its row so concurrent reviews and withdrawals serialise."""
    if request.method == "GET":
        return db.session.get(Offer, offer_id)
    return db.session.get(Offer, offer_id, with_for_update=True, populate_existing=True)


def area_of(offer: Offer) -> int | None:
    return offer.proposal.area_id if offer.proposal is not None else None


def apply_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a refusal beside the field it is about, or at the top of the form."""
    field = getattr(form, exc.extra.get("field", ""), None)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def find_proposal(tracking_number: str) -> Proposal | None:
    """The proposal with this tracking number as typed into a form (surrounding spaces ignored)."""
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.tracking_number == tracking_number.strip())
    )


def officer_forms(offer: Offer) -> dict[str, FlaskForm]:
    """The officer's forms for one offer; prefixed so several fit on one page."""
    prefix = f"offer{offer.id}"
    return {
        "accept": AcceptForm(prefix=prefix),
        "decline": DeclineForm(prefix=prefix),
        "delivery": DeliveryForm(prefix=prefix),
        "lapse": LapseForm(prefix=prefix),
        "link": LinkForm(prefix=prefix),
    }


@bp.app_template_global("coproduction_panel")
def coproduction_panel(proposal: Proposal, form: OfferForm | None = None) -> dict[str, Any]:
    """Everything the `_offers.html` partial shows for a proposal."""
    user = current_user if current_user.is_authenticated else None
    offers = services.public_offers(proposal)
    can_offer = (
        user is not None
        and proposal.cycle.phase in services.OPEN_PHASES
        and proposal.status not in services.CLOSED_PROPOSAL_STATUSES
        and not proposal.is_saving
    )
    officer = user is not None and user.can_act_on_area(proposal.area_id)
    return {
        "offers": offers,
        "costs": cost_breakdown([proposal])[proposal.id],
        "cycle": proposal.cycle,
        "form": form or (OfferForm(prefix="help") if can_offer else None),
        "officer": officer,
        "officer_forms": {o.id: officer_forms(o) for o in offers} if officer else {},
        OfferStatus.LAPSED: [o for o in offers if o.status == OfferStatus.LAPSED],
    }
