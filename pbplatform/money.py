"""Money is stored in minor units (cents) with the cycle's currency; these convert and format."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import format_currency


def to_minor(amount: Decimal | int | str) -> int:
    """Major units (e.g. euros, as typed in a form) to integer minor units."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_major(minor: int) -> Decimal:
    return Decimal(minor) / 100


def format_money(minor: int | None, currency: str) -> str:
    if minor is None:
        return "–"
    return format_currency(to_major(minor), currency)
