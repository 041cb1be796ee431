"""Co-production offers (labour, materials, money ...) on proposals, and their delivery log."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_decimal, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db
from pbplatform.i18n import plural_count
from pbplatform.money import format_money


class OfferKind(enum.StrEnum):
    VOLUNTEER_HOURS = "volunteer_hours"
    MAINTENANCE = "maintenance"
    MATERIALS = "materials"
    EQUIPMENT_VENUE = "equipment_venue"
    PROFESSIONAL_SERVICE = "professional_service"
    MONEY = "money"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    OfferKind.VOLUNTEER_HOURS: _l("Volunteer work (hours)"),
    OfferKind.MAINTENANCE: _l("Maintenance or looking after it for a period"),
    OfferKind.MATERIALS: _l("Materials or goods"),
    OfferKind.EQUIPMENT_VENUE: _l("Equipment or a venue"),
    OfferKind.PROFESSIONAL_SERVICE: _l("Professional service"),
    OfferKind.MONEY: _l("Money (co-financing)"),
}


class OfferStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    OfferStatus.OFFERED: _l("offered"),
    OfferStatus.ACCEPTED: _l("accepted"),
    OfferStatus.DECLINED: _l("declined"),
    OfferStatus.FULFILLED: _l("fulfilled"),
    OfferStatus.PARTLY_FULFILLED: _l("partly fulfilled"),
    OfferStatus.LAPSED: _l("lapsed"),
    OfferStatus.WITHDRAWN: _l("withdrawn"),
}
# Statuses whose value lowers the public cost (see costs.cost_breakdown).
COUNTED_STATUSES = (OfferStatus.ACCEPTED, OfferStatus.FULFILLED, OfferStatus.PARTLY_FULFILLED)
# Statuses that carry an officer's valuation.
VALUED_STATUSES = (*COUNTED_STATUSES, OfferStatus.LAPSED)


def quantity_text(value: Decimal | None) -> str:
    """10.00 -> "10", 2.50 -> "2.5" (never "1E+1")."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _in(column: str, values: Iterable[str]) -> str:
    allowed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({allowed})"


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        enum_check("kind", OfferKind, "kind_valid"),
        enum_check("status", OfferStatus, "status_valid"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("value_minor IS NULL OR value_minor >= 0", name="value_nonnegative"),
        sa.CheckConstraint(
            f"NOT ({_in('status', VALUED_STATUSES)}) OR value_minor IS NOT NULL",
            name="valued_has_value",
        ),
        sa.CheckConstraint(
            "status != 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"
        ),
        sa.Index("ix_offers_proposal_status", "proposal_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # NULL: an offer of help without a proposal, linked later by an officer.
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE")
    )
    offerer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # An officer who typed in an offer on a resident's behalf (letter, phone, meeting).
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    offerer_name: Mapped[str | None] = mapped_column(sa.String(120))

    kind: Mapped[str] = mapped_column(sa.String(24))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    unit: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.Text)
    schedule: Mapped[str | None] = mapped_column(sa.String(200))
    duration: Mapped[str | None] = mapped_column(sa.String(120))
    conditions: Mapped[str | None] = mapped_column(sa.Text)
    only_if_funded: Mapped[bool] = mapped_column(default=True)
    is_anonymous: Mapped[bool] = mapped_column(default=False)

    status: Mapped[str] = mapped_column(sa.String(20), default="offered")
    value_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    # How the value was set, as the officer typed it; NULL when the rule set it (money at face
    # value, or hours at `value_rate_minor`), said in the reader's language (`shown_basis`).
    value_basis: Mapped[str | None] = mapped_column(sa.Text)
    value_rate_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    # What happens next when an accepted offer lapsed (shown on the proposal page).
    lapse_note: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cycle: Mapped[Cycle] = relationship()  # noqa: F821
    proposal: Mapped[Proposal | None] = relationship()  # noqa: F821
    offerer: Mapped[User | None] = relationship(foreign_keys=[offerer_id])  # noqa: F821
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])  # noqa: F821
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821
    deliveries: Mapped[list[OfferDelivery]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferDelivery.id"
    )

    @property
    def counts(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.quantity)

    @property
    def amount(self) -> str:
        """How much is offered, in the page's language."""
        return self.amount_of(self.quantity)

    def amount_of(self, quantity: Decimal | None) -> str:
        """A quantity of this offer's unit; volunteer hours are stored with the unit 'hours',
        so they are said in the reader's language ('10 Stunden'), not as stored."""
        if self.kind == OfferKind.VOLUNTEER_HOURS and quantity is not None:
            return ngettext(
                "%(hours)s hour",
                "%(hours)s hours",
                plural_count(quantity),
                hours=format_decimal(quantity.normalize()),
            )
        return f"{quantity_text(quantity)} {self.unit}"

    @property
    def shown_basis(self) -> str | None:
        """How the value was set, in the page's language: as typed, or the rule that set it."""
        if self.value_basis:
            return self.value_basis
        if self.value_minor is None:
            return None
        if self.kind == OfferKind.MONEY:
            return gettext("Money at face value.")
        if self.value_rate_minor is None:
            return None
        return ngettext(
            "%(hours)s hour at the published rate of %(rate)s per hour.",
            "%(hours)s hours at the published rate of %(rate)s per hour.",
            plural_count(self.quantity),
            hours=format_decimal(self.quantity.normalize()),
            rate=format_money(self.value_rate_minor, self.cycle.currency),
        )

    @property
    def real_name(self) -> str:
        if self.offerer is not None:
            return self.offerer.display_name
        return self.offerer_name or ""

    @property
    def delivered_quantity(self) -> Decimal:
        return sum((d.quantity for d in self.deliveries if d.quantity is not None), Decimal(0))


class OfferDelivery(db.Model):
    """One entry of an offer's delivery log: what was delivered, when, confirmed by whom."""

    __tablename__ = "offer_deliveries"
    __table_args__ = (
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id", ondelete="CASCADE"))
    delivered_on: Mapped[date] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer: Mapped[Offer] = relationship(back_populates="deliveries")

    @property
    def quantity_text(self) -> str:
        return quantity_text(self.quantity)

    confirmed_by: Mapped[User | None] = relationship()  # noqa: F821


def accepted_said(note: str | None, currency: str) -> str | None:
    """An accepted offer's event note as people read it, in the page's language. The note is
    the value in minor units ("15000"); an older note is the sentence itself, shown as it is."""
    if note is None or not note.isdigit():
        return note
    return gettext(
        "Offer of help accepted, valued at %(value)s.", value=format_money(int(note), currency)
    )
