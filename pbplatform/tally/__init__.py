"""The count: a pure, deterministic participatory-budgeting tally engine.

Plain data in (projects, ballots, aggregate scores, budget, rule), plain data out (who is
funded, in which order, and why). No web framework or database code lives here, so the web
app, the ``pbplatform tally`` command and anyone recounting published ballots share one engine.
"""

from .count import count
from .io.pabulib import PabulibError, read_pabulib, read_votes
from .model import (
    AggregateScore,
    Ballot,
    Election,
    Project,
    RuleConfig,
    TallyConfigError,
    TallyError,
)
from .outcome import Outcome, ProjectResult
from .rules import REFUSED, RULES, validate_config

__all__ = [
    "AggregateScore",
    "Ballot",
    "Election",
    "Outcome",
    "PabulibError",
    "Project",
    "ProjectResult",
    "REFUSED",
    "RULES",
    "RuleConfig",
    "TallyConfigError",
    "TallyError",
    "count",
    "read_pabulib",
    "read_votes",
    "validate_config",
    "write_pabulib",
]


def __getattr__(name: str):
    # a recount only reads; the writer (and its csv writer) loads when first asked for
    if name == "write_pabulib":
        from .io.writer import write_pabulib

        return write_pabulib
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
