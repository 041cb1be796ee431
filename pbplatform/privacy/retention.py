"""Retention: each kind of personal data is removed when its period (config/default.py) ends.

`due(now)` finds what is due per rule (reads only: the admin page shows it); `apply_retention`
removes it and returns the counts. `flask pb retention` runs it from a timer. Periods counted
"after the results" start at a cycle's first publication.

Rate-limit counters (Redis or memory) expire by themselves within their window (an hour at
most); audit entries of logins are kept, and pseudonymised with their person on erasure.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from pbplatform.accounts.models import PasswordResetToken, Role, User
from pbplatform.api.models import ApiToken
from pbplatform.audit.models import AuditEntry
from pbplatform.channels.models import CensusEntry, VotingCode, VotingCodeBatch
from pbplatform.coproduction.models import Offer
from pbplatform.db import rows_changed
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.mail.services import send_mail
from pbplatform.privacy.models import AccountErasure, DataExport, ErasureVia, InactivityWarning
from pbplatform.proposals.models import Proposal
from pbplatform.results.models import ResultVersion
from pbplatform.voting.models import Participation


def _days(setting: str) -> timedelta:
    return timedelta(days=current_app.config[setting])


def _results_before(cutoff: datetime) -> sa.Select:
    """Cycles whose results were first published on or before `cutoff`."""
    return (
        sa.select(ResultVersion.cycle_id)
        .group_by(ResultVersion.cycle_id)
        .having(sa.func.min(ResultVersion.published_at) <= cutoff)
    )


def _ids(query: sa.Select) -> list:
    return list(db.session.scalars(query))


# --- finders: what is due at `now` -----------------------------------------------------------


def _offline_proposals(now: datetime) -> list:
    cycles = _results_before(now - _days("RETENTION_OFFLINE_CONTACT_DAYS"))
    return _ids(
        sa.select(Proposal.id).where(
            Proposal.author_id.is_(None),
            sa.or_(Proposal.contact_name.is_not(None), Proposal.contact_details.is_not(None)),
            Proposal.cycle_id.in_(cycles),
        )
    )


def _offline_offers(now: datetime) -> list:
    cycles = _results_before(now - _days("RETENTION_OFFLINE_CONTACT_DAYS"))
    return _ids(
        sa.select(Offer.id).where(
            Offer.offerer_id.is_(None), Offer.offerer_name.is_not(None), Offer.cycle_id.in_(cycles)
        )
    )


def _census(now: datetime) -> list:
    cycles = _results_before(now - _days("RETENTION_CENSUS_DAYS"))
    return _ids(sa.select(CensusEntry.id).where(CensusEntry.cycle_id.in_(cycles)))


def _codes(now: datetime) -> list:
    cycles = _results_before(now - _days("RETENTION_VOTING_CODE_DAYS"))
    batches = sa.select(VotingCodeBatch.id).where(VotingCodeBatch.cycle_id.in_(cycles))
    return _ids(sa.select(VotingCode.id).where(VotingCode.batch_id.in_(batches)))


def _erased_keys(now: datetime) -> list:
    """Pseudonyms of erased voters in cycles with results: no re-registration can reclaim
    them any more, so the keyed hash of the address gives way to a random one."""
    return list(
        db.session.execute(
            sa.select(Participation.cycle_id, Participation.voter_key).where(
                Participation.voter_key.like("erased:%"),
                ~Participation.voter_key.like("erased:random:%"),
                Participation.cycle_id.in_(_results_before(now)),
            )
        )
    )


def _outbox(now: datetime) -> list:
    cutoff = now - _days("RETENTION_OUTBOX_SENT_DAYS")
    return _ids(sa.select(OutboxMessage.id).where(OutboxMessage.sent_at <= cutoff))


def _reset_tokens(now: datetime) -> list:
    cutoff = now - _days("RETENTION_LOGIN_TRACE_DAYS")
    return _ids(sa.select(PasswordResetToken.id).where(PasswordResetToken.expires_at <= cutoff))


def _exports(now: datetime) -> list:
    return _ids(sa.select(DataExport.id).where(DataExport.expires_at <= now))


def _last_login() -> sa.ScalarSelect:
    return (
        sa.select(sa.func.max(AuditEntry.at))
        .where(AuditEntry.actor_id == User.id, AuditEntry.action == "auth.login")
        .scalar_subquery()
    )


def _inactive_since(cutoff: datetime) -> sa.ColumnElement[bool]:
    """No account creation, login or API use after `cutoff`."""
    last_login = _last_login()
    token_use = sa.select(ApiToken.id).where(
        ApiToken.user_id == User.id, ApiToken.last_used_on > cutoff.date()
    )
    return sa.and_(
        User.created_at <= cutoff,
        sa.or_(last_login.is_(None), last_login <= cutoff),
        ~token_use.exists(),
    )


def _not_erased() -> sa.ColumnElement[bool]:
    return ~sa.select(AccountErasure.user_id).where(AccountErasure.user_id == User.id).exists()


def _to_warn(now: datetime) -> list:
    warned = sa.select(InactivityWarning.user_id)
    return _ids(
        sa.select(User.id).where(
            User.role == Role.RESIDENT,
            User.is_active_account.is_(True),
            _not_erased(),
            User.id.not_in(warned),
            _inactive_since(now - _days("RETENTION_INACTIVE_WARN_DAYS")),
        )
    )


def _to_erase(now: datetime) -> list:
    """Warned accounts whose grace period passed without a login since the warning."""
    last_login = _last_login()
    return _ids(
        sa.select(User.id)
        .join(InactivityWarning, InactivityWarning.user_id == User.id)
        .where(
            InactivityWarning.warned_at <= now - _days("RETENTION_INACTIVE_GRACE_DAYS"),
            _not_erased(),
            sa.or_(last_login.is_(None), last_login <= InactivityWarning.warned_at),
        )
    )


def _returned(now: datetime) -> list:
    """Warnings of people who logged in after being warned: they stay."""
    last_login = _last_login()
    return _ids(
        sa.select(User.id)
        .join(InactivityWarning, InactivityWarning.user_id == User.id)
        .where(last_login > InactivityWarning.warned_at)
    )


# --- what applying a rule does ---------------------------------------------------------------


def _delete(model: Any) -> Callable[[list], int]:
    """Delete rows of `model` (a mapped class) by id, or by user for inactivity warnings."""

    def apply(ids: list) -> int:
        key = model.user_id if model is InactivityWarning else model.id
        return rows_changed(db.session.execute(sa.delete(model).where(key.in_(ids))))

    return apply


def _empty_proposal_contacts(ids: list) -> int:
    values = {"contact_name": None, "contact_details": None, "contact_consent": False}
    return rows_changed(
        db.session.execute(sa.update(Proposal).where(Proposal.id.in_(ids)).values(**values))
    )


def _empty_offer_names(ids: list) -> int:
    return rows_changed(
        db.session.execute(sa.update(Offer).where(Offer.id.in_(ids)).values(offerer_name=None))
    )


def _randomise_keys(keys: list) -> int:
    for cycle_id, voter_key in keys:
        db.session.execute(
            sa.update(Participation)
            .where(Participation.cycle_id == cycle_id, Participation.voter_key == voter_key)
            .values(voter_key="erased:random:" + secrets.token_hex(16))
        )
    return len(keys)


def _warn(ids: list) -> int:
    for user in db.session.scalars(sa.select(User).where(User.id.in_(ids))):
        days = current_app.config["RETENTION_INACTIVE_GRACE_DAYS"]
        send_mail(
            user.email,
            gettext("Your account will be deleted"),
            gettext(
                "You have not used your citizens' budget account for a long time. Unless you "
                "log in within %(days)s days, we will delete it and your personal data.",
                days=days,
            ),
        )
        db.session.add(InactivityWarning(user_id=user.id))
    return len(ids)


def _erase_inactive(ids: list) -> int:
    from pbplatform.privacy.erasure import erase_user

    for user in db.session.scalars(sa.select(User).where(User.id.in_(ids))).all():
        erase_user(user, ErasureVia.RETENTION)
    return len(ids)


@dataclass(frozen=True)
class Rule:
    key: str
    label: LazyString
    find: Callable[[datetime], list]
    apply: Callable[[list], int]


RULES = (
    Rule(
        "offline_contacts",
        _l("Contact details of offline proposers"),
        _offline_proposals,
        _empty_proposal_contacts,
    ),
    Rule("offline_offerers", _l("Names of offline offerers"), _offline_offers, _empty_offer_names),
    Rule("census_entries", _l("Census register entries"), _census, _delete(CensusEntry)),
    Rule("voting_codes", _l("Voting-code hashes"), _codes, _delete(VotingCode)),
    Rule(
        "erased_voter_keys",
        _l("Pseudonyms of erased voters in closed cycles"),
        _erased_keys,
        _randomise_keys,
    ),
    Rule("outbox_sent", _l("Sent e-mails"), _outbox, _delete(OutboxMessage)),
    Rule(
        "reset_tokens",
        _l("Expired password-reset links"),
        _reset_tokens,
        _delete(PasswordResetToken),
    ),
    Rule("data_exports", _l("Expired downloads of personal data"), _exports, _delete(DataExport)),
    Rule(
        "inactivity_returned",
        _l("Inactivity warnings of people who came back"),
        _returned,
        _delete(InactivityWarning),
    ),
    Rule(
        "inactive_erase",
        _l("Inactive accounts erased after the warning"),
        _to_erase,
        _erase_inactive,
    ),
    Rule("inactive_warn", _l("Inactive accounts to warn"), _to_warn, _warn),
)


def due(now: datetime) -> dict[str, list]:
    """What each rule would remove at `now` (reads only)."""
    return {rule.key: rule.find(now) for rule in RULES}


def apply_retention(now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Apply every rule in order; returns how many items each removed (or would remove)."""
    done: dict[str, int] = {}
    for rule in RULES:
        items = rule.find(now)
        done[rule.key] = len(items) if dry_run or not items else rule.apply(items)
    db.session.flush()
    return done
