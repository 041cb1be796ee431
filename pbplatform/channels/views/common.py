"""What the channel views share: the cycle by slug, refusals, the officer's areas."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from pbplatform.channels.policy import refusal_message
from pbplatform.cycles.models import Cycle
from pbplatform.errors import DomainError
from pbplatform.extensions import db

# The name the module had before views became a package: logging configuration keeps working.
log = logging.getLogger("pbplatform.channels.views")


def find_cycle(slug: str) -> Cycle:
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        abort(404)
    return cycle


def refused(exc: DomainError, what: str) -> str:
    """Undo anything the service did, log the refused attempt, return the message to show."""
    db.session.rollback()
    log.info("refused %s: %s", what, exc.code)
    return refusal_message(exc)


def area_choices(cycle: Cycle, label_all: str | None = None) -> list[tuple[int, str]]:
    allowed = [(ca.area_id, ca.area.name) for ca in cycle.areas
               if current_user.can_act_on_area(ca.area_id)]
    return ([(0, label_all)] if label_all else []) + allowed


def my_area_ids(cycle: Cycle) -> set[int] | None:
    if current_user.is_admin or not current_user.officer_area_list:
        return None
    return {a.id for a in current_user.officer_area_list}
