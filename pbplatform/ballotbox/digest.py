"""What the close unsealed, as figures and a digest, so the count can tell if it changed.

The close (`services.unseal_box`) records, in its HMAC-authenticated audit entry
(`ballotbox.unsealed`), the number of ballots per channel and per area and a SHA-256 digest
over a canonical, sorted serialisation of every ballot of the cycle: area, channel, serial,
invalid reason and its choices (project, points, stance). Ids and storage order are left out
(the close gives new random ids), so the same ballots always give the same digest. The count
recomputes the figures from the tables it reads and refuses when they differ
(`results.services.run_count`): a ballot updated, inserted or deleted in the database between
the close and the count is never counted unnoticed.

One query streams one row per ballot (its choices aggregated in the database); the lines are
sorted in Python and hashed, so 70,000 ballots take a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.voting.models import Ballot, BallotChoice

SCHEME = "pbp-ballots-1"
CLOSE_ACTION = "ballotbox.unsealed"
# The close of a cycle that was already counting when close entries were introduced, recorded
# after the fact by `flask pb record-close-entry` from the ballots as they were then.
LATE_CLOSE_ACTION = "ballotbox.close_recorded_late"
CLOSE_ACTIONS = (CLOSE_ACTION, LATE_CLOSE_ACTION)
NO_AREA = "none"


@dataclass
class Figures:
    """The ballots of a cycle as the close saw them (or the count sees them now)."""

    ballots: int = 0
    per_channel: dict[str, int] = field(default_factory=dict)
    invalid_per_channel: dict[str, int] = field(default_factory=dict)
    # area id as text ("none" for a ballot without an area) -> channel -> ballots
    per_area: dict[str, dict[str, int]] = field(default_factory=dict)
    digest: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": SCHEME,
            "ballots": self.ballots,
            "per_channel": self.per_channel,
            "invalid_per_channel": self.invalid_per_channel,
            "per_area": self.per_area,
            "digest": self.digest,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        return cls(
            ballots=int(data["ballots"]),
            per_channel={str(k): int(v) for k, v in data["per_channel"].items()},
            invalid_per_channel={str(k): int(v) for k, v in data["invalid_per_channel"].items()},
            per_area={
                str(a): {str(k): int(v) for k, v in chans.items()}
                for a, chans in data["per_area"].items()
            },
            digest=str(data["digest"]),
        )


def _choices_text(column: Any) -> Any:
    """`proposal:points:stance` of each choice of a ballot, comma-joined (any order)."""
    cell = (
        sa.cast(BallotChoice.proposal_id, sa.Text)
        .op("||")(":")
        .op("||")(sa.cast(BallotChoice.points, sa.Text))
        .op("||")(":")
        .op("||")(sa.cast(BallotChoice.stance, sa.Text))
    )
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.string_agg(cell, sa.literal(","))
    return sa.func.group_concat(cell, ",")


def _text(value: str | None) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False)


def ballot_line(
    area_id: int | None,
    channel: str,
    serial: str | None,
    invalid_reason: str | None,
    choices: str | None,
) -> str:
    """One ballot's canonical text, without its id: `choices` as the database joins them
    (`proposal:points:stance`, comma-separated, any order), sorted here."""
    ordered = ",".join(sorted(choices.split(","))) if choices else ""
    return f"{area_id}|{channel}|{_text(serial)}|{_text(invalid_reason)}|{ordered}"


def figures(cycle_id: int) -> Figures:
    """Count and digest every ballot of the cycle as stored now (valid and invalid)."""
    query = (
        sa.select(
            Ballot.area_id,
            Ballot.channel,
            Ballot.serial,
            Ballot.invalid_reason,
            _choices_text(BallotChoice),
        )
        .select_from(sa.outerjoin(Ballot, BallotChoice, BallotChoice.ballot_id == Ballot.id))
        .where(Ballot.cycle_id == cycle_id)
        .group_by(Ballot.id, Ballot.area_id, Ballot.channel, Ballot.serial, Ballot.invalid_reason)
    )
    kinds: Counter[tuple[int | None, str, bool]] = Counter()
    lines = []
    # Core rows on a server-side cursor (PostgreSQL): no ORM objects, a bounded buffer
    rows = db.session.connection().execute(query.execution_options(yield_per=10_000))
    for area_id, channel, serial, reason, choices in rows:
        lines.append(ballot_line(area_id, channel, serial, reason, choices))
        kinds[(area_id, channel, reason is not None)] += 1
    per_channel: Counter[str] = Counter()
    invalid: Counter[str] = Counter()
    per_area: dict[str, Counter[str]] = defaultdict(Counter)
    for (area_id, channel, is_invalid), n in kinds.items():
        per_channel[channel] += n
        if is_invalid:
            invalid[channel] += n
        per_area[NO_AREA if area_id is None else str(area_id)][channel] += n
    lines.sort()
    digest = hashlib.sha256(SCHEME.encode())
    for line in lines:
        digest.update(b"\n" + line.encode())
    return Figures(
        ballots=len(lines),
        per_channel=dict(sorted(per_channel.items())),
        invalid_per_channel=dict(sorted(invalid.items())),
        per_area={a: dict(sorted(c.items())) for a, c in sorted(per_area.items())},
        digest=digest.hexdigest(),
    )


def differences(recorded: Figures, now: Figures) -> list[tuple[str, int, int]]:
    """(what, at the close, now) for every figure that differs, e.g. ("online", 62, 82);
    ("contents", 0, 0) when only the digest differs (a choice changed, counts equal)."""
    found = []
    for channel in sorted(set(recorded.per_channel) | set(now.per_channel)):
        before, after = recorded.per_channel.get(channel, 0), now.per_channel.get(channel, 0)
        if before != after:
            found.append((channel, before, after))
    if not found and recorded.per_area != now.per_area:
        found.append(("areas", recorded.ballots, now.ballots))
    if not found and recorded.digest != now.digest:
        found.append(("contents", recorded.ballots, now.ballots))
    return found
