"""Residents in the loop (issue 16) in the demo: the demo resident follows Fennpfuhl and gets
notifications; a discussion with an official answer and a hidden comment; an amendment
accepted and one declined; the duplicates of the pond benches merged with their authors'
consent; the Fennpfuhl meeting's public page with agenda and minutes, invitations sent."""

from __future__ import annotations

from pbplatform.codesign import services as codesign
from pbplatform.demo.state import Demo
from pbplatform.discussion import services as discussion
from pbplatform.meetings import queries as meeting_queries
from pbplatform.meetings import services as meetings
from pbplatform.notifications import services as notifications
from pbplatform.proposals.models import Proposal, ProposalKind, ProposalStatus

POND = "Benches and shade at Fennpfuhl pond"
PARKS = "Parks department (Straßen- und Grünflächenamt)"


def follow_and_discuss(demo: Demo) -> None:
    """While proposals come in: follows, the pond's discussion, two amendments."""
    notifications.follow(demo.resident, area=demo.areas["FEN"])
    pond = demo.proposals[POND]
    question = discussion.post_comment(
        pond, demo.residents[61], "Will the benches have backrests? My mother needs them."
    )
    discussion.post_official_answer(
        pond,
        demo.staff["fen_officer"],
        "Yes: the benches we plan have backrests and armrests, as the district's seating "
        "guidelines ask for near playgrounds and ponds.",
        PARKS,
        question.id,
    )
    discussion.post_comment(
        pond, demo.resident, "Thank you! Shade trees would help on hot days too.", question.id
    )
    rude = discussion.post_comment(pond, demo.residents[62], "Only idiots sit by that pond.")
    discussion.flag_comment(rude, demo.residents[63], "Insults people who use the pond.")
    discussion.hide_comment(rude, demo.staff["fen_officer"], "Insulting other residents.")
    _amendments(demo)


def _amendments(demo: Demo) -> None:
    pending = [
        p
        for p in demo.proposals.values()
        if p.status == ProposalStatus.PENDING
        and p.kind == ProposalKind.SPENDING
        and p.author_id not in (None, demo.resident.id)
    ]
    accepted, declined = pending[0], pending[1]
    assert accepted.author is not None
    assert declined.author is not None
    more = codesign.propose_amendment(
        accepted,
        demo.resident,
        accepted.title,
        accepted.description + " With a drinking-water tap nearby.",
    )
    codesign.answer_amendment(more, accepted.author, accept=True)
    shorter = codesign.propose_amendment(
        declined, demo.residents[64], declined.title, "Do it cheaper: " + declined.description
    )
    codesign.answer_amendment(
        shorter,
        declined.author,
        accept=False,
        reason="The cheaper version would not last; the estimate already uses standard parts.",
    )


def merge_with_consent(demo: Demo, originals: list[Proposal], target: Proposal) -> None:
    """The officer proposes the merge; every author agrees, and it happens."""
    request = codesign.propose_merge(originals, target, demo.staff["fen_officer"])
    for consent in list(request.consents):
        codesign.answer_merge(consent, consent.user, agree=True)


def announce_meeting(demo: Demo) -> None:
    """The Fennpfuhl meeting's public page, with agenda, minutes and its invitations."""
    assert demo.cycle is not None
    meeting = meeting_queries.first_meeting_in(demo.cycle.id, demo.areas["FEN"].id)
    if meeting is None:
        return
    pond = demo.proposals[POND]
    meetings.describe_meeting(
        meeting,
        demo.staff["fen_officer"],
        starts_at="18:00",
        agenda="1. Welcome\n2. The proposals on Fennpfuhl's ballot\n3. Dots for your favourites",
        proposals=pond.tracking_number,
        minutes="38 residents came. The pond benches were discussed at length; "
        "the parks department answered questions about shade trees.",
    )
    meetings.invite(meeting, demo.staff["fen_officer"])
