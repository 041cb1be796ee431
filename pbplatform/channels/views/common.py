"""What the channel views share: a meeting or site in a cycle, refusals, areas."""

from __future__ import annotations

import logging
from typing import TypeVar

from flask import abort
from flask_login import current_user

from pbplatform.channels import queries as channel_queries
from pbplatform.channels.models import Meeting, VotingSite
from pbplatform.channels.policy import refusal_message
from pbplatform.cycles.models import Cycle
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.security.access import require_area

T = TypeVar("T", Meeting, VotingSite)

# The name the module had before views became a package: logging configuration keeps working.
log = logging.getLogger("pbplatform.channels.views")


def area_object(model: type[T], slug: str, object_id: int) -> T:
    """A meeting or voting site of the cycle `slug` (else 404), in the officer's areas."""
    cycle = cycle_or_404(slug)
    found = channel_queries.by_id(model, object_id)
    if found is None or found.cycle_id != cycle.id:
        abort(404)
    # A voting site for every neighbourhood is shared: officers of any area enter ballots
    # there, each row checked against their own areas (paper_rows). Anything else that has
    # no area is district-wide and needs district scope.
    if not (isinstance(found, VotingSite) and found.area_id is None):
        require_area(found.area_id)
    return found


def refused(exc: DomainError, what: str) -> str:
    """Undo anything the service did, log the refused attempt, return the message to show."""
    db.session.rollback()
    log.info("refused %s: %s", what, exc.code)
    return refusal_message(exc)


def area_choices(cycle: Cycle, label_all: str | None = None) -> list[tuple[int, str]]:
    allowed = [
        (ca.area_id, ca.area.name) for ca in cycle.areas if current_user.can_act_on_area(ca.area_id)
    ]
    return ([(0, label_all)] if label_all else []) + allowed


def my_area_ids(cycle: Cycle) -> set[int] | None:
    if current_user.is_admin or not current_user.officer_area_list:
        return None
    return {a.id for a in current_user.officer_area_list}
