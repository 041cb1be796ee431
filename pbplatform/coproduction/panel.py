"""The offers panel a proposal's page shows: built by the views that render it and passed to
the `coproduction/_offers.html` partial (templates get data from views, not from globals)."""

from __future__ import annotations

from typing import Any

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
from pbplatform.proposals.models import Proposal


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


# Complexity: a flat list of what the partial shows; each condition is a separate permission the
# page states.
def coproduction_panel(proposal: Proposal, form: OfferForm | None = None) -> dict[str, Any]:
    """Everything the `_offers.html` partial shows for a proposal."""
    user = current_user if current_user.is_authenticated else None
    offers = services.public_offers(proposal)
    can_offer = (
        user is not None
        and services.takes_offers(proposal)
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
        "lapsed": [o for o in offers if o.status == OfferStatus.LAPSED],
        "takes_offers": services.takes_offers(proposal),
    }
