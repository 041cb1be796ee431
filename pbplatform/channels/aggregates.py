"""Channels that deliver only totals (dots at neighbourhood meetings), for the count (issue 4)."""

from __future__ import annotations

from pbplatform.cycles.models import Cycle
from pbplatform.tally import AggregateScore


def meeting_aggregates(cycle: Cycle) -> list[AggregateScore]:
    """Confirmed meeting dot totals as tally aggregates (project ids are proposal ids as str)."""
    return []
