"""Cycles, areas, the rules a cycle is counted by, and the phases it moves through.

Other features call:
- `cycle.current_phase` (not `cycle.phase`) to decide what is open now: the stored phase moved
  on by the calendar, read only; `flask pb advance-phases` stores due phases from a timer;
- `lock_cycle(cycle_id, shared=True)` when casting a ballot (FOR SHARE on the cycle row: a close
  of voting takes FOR UPDATE and so waits for, or is waited on by, every cast in flight of that
  cycle only, INV-4; the close unseals that cycle's ballot box, see ballotbox.services);
- `rule_config(cycle)` for the count's `RuleConfig`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l

from pbplatform.audit import services as audit
from pbplatform.ballotbox.services import unseal_box
from pbplatform.channels.models import Channel
from pbplatform.cycles.models import Area, BallotRule, Cycle, CycleArea, CyclePhase, Phase
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal, ProposalStatus

log = logging.getLogger(__name__)

# Channels that have a way in (a page where their votes are entered). Only these are offered a
# weight: nothing can be entered for a postal survey, so publishing a weight for it would
# promise a channel that does not exist. `Channel` stays the count's full vocabulary.
OFFERED_CHANNELS = (Channel.ONLINE, Channel.PAPER, Channel.CODE, Channel.MEETING)
DATED_PHASES = Phase.DRAFT.later
VOTE_TYPES: dict[str, str] = {
    BallotRule.BUDGET: "approval",
    BallotRule.K_APPROVAL: "approval",
    BallotRule.CUMULATIVE: BallotRule.CUMULATIVE,
}

# Fields that decide how votes are cast and counted; frozen once voting opens (INV-5).
RULE_FIELDS = (
    "ballot_rule",
    "max_projects",
    "points_total",
    "max_points_per_project",
    "count_rule",
    "count_threshold",
    "count_top_n",
    "tie_break",
    "tie_seed",
    "channel_weights",
    "combination",
    "vote_policy",
    "min_age",
)
BUDGET_FIELDS = (
    "currency",
    "district_budget_minor",
    "hourly_rate_minor",
    "coproduction_cap_pct",
    "savings_target_minor",
    "savings_share_pct",
)
OPEN_FIELDS = ("name", "slug", "tracking_prefix", "answer_within_days")


class RulesFrozen(DomainError):
    """A change to what voting depends on after voting opened; `extra` holds the diff."""

    def __init__(self, cycle: Cycle, **extra: Any):
        frozen_at = cycle.rules_frozen_at
        opened = format_datetime(frozen_at, "medium") if frozen_at else ""  # page language and zone
        super().__init__(
            "rules_frozen",
            str(
                _l(
                    "The voting rules are frozen since voting opened on %(when)s; "
                    "budgets, areas and rules can no longer change. Nothing was saved.",
                    when=opened,
                )
            ),
            status=409,
            **extra,
        )


# --- reading -----------------------------------------------------------------------------


def list_cycles() -> list[Cycle]:
    return list(db.session.scalars(sa.select(Cycle).order_by(Cycle.created_at.desc(), Cycle.id)))


def list_areas() -> list[Area]:
    return list(db.session.scalars(sa.select(Area).order_by(Area.name)))


def lock_cycle(cycle_id: int, *, shared: bool = False) -> Cycle:
    """Reload the cycle row under a lock: FOR SHARE (casting) or FOR UPDATE (phase changes)."""
    stmt = sa.select(Cycle).where(Cycle.id == cycle_id).with_for_update(read=shared)
    cycle = db.session.scalars(stmt.execution_options(populate_existing=True)).one()
    return cycle


def phase_starts(cycle: Cycle) -> dict[str, datetime]:
    return {p.phase: p.starts_at for p in cycle.phase_dates}


def next_phase(cycle: Cycle) -> Phase | None:
    later = Phase(cycle.phase).later
    return later[0] if later else None


def snapshot(cycle: Cycle) -> dict[str, Any]:
    """Plain data of the cycle for the audit log (before/after)."""
    data: dict[str, Any] = {
        f: _plain(getattr(cycle, f)) for f in OPEN_FIELDS + BUDGET_FIELDS + RULE_FIELDS + ("phase",)
    }
    data["channel_weights"] = {ch: str(channel_weight(cycle, ch).normalize()) for ch in Channel}
    data["area_budgets"] = {str(ca.area_id): ca.budget_minor for ca in cycle.areas}
    data["phase_dates"] = {p: d.isoformat() for p, d in sorted(phase_starts(cycle).items())}
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    return value


def _frozen_part(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in RULE_FIELDS + BUDGET_FIELDS + ("area_budgets",)}


# --- areas ---------------------------------------------------------------------------------


def create_area(name: str, code: str) -> Area:
    name, code = name.strip(), code.strip().upper()
    taken = db.session.scalar(
        sa.select(Area.id).where(
            sa.or_(sa.func.lower(Area.name) == name.lower(), Area.code == code)
        )
    )
    if taken is not None:
        raise DomainError("area_taken", str(_l("An area with this name or code exists already.")))
    area = Area(name=name, code=code)
    db.session.add(area)
    db.session.flush()
    audit.record("area.create", area, after={"name": name, "code": code})
    return area


def rename_area(area: Area, name: str) -> Area:
    name = name.strip()
    taken = db.session.scalar(
        sa.select(Area.id).where(sa.func.lower(Area.name) == name.lower(), Area.id != area.id)
    )
    if taken is not None:
        raise DomainError("area_taken", str(_l("An area with this name exists already.")))
    before = {"name": area.name}
    area.name = name
    db.session.flush()
    audit.record("area.rename", area, before=before, after={"name": name})
    return area


def set_area_population(area: Area, population: int | None) -> Area:
    """The area's population (residents), the base of turnout on the statistics page."""
    if population == area.population:
        return area
    before = {"population": area.population}
    area.population = population
    db.session.flush()
    audit.record("area.population", area, before=before, after={"population": population})
    return area


# --- cycles --------------------------------------------------------------------------------


def create_cycle(
    values: dict[str, Any], area_budgets: dict[int, int], dates: dict[str, datetime | None]
) -> Cycle:
    """Create a draft cycle from validated form values (money already in minor units)."""
    _check_slug_free(values["slug"], None)
    cycle = Cycle(phase=Phase.DRAFT, **values)
    db.session.add(cycle)
    _apply_area_budgets(cycle, area_budgets)
    _apply_dates(cycle, dates)
    db.session.flush()
    audit.record("cycle.create", cycle, after=snapshot(cycle))
    return cycle


def update_cycle(
    cycle: Cycle,
    values: dict[str, Any],
    area_budgets: dict[int, int],
    dates: dict[str, datetime | None],
) -> Cycle:
    """Apply edits; budgets and areas are refused (RulesFrozen) once voting has opened."""
    cycle = lock_cycle(cycle.id)
    _check_slug_free(values["slug"], cycle.id)
    before = snapshot(cycle)
    for name, value in values.items():
        setattr(cycle, name, value)
    _apply_area_budgets(cycle, area_budgets)
    _apply_dates(cycle, dates)
    db.session.flush()
    after = snapshot(cycle)
    _refuse_if_frozen(cycle, before, after)
    if after != before:
        audit.record("cycle.update", cycle, before=before, after=after)
    return cycle


def update_rules(cycle: Cycle, values: dict[str, Any]) -> Cycle:
    """Set the ballot and count rules; validated by the tally engine; refused once frozen."""
    cycle = lock_cycle(cycle.id)
    before = snapshot(cycle)
    for name, value in values.items():
        setattr(cycle, name, value)
    after = snapshot(cycle)
    _refuse_if_frozen(cycle, before, after)
    check_rules(cycle)
    db.session.flush()
    if after != before:
        audit.record("cycle.rules", cycle, before=_rules_only(before), after=_rules_only(after))
    return cycle


def _rules_only(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in RULE_FIELDS}


def _refuse_if_frozen(cycle: Cycle, before: dict[str, Any], after: dict[str, Any]) -> None:
    old, new = _frozen_part(before), _frozen_part(after)
    if cycle.rules_frozen and old != new:
        changed = [k for k in old if old[k] != new[k]]
        raise RulesFrozen(
            cycle, before={k: old[k] for k in changed}, after={k: new[k] for k in changed}
        )


def _check_slug_free(slug: str, cycle_id: int | None) -> None:
    stmt = sa.select(Cycle.id).where(Cycle.slug == slug)
    if cycle_id is not None:
        stmt = stmt.where(Cycle.id != cycle_id)
    if db.session.scalar(stmt) is not None:
        raise DomainError("slug_taken", str(_l("Another cycle already uses this short name.")))


def _apply_area_budgets(cycle: Cycle, area_budgets: dict[int, int]) -> None:
    existing = {ca.area_id: ca for ca in cycle.areas}
    for area_id, ca in existing.items():
        if area_id not in area_budgets:
            cycle.areas.remove(ca)
    for area_id, budget in area_budgets.items():
        if area_id in existing:
            existing[area_id].budget_minor = budget
        else:
            cycle.areas.append(CycleArea(area_id=area_id, budget_minor=budget))


def _apply_dates(cycle: Cycle, dates: dict[str, datetime | None]) -> None:
    existing = {p.phase: p for p in cycle.phase_dates}
    for phase in DATED_PHASES:
        when = dates.get(phase)
        if when is None and phase in existing:
            cycle.phase_dates.remove(existing[phase])
        elif when is not None and phase in existing:
            existing[phase].starts_at = when
        elif when is not None:
            cycle.phase_dates.append(CyclePhase(phase=phase, starts_at=when))


# --- rules ---------------------------------------------------------------------------------


def vote_type(cycle: Cycle) -> str:
    return VOTE_TYPES[cycle.ballot_rule]


def channel_weight(cycle: Cycle, channel: str) -> Decimal:
    return Decimal(str((cycle.channel_weights or {}).get(channel, 1)))


def rule_config(cycle: Cycle) -> Any:
    """The tally engine's RuleConfig for this cycle."""
    from pbplatform.tally import RuleConfig

    weights: dict[str, Decimal] = {ch: channel_weight(cycle, ch) for ch in Channel}
    return RuleConfig(
        rule=cycle.count_rule,
        tie_break=cycle.tie_break,
        seed=cycle.tie_seed,
        # Numeric columns read as Decimals; the count works in Fractions
        threshold=None if cycle.count_threshold is None else Fraction(cycle.count_threshold),
        n=cycle.count_top_n,
        channel_weights=weights,
        combination=cycle.combination,
    )


def check_rules(cycle: Cycle) -> None:
    """Raise DomainError with the tally engine's message if the rules cannot count this cycle."""
    from pbplatform.tally import TallyConfigError, validate_config

    try:
        validate_config(
            rule_config(cycle),
            vote_type=vote_type(cycle),
            has_individual_ballots=True,
            has_aggregates=channel_weight(cycle, Channel.MEETING) > 0,
        )
    except TallyConfigError as exc:
        # The tally engine is Flask-free and explains itself in English; say so in the reader's
        # language and quote its reason.
        raise DomainError(
            "rules_invalid",
            gettext("These rules cannot count this cycle: %(why)s", why=str(exc)),
            status=422,
        ) from exc


# --- phases --------------------------------------------------------------------------------


def open_phase(
    cycle: Cycle,
    phase: str,
    actor: Any = None,
    progress: Callable[[int, str], None] | None = None,
) -> Cycle:
    """Move the cycle one step forward to `phase` (the next one), under FOR UPDATE.

    `progress` hears how far closing voting got (unsealing the box: see `close_voting`)."""
    cycle = lock_cycle(cycle.id)
    if phase != next_phase(cycle):
        raise DomainError(
            "phase_order",
            str(
                _l(
                    "The cycle is in phase %(current)s; it can only move on to the next phase.",
                    current=Phase(cycle.phase).label,
                )
            ),
            status=409,
        )
    if phase == Phase.VOTING:
        _check_ready_for_voting(cycle)
    before = {"phase": cycle.phase}
    cycle.phase = phase
    if phase == Phase.VOTING and cycle.rules_frozen_at is None:
        cycle.rules_frozen_at = utcnow()
    db.session.flush()
    if phase == Phase.COUNTING:
        # Voting closed, under this cycle's row lock (casts in flight hold it shared): unseal
        # this cycle's ballot box into the ballot tables, in random order.
        unseal_box(cycle, actor, progress)
    audit.record("cycle.phase", cycle, before=before, after={"phase": phase}, actor=actor)
    from pbplatform.notifications.services import announce_phase  # it imports this module

    announce_phase(cycle, phase)
    return cycle


def start_close_voting(cycle: Cycle, actor: Any) -> Any:
    """Close voting as a background job (pbplatform/jobs: unsealing a city's ballot box takes
    a while) with a progress page; returns the jobs.models.Job. A wrong phase is refused at
    once; the job checks again in its own transaction (`close_voting`)."""
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import start_job

    if next_phase(cycle) != Phase.COUNTING:
        raise DomainError(
            "phase_order",
            str(
                _l(
                    "The cycle is in phase %(current)s; it can only move on to the next phase.",
                    current=Phase(cycle.phase).label,
                )
            ),
            status=409,
        )
    return start_job(JobKind.CLOSE_VOTING, actor, {"cycle_id": cycle.id})


def close_voting(
    cycle: Cycle, actor: Any, progress: Callable[[int, str], None] | None = None
) -> bool:
    """The close-voting job's work: voting → counting with the box unsealed, in the caller's
    one transaction (a killed worker leaves the cycle in voting, its box sealed). Idempotent:
    a cycle already past voting (closed by a first run, or by the timer) is left alone and
    False returned."""
    locked = lock_cycle(cycle.id)
    order = list(Phase)
    if order.index(Phase(locked.phase)) > order.index(Phase.VOTING):
        return False
    open_phase(locked, Phase.COUNTING, actor, progress)
    return True


def advance_cycle(cycle: Cycle, actor: Any = None) -> Cycle:
    """Move to the next phase (draft→proposals→review→voting→counting→results)."""
    target = next_phase(cycle)
    if target is None:
        raise DomainError(
            "phase_last", str(_l("The cycle is already in its last phase.")), status=409
        )
    return open_phase(cycle, target, actor)


def _check_ready_for_voting(cycle: Cycle) -> None:
    check_rules(cycle)
    approved = db.session.scalar(
        sa.select(sa.func.count(Proposal.id)).where(
            Proposal.cycle_id == cycle.id, Proposal.status == ProposalStatus.APPROVED
        )
    )
    if not approved:
        raise DomainError(
            "no_approved_proposals",
            str(_l("Voting cannot open: no proposal has been approved for the ballot yet.")),
            status=409,
        )


def due_phase(cycle: Cycle, now: datetime | None = None) -> str | None:
    """The next phase if its start date has passed, else None."""
    target = next_phase(cycle)
    starts = phase_starts(cycle).get(target) if target else None
    if starts is None or starts > (now or utcnow()):
        return None
    return target


def schedule_close(cycle: Cycle) -> Any | None:
    """Voting's end date has passed: close it with the close-voting job (the job an officer's
    close starts: jobs.kinds.close_voting), audited as the system's. None if such a job is
    queued or running already (the timer runs every minute; the cycle's row lock makes a
    second run wait for the first's commit, then find its job)."""
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import pending_job, start_job

    lock_cycle(cycle.id)
    if pending_job(JobKind.CLOSE_VOTING, cycle.id) is not None:
        return None
    return start_job(JobKind.CLOSE_VOTING, None, {"cycle_id": cycle.id})


def _advance_while_due(cycle: Cycle, now: datetime) -> list[tuple[Cycle, str]]:
    moved: list[tuple[Cycle, str]] = []
    while (target := due_phase(cycle, now)) is not None:
        if target == Phase.COUNTING:  # the close is a job; later phases wait for the next run
            if schedule_close(cycle) is not None:
                moved.append((cycle, target))
            break
        try:  # open_phase checks everything before it writes, so a refusal leaves nothing
            cycle = open_phase(cycle, target, actor=None)
        except DomainError as exc:
            log.warning("cycle %s: %s not opened by date: %s", cycle.slug, target, exc.message)
            break
        moved.append((cycle, target))
    return moved


def advance_due_phases(now: datetime | None = None) -> list[tuple[Cycle, str]]:
    """Move every cycle whose next phase has started, one audited step per due phase. Closing
    voting is started as the close-voting job (`schedule_close`): with Redis a worker does it
    after this transaction commits; without (development), it runs here, in-process."""
    now = now or utcnow()
    moved: list[tuple[Cycle, str]] = []
    for cycle in list_cycles():
        moved += _advance_while_due(cycle, now)
    return moved
