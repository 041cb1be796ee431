"""Officers recording neighbourhood meetings: the meeting, double-entered dot counts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from pbplatform.channels import meetings
from pbplatform.channels import queries as channel_queries
from pbplatform.channels.forms import AttendanceForm, MeetingForm
from pbplatform.channels.models import Meeting
from pbplatform.channels.views import bp
from pbplatform.channels.views.common import (
    area_choices,
    area_object,
    my_area_ids,
    refused,
)
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.errors import DomainError
from pbplatform.security.access import officer_required, require_area


@bp.route("/officer/meetings/<slug>", methods=["GET", "POST"])
@officer_required
def meeting_list(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    form = MeetingForm()
    form.area_id.choices = area_choices(cycle)
    status = 200
    if form.validate_on_submit():
        require_area(form.area_id.data)
        try:
            meeting = meetings.create_meeting(
                cycle,
                form.area_id.data,
                form.held_on.data,
                form.place.data,
                form.attendance.data,
                form.dots_per_person.data,
                actor=current_user,
            )
        except DomainError as exc:
            form.form_errors.append(refused(exc, "meeting.create"))
            status = exc.status
        else:
            flash(_("Meeting recorded."), "success")
            return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "channels/meetings.html",
        cycle=cycle,
        form=form,
        meetings=meetings.list_meetings(cycle, my_area_ids(cycle)),
    ), status


def _meeting(slug: str, meeting_id: int) -> Meeting:
    return area_object(Meeting, slug, meeting_id)


def _meeting_page(
    meeting: Meeting,
    status: int = 200,
    error: str | None = None,
    values: dict[int, str] | None = None,
) -> ResponseReturnValue:
    mine = {e.proposal_id: e.dots for e in meeting.entries if e.officer_id == current_user.id}
    comparison = None
    if len(meetings.entrants(meeting)) == 2:
        comparison = meetings.compare_counts(meeting)
    return render_template(
        "channels/meeting.html",
        meeting=meeting,
        cycle=meeting.cycle,
        error=error,
        proposals=meetings.meeting_proposals(meeting),
        mine=values or mine,
        entrants=meetings.entrants(meeting),
        comparison=comparison,
        attendance_form=AttendanceForm(attendance=meeting.attendance),
        totals={t.proposal_id: t.dots for t in meeting.totals},
    ), status


def _refused_page(exc: DomainError, what: str, meeting_id: int) -> ResponseReturnValue:
    """The meeting page again with the refusal, reloaded after the rollback."""
    message = refused(exc, what)
    return _meeting_page(channel_queries.by_id(Meeting, meeting_id), exc.status, message)


@bp.get("/officer/meetings/<slug>/<int:meeting_id>")
@officer_required
def meeting_show(slug: str, meeting_id: int) -> ResponseReturnValue:
    return _meeting_page(_meeting(slug, meeting_id))


def _dot_counts(meeting: Meeting) -> dict[int, int] | None:
    counts = {}
    for p in meetings.meeting_proposals(meeting):
        raw = request.form.get(f"dots-{p.id}", "").strip() or "0"
        if not raw.isdigit() or len(raw) > 7:
            return None
        counts[p.id] = int(raw)
    return counts


@bp.post("/officer/meetings/<slug>/<int:meeting_id>/counts")
@officer_required
def meeting_counts(slug: str, meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(slug, meeting_id)
    counts = _dot_counts(meeting)
    if counts is None:
        return _meeting_page(meeting, 422, _("Dots must be whole numbers of 0 or more."))
    try:
        meetings.enter_counts(meeting, current_user, counts)
    except DomainError as exc:
        return _refused_page(exc, "meeting.counts", meeting_id)
    flash(_("Your count was saved. A second officer must enter theirs independently."), "success")
    return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting_id))


@bp.post("/officer/meetings/<slug>/<int:meeting_id>/attendance")
@officer_required
def meeting_attendance(slug: str, meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(slug, meeting_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, 422, _("Attendance must be a whole number of 0 or more."))
    try:
        meetings.update_attendance(meeting, form.attendance.data, actor=current_user)
    except DomainError as exc:
        return _refused_page(exc, "meeting.attendance", meeting_id)
    return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting_id))


@bp.post("/officer/meetings/<slug>/<int:meeting_id>/confirm")
@officer_required
def meeting_confirm(slug: str, meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(slug, meeting_id)
    try:
        mismatches = meetings.confirm_meeting_counts(meeting, actor=current_user)
    except DomainError as exc:
        return _refused_page(exc, "meeting.confirm", meeting_id)
    if mismatches:
        flash(
            ngettext(
                "Agreed counts were kept; %(num)s proposal differs and needs correction.",
                "Agreed counts were kept; %(num)s proposals differ and need correction.",
                len(mismatches),
            ),
            "error",
        )
    else:
        flash(_("All counts agree; the meeting is confirmed."), "success")
    return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting_id))
