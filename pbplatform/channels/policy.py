"""The one-vote policy in words: channel names and the refusal that names the channel."""

from __future__ import annotations

from flask_babel import gettext as _

from pbplatform.channels.models import Channel
from pbplatform.errors import DomainError


def channel_label(channel: str | None) -> str:
    labels: dict[str, str] = {
        Channel.ONLINE: _("online"),
        Channel.PAPER: _("on paper"),
        Channel.CODE: _("with a voting code"),
        Channel.POSTAL: _("by post"),
        Channel.MEETING: _("at a meeting"),
    }
    return labels.get(channel or "", _("in another channel"))


def already_voted_message(channel: str | None) -> str:
    """'You already voted on paper.' and the like (the cross-channel refusal)."""
    return _(
        "You already voted %(channel)s in this cycle (channel=%(code)s). Each person votes "
        "once, in one channel.",
        channel=channel_label(channel),
        code=channel or "?",
    )


def refusal_message(exc: DomainError) -> str:
    """The message to show for a refused cast: already_voted names the channel."""
    if exc.code == "already_voted":
        return already_voted_message(exc.extra.get("channel"))
    return exc.message
