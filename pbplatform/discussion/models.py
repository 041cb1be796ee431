"""Comments on proposals, threaded one level deep, and residents' flags on them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import Model

BODY_MAX = 2000
HIDDEN_REASON_MAX = 300


class CommentChannel(enum.StrEnum):
    """How a comment reached the council (officers enter the offline ones)."""

    WEB = "web"
    API = "api"
    LETTER = "letter"
    PHONE = "phone"
    EMAIL = "email"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    CommentChannel.WEB: _l("on this site"),
    CommentChannel.API: _l("through an app"),
    CommentChannel.LETTER: _l("by letter"),
    CommentChannel.PHONE: _l("by phone"),
    CommentChannel.EMAIL: _l("by e-mail"),
    CommentChannel.MEETING: _l("at a meeting"),
}
OFFLINE_CHANNELS = (
    CommentChannel.LETTER,
    CommentChannel.PHONE,
    CommentChannel.EMAIL,
    CommentChannel.MEETING,
)


class Comment(Model):
    __tablename__ = "comments"
    __table_args__ = (
        enum_check("channel", tuple(CommentChannel), "channel_known"),
        sa.CheckConstraint(f"length(body) >= 1 AND length(body) <= {BODY_MAX}", name="body_length"),
        sa.CheckConstraint("NOT official OR department IS NOT NULL", name="official_department"),
        sa.CheckConstraint(
            "hidden_at IS NULL OR hidden_reason IS NOT NULL", name="hidden_has_reason"
        ),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_comments_proposal_created", "proposal_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The name an offline commenter gave (letter, phone, meeting); web comments use the account.
    author_name: Mapped[str | None] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    channel: Mapped[CommentChannel] = mapped_column(sa.String(16), default=CommentChannel.WEB)
    official: Mapped[bool] = mapped_column(default=False)
    department: Mapped[str | None] = mapped_column(sa.String(120))
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(HIDDEN_REASON_MAX))
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    author = relationship("User", foreign_keys=[author_id])
    proposal = relationship("Proposal")
    replies: Mapped[list[Comment]] = relationship(
        order_by="Comment.created_at", foreign_keys=[parent_id]
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def channel_label(self) -> str:
        return CommentChannel(self.channel).label

    @property
    def shown_name(self) -> str:
        """Who wrote it, as the page shows it (an erased account shows no name)."""
        if self.author is not None:
            return str(self.author.display_name)
        return self.author_name or str(_l("A resident"))


class CommentFlag(Model):
    __tablename__ = "comment_flags"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
