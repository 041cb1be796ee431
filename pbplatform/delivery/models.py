"""A funded proposal's delivery record, its milestones and their photos, and the cycle's
open-data zip as built (one stored file per build, served as stored)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db

if TYPE_CHECKING:  # db.Model is made at run time from this declarative base
    from pbplatform.db import Base as Model
    from pbplatform.proposals.models import Proposal
else:
    Model = db.Model


class DeliveryStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    DeliveryStatus.PLANNED: _l("Planned"),
    DeliveryStatus.IN_PROGRESS: _l("In progress"),
    DeliveryStatus.DONE: _l("Done"),
    DeliveryStatus.NOT_DONE: _l("Not done"),
}
# Photo formats accepted (Pillow's names) and the type each is stored and served as.
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class Delivery(Model):
    """What became of a funded proposal: who delivers it, when, how far, at what cost."""

    __tablename__ = "deliveries"
    __table_args__ = (
        enum_check("status", tuple(DeliveryStatus), "status_known"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        sa.CheckConstraint("status != 'done' OR progress = 100", name="done_is_complete"),
        sa.CheckConstraint(
            "status != 'not_done' OR not_done_reason IS NOT NULL", name="not_done_has_reason"
        ),
        sa.CheckConstraint("committed_minor >= 0", name="committed_nonnegative"),
        sa.CheckConstraint("spent_minor >= 0", name="spent_nonnegative"),
        sa.CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="planned_in_order",
        ),
        sa.CheckConstraint(
            "actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start",
            name="actual_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=DeliveryStatus.PLANNED)
    department: Mapped[str | None] = mapped_column(sa.String(160))
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    actual_start: Mapped[date | None] = mapped_column(sa.Date)
    actual_end: Mapped[date | None] = mapped_column(sa.Date)
    progress: Mapped[int] = mapped_column(default=0)
    committed_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    spent_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    not_done_reason: Mapped[str | None] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="delivery",
        cascade="all, delete-orphan",
        order_by="(Milestone.on_date, Milestone.id)",
    )

    @property
    def state(self) -> DeliveryStatus:
        return DeliveryStatus(self.status)


class Milestone(Model):
    """A dated step of delivery with its public text and optional photos."""

    __tablename__ = "delivery_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    on_date: Mapped[date] = mapped_column(sa.Date)
    text: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delivery: Mapped[Delivery] = relationship(back_populates="milestones")
    photos: Mapped[list[MilestonePhoto]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan", order_by="MilestonePhoto.id"
    )


class MilestonePhoto(Model):
    """A photo as stored under UPLOAD_DIR: re-encoded (no metadata), under a random name."""

    __tablename__ = "milestone_photos"
    __table_args__ = (
        enum_check("content_type", tuple(PHOTO_TYPES.values()), "type_known"),
        sa.CheckConstraint("byte_size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("delivery_milestones.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(16))
    width: Mapped[int]
    height: Mapped[int]
    byte_size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="photos")


class OpenDataRelease(Model):
    """One build of a cycle's open-data zip. Built by a job (or at publication), served as
    stored: its SHA-256 is the ETag; a newer build supersedes it (`number` grows)."""

    __tablename__ = "open_data_releases"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "number"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    result_version: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
