"""Write an ``Election`` as a Pabulib ``.pb`` file that ``read_pabulib`` reads back equal."""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal
from fractions import Fraction

from ..model import Ballot, Election
from .pabulib import FRACTION_FIELDS, INT_FIELDS
from .published import AGGREGATES_KEY, aggregates_text


def write_pabulib(election: Election, target: str | os.PathLike | io.TextIOBase) -> None:
    """Write ``election`` to a path or an open text file."""
    if isinstance(target, (str, os.PathLike)):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            _write(election, handle)
    else:
        _write(election, target)


def pabulib_text(election: Election) -> str:
    buffer = io.StringIO()
    write_pabulib(election, buffer)
    return buffer.getvalue()


def _write(election: Election, handle) -> None:
    out = csv.writer(handle, delimiter=";", lineterminator="\n")
    out.writerow(["META"])
    out.writerow(["key", "value"])
    for key, value in _meta_rows(election):
        out.writerow([key, value])
    _write_projects(election, out)
    _write_votes(election, out)


def _meta_rows(election: Election) -> list[tuple[str, str]]:
    rows = [
        ("num_projects", str(len(election.projects))),
        ("num_votes", str(len(election.ballots))),
        ("budget", str(election.budget)),
        ("vote_type", election.vote_type),
    ]
    rows += list(election.meta.items())
    for key in INT_FIELDS + FRACTION_FIELDS:
        value = getattr(election, key)
        if value is not None:
            rows.append((key, number_text(Fraction(value))))
    if election.aggregates:
        # our extension: totals-only channels (meeting dots) travel as one META key
        rows.append((AGGREGATES_KEY, aggregates_text(election.aggregates)))
    if election.area_budgets:
        budgets = ",".join(f"{a}:{b}" for a, b in election.area_budgets.items())
        rows.append(("area_budgets", budgets))
    return rows


def _write_projects(election: Election, out) -> None:
    extra_keys = _union(p.extra for p in election.projects)
    header = ["project_id", "cost", "name"]
    if any(p.category for p in election.projects):
        header.append("category")
    if any(p.area for p in election.projects):
        header.append("district")
    header += extra_keys
    out.writerow(["PROJECTS"])
    out.writerow(header)
    for p in election.projects:
        values = {
            "project_id": p.id,
            "cost": str(p.cost),
            "name": p.name,
            "category": p.category or "",
            "district": p.area or "",
            **dict(p.extra),
        }
        out.writerow([values.get(h, "") for h in header])


def _write_votes(election: Election, out) -> None:
    ballots = list(election.ballots)
    extra_keys = _union(b.extra for b in ballots)
    header = ["voter_id", "vote"]
    if election.vote_type in ("cumulative", "scoring"):
        header.append("points")
    if any(b.channel != "online" for b in ballots):
        header.append("voting_method")
    if any(b.weight != 1 for b in ballots):
        header.append("weight")  # our extension: Pabulib has no weights
    header += extra_keys
    out.writerow(["VOTES"])
    out.writerow(header)
    for b in ballots:
        values = {
            **_vote_fields(b, election.vote_type),
            "voter_id": b.id,
            "voting_method": b.channel,
            "weight": number_text(Fraction(b.weight)),
            **dict(b.extra),
        }
        out.writerow([values.get(h, "") for h in header])


def _vote_fields(ballot: Ballot, vote_type: str) -> dict[str, str]:
    if vote_type == "ordinal":
        return {"vote": ",".join(ballot.ranking)}
    if vote_type == "approval":
        return {"vote": ",".join(ballot.approvals)}
    # Pabulib lists cumulative votes by points, largest first
    items = sorted((ballot.points or {}).items(), key=lambda kv: -kv[1])
    return {
        "vote": ",".join(k for k, _ in items),
        "points": ",".join(number_text(Fraction(v)) for _, v in items),
    }


def number_text(value: Fraction | int) -> str:
    """Decimal text when exact (2.5), else a/b, which ``Fraction`` reads back exactly."""
    if value.denominator == 1:
        return str(value.numerator)
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(decimal) == value:
        return format(decimal, "f")
    return f"{value.numerator}/{value.denominator}"


def _union(extras) -> list[str]:
    keys: dict[str, None] = {}
    for extra in extras:
        for key, _ in extra:
            keys.setdefault(key, None)
    return list(keys)
