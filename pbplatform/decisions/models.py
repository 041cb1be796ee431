"""After the vote: the council's decision on each published list, and routing beyond the vote.

A `CouncilDecision` is one version of the council's decision on one list of a published
count ("district" or "area-<id>", as the result version names its lists). One officer records
it line by line (`DecisionEntry`), a second confirms it (four eyes, also a check constraint);
confirmed, it is a public record with a SHA-256 content hash that never changes (ORM guard,
database triggers, and an HMAC-authenticated `decisions.confirm` audit entry). A change is a
new version; the history stays visible.

A `Routing` records what happened to a proposal outside the vote: forwarded to another
authority (with its later answer), done without a vote (cost, date) or carried over to the
next cycle (the same proposal, tracking number and history, moved to that cycle).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db

if TYPE_CHECKING:  # db.Model is made at run time; its declarative base is what mypy needs
    from pbplatform.cycles.models import Cycle
    from pbplatform.db import Base as Model
    from pbplatform.proposals.models import Proposal
else:
    Model = db.Model


class DecisionStatus(enum.StrEnum):
    ADOPTED = "adopted"
    ADOPTED_WITH_CHANGES = "adopted_with_changes"
    DEFERRED = "deferred"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(DECISION_LABELS[self])

    @property
    def adopts(self) -> bool:
        return self in (DecisionStatus.ADOPTED, DecisionStatus.ADOPTED_WITH_CHANGES)


DECISION_LABELS = {
    DecisionStatus.ADOPTED: _l("Adopted"),
    DecisionStatus.ADOPTED_WITH_CHANGES: _l("Adopted with changes"),
    DecisionStatus.DEFERRED: _l("Deferred"),
    DecisionStatus.REJECTED: _l("Rejected by the council"),
}


class RoutingKind(enum.StrEnum):
    FORWARDED = "forwarded"
    DONE_WITHOUT_VOTE = "done_without_vote"
    CARRIED_OVER = "carried_over"

    @property
    def label(self) -> str:
        return str(ROUTING_LABELS[self])


ROUTING_LABELS = {
    RoutingKind.FORWARDED: _l("Forwarded to another authority"),
    RoutingKind.DONE_WITHOUT_VOTE: _l("Done without a vote"),
    RoutingKind.CARRIED_OVER: _l("Carried over to the next cycle"),
}

URL_CHECK = "minutes_url IS NULL OR minutes_url LIKE 'http://%' OR minutes_url LIKE 'https://%'"


class CouncilDecision(Model):
    """One version of the council's decision on one list of a published count."""

    __tablename__ = "council_decisions"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "list_key", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id != recorded_by_id", name="four_eyes"
        ),
        sa.CheckConstraint(
            "(confirmed_by_id IS NULL) = (confirmed_at IS NULL)"
            " AND (confirmed_at IS NULL) = (content_hash IS NULL)",
            name="confirmed_complete",
        ),
        sa.CheckConstraint(
            "confirmed_at IS NULL OR session_date IS NOT NULL", name="confirmed_has_session"
        ),
        sa.CheckConstraint(URL_CHECK, name="minutes_url_http"),
        # One draft at a time per list: a change is recorded as the next version.
        sa.Index(
            "ix_council_decisions_one_draft",
            "cycle_id",
            "list_key",
            unique=True,
            sqlite_where=sa.text("confirmed_at IS NULL"),
            postgresql_where=sa.text("confirmed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # The published count the decision answers to, and the list in it.
    result_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("result_versions.id", ondelete="CASCADE"), index=True
    )
    list_key: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int]
    session_date: Mapped[date | None] = mapped_column(sa.Date)
    minutes_url: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))

    entries: Mapped[list[DecisionEntry]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="DecisionEntry.id"
    )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class DecisionEntry(Model):
    """The council's decision on one project of the list."""

    __tablename__ = "council_decision_entries"
    __table_args__ = (
        sa.UniqueConstraint("decision_id", "proposal_id"),
        enum_check("status", tuple(DecisionStatus), "status_known"),
        sa.CheckConstraint("amount_minor IS NULL OR amount_minor >= 0", name="amount_nonnegative"),
        sa.CheckConstraint(
            "status != 'adopted_with_changes' OR amount_minor IS NOT NULL OR changes IS NOT NULL",
            name="changes_said",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_decisions.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(24))
    # What changed: the adopted amount if it differs from the count's, and in words.
    amount_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    changes: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    decision: Mapped[CouncilDecision] = relationship(back_populates="entries")
    proposal: Mapped[Proposal] = relationship()

    @property
    def status_enum(self) -> DecisionStatus:
        return DecisionStatus(self.status)


def _confirmed_before(target: CouncilDecision) -> bool:
    history: Any = sa.inspect(target).attrs.confirmed_at.history
    old = (list(history.deleted) or list(history.unchanged) or [None])[0]
    return old is not None


@sa.event.listens_for(CouncilDecision, "before_update")
def _refuse_changing_confirmed(mapper: Any, connection: Any, target: CouncilDecision) -> None:
    """A confirmed decision is a public record: never changed, only followed by a version."""
    if _confirmed_before(target):
        raise ValueError(f"council decision {target.id} is confirmed and cannot change")


@sa.event.listens_for(DecisionEntry, "before_update")
@sa.event.listens_for(DecisionEntry, "before_insert")
def _refuse_changing_confirmed_entry(mapper: Any, connection: Any, target: DecisionEntry) -> None:
    confirmed = connection.scalar(
        sa.select(CouncilDecision.confirmed_at).where(CouncilDecision.id == target.decision_id)
    )
    if confirmed is not None:
        raise ValueError(f"council decision {target.decision_id} is confirmed and cannot change")


# The database refuses too, whatever the client (as for published result versions): a
# confirmed decision and its entries never change; on PostgreSQL only the tables' owner may
# delete them (a cascade from deleting a cycle), and TRUNCATE is refused.
_SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS council_decisions_confirmed_frozen
       BEFORE UPDATE ON council_decisions WHEN OLD.confirmed_at IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'council decision is confirmed and cannot change'); END""",
    """CREATE TRIGGER IF NOT EXISTS council_decision_entries_frozen_update
       BEFORE UPDATE ON council_decision_entries
       WHEN (SELECT confirmed_at FROM council_decisions WHERE id = OLD.decision_id) IS NOT NULL
         OR (SELECT confirmed_at FROM council_decisions WHERE id = NEW.decision_id) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'council decision is confirmed and cannot change'); END""",
    """CREATE TRIGGER IF NOT EXISTS council_decision_entries_frozen_insert
       BEFORE INSERT ON council_decision_entries
       WHEN (SELECT confirmed_at FROM council_decisions WHERE id = NEW.decision_id) IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'council decision is confirmed and cannot change'); END""",
]
_PG_GUARDS = [
    """CREATE OR REPLACE FUNCTION council_decisions_guard() RETURNS trigger AS $$
       DECLARE
         frozen boolean;
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           RAISE EXCEPTION 'council decision is confirmed and cannot change';
         END IF;
         IF TG_TABLE_NAME = 'council_decisions' THEN
           frozen := OLD.confirmed_at IS NOT NULL;
         ELSIF TG_OP = 'INSERT' THEN
           SELECT confirmed_at IS NOT NULL INTO frozen FROM council_decisions
             WHERE id = NEW.decision_id;
         ELSE
           SELECT confirmed_at IS NOT NULL INTO frozen FROM council_decisions
             WHERE id = OLD.decision_id OR (TG_OP = 'UPDATE' AND id = NEW.decision_id)
             ORDER BY confirmed_at IS NOT NULL DESC LIMIT 1;
         END IF;
         IF NOT coalesce(frozen, false) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NEW;
         END IF;
         IF TG_OP = 'DELETE' AND pg_has_role(
             session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'council decision is confirmed and cannot change';
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER council_decisions_guard BEFORE UPDATE OR DELETE ON council_decisions
       FOR EACH ROW EXECUTE FUNCTION council_decisions_guard()""",
    """CREATE TRIGGER council_decisions_no_truncate BEFORE TRUNCATE ON council_decisions
       FOR EACH STATEMENT EXECUTE FUNCTION council_decisions_guard()""",
    """CREATE TRIGGER council_decision_entries_guard
       BEFORE INSERT OR UPDATE OR DELETE ON council_decision_entries
       FOR EACH ROW EXECUTE FUNCTION council_decisions_guard()""",
    """CREATE TRIGGER council_decision_entries_no_truncate
       BEFORE TRUNCATE ON council_decision_entries
       FOR EACH STATEMENT EXECUTE FUNCTION council_decisions_guard()""",
]
CONFIRMED_GUARD_DDL = {"sqlite": _SQLITE_GUARDS, "postgresql": _PG_GUARDS}
CONFIRMED_GUARD_DROPS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS council_decision_entries_frozen_insert",
        "DROP TRIGGER IF EXISTS council_decision_entries_frozen_update",
        "DROP TRIGGER IF EXISTS council_decisions_confirmed_frozen",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS council_decision_entries_no_truncate ON council_decision_entries",
        "DROP TRIGGER IF EXISTS council_decision_entries_guard ON council_decision_entries",
        "DROP TRIGGER IF EXISTS council_decisions_no_truncate ON council_decisions",
        "DROP TRIGGER IF EXISTS council_decisions_guard ON council_decisions",
        "DROP FUNCTION IF EXISTS council_decisions_guard()",
    ],
}


@sa.event.listens_for(DecisionEntry.__table__, "after_create")
def _install_guards(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    # Both tables exist once the entries table does (it references the decisions table).
    for statement in CONFIRMED_GUARD_DDL.get(connection.dialect.name, []):
        connection.execute(sa.text(statement))


class Routing(Model):
    """A proposal routed beyond the vote; `cycle_id` is the cycle it was routed from."""

    __tablename__ = "proposal_routings"
    __table_args__ = (
        enum_check("kind", tuple(RoutingKind), "kind_known"),
        sa.CheckConstraint(
            "kind != 'forwarded' OR authority IS NOT NULL", name="forwarded_has_authority"
        ),
        sa.CheckConstraint(
            "kind != 'done_without_vote' OR (cost_minor IS NOT NULL AND done_on IS NOT NULL)",
            name="done_has_cost_and_date",
        ),
        sa.CheckConstraint(
            "kind != 'carried_over' OR (to_cycle_id IS NOT NULL AND to_cycle_id != cycle_id)",
            name="carried_over_has_target",
        ),
        sa.CheckConstraint("cost_minor IS NULL OR cost_minor >= 0", name="cost_nonnegative"),
        sa.CheckConstraint("(answer IS NULL) = (answered_on IS NULL)", name="answer_complete"),
        sa.Index("ix_proposal_routings_cycle_kind", "cycle_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    # The proposal's area when it was routed (the report counts per area).
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    kind: Mapped[str] = mapped_column(sa.String(24))
    note: Mapped[str | None] = mapped_column(sa.Text)
    authority: Mapped[str | None] = mapped_column(sa.String(200))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    cost_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    to_cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycles.id", ondelete="CASCADE"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    cycle: Mapped[Cycle] = relationship(foreign_keys=[cycle_id])
    to_cycle: Mapped[Cycle | None] = relationship(foreign_keys=[to_cycle_id])

    @property
    def kind_enum(self) -> RoutingKind:
        return RoutingKind(self.kind)
