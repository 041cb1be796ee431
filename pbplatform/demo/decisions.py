"""After the vote in the demo: the council's decision on every list (two officers), with one
deviation from the count and its reason, a proposal forwarded to another authority (with its
answer) and one carried over into next year's cycle (a draft). Flushes only."""

from __future__ import annotations

from datetime import date
from typing import Any

from pbplatform.cycles import services as cycles
from pbplatform.cycles.models import Cycle
from pbplatform.decisions import services as decisions
from pbplatform.decisions.models import DecisionStatus, RoutingKind
from pbplatform.demo.state import Demo, acting_as
from pbplatform.results import queries

NEXT_SLUG = "lichtenberg-2027"
SESSION = date(2026, 9, 17)
MINUTES = (
    "https://www.berlin.de/ba-lichtenberg/politik-und-verwaltung/bezirksverordnetenversammlung/"
)
DEFERRED_REASON = (
    "The site belongs to the housing company until spring 2027; the council adopts the project "
    "for the next budget instead of this one."
)


def _cycle(demo: Demo) -> Cycle:
    assert demo.cycle is not None  # built by the loader's first steps
    return demo.cycle


def decide_and_route(demo: Demo) -> None:
    version = queries.published_version(_cycle(demo))
    if version is None:
        return
    deviation_done = False
    for lst in version.outcome["lists"]:
        deviation_done = _decide_list(demo, version, lst, deviate=not deviation_done)
    _forward(demo, version)
    _carry_over(demo, version)


def _decide_list(demo: Demo, version: Any, lst: dict[str, Any], *, deviate: bool) -> bool:
    """Adopt the list's funded projects; on the first list with two or more, defer the last
    funded one (the demo's one deviation). True once the deviation is recorded."""
    officer, officer2 = demo.staff["officer"], demo.staff["officer2"]
    funded = [row for row in lst["projects"] if row["selected"]]
    if not funded:
        return not deviate
    by_number = {p.tracking_number: p for p in demo.proposals.values()}
    draft = decisions.start_decision(_cycle(demo), version, lst["key"], officer)
    decisions.set_session(draft, officer, SESSION, MINUTES)
    deviated = deviate and len(funded) >= 2
    for n, row in enumerate(funded):
        proposal = by_number[row["tracking_number"]]
        last = n == len(funded) - 1
        entry = (
            decisions.EntryInput(str(DecisionStatus.DEFERRED), reason=DEFERRED_REASON)
            if deviated and last
            else decisions.EntryInput(str(DecisionStatus.ADOPTED))
        )
        decisions.record_entry(draft, officer, proposal, entry)
    decisions.confirm_decision(draft, officer2)
    return deviated or not deviate


def _unfunded(demo: Demo, version: Any) -> list[Any]:
    """Projects the count did not fund, district-wide list first; Fennpfuhl's list is left
    as it is (the demo's tests recount it from the cycle's proposals)."""
    by_number = {p.tracking_number: p for p in demo.proposals.values()}
    lists = sorted(version.outcome["lists"], key=lambda lst: lst["area_id"] is not None)
    return [
        by_number[row["tracking_number"]]
        for lst in lists
        if lst["area_id"] != demo.areas["FEN"].id
        for row in lst["projects"]
        if not row["selected"] and row["tracking_number"] in by_number
    ]


def _forward(demo: Demo, version: Any) -> None:
    candidates = _unfunded(demo, version)
    if not candidates:
        return
    routing = decisions.route_proposal(
        candidates[0],
        demo.staff["officer"],
        decisions.RoutingInput(
            str(RoutingKind.FORWARDED),
            authority="Senate Department for Mobility, Transport, Climate Action and Environment",
            note="Outside the district's remit: the street belongs to the city's main network.",
        ),
    )
    decisions.record_answer(
        routing,
        demo.staff["officer"],
        "Included in the city's 2027 programme for main roads.",
        date(2026, 11, 3),
    )


def _carry_over(demo: Demo, version: Any) -> None:
    candidates = _unfunded(demo, version)
    if len(candidates) < 2:
        return
    next_cycle = _next_cycle(demo)
    decisions.route_proposal(
        candidates[-1],
        demo.staff["officer"],
        decisions.RoutingInput(
            str(RoutingKind.CARRIED_OVER),
            to_cycle=next_cycle,
            note="Narrowly missed the budget; the proposer asked to try again next year.",
        ),
    )


def _next_cycle(demo: Demo) -> Cycle:
    cycle = _cycle(demo)
    values = {
        "name": "Lichtenberg citizens' budget 2027",
        "slug": NEXT_SLUG,
        "currency": cycle.currency,
        "tracking_prefix": cycle.tracking_prefix,
        "district_budget_minor": cycle.district_budget_minor,
    }
    with acting_as(demo.staff["admin"]):
        return cycles.create_cycle(values, {ca.area_id: ca.budget_minor for ca in cycle.areas}, {})
