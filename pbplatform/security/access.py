"""Default-deny access control.

Every view declares who may reach it with one of the decorators below; a view without a
declaration is refused for everybody (see `enforce_declared_access`). Area scoping for
officers: `require_remit(officer, proposal)` for an action on a proposal (views and services
alike), `require_area(area_id)` in views for an area's other things (a meeting, a survey).
Both audit the refusal.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort, current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.audit import services as audit
from pbplatform.errors import DomainError

if TYPE_CHECKING:
    from pbplatform.accounts.models import User
    from pbplatform.proposals.models import Proposal

F = TypeVar("F", bound=Callable[..., Any])


class AccessLevel(enum.StrEnum):
    """Who may reach a view (declared on each view; the access matrix test reads it)."""

    PUBLIC = "public"
    USER = "user"
    OFFICER = "officer"
    ADMIN = "admin"


MFA_VERIFIED = "mfa_verified"  # session key: the id of the user who passed TOTP


def _declare(level: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _check(level)
            return view(*args, **kwargs)

        wrapped.access_level = level  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def _check(level: str) -> None:
    if level == AccessLevel.PUBLIC:
        return
    if not current_user.is_authenticated:
        abort(401)
    if level == AccessLevel.OFFICER and not current_user.is_officer:
        abort(403)
    if level == AccessLevel.ADMIN and not current_user.is_admin:
        abort(403)
    if level in (AccessLevel.OFFICER, AccessLevel.ADMIN) and not mfa_verified():
        # Password alone is not a complete officer login (security case 36); the session
        # gets the mark only from the TOTP step (accounts/views/mfa.py).
        abort(401)


def mfa_verified() -> bool:
    """True when this session passed the second factor, or none is required."""
    if not current_app.config.get("OFFICER_MFA_REQUIRED", True):
        return True
    return session.get(MFA_VERIFIED) == current_user.id


public = _declare(AccessLevel.PUBLIC)
login_required = _declare(AccessLevel.USER)
officer_required = _declare(AccessLevel.OFFICER)
admin_required = _declare(AccessLevel.ADMIN)


def require_area(area_id: int | None) -> None:
    """Refuse (and audit) an officer acting on an area outside their remit."""
    if not current_user.can_act_on_area(area_id):
        # The 403 rolls the request back, so the refusal is written on its own.
        audit.record_refusal(
            "authz.denied", after={"path": request.path}, area_id=area_id, outcome="denied"
        )
        abort(403)


def require_remit(officer: User, proposal: Proposal) -> None:
    """Only officers of the proposal's area act on it (a district-wide proposal needs district
    scope). Anyone else gets a 403 DomainError, and the refusal is audited with the proposal
    (written on its own transaction: it survives the refused request's rollback, and the
    request's own work is discarded first)."""
    if officer.is_officer and officer.can_act_on_area(proposal.area_id):
        return
    audit.record_refusal(
        "authz.denied",
        proposal,
        actor=officer,
        area_id=proposal.area_id,
        outcome="denied",
        after={"tracking_number": proposal.tracking_number},
    )
    raise DomainError("area_forbidden", _("This proposal is outside your areas."), status=403)


def enforce_declared_access() -> None:
    """before_request hook: an undeclared endpoint is denied (default deny)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "access_level", None) not in tuple(AccessLevel):
        abort(403)
