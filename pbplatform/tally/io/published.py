"""What a published list carries beyond Pabulib's ballots, so a recount reproduces it exactly.

Three META keys of our own (other Pabulib readers keep them as plain metadata):

- ``aggregate_scores``: channels that deliver totals only (meeting dots), one item per
  project, ``channel:project_id:score:participants`` separated by commas, e.g.
  ``meeting:12:17:30,meeting:13:9:30``. The reader turns them into ``Election.aggregates``.
- ``published_outcome``: the outcome as published (``Outcome.to_dict()`` as canonical JSON),
  and ``published_outcome_sha256``, the SHA-256 of that text. ``check`` compares a recount
  with it and names the first difference.
- ``recount``: ``incomplete: <why>`` when the file cannot reproduce the published list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import AggregateScore, TallyError, as_fraction

AGGREGATES_KEY = "aggregate_scores"
OUTCOME_KEY = "published_outcome"
OUTCOME_HASH_KEY = "published_outcome_sha256"
RECOUNT_KEY = "recount"
META_KEYS = (AGGREGATES_KEY,)  # read into Election fields, not kept in meta


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def aggregates_text(aggregates: Iterable[AggregateScore]) -> str:
    from .writer import number_text  # the writer loads only when writing

    return ",".join(
        f"{a.channel}:{a.project_id}:{number_text(a.score)}:{a.participants}" for a in aggregates
    )


def parse_aggregates(text: str) -> list[AggregateScore]:
    found = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        fields = item.split(":")
        if len(fields) != 4:
            raise TallyError(f"META {AGGREGATES_KEY}: {item!r} is not channel:project:score:n")
        channel, project, score, participants = fields
        try:
            found.append(AggregateScore(channel, project, as_fraction(score), int(participants)))
        except ValueError:
            raise TallyError(f"META {AGGREGATES_KEY}: {item!r} has a bad number") from None
    return found


def published_meta(outcome: Mapping[str, Any]) -> dict[str, str]:
    """The META entries that record a published outcome."""
    text = canonical(outcome)
    return {OUTCOME_KEY: text, OUTCOME_HASH_KEY: sha256(text)}


def check(meta: Mapping[str, str], recount: Mapping[str, Any]) -> str | None:
    """None if ``recount`` (``Outcome.to_dict()``) equals the outcome the file records;
    else the first difference, or why the file cannot be checked."""
    if meta.get(RECOUNT_KEY, "").startswith("incomplete"):
        return f"this file cannot reproduce the published list ({meta[RECOUNT_KEY]})"
    text = meta.get(OUTCOME_KEY)
    if not text:
        return "this file records no published outcome to compare with"
    if sha256(text) != meta.get(OUTCOME_HASH_KEY):
        return f"the recorded outcome does not match its {OUTCOME_HASH_KEY}: the file was changed"
    return first_difference(json.loads(text), json.loads(canonical(recount)))


# why complex: one branch per JSON kind (object, array, scalar), as the difference is named
def first_difference(published: Any, recount: Any, where: str = "outcome") -> str | None:
    """The first place where two JSON values differ, as 'where: published X, recount Y'."""
    if isinstance(published, dict) and isinstance(recount, dict):
        for key in sorted(set(published) | set(recount)):
            found = first_difference(published.get(key), recount.get(key), f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(published, list) and isinstance(recount, list):
        for k, (a, b) in enumerate(zip(published, recount, strict=False)):
            label = f"{where}[{k}]" + (f" (project {a['id']})" if _is_project(a) else "")
            found = first_difference(a, b, label)
            if found:
                return found
        if len(published) != len(recount):
            return f"{where}: published {len(published)} items, recount {len(recount)}"
        return None
    if published != recount or type(published) is not type(recount):
        return f"{where}: published {published!r}, recount {recount!r}"
    return None


def _is_project(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "rank" in value
