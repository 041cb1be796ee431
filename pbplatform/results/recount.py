"""What a list's ballots file carries so that `pbplatform tally FILE.pb` reproduces it exactly.

The ballots alone do not: meeting dots are totals, not ballots. The file therefore also
carries, as META keys of our own (see `pbplatform.tally.io.published`), the totals as counted
(`aggregate_scores`), the published outcome of the list and its SHA-256, and the number of
decimals its amounts hold. Titles that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from pbplatform import tally
from pbplatform.cycles.models import Combination, Cycle
from pbplatform.results.csvsafe import neutralise
from pbplatform.results.models import ResultVersion
from pbplatform.tally.io import published


def aggregate_rows(aggregates: Iterable[tally.AggregateScore]) -> list[dict[str, Any]]:
    """Totals-only channels as stored in a version's outcome (scores as exact text)."""
    return [
        {
            "channel": a.channel,
            "project_id": a.project_id,
            "score": str(a.score),
            "participants": a.participants,
        }
        for a in aggregates
    ]


def list_aggregates(version: ResultVersion, lst: dict[str, Any]) -> list[tally.AggregateScore]:
    """The totals a list counted. Versions counted before they were stored: raw scores are
    the weighted channel scores divided by the weight (the head count does not matter then)."""
    if "aggregates" in lst:
        return [
            tally.AggregateScore(
                r["channel"], r["project_id"], Fraction(r["score"]), r["participants"]
            )
            for r in lst["aggregates"]
        ]
    if not lst["aggregate_channels"] or version.config["combination"] != Combination.RAW:
        return []
    weights = version.config["channel_weights"]
    found = []
    for channel in lst["aggregate_channels"]:
        weight = Fraction(weights.get(channel, "1"))
        for p in lst["projects"]:
            score = Fraction(str(p["channel_scores"].get(channel, 0)))
            if weight and score:
                found.append(tally.AggregateScore(channel, p["id"], score / weight, 0))
    return found


def can_reproduce(version: ResultVersion, lst: dict[str, Any]) -> bool:
    return not lst["aggregate_channels"] or bool(
        "aggregates" in lst or version.config["combination"] == Combination.RAW
    )


def export_projects(lst: dict[str, Any]) -> list[tally.Project]:
    """The list's projects at the published net cost; names safe to open in a spreadsheet."""
    return [
        tally.Project(id=r["id"], cost=r["cost"], name=neutralise(r["title"]))
        for r in sorted(lst["projects"], key=lambda r: int(r["id"]))
    ]


def export_meta(version: ResultVersion, cycle: Cycle, lst: dict[str, Any]) -> dict[str, str]:
    """The META section: where the list comes from, how it was counted, what was published."""
    cfg = version.config
    unit = lst["name"] or "district-wide"
    meta = {
        "description": neutralise(f"{cycle.name}: {unit}"),
        "instance": cycle.slug,
        "unit": neutralise(unit),
        "currency": cfg["currency"],
        # our key: costs and budget are whole minor units (cents), as the count used them
        "currency_decimals": "2",
        "rule": cfg["rule"],
        "tie_break": cfg["tie_break"],
        "tie_seed": cfg["seed"],
        "combination": cfg["combination"],
        "channel_weights": ",".join(f"{ch}:{w}" for ch, w in cfg["channel_weights"].items()),
        "result_version": str(version.version),
        "content_hash": version.content_hash,
    }
    if version.audit_head_id is not None:  # the audit log's head at publication
        meta["audit_head"] = f"{version.audit_head_id}:{version.audit_head_hash}"
    if cfg["threshold"] is not None:
        meta["min_project_score_threshold"] = cfg["threshold"]
    if cfg["n"] is not None:
        meta["top_n"] = str(cfg["n"])
    if not can_reproduce(version, lst):
        meta[published.RECOUNT_KEY] = (
            "incomplete: this version was counted before meeting totals were stored with it;"
            " its normalised meeting scores cannot be rebuilt"
        )
    meta.update(published.published_meta(lst["tally"]))
    return meta
