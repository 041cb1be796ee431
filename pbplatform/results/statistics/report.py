"""The statistics page's tables as plain rows, small cells already hidden (None)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from pbplatform.channels.models import Channel
from pbplatform.cycles.models import Cycle
from pbplatform.results.models import ResultVersion
from pbplatform.results.statistics import queries
from pbplatform.results.statistics.mobilisation import Mobilisation, mobilisation
from pbplatform.results.statistics.suppression import shown, suppress_row

AGE_KEYS = [key for _, key in queries.AGE_BANDS]


@dataclass
class AreaRow:
    area_id: int | None
    name: str | None  # None: area not known / district-wide
    population: int | None = None
    participants: dict[str, int | None] = field(default_factory=dict)
    total: int | None = None
    attendance: int | None = None
    turnout: Fraction | None = None  # participants / population
    ages: dict[str, int | None] = field(default_factory=dict)
    ages_known: int | None = None
    proposals: dict[str, int | None] = field(default_factory=dict)
    proposals_total: int | None = None


@dataclass
class Report:
    channels: list[str]
    intake_channels: list[str]
    rows: list[AreaRow]
    mobilisation: list[Mobilisation]


def _row(
    area_id,
    name,
    population,
    people: Counter,
    attendance,
    ages: Counter,
    props: Counter,
    channels,
    intake,
) -> AreaRow:
    total = sum(people.values())
    row = AreaRow(area_id, name, population)
    row.total = shown(total)
    row.participants = suppress_row({ch: people.get(ch, 0) for ch in channels}, total)
    row.attendance = shown(attendance) if attendance is not None else None
    if population and row.total is not None:
        row.turnout = Fraction(total, population)
    known = sum(ages.values())
    row.ages_known = shown(known)
    row.ages = suppress_row({k: ages.get(k, 0) for k in AGE_KEYS}, known)
    props_total = sum(props.values())
    row.proposals_total = shown(props_total)
    row.proposals = suppress_row({ch: props.get(ch, 0) for ch in intake}, props_total)
    return row


# Complexity: assembles every figure of the statistics page; each section is a plain step, split
# further it would scatter one report over many functions.
def build(cycle: Cycle, version: ResultVersion | None, area_id: int | None = None) -> Report:
    from pbplatform.proposals.models import IntakeChannel

    people = queries.participants(cycle)
    channels: list[str] = [ch for ch in Channel if any(c.get(ch) for c in people.values())]
    intake: list[str] = list(IntakeChannel)
    attendance = queries.meeting_attendance(cycle)
    ages = queries.age_bands(cycle)
    props = queries.proposals_by_intake(cycle)
    rows = []
    for ca in sorted(cycle.areas, key=lambda ca: ca.area.name):
        if area_id is not None and ca.area_id != area_id:
            continue
        rows.append(
            _row(
                ca.area_id,
                ca.area.name,
                ca.area.population,
                people.get(ca.area_id, Counter()),
                attendance.get(ca.area_id, 0),
                ages.get(ca.area_id, Counter()),
                props.get(ca.area_id, Counter()),
                channels,
                intake,
            )
        )
    if area_id is None:
        # Participants whose area is not known, and district-wide proposals.
        rows.append(
            _row(
                None,
                None,
                None,
                people.get(None, Counter()),
                None,
                ages.get(None, Counter()),
                props.get(None, Counter()),
                channels,
                intake,
            )
        )
    found = mobilisation(version)
    if area_id is not None:
        name = next((ca.area.name for ca in cycle.areas if ca.area_id == area_id), None)
        found = [m for m in found if m.list_name == name]
    return Report(channels, intake, rows, found)
