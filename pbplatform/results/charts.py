"""Geometry of a server-rendered SVG bar chart of one list: a bar per project in rank order,
stacked by channel (weighted scores, as counted), funded bars solid and unfunded ones pale and
dashed, and a line where the budget runs out in rank order. Plain data only: the template
`results/_chart.html` draws it (escaped like any page), and the table holds the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from pbplatform.channels.models import Channel
from pbplatform.results.summary import ListSummary

# Distinct on white and for common colour-vision deficiencies; the text says funded or not.
COLOURS: dict[str, str] = {
    Channel.ONLINE: "#0b5394",
    Channel.PAPER: "#b45f06",
    Channel.CODE: "#6a1b9a",
    Channel.MEETING: "#1e6b2f",
    Channel.POSTAL: "#a61c00",
}
OTHER = "#555555"
WIDTH, LABEL_H, BAR_H, GAP, TOP = 480, 16, 14, 10, 8
ROW = LABEL_H + BAR_H + GAP
LINE_SPACE = 18  # room for the budget line's label


def colour(channel: str) -> str:
    return COLOURS.get(channel, OTHER)


@dataclass
class Segment:
    x: float
    width: float
    colour: str


@dataclass
class Bar:
    label: str
    label_y: float
    y: float
    funded: bool
    total: str
    total_x: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    budget_label: str
    width: int
    height: float
    bar_height: int
    bars: list[Bar]
    line_y: float | None  # the budget line, if some project lies below it


def budget_line_after(summary: ListSummary) -> int | None:
    """Index of the last project, in rank order, whose cumulative cost still fits the budget."""
    total, last = 0, None
    for i, p in enumerate(summary.projects):
        total += p.row["cost"]
        if total > summary.budget:
            break
        last = i
    return last


def bar_chart(
    summary: ListSummary,
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Callable[[dict], str],
    budget_label: str,
    number: Callable[[Fraction], str] | None = None,
) -> Chart:
    """The chart; ``labels(row)`` gives each bar's caption (rank, title, funded or not) and
    ``number`` writes each bar's score (the page's locale: 44,5 in German; default 44.5)."""
    number = number or _number
    top = max((sum(p.weighted.values(), Fraction(0)) for p in summary.projects), default=0)
    scale = Fraction(WIDTH - 70) / top if top else Fraction(0)
    line_after = budget_line_after(summary)
    has_line = line_after is not None and line_after < len(summary.projects) - 1
    bars, line_y, y = [], None, float(TOP)
    for i, p in enumerate(summary.projects):
        x, segments = Fraction(0), []
        for channel, value in sorted(p.weighted.items()):
            w = value * scale
            if w > 0:
                segments.append(Segment(round(float(x), 1), round(float(w), 1), colour(channel)))
                x += w
        total = sum(p.weighted.values(), Fraction(0))
        bars.append(
            Bar(
                label=labels(p.row),
                label_y=y + LABEL_H - 4,
                y=y + LABEL_H,
                funded=bool(p.row["selected"]),
                total=number(total),
                total_x=round(float(x) + 4, 1),
                segments=segments,
            )
        )
        y += ROW
        if has_line and i == line_after:
            line_y = y - GAP / 2 + 2
            y += LINE_SPACE
    return Chart(chart_id, title, description, budget_label, WIDTH, y + 4, BAR_H, bars, line_y)


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")
