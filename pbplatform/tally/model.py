"""Plain input data for a count: projects, ballots, aggregate scores, the election and the rule.

Everything here is immutable plain data so that a count is a pure function of its inputs.
Amounts of money are integers (minor currency units); scores and weights may be fractional
and are kept as exact :class:`fractions.Fraction` values.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, overload

if TYPE_CHECKING:
    import numpy as np

Number = Fraction | Decimal | int

VOTE_TYPES = ("approval", "cumulative", "ordinal", "scoring")
# Pabulib's choose-1 is an approval ballot of length one; we read it as approval.
VOTE_TYPE_ALIASES = {"choose-1": "approval"}


class IndexedApprovals(Protocol):
    """Approval ballots as the compiled reader hands them over (``io.pabulib._Indexed``): each
    ballot's number of approvals, all approved project numbers (places in ``ids``) in one
    array, each ballot's channel (a place in ``names``)."""

    ids: list[str]
    names: list[str]
    lengths: np.ndarray
    flat: np.ndarray
    codes: np.ndarray


class TallyError(ValueError):
    """The inputs cannot be counted (unknown project on a ballot, negative cost, ...)."""


class TallyConfigError(TallyError):
    """The rule configuration cannot work with this kind of cycle; the message says why."""


def as_fraction(value: Number | str) -> Fraction:
    """Exact conversion; floats are refused because they would make counts irreproducible."""
    if isinstance(value, (bool, float)):
        raise TallyError(f"use int, Fraction or Decimal, not {type(value).__name__}: {value!r}")
    try:
        return Fraction(value)
    except (ValueError, TypeError, ZeroDivisionError) as exc:
        raise TallyError(f"not a number: {value!r}") from exc


def _frozen_mapping(data: Mapping | None, convert=None) -> Mapping:
    if not data:
        return MappingProxyType({})
    return MappingProxyType({k: convert(v) if convert else v for k, v in data.items()})


@dataclass(frozen=True)
class Project:
    """A project on the ballot. ``extra`` keeps other Pabulib columns (votes, selected, ...)."""

    id: str
    cost: int
    name: str = ""
    area: str | None = None
    category: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.cost, bool) or not isinstance(self.cost, int):
            raise TallyError(f"project {self.id}: cost must be an integer, got {self.cost!r}")
        if self.cost < 0:
            raise TallyError(f"project {self.id}: cost must not be negative ({self.cost})")


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot. Which field is used depends on the election's vote type."""

    id: str
    approvals: tuple[str, ...] = ()
    # Decimals are accepted as well and, like ints, stored as Fractions by __post_init__; the
    # annotations name what the count reads (a Decimal would not mix with Fractions)
    points: Mapping[str, Fraction | int] | None = None
    ranking: tuple[str, ...] = ()
    channel: str = "online"
    weight: Fraction | int = 1
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "approvals", tuple(self.approvals))
        object.__setattr__(self, "ranking", tuple(self.ranking))
        object.__setattr__(self, "weight", as_fraction(self.weight))
        if self.weight < 0:
            raise TallyError(f"ballot {self.id}: weight must not be negative")
        if self.points is not None:
            object.__setattr__(self, "points", _frozen_mapping(self.points, as_fraction))

    def __hash__(self) -> int:  # Mapping fields are not hashable; the id is enough for sets
        return hash((self.id, self.channel))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ballot):
            return NotImplemented
        return (
            self.id == other.id
            and self.approvals == other.approvals
            and dict(self.points or {}) == dict(other.points or {})
            and self.ranking == other.ranking
            and self.channel == other.channel
            and self.weight == other.weight
            and self.extra == other.extra
        )


@dataclass(frozen=True)
class AggregateScore:
    """A channel that only reports totals: a score per project and how many took part."""

    channel: str
    project_id: str
    score: Fraction | int  # stored as a Fraction, as Ballot.weight
    participants: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", as_fraction(self.score))
        if self.participants < 0 or self.score < 0:
            raise TallyError(f"aggregate {self.channel}/{self.project_id}: negative numbers")


@dataclass(frozen=True)
class Election:
    """A cycle ready to count. Constraint fields mirror Pabulib's META keys."""

    projects: Sequence[Project]
    ballots: Sequence[Ballot]
    budget: int
    vote_type: str = "approval"
    aggregates: Sequence[AggregateScore] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    area_budgets: Mapping[str, int] = field(default_factory=dict)
    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: int | None = None
    max_sum_cost: int | None = None
    min_points: Fraction | None = None
    max_points: Fraction | None = None
    min_sum_points: Fraction | None = None
    max_sum_points: Fraction | None = None
    min_project_score_threshold: Fraction | None = None

    def __post_init__(self) -> None:
        vote_type = VOTE_TYPE_ALIASES.get(self.vote_type, self.vote_type)
        if vote_type not in VOTE_TYPES:
            raise TallyError(f"unknown vote type {self.vote_type!r}; use one of {VOTE_TYPES}")
        object.__setattr__(self, "vote_type", vote_type)
        object.__setattr__(self, "projects", tuple(self.projects))
        object.__setattr__(self, "aggregates", tuple(self.aggregates))
        object.__setattr__(self, "meta", _frozen_mapping(self.meta, str))
        object.__setattr__(self, "area_budgets", _frozen_mapping(self.area_budgets, int))
        if not isinstance(self.ballots, Ballots):
            object.__setattr__(self, "ballots", Ballots.of(self.ballots, vote_type))
        if isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget < 0:
            raise TallyError(f"budget must be a non-negative integer, got {self.budget!r}")
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise TallyError("project ids must be unique")

    @property
    def ballot_columns(self) -> Ballots:
        """The ballots as every rule reads them (``__post_init__`` makes them ``Ballots``)."""
        assert isinstance(self.ballots, Ballots), "__post_init__ turns a sequence into Ballots"
        return self.ballots

    def project(self, project_id: str) -> Project:
        for p in self.projects:
            if p.id == project_id:
                return p
        raise KeyError(project_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Election):
            return NotImplemented
        return all(
            _comparable(getattr(self, name)) == _comparable(getattr(other, name))
            for name in self.__dataclass_fields__
        )

    __hash__ = None  # type: ignore[assignment]


def _comparable(value: object) -> object:
    if isinstance(value, (Ballots, list)):
        return tuple(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


class BallotSource(Protocol):
    """Where an election's ballots come from, for what a count rarely needs: each ballot's
    project ids and points as written, and whole ``Ballot`` objects. The Pabulib reader keeps
    the file's text behind it (``io.pabulib``) and builds these only when asked."""

    def votes(self) -> list[list[str]]:
        """Each ballot's project ids: its approvals, its ranking, or the projects it gave
        points to (in the order of its points)."""
        ...

    def points(self) -> list[list[str]] | None:
        """Each ballot's points as written (cumulative and scoring ballots), else None."""
        ...

    def ballot(self, i: int) -> Ballot:
        """The ``i``-th ballot as an object."""
        ...


@dataclass(frozen=True, eq=False)
class Ballots(Sequence[Ballot]):
    """An election's ballots, the one shape every rule takes: a column at a time, and a
    sequence of ``Ballot`` objects built when asked for (building 90,000 objects costs more
    than a whole greedy count, so the columns are what the fast paths read).

    ``channels``: each ballot's channel. ``votes`` and ``points``: each ballot's project ids
    and points as text (see ``BallotSource``), read from the source when first asked for.
    ``weighted``: some ballot may weigh other than 1; the rules then read ``Ballot`` objects
    (ballots given as objects always are, as the columns' text stands for a file's).
    ``approval_counts``: per channel, how many ballots approve each project and how many
    ballots the channel has, when the reader counted them already. ``indexed``: the compiled
    reader's arrays (``IndexedApprovals``) for the equal-shares rules.
    """

    vote_type: str
    channels: list[str]
    source: BallotSource
    weighted: bool = False
    approval_counts: dict[str, tuple[dict[str, int], int]] | None = None
    indexed: IndexedApprovals | None = None

    @classmethod
    def of(cls, ballots: Iterable[Ballot], vote_type: str) -> Ballots:
        """Ballots given as objects."""
        given = _Given(tuple(ballots), vote_type)
        return cls(vote_type, [b.channel for b in given.ballots], given, weighted=True)

    @functools.cached_property
    def votes(self) -> list[list[str]]:
        return self.source.votes()

    @functools.cached_property
    def points(self) -> list[list[str]] | None:
        return self.source.points()

    def __len__(self) -> int:
        return len(self.channels)

    @overload
    def __getitem__(self, index: int) -> Ballot: ...

    @overload
    def __getitem__(self, index: slice) -> list[Ballot]: ...

    def __getitem__(self, index: int | slice) -> Ballot | list[Ballot]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.source.ballot(index)

    def __iter__(self) -> Iterator[Ballot]:
        return map(self.source.ballot, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Ballots, tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Given:
    """``BallotSource`` of ballots given as objects."""

    def __init__(self, ballots: tuple[Ballot, ...], vote_type: str) -> None:
        self.ballots, self.vote_type = ballots, vote_type

    def votes(self) -> list[list[str]]:
        if self.vote_type == "approval":
            return [list(b.approvals) for b in self.ballots]
        if self.vote_type == "ordinal":
            return [list(b.ranking) for b in self.ballots]
        return [list(b.points or {}) for b in self.ballots]

    def points(self) -> list[list[str]] | None:
        if self.vote_type not in ("cumulative", "scoring"):
            return None
        return [[str(v) for v in (b.points or {}).values()] for b in self.ballots]

    def ballot(self, i: int) -> Ballot:
        return self.ballots[i]


@dataclass(frozen=True)
class RuleConfig:
    """Which rule counts the cycle, how ties are broken and how channels combine."""

    rule: str = "greedy"
    tie_break: str = "default"
    seed: str = ""
    threshold: Fraction | None = None
    n: int | None = None
    channel_weights: Mapping[str, Number] = field(default_factory=dict)
    combination: str = "raw"

    def __post_init__(self) -> None:
        weights = _frozen_mapping(self.channel_weights, as_fraction)
        object.__setattr__(self, "channel_weights", weights)
        if self.threshold is not None:
            object.__setattr__(self, "threshold", as_fraction(self.threshold))

    def weight_of(self, channel: str) -> Fraction:
        """Channels without a declared weight count with weight 1."""
        return Fraction(self.channel_weights.get(channel, 1))

    __hash__ = None  # type: ignore[assignment]
