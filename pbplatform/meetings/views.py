"""Public meeting pages, and the officers' announcement and invitations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from pbplatform.accounts import queries as account_queries
from pbplatform.channels.models import Meeting
from pbplatform.cycles.models import Phase
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.meetings import queries, services
from pbplatform.meetings.forms import MeetingEventForm
from pbplatform.security.access import officer_required, public, require_area

bp = Blueprint("meetings", __name__)


def _meeting(meeting_id: int) -> Meeting:
    meeting = queries.meeting_by_id(meeting_id)
    if meeting is None or meeting.cycle.phase == Phase.DRAFT:
        abort(404)
    return meeting


@bp.get("/cycles/<slug>/meetings")
@public
def index(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    if cycle.phase == Phase.DRAFT:
        abort(404)
    return render_template(
        "meetings/index.html",
        cycle=cycle,
        meetings=queries.meetings_of(cycle),
        events=queries.events_by_meeting(cycle),
    )


@bp.get("/meetings/<int:meeting_id>")
@public
def show(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    return render_template(
        "meetings/show.html", meeting=meeting, event=queries.event_of(meeting.id)
    )


def _edit_page(meeting: Meeting, form: MeetingEventForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "meetings/edit.html", meeting=meeting, event=queries.event_of(meeting.id), form=form
    ), status


@bp.get("/officer/meetings/<int:meeting_id>/event")
@officer_required
def edit(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    require_area(meeting.area_id)
    event = queries.event_of(meeting.id)
    form = MeetingEventForm(formdata=None)
    if event is not None:
        form.starts_at.data, form.agenda.data = event.starts_at, event.agenda
        form.minutes.data = event.minutes
        form.proposals.data = "\n".join(p.tracking_number for p in event.proposals)
    return _edit_page(meeting, form)


@bp.post("/officer/meetings/<int:meeting_id>/event")
@officer_required
def save(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    require_area(meeting.area_id)
    form = MeetingEventForm()
    if not form.validate_on_submit():
        return _edit_page(meeting, form, 422)
    try:
        services.describe_meeting(
            meeting,
            account_queries.signed_in_user(),
            starts_at=form.starts_at.data,
            agenda=form.agenda.data,
            proposals=form.proposals.data,
            minutes=form.minutes.data,
        )
    except DomainError as exc:
        db.session.rollback()
        field = getattr(form, exc.extra.get("field", ""), None)
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            form.form_errors.append(exc.message)
        return _edit_page(_meeting(meeting_id), form, exc.status)
    flash(_("The meeting's page is updated."), "success")
    return redirect(url_for(".show", meeting_id=meeting.id), code=303)


@bp.post("/officer/meetings/<int:meeting_id>/invite")
@officer_required
def invite(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    require_area(meeting.area_id)
    told = services.invite(meeting, account_queries.signed_in_user())
    flash(ngettext("%(num)s person was invited.", "%(num)s people were invited.", told), "success")
    return redirect(url_for(".edit", meeting_id=meeting.id), code=303)
