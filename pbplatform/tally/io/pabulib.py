"""Read and write Pabulib ``.pb`` files (META, PROJECTS and VOTES sections, ';'-separated).

Reading keeps the ballots as columns (see ``model.Ballots``) because building one object per
voter dominates the cost of a greedy count on large cities. Writing then reading gives an
equal ``Election``: META keys that are ``Election`` fields (budget, vote type, lengths,
points, thresholds) are read into those fields, everything else stays in ``meta``.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import partial
from itertools import chain, compress, repeat
from operator import contains, eq

import numpy as np

from .. import engines
from ..model import (
    VOTE_TYPE_ALIASES,
    VOTE_TYPES,
    Ballot,
    Ballots,
    Election,
    Project,
    TallyError,
)
from .published import META_KEYS, parse_aggregates

INT_FIELDS = ("min_length", "max_length", "min_sum_cost", "max_sum_cost")
FRACTION_FIELDS = (
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "min_project_score_threshold",
)
DERIVED_META = {"budget", "vote_type", "num_projects", "num_votes", "area_budgets"}
DERIVED_META.update(INT_FIELDS, FRACTION_FIELDS, META_KEYS)
PROJECT_COLUMNS = {
    "project_id": "id",
    "cost": "cost",
    "name": "name",
    "category": "category",
    "district": "area",
}


class PabulibError(TallyError):
    """A malformed file; the message starts with the line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


def read_pabulib(
    source: str | os.PathLike | io.TextIOBase, *, engine: str | None = None
) -> Election:
    """Read a ``.pb`` file (path or open text file) into an ``Election``.

    ``engine`` as for ``count``: ``"python"`` reads without the compiled reader.
    """
    with engines.using(engine):
        if isinstance(source, (str, os.PathLike)):
            with open(source, encoding="utf-8-sig", newline="") as handle:
                return _parse(handle)
        return _parse(source)


def read_votes(lines: str, project_ids: list[str], vote_type: str) -> Ballots:
    """Ballots from the lines of a VOTES section without its header, as the reader keeps a
    file's: ``voter_id;vote;voting_method`` (``voter_id;vote;points;voting_method`` for
    cumulative and scoring ballots), one ballot a line.

    For callers that already hold ballots as text (the web app's count streams them out of
    its database this way), so they take the reader's fast and compiled paths and never build
    a ``Ballot`` object per voter.
    """
    with_points = vote_type in ("cumulative", "scoring")
    header = ["voter_id", "vote", *(["points"] if with_points else []), "voting_method"]
    reader = _VoteReader({"vote_type": vote_type})
    reader.start(1, header, list(project_ids))
    reader.consume(lines)
    ballots = reader.ballots()
    assert ballots is not None, "started with a header, so the reader has ballots"
    return ballots


# why complex: one pass over the file's sections, one branch per kind of line
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
                votes.start(line, header, [p.id for p in projects])
                votes.consume(handle.read())  # the rest of the file is ballots
                break
        elif section == "META":
            meta[row[0].strip()] = ";".join(row[1:]).strip()
        else:
            projects.append(_project(line, header, row))
    return _election(meta, projects, votes.ballots())


_NEEDED = {"META": ("key",), "PROJECTS": ("project_id", "cost"), "VOTES": ("voter_id", "vote")}


def _check_header(line: int, header: list[str], needed: tuple[str, ...]) -> None:
    missing = [h for h in needed if h not in header]
    if missing:
        raise PabulibError(line, f"header lacks {', '.join(missing)}: {';'.join(header)!r}")


def _project(line: int, header: list[str], row: list[str]) -> Project:
    if len(row) != len(header):
        raise PabulibError(line, f"expected {len(header)} fields, got {len(row)}")
    values = dict(zip(header, map(str.strip, row), strict=True))
    extra = tuple((k, v) for k, v in values.items() if v and k not in PROJECT_COLUMNS)
    try:
        return Project(
            id=values["project_id"],
            cost=_whole(values["cost"], line, "cost"),
            name=values.get("name", ""),
            area=values.get("district") or None,
            category=values.get("category") or None,
            extra=extra,
        )
    except TallyError as exc:
        raise PabulibError(line, str(exc)) from exc


def _whole(text: str, line: int, what: str) -> int:
    """Pabulib writes some amounts as 200000.0; anything with a real fraction is refused."""
    if text.isascii() and text.isdigit():
        return int(text)
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
        self.fast: Ballots | None = None

    def start(self, line: int, header: list[str], ids: list[str]) -> None:
        self.header, self.ids, self.known, self.first_line = header, ids, set(ids), line
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

    # why complex: each early return is one reason to leave a file to the careful reader,
    # which names the line at fault
    def _fast(self, text: str) -> Ballots | None:
        """Columns for well-formed unquoted ballots; None sends the file row by row."""
        if self.vote_type == "approval" and self.i_w is None:
            compiled = self._compiled(text)
            if compiled is not None:
                return compiled
        table = _Table.of(text, len(self.header))
        if table is None:
            return None
        texts = table.column(self.i_vote)
        channels, sizes = self._channels(table)
        weights = table.column(self.i_w) if self.i_w is not None else None
        counted = _Cells.per_channel(texts, channels, sizes)
        projects = set().union(*(cells.approvals for cells in counted.values()))
        if "" in projects or not projects <= self.known:
            return None  # _careful drops empty ids and spaces, and names an unknown project
        repeats = any(cells.repeats for cells in counted.values())
        if repeats and self.vote_type != "approval":
            return None  # a project twice in one ranking: _careful names the line
        counts = None
        if self.vote_type == "approval":
            counts = {ch: (cells.approvals, sizes[ch]) for ch, cells in counted.items()}
        return self._build(
            None,
            None,
            channels,
            weights,
            lines=table.text,
            newline=table.newline,
            texts=texts,
            dedupe=repeats,
            approval_counts=counts,
        )

    def _compiled(self, text: str) -> Ballots | None:
        """Columns from the compiled reader (``_Indexed``); None if it is off or unsure."""
        reader = engines.compiled()
        i_ch = -1 if self.i_ch is None else self.i_ch
        read = (
            reader.approval_table(text, len(self.header), self.i_vote, i_ch, self.ids)
            if reader is not None
            else None
        )
        if read is None:
            return None
        indexed = _Indexed(self.ids, *read)
        lines, newline = _ballot_lines(text)  # uniform line ends, or the reader was unsure
        width, i_vote = len(self.header), self.i_vote

        def texts() -> list[str]:
            table = _Table.of(lines, width)
            assert table is not None, "the compiled reader has checked every line's width"
            return table.column(i_vote)

        return self._build(
            None,
            None,
            indexed.channels(),
            None,
            lines=lines,
            newline=newline,
            texts=texts,
            dedupe=indexed.repeats,
            approval_counts=indexed.counts(),
            indexed=indexed,
        )

    def _channels(self, table: _Table) -> tuple[list[str], Counter]:
        """Each ballot's channel, and how many ballots each channel has (in file order)."""
        if self.i_ch is None:
            return ["online"] * table.size, Counter(online=table.size) if table.size else Counter()
        raw = table.column(self.i_ch)
        sizes = Counter(raw)
        named = {c: c.strip() or "online" for c in sizes}
        if all(k == v for k, v in named.items()):
            return raw, sizes
        channels = list(map(named.__getitem__, raw))
        return channels, Counter(channels)

    # why complex: one check per fault a ballot line can have, in the order the message names them
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
            assert self.i_points is not None, "start refuses points ballots without the column"
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

    def ballots(self) -> Ballots | None:
        if not self.header:
            return None
        if self.fast is not None:
            return self.fast
        i_ch, i_w, rows = self.i_ch, self.i_w, self.rows
        channels = (
            [(r[i_ch].strip() or "online") for r in rows]
            if i_ch is not None
            else ["online"] * len(rows)
        )
        weights = [r[i_w] for r in rows] if i_w is not None else None
        return self._build(rows, self.votes, channels, weights)

    def _build(
        self,
        rows: list[list[str]] | None,
        votes: list[list[str]] | None,
        channels: list[str],
        weights: list[str] | None,
        *,
        approval_counts: dict[str, tuple[dict[str, int], int]] | None = None,
        indexed: _Indexed | None = None,
        **lazy,
    ) -> Ballots:
        named = {"voter_id", "vote", "points", "voting_method", "weight"}
        extra_idx = tuple(k for k, h in enumerate(self.header) if h not in named)
        source = _FileBallots(
            self.vote_type,
            rows,
            self.header.index("voter_id"),
            votes,
            self.points if self.with_points else None,
            channels,
            tuple(self.header[k] for k in extra_idx),
            extra_idx,
            [w.strip() for w in weights] if weights is not None else None,
            **lazy,
        )
        return Ballots(
            self.vote_type,
            channels,
            source,
            weighted=weights is not None,
            approval_counts=approval_counts,
            indexed=indexed,
        )


class _FileBallots:
    """The ``BallotSource`` of a VOTES section: raw rows plus the parsed project lists and
    points, and what builds ``Ballot`` objects from them.

    The reader's fast path hands over the VOTES ``lines`` as one text, split into ``rows``
    only when ``Ballot`` objects are asked for, and ``votes`` (one list of project ids per
    ballot) is built on first use from ``texts``, the ballots' vote cells (the compiled
    reader hands over a function that splits them out of ``lines``: most counts never ask).
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
    ) -> None:
        if (votes is None and texts is None) or (rows is None and lines is None):
            raise ValueError("a file's ballots need votes or texts, and rows or lines")
        self.vote_type = vote_type
        self._rows = rows
        self._lines, self._newline = lines, newline
        self.i_id = i_id
        self._votes = votes
        self._points = points
        self.channels = channels
        self.extra_names = extra_names
        self.extra_idx = extra_idx
        self.weights = weights
        self._texts = texts
        self._dedupe = dedupe

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            lines = self._lines.split(self._newline) if self._lines else []
            self._rows = [line.split(";") for line in lines]
        return self._rows

    @property
    def texts(self) -> list[str] | None:
        if callable(self._texts):
            self._texts = self._texts()
        return self._texts

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

    def points(self) -> list[list[str]] | None:
        return self._points

    def _ids(self, text: str) -> list[str]:
        ids = text.split(",") if text else []
        return list(dict.fromkeys(ids)) if self._dedupe else ids

    def ballot(self, i: int) -> Ballot:
        row = self.rows[i]
        named = zip(self.extra_names, self.extra_idx, strict=False)
        extra = tuple((n, row[k].strip()) for n, k in named if row[k].strip())
        if self._votes is not None:
            ids = self._votes[i]
        else:
            texts = self.texts
            assert texts is not None, "__init__ refuses ballots with neither votes nor texts"
            ids = self._ids(texts[i])
        votes = tuple(ids)
        weight = Fraction(self.weights[i]) if self.weights else 1
        ballot = partial(
            Ballot, row[self.i_id].strip(), channel=self.channels[i], extra=extra, weight=weight
        )
        if self.vote_type == "ordinal":
            return ballot(ranking=votes)
        if self.vote_type in ("cumulative", "scoring"):
            pts = self._points[i] if self._points is not None else []
            points = {p: Fraction(v) for p, v in zip(votes, pts, strict=False)}
            return ballot(points=points)
        return ballot(approvals=votes)


class _Table:
    """Lines of exactly ``width`` ';'-separated fields, split once for the whole text.

    Splitting the text at every ';' yields the middle columns as plain slices; the first and
    last columns come glued together across each line end ("last<newline>first"), which also
    proves every line has the same width (each glued field holds exactly one line end).
    """

    def __init__(self, text: str, newline: str, flat: list[str], step: int, size: int) -> None:
        self.text, self.newline, self.flat, self.step, self.size = text, newline, flat, step, size
        self._ends: tuple[list[str], list[str]] | None = None

    @classmethod
    def of(cls, text: str, width: int) -> _Table | None:
        newline, ends = "\n", text.count("\n")
        if "\r" in text:
            # Windows line ends: split at them as they are (the glued-field check below proves
            # each "\r" starts one); a mixture is made uniform first
            newline = "\r\n"
            if text.count("\r") != ends:
                text, newline = text.replace("\r\n", "\n").replace("\r", "\n"), "\n"
                ends = text.count("\n")
        end = text.find(newline, len(text.rstrip()))
        if end >= 0:
            ends -= text.count("\n", end)
            text = text[:end]  # trailing blank lines (csv skips them too)
        step = width - 1
        if not text:
            return cls(text, newline, [], step, 0)
        size = ends + 1
        flat = text.split(";")
        if len(flat) != step * size + 1:
            return None
        if not all(map(contains, flat[step:-1:step], repeat(newline))):
            return None  # with as many line ends as glued fields, each holds exactly one
        return cls(text, newline, flat, step, size)

    def column(self, k: int) -> list[str]:
        if not self.size:
            return []
        if 0 < k < self.step:
            return self.flat[k :: self.step]
        if self._ends is None:
            flat, step, newline = self.flat, self.step, self.newline
            halves = newline.join(flat[step:-1:step]).split(newline) if self.size > 1 else []
            self._ends = ([flat[0], *halves[1::2]], [*halves[0::2], flat[-1]])
        return self._ends[0] if k == 0 else self._ends[1]


class _Indexed:
    """Approval ballots read by the compiled reader (``_ballots.approval_table``): each
    ballot's number of approvals (``lengths``), all their project numbers (places in ``ids``)
    in one array (``flat``), each ballot's channel (``codes``, places in ``raw``, the channels'
    texts as written) and per channel the number of ballots approving each project. About
    ten times faster than the pure reader below, which stays the reference, and which reads
    every file the compiled reader is unsure of."""

    def __init__(
        self,
        ids: list[str],
        lengths: bytes,
        flat: bytes,
        repeats: bool,
        codes: bytes,
        raw: list[str],
        counts: bytes,
        sizes: bytes,
    ) -> None:
        self.ids, self.repeats = ids, repeats
        self.lengths = np.frombuffer(lengths, dtype=np.int64)
        self.flat = np.frombuffer(flat, dtype=np.int64)
        # channels as pabutools and the pure reader name them: stripped, "online" if blank;
        # raw texts that name the same channel are merged
        named = [c.strip() or "online" for c in raw]
        self.names = list(dict.fromkeys(named))
        merge = np.array([self.names.index(n) for n in named], dtype=np.int64)
        self.codes = merge[np.frombuffer(codes, dtype=np.int64)]
        per_raw = np.frombuffer(counts, dtype=np.int64).reshape(len(raw), len(ids))
        self.per_channel = np.zeros((len(self.names), len(ids)), dtype=np.int64)
        np.add.at(self.per_channel, merge, per_raw)
        self.sizes = np.zeros(len(self.names), dtype=np.int64)
        np.add.at(self.sizes, merge, np.frombuffer(sizes, dtype=np.int64))

    def channels(self) -> list[str]:
        """Each ballot's channel."""
        return np.array(self.names, dtype=object)[self.codes].tolist()

    def counts(self) -> dict:
        """Per channel (in the order channels appear), how many ballots approve each project
        that any approves, and how many ballots it has."""
        return {
            ch: ({self.ids[q]: int(row[q]) for q in np.flatnonzero(row).tolist()}, int(size))
            for ch, row, size in zip(self.names, self.per_channel, self.sizes, strict=True)
        }


def _ballot_lines(text: str) -> tuple[str, str]:
    """The ballot lines of a VOTES section with uniform line ends, cut as csv would read them
    (after the last line that is not blank), and their line end."""
    newline = "\r\n" if "\r" in text else "\n"
    end = text.find(newline, len(text.rstrip()))
    return (text[:end] if end >= 0 else text), newline


class _Cells:
    """One channel's approvals, counted once per distinct vote cell.

    An approval repeated in one ballot counts once (as in pabutools); ``repeats`` says that
    happened. Ids with spaces or empty ids show up among the counted ids, which sends the
    file to the careful reader.
    """

    def __init__(self, approvals: Counter, repeats: bool) -> None:
        self.approvals, self.repeats = approvals, repeats

    @classmethod
    def per_channel(cls, texts: list[str], channels: list[str], sizes: Counter) -> dict:
        """Each channel's cells; the largest channel's are all cells minus the others'."""
        if len(sizes) <= 1:
            return {channel: cls.of(Counter(texts)) for channel in sizes}
        largest = max(sizes, key=sizes.__getitem__)
        cells = {
            ch: Counter(compress(texts, map(eq, channels, repeat(ch))))
            for ch in sizes
            if ch != largest
        }
        rest = Counter(texts)
        for counted in cells.values():
            for cell, times in counted.items():
                rest[cell] -= times
                if not rest[cell]:
                    del rest[cell]
        cells[largest] = rest
        return {ch: cls.of(cells[ch]) for ch in sizes}  # in the order channels appear

    @classmethod
    def of(cls, times_of: Counter) -> _Cells:
        """Approvals from each distinct cell and how many ballots cast it."""
        times_of.pop("", None)  # ballots that approve nothing
        ones = [cell for cell, times in times_of.items() if times == 1]
        approvals, repeats = _approvals(ones)
        if len(ones) < len(times_of):
            groups: dict[int, list[str]] = {}
            for cell, times in times_of.items():
                if times != 1:
                    groups.setdefault(times, []).append(cell)
            for times, cells in groups.items():
                counted, repeated = _approvals(cells)
                approvals.update({pid: n * times for pid, n in counted.items()})
                repeats = repeats or repeated
        return cls(approvals, repeats)


def _approvals(cells: list[str]) -> tuple[Counter, bool]:
    """How many of ``cells`` name each project, counted in C; and whether a cell repeats one."""
    counted: Counter = Counter()
    named = 0  # ids named once per cell
    for start in range(0, len(cells), _CHUNK):
        ids = list(map(str.split, cells[start : start + _CHUNK], repeat(",")))
        counted.update(chain.from_iterable(ids))
        named += sum(map(len, map(set, ids)))
    if named == sum(counted.values()):
        return counted, False
    return Counter(chain.from_iterable(map(set, map(str.split, cells, repeat(","))))), True


# cells split at a time: their ids stay in the processor's cache between counting and checking
_CHUNK = 512


def _index(header: list[str], name: str) -> int | None:
    return header.index(name) if name in header else None


def _check_points(points: list[str], line: int) -> None:
    for text in points:
        if text.isascii() and text.isdigit():
            continue  # a whole number of points, as nearly all are: no Fraction needed
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


def _election(meta: dict[str, str], projects: list[Project], ballots: Ballots | None) -> Election:
    if "budget" not in meta:
        raise PabulibError(1, "META lacks budget")
    fields: dict = {k: _meta_int(meta[k], k) for k in INT_FIELDS if meta.get(k)}
    fields.update({k: Fraction(meta[k].replace(",", ".")) for k in FRACTION_FIELDS if meta.get(k)})
    if ballots is None:  # no VOTES section
        ballots = Ballots.of((), _vote_type(meta, 1))
    return Election(
        projects=projects,
        ballots=ballots,
        budget=_meta_int(meta["budget"], "budget"),
        vote_type=meta.get("vote_type", "approval"),
        meta={k: v for k, v in meta.items() if k not in DERIVED_META},
        area_budgets=_area_budgets(meta.get("area_budgets", "")),
        aggregates=_aggregates(meta),
        **fields,
    )


def _meta_int(text: str, key: str) -> int:
    """Budgets such as 400000.0 are whole; a fractional budget is rounded down, as Pabulib does."""
    try:
        return int(Decimal(text.replace(",", ".")))
    except InvalidOperation:
        raise PabulibError(1, f"META {key} is not a number: {text!r}") from None


def _aggregates(meta: dict[str, str]):
    """Meeting dot totals and other channels that deliver totals (see ``published``)."""
    try:
        return parse_aggregates(meta.get("aggregate_scores", ""))
    except TallyError as exc:
        raise PabulibError(1, str(exc)) from None


def _area_budgets(text: str) -> dict[str, int]:
    pairs = (item.rsplit(":", 1) for item in text.split(",") if item.strip())
    return {area.strip(): int(amount) for area, amount in pairs}
