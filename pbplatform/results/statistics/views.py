"""The public statistics page of a cycle (per area) and its CSV download."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from pbplatform.cycles.models import Cycle
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.results import queries as result_queries
from pbplatform.results.csvsafe import neutralise
from pbplatform.results.statistics import report
from pbplatform.security.access import public

bp = Blueprint("statistics", __name__)


def _cycle_and_area(slug: str) -> tuple[Cycle, int | None]:
    cycle = cycle_or_404(slug)
    area_id = request.args.get("area", type=int)
    if "area" in request.args and area_id not in {ca.area_id for ca in cycle.areas}:
        abort(404)
    return cycle, area_id


def _report(cycle: Cycle, area_id: int | None) -> report.Report:
    return report.build(cycle, result_queries.published_version(cycle), area_id)


@bp.get("/cycles/<slug>/statistics")
@public
def show(slug: str) -> ResponseReturnValue:
    cycle, area_id = _cycle_and_area(slug)
    return render_template(
        "results/statistics.html",
        cycle=cycle,
        area_id=area_id,
        report=_report(cycle, area_id),
        age_keys=report.AGE_KEYS,
    )


def _cell(value) -> str:
    return "<5" if value is None else str(value)


# Complexity: writes every section of the statistics page as CSV rows, in page order, with small
# cells hidden.
@bp.get("/cycles/<slug>/statistics.csv")
@public
def download(slug: str) -> ResponseReturnValue:
    """Every figure of the page, one per line; hidden cells are "<5"; text is formula-safe."""
    cycle, area_id = _cycle_and_area(slug)
    rep = _report(cycle, area_id)
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["table", "area", "measure", "value"])
    for row in rep.rows:
        area = neutralise(row.name or _("area not known / district-wide"))
        for ch, n in row.participants.items():
            out.writerow(["participants", area, ch, _cell(n)])
        out.writerow(["participants", area, "total", _cell(row.total)])
        if row.attendance is not None or row.area_id is not None:
            out.writerow(["meeting_attendance", area, "attendance", _cell(row.attendance)])
        if row.population:
            out.writerow(["turnout", area, "population", row.population])
            turnout = "" if row.turnout is None else f"{float(row.turnout) * 100:.1f}"
            out.writerow(["turnout", area, "percent", turnout or "<5"])
        for key, n in row.ages.items():
            out.writerow(["age", area, key, _cell(n)])
        for ch, n in row.proposals.items():
            out.writerow(["proposals", area, ch, _cell(n)])
    for m in rep.mobilisation:
        label = neutralise(f"{m.tracking_number} {m.title}")
        ratio = "" if m.ratio is None else f"{float(m.ratio):.2f}"
        out.writerow(["mobilisation", neutralise(m.list_name or "district"), label, ratio or "<5"])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{cycle.slug}-statistics.csv"'},
    )
