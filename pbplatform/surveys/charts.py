"""Geometry of a server-rendered SVG bar chart of an allocation question: one bar per item, its
length the mean share, in the order of the table (highest mean first). Plain data only; the
template `surveys/_chart.html` draws it, and the table beside it holds the exact numbers."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _

from pbplatform.surveys.queries import QuestionResult
from pbplatform.surveys.stats import exact_text

WIDTH, LABEL_W, BAR_H, GAP, TOP = 560, 220, 16, 8, 4
BAR_SPACE = WIDTH - LABEL_W - 70


@dataclass
class Bar:
    label: str
    y: float
    width: float
    value: str


@dataclass
class Chart:
    chart_id: str
    title: str
    width: int
    height: float
    label_width: int
    bar_height: int
    bars: list[Bar]


def allocation_chart(q: QuestionResult, *, chart_id: str) -> Chart:
    means = [i.summary.mean for i in q.items]
    top = max(means, default=Fraction(0)) or Fraction(1)
    bars = []
    for n, i in enumerate(q.items):
        width = float(i.summary.mean / top) * BAR_SPACE
        mean = (
            round(float(i.summary.mean), 2) if i.summary.mean.denominator != 1 else i.summary.mean
        )
        bars.append(Bar(i.item.shown_text[:40], TOP + n * (BAR_H + GAP), width, str(mean)))
    return Chart(
        chart_id=chart_id,
        title=_("Mean share per item: %(question)s", question=q.question.shown_text),
        width=WIDTH,
        height=TOP + len(bars) * (BAR_H + GAP),
        label_width=LABEL_W,
        bar_height=BAR_H,
        bars=bars,
    )


__all__ = ["Chart", "allocation_chart", "exact_text"]
