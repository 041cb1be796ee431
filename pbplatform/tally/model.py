"""Plain input data for a count: projects, ballots, aggregate scores, the election and the rule.

Everything here is immutable plain data so that a count is a pure function of its inputs.
Amounts of money are integers (minor currency units); scores and weights may be fractional
and are kept as exact :class:`fractions.Fraction` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import repeat
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

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
        if not isinstance(self.ballots, LazyBallots):
            object.__setattr__(self, "ballots", tuple(self.ballots))
        if isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget < 0:
            raise TallyError(f"budget must be a non-negative integer, got {self.budget!r}")
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise TallyError("project ids must be unique")

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
    if isinstance(value, (LazyBallots, list)):
        return tuple(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


class LazyBallots(Sequence[Ballot]):
    """Ballots kept as parsed columns; ``Ballot`` objects are only built when asked for.

    Building 90,000 dataclass instances costs more than the whole greedy count, so the
    Pabulib reader hands the engine the raw columns and builds ballots on demand.
    """

    def __init__(self, columns: BallotColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return self.columns.size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.columns.ballot(index)

    def __iter__(self) -> Iterator[Ballot]:
        return (self.columns.ballot(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyBallots, tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class BallotColumns:
    """Column store of Pabulib ballots: raw rows plus the parsed project lists and points.

    The reader's fast path hands over the VOTES ``lines`` as one text, split into ``rows``
    only when ``Ballot`` objects are asked for, and ``votes`` (one list of project ids per
    ballot) is built on first use from ``texts``, the ballots' vote cells. A greedy count
    needs neither: the reader hands over the approval counts it made while checking the
    ballots (``approval_counts``: per channel, how many ballots approve each project, and how
    many ballots the channel has). The compiled reader also hands over ``indexed``, every
    ballot's project numbers in arrays (see ``io.pabulib._Indexed``), for the equal-shares rules.
    """

    def __init__(
        self,
        vote_type: str,
        rows: list[list[str]] | None,
        i_id: int,
        votes: list[list[str]] | None,
        points: list[list[str]] | None,
        channels: list[str],
        extra_names: tuple[str, ...],
        extra_idx: tuple[int, ...],
        weights: list[str] | None = None,
        *,
        lines: str | None = None,
        newline: str = "\n",
        texts: list[str] | Callable[[], list[str]] | None = None,
        dedupe: bool = False,
        approval_counts: dict[str, tuple[dict[str, int], int]] | None = None,
        indexed: IndexedApprovals | None = None,
    ) -> None:
        if (votes is None and texts is None) or (rows is None and lines is None):
            raise ValueError("BallotColumns needs votes or texts, and rows or lines")
        self.vote_type = vote_type
        self._rows = rows
        self._lines, self._newline = lines, newline
        self.i_id = i_id
        self._votes = votes
        self.points = points
        self.channels = channels
        self.extra_names = extra_names
        self.extra_idx = extra_idx
        self.weights = weights
        self._texts = texts
        self._dedupe = dedupe
        self.approval_counts = approval_counts
        self.indexed = indexed

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            lines = self._lines.split(self._newline) if self._lines else []
            self._rows = [line.split(";") for line in lines]
        return self._rows

    @property
    def texts(self) -> list[str] | None:
        """The ballots' vote cells; the compiled reader hands over a function that splits
        them out of ``lines`` when first asked for (most counts never ask)."""
        if callable(self._texts):
            self._texts = self._texts()
        return self._texts

    @property
    def votes(self) -> list[list[str]]:
        if self._votes is None:
            texts = self.texts or []
            votes = list(map(str.split, texts, repeat(",")))
            if self._dedupe:
                votes = [list(dict.fromkeys(ids)) for ids in votes]
            if "" in texts:  # a ballot that approves nothing
                votes = [ids if ids != [""] else [] for ids in votes]
            self._votes = votes
        return self._votes

    def _ids(self, text: str) -> list[str]:
        ids = text.split(",") if text else []
        return list(dict.fromkeys(ids)) if self._dedupe else ids

    @property
    def size(self) -> int:
        return len(self.channels)

    def ballot(self, i: int) -> Ballot:
        row = self.rows[i]
        named = zip(self.extra_names, self.extra_idx, strict=False)
        extra = tuple((n, row[k].strip()) for n, k in named if row[k].strip())
        if self._votes is not None:
            ids = self._votes[i]
        else:
            texts = self.texts
            assert texts is not None, "__init__ refuses columns with neither votes nor texts"
            ids = self._ids(texts[i])
        votes = tuple(ids)
        weight = Fraction(self.weights[i]) if self.weights else 1
        ballot = partial(
            Ballot, row[self.i_id].strip(), channel=self.channels[i], extra=extra, weight=weight
        )
        if self.vote_type == "ordinal":
            return ballot(ranking=votes)
        if self.vote_type in ("cumulative", "scoring"):
            pts = self.points[i] if self.points is not None else []
            points = {p: Fraction(v) for p, v in zip(votes, pts, strict=False)}
            return ballot(points=points)
        return ballot(approvals=votes)


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
