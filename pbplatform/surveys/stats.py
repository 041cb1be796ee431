"""Exact statistics of survey answers: plain data in, plain data out (no Flask, no database).

Everything is a `Fraction`, so the mean of 2.5-point shares never drifts; `exact_text` turns a
result into a decimal string that is exact when the decimal terminates and otherwise carries
REPEATING_PLACES places (a mean of 1/3 is "0.3333333333", never a rounded float).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

REPEATING_PLACES = 10
SMALL_GROUP = 5  # a breakdown never shows a group of fewer people than this


def terminates(value: Fraction) -> bool:
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def exact_text(value: Fraction | Decimal | int) -> str:
    """ "2.5", "6.25", "100", "0.3333333333": exact when it terminates, else 10 places."""
    value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 60
        number = Decimal(value.numerator) / Decimal(value.denominator)
        if not terminates(value):
            number = number.quantize(Decimal(1).scaleb(-REPEATING_PLACES), ROUND_HALF_EVEN)
            return format(number, "f")
        text = format(number.normalize(), "f")
    return text


def median(values: Sequence[Fraction]) -> Fraction:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return Fraction(0)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class Summary:
    count: int
    sum: Fraction
    mean: Fraction
    median: Fraction
    minimum: Fraction
    maximum: Fraction

    @property
    def spread(self) -> Fraction:
        """Highest minus lowest answer."""
        return self.maximum - self.minimum


def summarise(values: Sequence[Fraction]) -> Summary:
    if not values:
        zero = Fraction(0)
        return Summary(0, zero, zero, zero, zero, zero)
    total = sum(values, Fraction(0))
    return Summary(
        count=len(values),
        sum=total,
        mean=total / len(values),
        median=median(values),
        minimum=min(values),
        maximum=max(values),
    )


def distribution(ratings: Sequence[int | None], scale_max: int) -> dict[str, int]:
    """How many gave each point of the scale ("1".."5") and "dont_know" (None)."""
    counts = {str(i): 0 for i in range(1, scale_max + 1)}
    counts["dont_know"] = 0
    for r in ratings:
        counts["dont_know" if r is None else str(r)] += 1
    return counts


def rating_mean(ratings: Sequence[int | None]) -> Fraction | None:
    """The mean of the given ratings; "don't know" counts for nothing (None if nobody rated)."""
    given = [Fraction(r) for r in ratings if r is not None]
    return sum(given, Fraction(0)) / len(given) if given else None
