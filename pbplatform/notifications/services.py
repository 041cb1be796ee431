"""Following, and telling followers what happened: on the site, by e-mail (at once or as a
daily digest) and, for proposers who wrote or phoned in, by letter.

Notifications are made from two sources only, both public: a proposal's life history
(`notify_proposal_event`, called by `proposals.services.add_event`) and a cycle's phase changes
(`announce_phase`). Ballots are never a source, so no notification can say how anyone voted.
Functions flush; the request or command commits.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Area, Cycle
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.links import mail_url
from pbplatform.mail.services import send_mails
from pbplatform.notifications import queries
from pbplatform.notifications.models import (
    EmailFrequency,
    Follow,
    Letter,
    Notification,
    NotificationKind,
    NotificationSetting,
)
from pbplatform.proposals.models import Proposal, ProposalEvent

# The author's own acts: followers hear of them, the author does not.
AUTHOR_ACTS = {NotificationKind.SUBMITTED, NotificationKind.EDITED, NotificationKind.WITHDRAWN}
# What followers of a proposal's area or cycle hear of (a new project on the ballot); followers
# of the proposal hear of everything.
AREA_NEWS = {NotificationKind.APPROVED}
# Proposers by letter or phone get a letter for every step but edits (officers' corrections).
NOT_BY_LETTER = {NotificationKind.EDITED}
OFFLINE_CHANNELS = ("letter", "phone")


def kind_of_event(event_kind: str) -> NotificationKind:
    try:
        return NotificationKind(event_kind)
    except ValueError:
        return NotificationKind.EVENT


# -- following ----------------------------------------------------------------------------


def follow(
    user: User,
    *,
    proposal: Proposal | None = None,
    area: Area | None = None,
    cycle: Cycle | None = None,
) -> Follow:
    """Follow one target; following it again changes nothing (returns the existing row)."""
    target = _target(proposal=proposal, area=area, cycle=cycle)
    existing = queries.follow_of(user.id, **target)
    if existing is not None:
        return existing
    row = Follow(user_id=user.id, **target)
    # A concurrent second click meets the unique index: keep the first, refuse nothing.
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except sa.exc.IntegrityError:
        found = queries.follow_of(user.id, **target)
        assert found is not None
        return found
    return row


def unfollow(
    user: User,
    *,
    proposal: Proposal | None = None,
    area: Area | None = None,
    cycle: Cycle | None = None,
) -> bool:
    target = _target(proposal=proposal, area=area, cycle=cycle)
    existing = queries.follow_of(user.id, **target)
    if existing is None:
        return False
    db.session.delete(existing)
    db.session.flush()
    return True


def end_follow(user: User, follow_id: int) -> bool:
    """End one of the person's follows (from the notifications page); False if not theirs."""
    row = db.session.get(Follow, follow_id)
    if row is None or row.user_id != user.id:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def _target(**given: object) -> dict[str, int]:
    chosen = {f"{name}_id": obj.id for name, obj in given.items() if obj is not None}  # type: ignore[attr-defined]
    if len(chosen) != 1:
        raise ValueError("follow exactly one of proposal, area, cycle")
    return chosen


# -- telling ------------------------------------------------------------------------------


def notify_proposal_event(event: ProposalEvent) -> int:
    """Tell the proposal's followers (and, for news of the ballot, its area's and cycle's)."""
    proposal = event.proposal
    kind = kind_of_event(event.kind)
    if kind == NotificationKind.SUBMITTED and proposal.author is not None:
        follow(proposal.author, proposal=proposal)  # authors follow their proposals
    audience: queries.Audience = queries.proposal_followers(proposal.id)
    if kind in AREA_NEWS:
        area = queries.area_followers(proposal.area_id, proposal.cycle_id)
        audience = sa.union(audience, area)
    note = event.note if kind not in (NotificationKind.SUBMITTED,) else None
    told = _notify(
        audience,
        kind,
        proposal=proposal,
        cycle_id=proposal.cycle_id,
        note=note,
        exclude=proposal.author_id if kind in AUTHOR_ACTS else None,
    )
    if _writes_letters(proposal) and kind not in NOT_BY_LETTER:
        db.session.add(Letter(proposal_id=proposal.id, kind=kind, note=note))
    return told


def notify_official_answer(comment: Any) -> int:
    """The proposal's followers, and whoever asked the question answered, hear the answer."""
    proposal = comment.proposal
    audience: queries.Audience = queries.proposal_followers(proposal.id)
    if comment.parent_id is not None:
        asked = db.session.get(type(comment), comment.parent_id)
        if asked is not None and asked.author_id is not None:
            audience = sa.union(audience, queries.these_users([asked.author_id]))
    # Only the department: the text lives in the discussion, where hiding it hides it
    # everywhere (attack 2026-12-07: a copied text outlived its hiding in notifications).
    return _notify(
        audience,
        NotificationKind.OFFICIAL_ANSWER,
        proposal=proposal,
        cycle_id=proposal.cycle_id,
        note=comment.department,
        exclude=comment.author_id,
    )


def notify_user(
    user_id: int,
    kind: str,
    proposal: Proposal | None,
    cycle_id: int | None,
    note: str | None = None,
) -> int:
    """News for one person only (a declined offer's reason is not public)."""
    return _notify(
        queries.these_users([user_id]),
        NotificationKind(kind),
        proposal=proposal,
        cycle_id=cycle_id,
        note=note,
    )


def invite_to_meeting(meeting: Any, authors: set[int], proposals: list[Proposal]) -> int:
    """A meeting's invitation to the followers of its area (and of its cycle) and to the
    authors of the proposals on its agenda; letters to offline proposers among them."""
    audience = sa.union(
        queries.area_followers(meeting.area_id, meeting.cycle_id), queries.these_users(authors)
    )
    note = f"{meeting.held_on.isoformat()}, {meeting.place} ({meeting.area.name})"
    told = _notify(
        audience,
        NotificationKind.MEETING_INVITATION,
        cycle_id=meeting.cycle_id,
        note=note,
        meeting_id=meeting.id,
    )
    for proposal in proposals:
        if _writes_letters(proposal):
            letter = Letter(
                proposal_id=proposal.id, kind=NotificationKind.MEETING_INVITATION, note=note
            )
            db.session.add(letter)
    db.session.flush()
    return told


def invite_to_coassessment(proposal: Proposal) -> int:
    """A delivered project's rating survey is open: its followers (the author and the
    co-producers follow it) and its area's followers are invited; offline proposers by letter."""
    audience = sa.union(
        queries.proposal_followers(proposal.id),
        queries.area_followers(proposal.area_id, proposal.cycle_id),
    )
    kind = NotificationKind.COASSESSMENT_OPENED
    if _writes_letters(proposal):
        db.session.add(Letter(proposal_id=proposal.id, kind=kind))
    return _notify(audience, kind, proposal=proposal, cycle_id=proposal.cycle_id)


def invite_to_survey(survey: Any, user_ids: set[int], proposals: list[Proposal]) -> int:
    """An open survey's invitation to these people (on the site, and by e-mail as each chose)
    and, by letter, to the offline proposers of these proposals who agreed to be contacted.
    surveys.invitations chooses them, once each; returns how many letters are due."""
    closes = survey.closes_at.date().isoformat() if survey.closes_at else None
    note = survey.title if closes is None else f"{survey.title} ({closes})"
    _notify(
        queries.these_users(user_ids),
        NotificationKind.SURVEY_INVITATION,
        cycle_id=survey.cycle_id,
        note=note,
        survey_id=survey.id,
    )
    letters = [p for p in proposals if _writes_letters(p)]
    link = _url("surveys.show", survey_id=survey.id)
    for proposal in letters:
        db.session.add(
            Letter(
                proposal_id=proposal.id,
                kind=NotificationKind.SURVEY_INVITATION,
                note=f"{note}: {link}"[:500],
            )
        )
    db.session.flush()
    return len(letters)


def announce_phase(cycle: Cycle, phase: str) -> int:
    """Voting opened, voting closed, results out: to the followers of the cycle and of its
    areas (an area's followers follow it in every cycle)."""
    kind = {
        "voting": NotificationKind.VOTING_OPENED,
        "counting": NotificationKind.VOTING_CLOSED,
    }.get(phase)
    if kind is None:
        return 0
    return _notify(queries.cycle_followers(cycle.id), kind, cycle_id=cycle.id)


def announce_results(cycle_id: int) -> int:
    audience = sa.union(
        queries.cycle_followers(cycle_id), queries.cycle_proposal_followers(cycle_id)
    )
    return _notify(audience, NotificationKind.RESULTS_PUBLISHED, cycle_id=cycle_id)


def _notify(
    audience: queries.Audience,
    kind: NotificationKind,
    *,
    proposal: Proposal | None = None,
    cycle_id: int | None = None,
    note: str | None = None,
    meeting_id: int | None = None,
    survey_id: int | None = None,
    exclude: int | None = None,
) -> int:
    """One notification for each person of the audience (but `exclude`); returns how many.

    However many follow, the database writes the rows in one INSERT ... SELECT (a row nobody
    wants by e-mail is marked mailed, so the digest skips it). E-mail at once is not written
    here: a job does it after the commit (`send_immediate`), so a popular event does not hold
    up the request that causes it."""
    told = queries.insert_notifications(
        audience,
        exclude,
        {
            "kind": str(kind),
            "proposal_id": proposal.id if proposal is not None else None,
            "cycle_id": cycle_id,
            "meeting_id": meeting_id,
            "survey_id": survey_id,
            "note": (note or "")[:500] or None,
            "created_at": utcnow(),
        },
    )
    if told and queries.wants_mail_at_once(audience, exclude):
        _mail_soon()
    return told


def _mail_soon() -> None:
    """Start the e-mail job (in-process without Redis: at once, inside this transaction)."""
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import start_job

    start_job(JobKind.NOTIFICATION_MAIL, None)


def _writes_letters(proposal: Proposal) -> bool:
    return (
        proposal.channel in OFFLINE_CHANNELS
        and proposal.contact_consent
        and bool(proposal.contact_details)
    )


# -- e-mail -------------------------------------------------------------------------------


def send_immediate(now: datetime | None = None) -> int:
    """One e-mail per notification for the people who want each at once, for every
    notification not yet mailed to them; returns how many were written to the outbox.

    The notification e-mail job's work (JobKind.NOTIFICATION_MAIL). It claims the
    notifications first (`queries.claim_unmailed`: their `mailed_at` is the record of what was
    sent), in the job's transaction, which commits the claims, the outbox rows and the job's
    `done` together: a killed worker leaves nothing claimed and its retry mails them; a second
    run, or another job at the same time, finds them claimed and mails nothing twice."""
    now = now or utcnow()
    claimed = queries.claim_unmailed(EmailFrequency.IMMEDIATE, now)
    return _write_mails(claimed, one_per_notification=True)


def send_digests(now: datetime | None = None) -> int:
    """One e-mail per person with a daily digest and anything not yet mailed; returns how many
    were written to the outbox. Run daily (`flask pb notify-digest`); claims as the job does."""
    now = now or utcnow()
    claimed = queries.claim_unmailed(EmailFrequency.DAILY, now)
    return _write_mails(claimed, one_per_notification=False)


def send_waiting_digest(user: User, now: datetime | None = None) -> int:
    """One digest e-mail of what waits for this person's digest (they chose e-mail at once
    instead: the job would otherwise mail each waiting one apart). Claims as the job does, in
    the same transaction as the switch, so neither the job nor the digest mails them again."""
    claimed = queries.claim_unmailed_of(user.id, now or utcnow())
    return _write_mails(claimed, one_per_notification=False)


def _write_mails(ids: list[int], *, one_per_notification: bool) -> int:
    """The e-mails of these claimed notifications, written to the outbox in one flush."""
    if not ids:
        return 0
    by_user = queries.notifications_by_user(ids)
    users = queries.users_by_id(by_user)
    mails = []
    for user_id, rows in by_user.items():
        user = users.get(user_id)
        if user is None or not user.is_active_account:
            continue  # claimed all the same: nobody to write to
        for batch in [[row] for row in rows] if one_per_notification else [rows]:
            mails.append(_mail(user, batch))
    send_mails(mails)
    return len(mails)


def _mail(user: User, rows: list[Notification]) -> tuple[str, str, str]:
    """(recipient, subject, body) of one e-mail telling `user` of these notifications."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        lines = [_line(row) for row in rows]
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                _("here is what happened to what you follow:"),
                "\n".join(lines),
                _("All your notifications: %(url)s", url=_url("notifications.index")),
                _(
                    "To stop these e-mails with one click: %(url)s",
                    url=_url("notifications.unsubscribe", token=unsubscribe_token(user)),
                ),
            ]
        )
        subject = rows[0].kind_label if len(rows) == 1 else _("%(n)s notifications", n=len(rows))
    return user.email, subject, body


def _line(row: Notification) -> str:
    what = row.kind_label
    if row.survey is not None:  # an invitation: the link to answer it, and until when
        return f"- {what}: {_survey_line(row.survey)}"
    if row.proposal is not None:
        what += f": {row.proposal.tracking_number} {row.proposal.public_title}"
    elif row.cycle is not None:
        what += f": {row.cycle.name}"
    if row.note:
        what += f" ({row.shown_note})"
    return f"- {what}"


def _survey_line(survey: Any) -> str:
    """The title and link (the invitation's note only repeats the title and the closing date)."""
    line = f"{survey.title} {_url('surveys.show', survey_id=survey.id)}"
    if survey.closes_at is None:
        return line
    return f"{line} ({_('open until %(day)s', day=format_date(survey.closes_at, 'medium'))})"


def _url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail (pbplatform/links.py)."""
    return mail_url(endpoint, **values)


# -- settings, reading, unsubscribing -----------------------------------------------------


def set_email_frequency(user: User, frequency: EmailFrequency) -> NotificationSetting:
    setting = db.session.get(NotificationSetting, user.id)
    previous = EmailFrequency(setting.email) if setting is not None else EmailFrequency.DAILY
    if setting is None:
        setting = NotificationSetting(user_id=user.id)
        db.session.add(setting)
    setting.email = frequency
    if previous == EmailFrequency.DAILY and frequency == EmailFrequency.IMMEDIATE:
        send_waiting_digest(user)
    if frequency == EmailFrequency.NEVER:  # nothing waiting goes out later
        queries.mark_all_mailed(user.id, utcnow())
    db.session.flush()
    return setting


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark these (or all) of the person's unread notifications as read; returns how many."""
    stmt = sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    result = cast(sa.CursorResult[Any], db.session.execute(stmt.values(read_at=utcnow())))
    return result.rowcount or 0


# -- one-click unsubscribe links ----------------------------------------------------------
#
# A link is `VERSION.SIGNED`: SIGNED carries [user id, purpose, issued (epoch seconds),
# VERSION], signed with SECRET_KEY under its own salt; VERSION is a fingerprint of the key.
# A link older than UNSUBSCRIBE_LINK_MAX_AGE_DAYS, or made under another key (SECRET_KEY was
# rotated), is stale: the page sends the person to sign in. A bad signature names nobody.

UNSUBSCRIBE_PURPOSE = "notification_email"
VERSION = re.compile(r"[0-9a-f]{8}")


class StaleLink(DomainError):
    """An authentic-looking link too old, or from an earlier key: shown as a page, not 404."""

    def __init__(self, why: str) -> None:
        super().__init__("link_expired", why, status=410)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="pbplatform:unsubscribe")


def unsubscribe_key_version() -> str:
    """A fingerprint of SECRET_KEY (not the key): it changes when the key is rotated."""
    key = current_app.config["SECRET_KEY"]
    key_bytes = key if isinstance(key, bytes) else str(key).encode()
    return hmac.new(key_bytes, b"pbplatform:unsubscribe-key-version", "sha256").hexdigest()[:8]


def unsubscribe_token(user: User, issued_at: datetime | None = None) -> str:
    version = unsubscribe_key_version()
    issued = int((issued_at or utcnow()).timestamp())
    signed = _serializer().dumps([user.id, UNSUBSCRIBE_PURPOSE, issued, version])
    return f"{version}.{signed}"


def _expired() -> StaleLink:
    days = current_app.config["UNSUBSCRIBE_LINK_MAX_AGE_DAYS"]
    return StaleLink(
        _("This link has expired: links in e-mails work for %(days)s days.", days=days)
    )


def _legacy_or_bad(token: str) -> DomainError:
    """A link of the first form (a signed user id, no age, no version) has expired; anything
    else names nobody."""
    try:
        _serializer().loads(token)
    except BadSignature:
        return _bad_link()
    return _expired()


def _bad_link() -> DomainError:
    return DomainError(
        "bad_link",
        _(
            "This unsubscribe link is not valid. Change your e-mail choice on the "
            "notifications page."
        ),
        status=404,
    )


def unsubscribe_user(token: str) -> User:
    """The person a valid, current link names; DomainError 404 (forged or altered) or
    StaleLink 410 (too old, or made under an earlier key). Reads only."""
    version, _dot, signed = token.partition(".")
    if not VERSION.fullmatch(version):
        raise _legacy_or_bad(token)
    if not hmac.compare_digest(version, unsubscribe_key_version()):
        raise StaleLink(
            _("This link was made with an earlier key of the site and no longer works.")
        )
    user_id, issued = _signed_content(signed, version)
    max_age = current_app.config["UNSUBSCRIBE_LINK_MAX_AGE_DAYS"] * 86400
    if utcnow().timestamp() - issued > max_age:
        raise _expired()
    user = db.session.get(User, user_id)
    if user is None:
        raise _bad_link()
    return user


def _signed_content(signed: str, version: str) -> tuple[int, int]:
    """(user id, issued) of a link signed by us for this purpose and key version."""
    try:
        payload = _serializer().loads(signed)
    except BadSignature:
        raise _bad_link() from None
    if not isinstance(payload, list) or len(payload) != 4:
        raise _bad_link()
    user_id, purpose, issued, signed_version = payload
    if (purpose, signed_version) != (UNSUBSCRIBE_PURPOSE, version):
        raise _bad_link()
    if not isinstance(user_id, int) or not isinstance(issued, int):
        raise _bad_link()
    return user_id, issued


def unsubscribe(token: str) -> User:
    """Stop e-mail for the person the signed link names (the site still lists news)."""
    user = unsubscribe_user(token)
    set_email_frequency(user, EmailFrequency.NEVER)
    return user


def mark_letters_printed(letter_ids: Iterable[int]) -> int:
    result = cast(
        sa.CursorResult[Any],
        db.session.execute(
            sa.update(Letter)
            .where(Letter.id.in_(list(letter_ids)), Letter.printed_at.is_(None))
            .values(printed_at=utcnow())
        ),
    )
    return result.rowcount or 0
