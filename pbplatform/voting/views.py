"""The resident's ballot: sheet, review, cast, confirmation. Works without JavaScript.

Nothing is stored until "Cast my ballot": the review step re-renders from the posted form,
so editing or abandoning a draft leaves no trace on the server.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.channels.census import check_eligibility
from pbplatform.channels.models import Channel
from pbplatform.cycles.models import Cycle
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.db import today
from pbplatform.errors import DomainError
from pbplatform.security.access import login_required
from pbplatform.voting import queries as voting_queries
from pbplatform.voting.forms import BallotForm, form_values, selections_from_form
from pbplatform.voting.services import (
    VOTING_PHASE,
    ballot_sheet,
    cast_ballot,
    check_ballot,
    voter_key_for,
)

bp = Blueprint("voting", __name__)


def _notice(
    cycle: Cycle, title: str, message: str, status: int, fix: tuple[str, str] | None = None
) -> ResponseReturnValue:
    """`fix`: where the reader can remove the obstacle (url, link text), if anywhere."""
    page = render_template("voting/notice.html", cycle=cycle, title=title, message=message, fix=fix)
    return page, status


def _refusal(cycle: Cycle) -> ResponseReturnValue | None:
    """Why this user cannot vote online in this cycle now, as a page; None if they can."""
    if cycle.current_phase != VOTING_PHASE:
        return _notice(cycle, _("Voting is closed"), _("Voting is not open in this cycle."), 409)
    try:
        check_eligibility(cycle, current_user)
    except DomainError as refusal:
        return _notice(cycle, _("You cannot vote online"), refusal.message, refusal.status)
    if current_user.home_area_id not in {ca.area_id for ca in cycle.areas}:
        return _notice(
            cycle,
            _("Set your home area"),
            _("To vote, set your home area to a neighbourhood of this cycle in your account page."),
            403,
            (url_for("accounts.account"), _("Your account page")),
        )
    return None


def _sheet_page(
    cycle: Cycle, values: dict[str, str] | None = None, error: DomainError | None = None
) -> ResponseReturnValue:
    sheet = ballot_sheet(cycle, current_user.home_area_id)
    page = render_template(
        "voting/ballot.html",
        cycle=cycle,
        sheet=sheet,
        form=BallotForm(),
        values=values or {},
        error=error,
    )
    return page, (error.status if error else 200)


def _already_voted_page(cycle: Cycle, channel: str | None, status: int) -> ResponseReturnValue:
    return render_template("voting/already_voted.html", cycle=cycle, channel=channel), status


@bp.get("/cycles/<slug>/ballot")
@login_required
def ballot(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    refusal = _refusal(cycle)
    if refusal is not None:
        return refusal
    channel = voting_queries.channel_voted_by(cycle, current_user)
    if channel is not None:
        return _already_voted_page(cycle, channel, 200)
    return _sheet_page(cycle)


@bp.post("/cycles/<slug>/ballot/review")
@login_required
def review(slug: str) -> ResponseReturnValue:
    """Show the choices and their amounts; "Change" goes back to the filled-in sheet."""
    cycle = cycle_or_404(slug)
    refusal = _refusal(cycle)
    if refusal is not None:
        return refusal
    pairs = selections_from_form(request.form)
    values = form_values(pairs)
    if request.form.get("step") in ("change", "total"):
        return _sheet_page(cycle, values)
    try:
        normalized = check_ballot(cycle, current_user.home_area_id, pairs)
    except DomainError as exc:
        return _sheet_page(cycle, values, exc)
    sheet = ballot_sheet(cycle, current_user.home_area_id)
    return render_template(
        "voting/review.html",
        cycle=cycle,
        sheet=sheet,
        ballot=normalized,
        form=BallotForm(),
        pairs=pairs,
    )


@bp.post("/cycles/<slug>/ballot/cast")
@login_required
def cast(slug: str) -> ResponseReturnValue:
    """Final. A second submission (double click, retry) meets the one-vote constraint: 409."""
    cycle = cycle_or_404(slug)
    refusal = _refusal(cycle)
    if refusal is not None:
        return refusal
    pairs = selections_from_form(request.form)
    try:
        cast_ballot(
            cycle,
            voter_key_for(current_user),
            pairs,
            area_id=current_user.home_area_id,
            channel=Channel.ONLINE,
            user_id=current_user.id,
        )
    except DomainError as exc:
        if exc.code == "already_voted":
            return _already_voted_page(cycle, exc.extra.get("channel"), exc.status)
        return _sheet_page(cycle, form_values(pairs), exc)
    # No ballot id is shown as a receipt: once ballots are published for recounting, an id the
    # voter can show would let them prove how they voted (vote buying, coercion). The day and
    # the confirmation are the receipt; the one-vote record proves they took part. The day is
    # today's (the participation's); it is not stored on the ballot, which carries no date.
    return render_template("voting/confirmation.html", cycle=cycle, cast_on=today())
