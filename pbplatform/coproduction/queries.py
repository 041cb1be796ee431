"""Reads of offers that views need."""

from __future__ import annotations

from pbplatform.coproduction.models import Offer
from pbplatform.extensions import db


def offer_by_id(offer_id: int, *, lock: bool = False) -> Offer | None:
    """With `lock`, the row is locked (and reloaded) so concurrent reviews serialise."""
    if not lock:
        return db.session.get(Offer, offer_id)
    return db.session.get(Offer, offer_id, with_for_update=True, populate_existing=True)
