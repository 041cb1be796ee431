"""Token-authenticated writes: submit a proposal, cast a ballot.

Both accept only a Bearer token (never the session cookie), validate the body strictly
against the published schema, and honour `Idempotency-Key`.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from pbplatform.api import idempotency
from pbplatform.api.auth import api_token_required, current_token_owner, current_token_user
from pbplatform.api.resources import public_cycle, public_proposal
from pbplatform.api.serializers import comment_document, proposal_records
from pbplatform.api.views import bp, json_body, safe_text, validation_error
from pbplatform.channels.models import Channel
from pbplatform.db import today
from pbplatform.discussion import services as discussion_services
from pbplatform.discussion.models import CommentChannel
from pbplatform.errors import DomainError
from pbplatform.proposals.services import ProposalInput, submit_proposal
from pbplatform.voting.services import cast_ballot, read_cycle_for_cast, voter_key_for


@bp.post("/cycles/<slug>/proposals")
@api_token_required
def submit(slug: str) -> ResponseReturnValue:
    user = current_token_user()
    cycle = public_cycle(slug)
    data = json_body("ProposalSubmission")
    key, request_hash = idempotency.request_key(), idempotency.fingerprint(data)
    if (previous := idempotency.replay(user, key, request_hash)) is not None:
        return previous
    proposal = submit_proposal(cycle, user, proposal_input(data), channel="api")
    body = proposal_records([proposal], timeline=True)[0]
    location = url_for("api.get_proposal", tracking_number=proposal.tracking_number)
    idempotency.remember(user, key, request_hash, 201, body, location)
    return jsonify(body), 201, {"Location": location}


def proposal_input(data: dict[str, Any]) -> ProposalInput:
    return ProposalInput(
        title=data["title"],
        description=data["description"],
        area_id=data.get("area_id"),
        category=data.get("category", "other"),
        kind=data.get("kind", "spending"),
        estimated_cost_minor=data.get("estimated_cost", 0),
        location=data.get("location"),
        savings_per_year_minor=data.get("savings_per_year"),
    )


@bp.post("/proposals/<tracking_number>/comments")
@api_token_required
def post_comment(tracking_number: str) -> ResponseReturnValue:
    """A resident's comment through an app (officers answer on the site)."""
    user = current_token_user()
    proposal = public_proposal(tracking_number)
    data = json_body("CommentSubmission")
    key, request_hash = idempotency.request_key(), idempotency.fingerprint(data)
    if (previous := idempotency.replay(user, key, request_hash)) is not None:
        return previous
    made = discussion_services.post_comment(
        proposal, user, data["body"], data.get("parent_id"), channel=CommentChannel.API
    )
    body = comment_document(made)
    idempotency.remember(user, key, request_hash, 201, body)
    return jsonify(body), 201


@bp.post("/cycles/<slug>/ballot")
@api_token_required
def cast(slug: str) -> ResponseReturnValue:
    owner = current_token_owner()  # no ORM account: the token's row has all a cast needs
    # Read once, under the shared lock casting holds (not public_cycle and a second read).
    cycle = read_cycle_for_cast(slug, owner.home_area_id) if safe_text(slug, 64) else None
    if cycle is None:
        raise DomainError("not_found", _("No such cycle."), status=404)
    data = json_body("BallotSubmission")
    selections = ballot_selections(data, owner.home_area_id)
    # The fingerprint leaves the choices out: a hash of them next to a user id could be
    # brute-forced, which would undo ballot secrecy.
    key, request_hash = idempotency.request_key(), idempotency.fingerprint()
    if (previous := idempotency.replay(owner, key, request_hash)) is not None:
        return previous
    cast_ballot(
        cycle,
        voter_key_for(owner),
        selections,
        area_id=owner.home_area_id,
        channel=Channel.ONLINE,
        user_id=owner.id,
        voter=owner,
        cycle_locked=True,
    )
    body = {"status": "cast", "cast_on": today().isoformat()}
    idempotency.remember(owner, key, request_hash, 201, body, ballot_cycle_id=cycle.id)
    return jsonify(body), 201


def ballot_selections(data: dict[str, Any], home_area_id: int | None) -> list[tuple[int, Any]]:
    """(proposal id, points or stance) pairs as `cast_ballot` takes them; 422 on duplicates."""
    errors, seen, pairs = [], set(), []
    if data.get("area_id") is not None and data["area_id"] != home_area_id:
        errors.append({"field": "area_id", "message": _("must be your home area")})
    for i, sel in enumerate(data["selections"]):
        pid = sel["proposal_id"]
        if pid in seen:
            errors.append(
                {
                    "field": f"selections[{i}].proposal_id",
                    "message": _("repeats a proposal already on the ballot"),
                }
            )
        seen.add(pid)
        pairs.append((pid, sel["stance"] if "stance" in sel else sel.get("points", 1)))
    if errors:
        raise validation_error(errors)
    return pairs
