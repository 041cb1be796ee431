"""Erasure: an account's personal data goes, its public contributions stay under "former
resident", its participations stay as a pseudonym so the person cannot vote twice in a cycle
that is still open. Ballots are untouched: nothing links them to anyone.

The users row itself stays, emptied: proposals, offers and officers' work refer to it, and it is
the "former resident" they are shown under. Services flush and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext

from pbplatform.accounts.models import Role, User, new_session_token
from pbplatform.audit import services as audit
from pbplatform.channels.pepper import peppered_hash
from pbplatform.cycles.models import Cycle, Phase
from pbplatform.db import rows_changed
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.privacy.models import AccountErasure, ErasureVia
from pbplatform.privacy.queries import is_erased
from pbplatform.privacy.registry import TABLES, Erase, Table
from pbplatform.proposals.models import Proposal
from pbplatform.surveys.named import forget_linked_names
from pbplatform.voting.models import Participation

# Stored, not translated: the name every erased account carries in the database.
FORMER_RESIDENT = "Former resident"
REMOVED = "[removed]"
# A cycle whose results are out is closed: its participations need no link to a re-registration.
CLOSED_PHASES = (Phase.RESULTS,)


@dataclass
class ErasureReport:
    removed: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        if count:
            self.removed[what] = self.removed.get(what, 0) + count


def erased_voter_key(email: str) -> str:
    """The pseudonym an erased account's participations keep: a keyed hash of the address, so
    a new account with the same address takes the participations of open cycles back."""
    return "erased:" + peppered_hash("erased-voter", email.strip().lower())


def _pseudonymise_participations(user: User, report: ErasureReport) -> None:
    rows = db.session.scalars(sa.select(Participation).where(Participation.user_id == user.id))
    pseudonym = erased_voter_key(user.email)
    for participation in rows:
        if participation.voter_key.startswith("user:"):
            participation.voter_key = pseudonym
        participation.user_id = None  # census and code keys stay: they are no name
        report.add("participations pseudonymised", 1)
    db.session.flush()


def _owned(decl: Table, table: sa.Table, user: User) -> sa.ColumnElement[bool]:
    """The rows of `table` about `user`: by its owner column, or through the row it hangs off
    (a survey answer through its response)."""
    if decl.owner_via is None:
        return table.c[decl.owner_key] == user.id
    parent = db.metadata.tables[decl.owner_via.table]
    theirs = sa.select(parent.c.id).where(
        parent.c[TABLES[decl.owner_via.table].owner_key] == user.id
    )
    return table.c[decl.owner_via.column].in_(theirs)


def _apply_registry(user: User, report: ErasureReport) -> None:
    # Rows owned through another row first, while that row still names the person.
    ordered = sorted(TABLES.values(), key=lambda decl: decl.owner_via is None)
    for decl in ordered:
        table = db.metadata.tables[decl.name]
        if decl.erase is Erase.DELETE:
            result = db.session.execute(sa.delete(table).where(_owned(decl, table, user)))
            report.add(decl.name, rows_changed(result))
        elif decl.erase is Erase.EMPTY:
            where = _owned(decl, table, user)
            values = {column: decl.emptied.get(column) for column in decl.emptied}
            result = db.session.execute(sa.update(table).where(where).values(**values))
            report.add(decl.name + " emptied", rows_changed(result))


def _scrub(row: object, columns: tuple[str, ...], needles: list[str]) -> None:
    for column in columns:
        text = getattr(row, column)
        for needle in needles:
            if text and needle in text:
                text = text.replace(needle, REMOVED)
        setattr(row, column, text)


def _scrub_own_texts(user: User) -> None:
    """Their own words stay, but not their name or address inside them (a name shorter than
    four letters would mangle ordinary words, so it is left)."""
    from pbplatform.coproduction.models import Offer

    needles = [user.email] + ([user.display_name] if len(user.display_name) >= 4 else [])
    for proposal in db.session.scalars(sa.select(Proposal).where(Proposal.author_id == user.id)):
        _scrub(proposal, ("title", "description", "location"), needles)
    for offer in db.session.scalars(sa.select(Offer).where(Offer.offerer_id == user.id)):
        _scrub(offer, ("description", "schedule", "conditions"), needles)


def _empty_account(user: User, report: ErasureReport) -> None:
    deleted = db.session.execute(
        sa.delete(OutboxMessage).where(sa.func.lower(OutboxMessage.recipient) == user.email)
    )
    report.add("outbox_messages", rows_changed(deleted))
    user.email = f"erased-{secrets.token_hex(8)}@erased.invalid"
    user.display_name = FORMER_RESIDENT
    user.password_hash = "!erased"  # matches no password
    user.birth_date = None
    user.home_area = None
    user.totp_secret = None
    user.totp_last_step = None
    user.is_active_account = False
    user.role = Role.RESIDENT
    user.officer_area_list = []
    user.session_token = new_session_token()  # every session ends
    db.session.flush()


def erase_user(
    user: User,
    via: ErasureVia,
    *,
    actor: User | None = None,
    remove_contributions: bool = False,
) -> ErasureReport:
    """Erase `user`'s personal data (see the module docstring). Refuses an erased account."""
    if is_erased(user.id):
        raise DomainError("already_erased", gettext("This account has already been erased."), 409)
    report = ErasureReport()
    if remove_contributions:
        from pbplatform.privacy.contributions import remove_independent_contributions

        report.add("contributions removed", remove_independent_contributions(user))
    _scrub_own_texts(user)
    _pseudonymise_participations(user, report)
    # before the account's e-mail and name are emptied: they are what the audit log is
    # searched for (a failed login names the e-mail, not the account)
    report.add("audit entries pseudonymised", audit.pseudonymise_person(user.id))
    # a named survey response linked to the account was entered under a name of the officer's
    # typing, which the search above need not find
    report.add("audit entries pseudonymised", forget_linked_names(user.id))
    _apply_registry(user, report)
    _empty_account(user, report)
    db.session.add(AccountErasure(user_id=user.id, via=via))
    db.session.flush()
    # Recorded after emptying, so this entry carries no name or address either.
    audit.record(
        "privacy.account_erased",
        user,
        actor=user if via is ErasureVia.SELF else actor,
        after={"via": str(via), "removed": report.removed},
    )
    return report


def claim_erased_participations(user: User) -> int:
    """A new account with the address of an erased one takes back its participations in
    cycles still open, so erasing and registering again never gives a second vote."""
    open_cycles = sa.select(Cycle.id).where(Cycle.phase.not_in(CLOSED_PHASES))
    result = db.session.execute(
        sa.update(Participation)
        .where(
            Participation.voter_key == erased_voter_key(user.email),
            Participation.cycle_id.in_(open_cycles),
        )
        .values(voter_key=f"user:{user.id}", user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def erase_offline_contact(name: str, actor: User) -> int:
    """An offline participant's request: their name and contact details go from every proposal
    and offer an officer may act on; the contributions stay. Returns how many rows changed."""
    wanted = name.strip().lower()
    changed = 0
    proposals = sa.select(Proposal).where(sa.func.lower(Proposal.contact_name) == wanted)
    for proposal in db.session.scalars(proposals):
        if actor.can_act_on_area(proposal.area_id):
            proposal.contact_name = proposal.contact_details = None
            proposal.contact_consent = False
            changed += 1
    from pbplatform.coproduction.models import Offer

    offers = sa.select(Offer).where(
        Offer.offerer_id.is_(None), sa.func.lower(Offer.offerer_name) == wanted
    )
    for offer in db.session.scalars(offers):
        area_id = offer.proposal.area_id if offer.proposal else None
        if actor.can_act_on_area(area_id):
            offer.offerer_name = None
            changed += 1
    db.session.flush()
    audit.record("privacy.offline_contact_erased", actor=actor, after={"rows": changed})
    return changed
