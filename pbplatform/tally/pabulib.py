"""Read and write Pabulib ``.pb`` files (META, PROJECTS and VOTES sections, ';'-separated).

Reading keeps the ballots as columns (see ``LazyBallots``) because building one object per
voter dominates the cost of a greedy count on large cities. Writing then reading gives an
equal ``Election``: META keys that are ``Election`` fields (budget, vote type, lengths,
points, thresholds) are read into those fields, everything else stays in ``meta``.
"""

from __future__ import annotations

import csv
import gc
import io
import os
from collections import Counter
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import chain, repeat
from operator import itemgetter

from .model import (
    VOTE_TYPE_ALIASES,
    VOTE_TYPES,
    BallotColumns,
    Election,
    LazyBallots,
    Project,
    TallyError,
)

INT_FIELDS = ("min_length", "max_length", "min_sum_cost", "max_sum_cost")
FRACTION_FIELDS = (
    "min_points", "max_points", "min_sum_points", "max_sum_points", "min_project_score_threshold"
)
DERIVED_META = {"budget", "vote_type", "num_projects", "num_votes", "area_budgets"}
DERIVED_META.update(INT_FIELDS, FRACTION_FIELDS)
PROJECT_COLUMNS = {"project_id": "id", "cost": "cost", "name": "name", "category": "category",
                   "district": "area"}


class PabulibError(TallyError):
    """A malformed file; the message starts with the line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def read_pabulib(source: str | os.PathLike | io.TextIOBase) -> Election:
    """Read a ``.pb`` file (path or open text file) into an ``Election``."""
    # The cyclic garbage collector keeps rescanning the 100,000 fresh row lists of a large
    # city and would double the parse time; nothing parsed here forms a cycle.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, encoding="utf-8-sig", newline="") as handle:
                return _parse(handle)
        return _parse(source)
    finally:
        if was_enabled:
            gc.enable()


def _parse(handle) -> Election:
    meta: dict[str, str] = {}
    projects: list[Project] = []
    votes = _VoteReader(meta)
    section, header = None, None
    reader = csv.reader(handle, delimiter=";")
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank lines are tolerated, as pabutools does
        line = reader.line_num
        if len(row) == 1 and row[0].strip().upper() in ("META", "PROJECTS", "VOTES"):
            section, header = row[0].strip().upper(), None
        elif section is None:
            raise PabulibError(line, f"expected a META, PROJECTS or VOTES section, got {row[0]!r}")
        elif header is None:
            header = [h.strip() for h in row]
            _check_header(line, header, _NEEDED[section])
            if section == "VOTES":
                votes.start(line, header, {p.id for p in projects})
                votes.consume(handle.read())  # the rest of the file is ballots
                break
        elif section == "META":
            meta[row[0].strip()] = ";".join(row[1:]).strip()
        else:
            projects.append(_project(line, header, row))
    return _election(meta, projects, votes.columns())


_NEEDED = {"META": ("key",), "PROJECTS": ("project_id", "cost"), "VOTES": ("voter_id", "vote")}


def _check_header(line: int, header: list[str], needed: tuple[str, ...]) -> None:
    missing = [h for h in needed if h not in header]
    if missing:
        raise PabulibError(line, f"header lacks {', '.join(missing)}: {';'.join(header)!r}")


def _project(line: int, header: list[str], row: list[str]) -> Project:
    if len(row) != len(header):
        raise PabulibError(line, f"expected {len(header)} fields, got {len(row)}")
    values = dict(zip(header, (v.strip() for v in row), strict=False))
    extra = tuple((k, v) for k, v in values.items() if k not in PROJECT_COLUMNS and v != "")
    try:
        return Project(
            id=values["project_id"], cost=_whole(values["cost"], line, "cost"),
            name=values.get("name", ""), area=values.get("district") or None,
            category=values.get("category") or None, extra=extra,
        )
    except TallyError as exc:
        raise PabulibError(line, str(exc)) from exc


def _whole(text: str, line: int, what: str) -> int:
    """Pabulib writes some amounts as 200000.0; anything with a real fraction is refused."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise PabulibError(line, f"{what} is not a number: {text!r}") from None
    if value != value.to_integral_value():
        raise PabulibError(line, f"{what} must be a whole number of currency units: {text!r}")
    return int(value)


class _VoteReader:
    """Collects VOTES rows into columns, checking each against the PROJECTS section.

    Large cities have 10,000 to 100,000 ballots, so the common case (approval or ordinal
    ballots, no quoting, every line well formed) is checked and counted a column at a time
    and once per distinct vote cell (Lodz 2022: 23,571 for 90,494 voters). Anything else,
    including every malformed file, goes row by row through ``_careful``, which names the
    line at fault.
    """

    def __init__(self, meta: dict[str, str]) -> None:
        self.meta = meta
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.votes: list[list[str]] = []
        self.points: list[list[str]] = []
        self.fast: BallotColumns | None = None

    def start(self, line: int, header: list[str], known: set[str]) -> None:
        self.header, self.known, self.first_line = header, known, line
        self.vote_type = _vote_type(self.meta, line)
        self.with_points = self.vote_type in ("cumulative", "scoring")
        if self.with_points and "points" not in header:
            raise PabulibError(line, f"{self.vote_type} votes need a points column")
        self.i_vote, self.i_points = header.index("vote"), _index(header, "points")
        self.i_ch, self.i_w = _index(header, "voting_method"), _index(header, "weight")

    def consume(self, text: str) -> None:
        """Read the rest of the file: every line after the VOTES header."""
        if not self.with_points and '"' not in text:
            self.fast = self._fast(text)
        if self.fast is None:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
            for row in reader:
                self._careful(self.first_line + reader.line_num, row)

    def _fast(self, text: str) -> BallotColumns | None:
        """Columns for well-formed unquoted ballots; None sends the file row by row."""
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        while lines and not lines[-1].strip():
            lines.pop()  # trailing blank lines (csv would skip them too)
        rows = list(map(str.split, lines, repeat(";")))
        if rows and set(map(len, rows)) != {len(self.header)}:
            return None
        texts = list(map(itemgetter(self.i_vote), rows))
        channels = self._channels(rows)
        found = _distinct_ballots(texts, channels)
        if found is None:
            return None
        if self.vote_type == "approval":
            counts = found.approval_counts()
            projects = set().union(*(counted for counted, _ in counts.values()))
        else:
            counts, projects = None, found.projects()
        if "" in projects or not projects <= self.known:
            return None  # _careful drops empty ids and names a line with an unknown project
        if found.repeats and self.vote_type != "approval":
            return None  # a project twice in one ranking: _careful names the line
        return self._build(rows, None, channels, texts=texts, dedupe=found.repeats,
                           approval_counts=counts)

    def _channels(self, rows: list[list[str]]) -> list[str]:
        if self.i_ch is None:
            return ["online"] * len(rows)
        raw = list(map(itemgetter(self.i_ch), rows))
        named = {c: c.strip() or "online" for c in set(raw)}
        if all(k == v for k, v in named.items()):
            return raw
        return list(map(named.__getitem__, raw))

    def _careful(self, line: int, row: list[str]) -> None:
        if not row or (len(row) == 1 and not row[0].strip()):
            return
        if len(row) != len(self.header):
            raise PabulibError(line, f"expected {len(self.header)} fields, got {len(row)}")
        ids = [v.strip() for v in row[self.i_vote].split(",") if v.strip()]
        unknown = sorted(set(ids) - self.known)
        if unknown:
            raise PabulibError(line, f"vote for unknown project {unknown[0]!r}")
        if self.with_points:
            pts = [v.strip() for v in row[self.i_points].split(",") if v.strip()]
            if len(pts) != len(ids):
                raise PabulibError(line, f"{len(ids)} projects but {len(pts)} points")
            _check_points(pts, line)
            self.points.append(pts)
        if len(set(ids)) != len(ids):
            if self.vote_type != "approval":
                raise PabulibError(line, "a project appears twice in one ballot")
            ids = list(dict.fromkeys(ids))  # an approval counts once, as in pabutools
        self.votes.append(ids)
        self.rows.append(row)

    def columns(self) -> BallotColumns | None:
        if not self.header:
            return None
        if self.fast is not None:
            return self.fast
        i_ch = self.i_ch
        channels = ([(r[i_ch].strip() or "online") for r in self.rows] if i_ch is not None
                    else ["online"] * len(self.rows))
        return self._build(self.rows, self.votes, channels)

    def _build(self, rows: list[list[str]], votes: list[list[str]] | None,
               channels: list[str], **lazy) -> BallotColumns:
        named = {"voter_id", "vote", "points", "voting_method", "weight"}
        extra_idx = tuple(k for k, h in enumerate(self.header) if h not in named)
        return BallotColumns(
            self.vote_type,
            rows,
            self.header.index("voter_id"),
            votes,
            self.points if self.with_points else None,
            channels,
            tuple(self.header[k] for k in extra_idx),
            extra_idx,
            [r[self.i_w].strip() for r in rows] if self.i_w is not None else None,
            **lazy,
        )


class _Distinct:
    """What the fast path learnt from the distinct vote cells of each channel.

    ``by_channel`` maps each channel to its cells and how many ballots share each; ``ids``
    maps each non-empty cell to its project ids, each once (a repeated approval counts once,
    as in pabutools); ``repeats`` says some cell named a project twice.
    """

    def __init__(self, by_channel: dict[str, dict[str, int]], ids: dict[str, list[str]],
                 repeats: bool) -> None:
        self.by_channel, self.ids, self.repeats = by_channel, ids, repeats

    def projects(self) -> set[str]:
        return set().union(*self.ids.values())

    def approval_counts(self) -> dict[str, tuple[Counter, int]]:
        """Per channel: how many ballots approve each project, and how many ballots it has."""
        return {ch: (_approvals(times, self.ids), sum(times.values()))
                for ch, times in self.by_channel.items()}


def _distinct_ballots(texts: list[str], channels: list[str]) -> _Distinct | None:
    """Split each distinct vote cell once; None when a cell needs the careful reader."""
    kinds = set(channels)
    if len(kinds) == 1:
        (only,) = kinds
        by_channel: dict[str, dict[str, int]] = {only: Counter(texts)}
        cells = list(by_channel[only])
    else:
        by_channel = {}
        for (channel, cell), times in Counter(zip(channels, texts, strict=True)).items():
            by_channel.setdefault(channel, {})[cell] = times
        cells = list(set().union(*by_channel.values()))
    if "" in cells:
        cells.remove("")  # a ballot that approves nothing
    joined = "\n".join(cells)
    if " " in joined:
        return None  # the careful reader strips spaces (and drops empty ids, see below)
    ids = dict(zip(cells, map(str.split, cells, repeat(","))))  # noqa: B905 - same length
    repeats = sum(map(len, map(set, ids.values()))) != joined.count(",") + len(cells)
    if repeats:
        ids = {cell: list(dict.fromkeys(pids)) for cell, pids in ids.items()}
    ids[""] = []
    return _Distinct(by_channel, ids, repeats)


def _approvals(times_of: dict[str, int], ids: dict[str, list[str]]) -> Counter:
    """Approvals per project, counted in C once per group of cells shared by as many ballots."""
    groups: dict[int, list[str]] = {}
    for cell, times in times_of.items():
        groups.setdefault(times, []).append(cell)
    total: Counter = Counter()
    for times, cells in groups.items():
        counted = Counter(chain.from_iterable(map(ids.__getitem__, cells)))
        if times != 1:
            counted = Counter({pid: n * times for pid, n in counted.items()})
        total.update(counted)
    return total


def _index(header: list[str], name: str) -> int | None:
    return header.index(name) if name in header else None


def _check_points(points: list[str], line: int) -> None:
    for text in points:
        try:
            if Fraction(text) < 0:
                raise PabulibError(line, f"negative points {text!r}")
        except ValueError:
            raise PabulibError(line, f"points value is not a number: {text!r}") from None


def _vote_type(meta: dict[str, str], line: int) -> str:
    raw = meta.get("vote_type", "approval")
    vote_type = VOTE_TYPE_ALIASES.get(raw, raw)
    if vote_type not in VOTE_TYPES:
        raise PabulibError(line, f"unsupported vote_type {raw!r}")
    return vote_type


def _election(meta: dict[str, str], projects: list[Project], cols) -> Election:
    if "budget" not in meta:
        raise PabulibError(1, "META lacks budget")
    fields: dict = {k: _meta_int(meta[k], k) for k in INT_FIELDS if meta.get(k)}
    fields.update({k: Fraction(meta[k].replace(",", ".")) for k in FRACTION_FIELDS if meta.get(k)})
    if cols is None:
        cols = BallotColumns(_vote_type(meta, 1), [], 0, [], None, [], (), ())
    return Election(
        projects=projects,
        ballots=LazyBallots(cols),
        budget=_meta_int(meta["budget"], "budget"),
        vote_type=meta.get("vote_type", "approval"),
        meta={k: v for k, v in meta.items() if k not in DERIVED_META},
        area_budgets=_area_budgets(meta.get("area_budgets", "")),
        **fields,
    )


def _meta_int(text: str, key: str) -> int:
    """Budgets such as 400000.0 are whole; a fractional budget is rounded down, as Pabulib does."""
    try:
        return int(Decimal(text.replace(",", ".")))
    except InvalidOperation:
        raise PabulibError(1, f"META {key} is not a number: {text!r}") from None


def _area_budgets(text: str) -> dict[str, int]:
    pairs = (item.rsplit(":", 1) for item in text.split(",") if item.strip())
    return {area.strip(): int(amount) for area, amount in pairs}
