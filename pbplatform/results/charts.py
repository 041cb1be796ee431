"""A server-rendered SVG bar chart of one list: a bar per project in rank order, stacked by
channel (weighted scores, as counted), funded bars solid and unfunded ones pale and dashed,
and a line where the budget runs out in rank order. No JavaScript; the table holds the data.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from markupsafe import Markup, escape

from pbplatform.results.summary import ListSummary

# Distinct on white and for common colour-vision deficiencies; the text says funded or not.
COLOURS = {
    "online": "#0b5394",
    "paper": "#b45f06",
    "code": "#6a1b9a",
    "meeting": "#1e6b2f",
    "postal": "#a61c00",
}
OTHER = "#555555"
WIDTH, LABEL_H, BAR_H, GAP, TOP = 480, 16, 14, 10, 8
ROW = LABEL_H + BAR_H + GAP
LINE_SPACE = 18  # room for the budget line's label


def colour(channel: str) -> str:
    return COLOURS.get(channel, OTHER)


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
) -> Markup:
    """The SVG; ``labels(row)`` gives each bar's caption (rank, title, funded or not)."""
    top = max((sum(p.weighted.values(), Fraction(0)) for p in summary.projects), default=0)
    scale = Fraction(WIDTH - 70) / top if top else Fraction(0)
    line_after = budget_line_after(summary)
    has_line = line_after is not None and line_after < len(summary.projects) - 1
    height = TOP + ROW * len(summary.projects) + (LINE_SPACE if has_line else 0) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    y = TOP
    for i, p in enumerate(summary.projects):
        funded = p.row["selected"]
        weight = ' font-weight="600"' if funded else ""
        parts.append(
            f'<text x="0" y="{y + LABEL_H - 4}" font-size="13" fill="#1b1b1b"{weight}>'
            f"{escape(labels(p.row))}</text>"
        )
        x = Fraction(0)
        for channel, value in sorted(p.weighted.items()):
            w = value * scale
            if w <= 0:
                continue
            style = (
                f'fill="{colour(channel)}"'
                if funded
                else f'fill="{colour(channel)}" fill-opacity="0.35" stroke="{colour(channel)}" '
                'stroke-dasharray="3 2"'
            )
            parts.append(
                f'<rect x="{float(x):.1f}" y="{y + LABEL_H}" width="{float(w):.1f}" '
                f'height="{BAR_H}" {style}/>'
            )
            x += w
        total = sum(p.weighted.values(), Fraction(0))
        parts.append(
            f'<text x="{float(x) + 4:.1f}" y="{y + LABEL_H + BAR_H - 2}" font-size="12" '
            f'fill="#1b1b1b">{escape(_number(total))}</text>'
        )
        y += ROW
        if has_line and i == line_after:
            ly = y - GAP / 2 + 2
            parts.append(
                f'<line x1="0" x2="{WIDTH}" y1="{ly}" y2="{ly}" stroke="#b00020" '
                'stroke-width="2" stroke-dasharray="6 3"/>'
            )
            parts.append(
                f'<text x="0" y="{ly + 13}" font-size="11" fill="#b00020">'
                f"{escape(budget_label)}</text>"
            )
            y += LINE_SPACE
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")
