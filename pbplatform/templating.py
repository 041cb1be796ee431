"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from flask import Flask
from flask_babel import format_date, format_decimal, get_locale

from pbplatform.accounts.models import Role
from pbplatform.channels.models import Channel, MeetingStatus
from pbplatform.codesign.models import Answer, MergeStatus
from pbplatform.coproduction.models import OfferKind, OfferStatus
from pbplatform.cycles.models import BallotRule, Combination, CountRule, Phase, VotePolicy
from pbplatform.decisions.models import DecisionStatus, RoutingKind
from pbplatform.delivery.models import DeliveryStatus
from pbplatform.discussion.models import CommentChannel
from pbplatform.i18n import plural_count
from pbplatform.jobs.models import JobKind, JobStatus
from pbplatform.money import format_money
from pbplatform.notifications.models import EmailFrequency, NotificationKind
from pbplatform.privacy.models import Purpose
from pbplatform.proposals.models import (
    EventKind,
    IntakeChannel,
    ProposalCategory,
    ProposalKind,
    ProposalStatus,
)
from pbplatform.vocabulary import label
from pbplatform.voting.totals import running_total


def number(value: int | float | Decimal | Fraction | str | None) -> str:
    """A count, score or weight in the page's locale (German: 0,5 and 1.234). Exact fractions
    (scores and weights such as "1/3", as results store them) show at most two decimals; the
    exact values are in the JSON and the ballots file."""
    if value is None:
        return "–"
    if isinstance(value, Fraction | str):
        fraction = Fraction(value)
        exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        rounded = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        return format_decimal(rounded if rounded else Decimal(0), format="#,##0.##")
    return format_decimal(value)


def day(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the page's locale and time zone."""
    if value is None:
        return "–"
    return format_date(value, style)


# The vocabulary enums, by name: templates compare with members (`cycle.phase == Phase.VOTING`)
# and show labels with the one filter (`cycle.phase|label(Phase)`).
VOCABULARY = {
    v.__name__: v
    for v in (
        Phase,
        ProposalStatus,
        ProposalKind,
        EventKind,
        ProposalCategory,
        IntakeChannel,
        Channel,
        MeetingStatus,
        OfferStatus,
        OfferKind,
        BallotRule,
        Combination,
        CountRule,
        VotePolicy,
        Role,
        JobStatus,
        JobKind,
        Purpose,
        NotificationKind,
        EmailFrequency,
        CommentChannel,
        Answer,
        MergeStatus,
        DeliveryStatus,
        DecisionStatus,
        RoutingKind,
    )
}


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(get_locale=get_locale)
    app.jinja_env.globals.update(VOCABULARY)
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.globals["running_total"] = running_total
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["plural_count"] = plural_count
