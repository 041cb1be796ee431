"""The demo's delivery after the count: funded projects in every delivery state, with
milestones (one with a photo drawn here with Pillow), an offer of help made and delivered
during delivery, and the open data rebuilt at the end (issue 15 item 8)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw

from pbplatform.coproduction import services as coproduction
from pbplatform.db import today
from pbplatform.delivery import services as delivery
from pbplatform.delivery.models import DeliveryStatus
from pbplatform.delivery.opendata import build_release
from pbplatform.delivery.queries import deliverable_proposals
from pbplatform.demo.state import Demo, acting_as
from pbplatform.proposals.models import Proposal

# (status, progress, department, committed and spent in euros, reason, milestones)
PLANS = [
    (
        DeliveryStatus.DONE,
        100,
        "Parks and green spaces office",
        1.0,
        0.96,
        None,
        ["Contract awarded to a local firm.", "Works finished and opened to the public."],
    ),
    (
        DeliveryStatus.IN_PROGRESS,
        60,
        "Roads and traffic office",
        0.9,
        0.4,
        None,
        ["Design agreed with residents at a follow-up meeting.", "Construction started."],
    ),
    (
        DeliveryStatus.PLANNED,
        10,
        "Culture office",
        0.2,
        0.0,
        None,
        ["Planning started; the tender goes out in January 2027."],
    ),
    (
        DeliveryStatus.NOT_DONE,
        0,
        "Schools office",
        0.0,
        0.0,
        "The school building is to be renovated in 2027; the project moves with it.",
        ["The council found the site unavailable until the renovation."],
    ),
]


def demo_photo() -> bytes:
    """A small picture of a bench under a tree, drawn with Pillow (no metadata)."""
    image = Image.new("RGB", (480, 320), (190, 225, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 230, 480, 320), fill=(110, 170, 90))
    draw.rectangle((330, 120, 350, 240), fill=(110, 80, 50))
    draw.ellipse((270, 40, 410, 160), fill=(50, 130, 60))
    draw.rectangle((100, 200, 260, 215), fill=(140, 100, 60))
    draw.rectangle((110, 215, 120, 245), fill=(90, 70, 40))
    draw.rectangle((240, 215, 250, 245), fill=(90, 70, 40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _day(n: int) -> date:
    return min(today(), date(2026, 10, 15)) - timedelta(days=n)


def deliver(demo: Demo) -> None:
    officer, cycle = demo.staff["officer"], demo.cycle
    assert cycle is not None  # made by the first step
    items = deliverable_proposals(cycle)
    spending = [d for d in items if not d.proposal.is_saving]
    for n, (item, plan) in enumerate(zip(spending, PLANS, strict=False)):
        status, progress, department, committed, spent, reason, notes = plan
        proposal = item.proposal
        with acting_as(officer):
            delivery.update_delivery(
                proposal,
                officer,
                delivery.DeliveryInput(
                    status=status,
                    progress=progress,
                    department=department,
                    planned_start=_day(120),
                    planned_end=_day(-200),
                    actual_start=_day(90) if progress else None,
                    committed_minor=int(item.adopted_minor * committed),
                    spent_minor=int(item.adopted_minor * spent),
                    not_done_reason=reason,
                ),
            )
            for k, text in enumerate(notes):
                photos = [demo_photo()] if n == 0 and k == len(notes) - 1 else []
                delivery.add_milestone(proposal, officer, _day(60 - 30 * k), text, photos)
    _offer_during_delivery(demo, spending[1].proposal if len(spending) > 1 else None)
    build_release(cycle)


def _offer_during_delivery(demo: Demo, proposal: Proposal | None) -> None:
    """A resident offers help on a funded project while it is built; it is delivered."""
    if proposal is None:
        return
    officer, resident = demo.staff["officer"], demo.resident
    offer = coproduction.make_offer(
        by=resident,
        proposal=proposal,
        kind="volunteer_hours",
        quantity=Decimal(12),
        unit=None,
        description="Planting flowers along the new path with neighbours.",
    )
    with acting_as(officer):
        # valued by the rule (12 hours at the cycle's rate), so its basis reads in each
        # reader's language
        coproduction.accept_offer(offer, officer)
        coproduction.record_delivery(
            offer,
            officer,
            delivered_on=_day(10),
            description="Flowers planted on a Saturday.",
            quantity=Decimal(12),
        )
