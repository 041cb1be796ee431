"""A job's record: what it does, for whom, how far it got and what came of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting to start"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Finished"),
    JobStatus.FAILED: _l("Failed"),
}


class JobKind(enum.StrEnum):
    COUNT = "count"
    PRIVACY_EXPORT = "privacy_export"
    OPEN_DATA = "open_data"
    CLOSE_VOTING = "close_voting"
    PAPER_IMPORT = "paper_import"
    NOTIFICATION_MAIL = "notification_mail"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    JobKind.COUNT: _l("Count of the votes"),
    JobKind.PRIVACY_EXPORT: _l("Download of your data"),
    JobKind.OPEN_DATA: _l("Open data of a cycle"),
    JobKind.CLOSE_VOTING: _l("Closing of voting"),
    JobKind.PAPER_IMPORT: _l("Import of paper ballots"),
    JobKind.NOTIFICATION_MAIL: _l("E-mails of notifications"),
}


class Job(db.Model):
    """One piece of background work. Its effects and its `done` status commit together in one
    transaction; progress is written apart (see runner.py) so a page sees it meanwhile."""

    __tablename__ = "jobs"
    __table_args__ = (
        enum_check("status", tuple(JobStatus), "status_known"),
        enum_check("kind", tuple(JobKind), "kind_known"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.String(300))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def state(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def kind_enum(self) -> JobKind:
        return JobKind(self.kind)
