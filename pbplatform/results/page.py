"""The results page's per-list panels: the summary, the chart and its text alternative."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from pbplatform.money import format_money
from pbplatform.results.charts import Chart, bar_chart, budget_line_after, colour
from pbplatform.results.models import ResultVersion
from pbplatform.results.summary import ListSummary, summarise
from pbplatform.templating import number


@dataclass
class Panel:
    lst: dict[str, Any]
    summary: ListSummary
    chart: Chart
    description: str
    colours: dict[str, str]


def _label(row: dict[str, Any]) -> str:
    title = row["title"] if len(row["title"]) <= 48 else row["title"][:47] + "…"
    state = _("funded") if row["selected"] else _("not funded")
    return f"{row['rank']}. {title} ({state})"


def _description(summary: ListSummary, currency: str) -> str:
    funded = [p.row["title"] for p in summary.projects if p.row["selected"]]
    text = _(
        "Weighted score of each project in rank order, split by channel. "
        "Funded (%(n)s): %(names)s.",
        n=len(funded),
        names=", ".join(funded) or "—",
    )
    after = budget_line_after(summary)
    if after is not None and after < len(summary.projects) - 1:
        text += " " + _(
            "The dashed line marks where the budget of %(budget)s is used up in rank order.",
            budget=format_money(summary.budget, currency),
        )
    return text


def panels(version: ResultVersion) -> list[Panel]:
    currency = version.config["currency"]
    found = []
    for lst in version.outcome["lists"]:
        summary = summarise(version, lst)
        description = _description(summary, currency)
        chart = bar_chart(
            summary,
            chart_id=f"chart-{lst['key']}",
            title=_("Scores of %(list)s", list=lst["name"] or _("District-wide")),
            description=description,
            labels=_label,
            budget_label=_("Budget %(budget)s", budget=format_money(summary.budget, currency)),
            number=number,  # as the table beside it writes the scores
        )
        found.append(
            Panel(
                lst,
                summary,
                chart,
                description,
                {ch: colour(ch) for ch in lst["tally"]["channels"]},
            )
        )
    return found
