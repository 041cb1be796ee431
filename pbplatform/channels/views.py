"""HTTP views for the vote channels: meetings, paper ballots, voting codes, census, policy.

Views are thin: they parse forms, call the channel services and turn a DomainError into a
message on the page with its status (>= 400 rolls the request's transaction back, so a
refusal stores nothing; the refused attempt is logged, not audited).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.channels import census, codes, meetings, paper
from pbplatform.channels.csvsafe import csv_response
from pbplatform.channels.forms import (
    AttendanceForm,
    CensusUploadForm,
    CodeBatchForm,
    CodeForm,
    ImportForm,
    MeetingForm,
    PaperBallotForm,
    SiteForm,
    VerifyForm,
)
from pbplatform.channels.models import Meeting, VotingCodeBatch, VotingSite
from pbplatform.channels.policy import refusal_message
from pbplatform.cycles.models import Area, Cycle
from pbplatform.errors import DomainError
from pbplatform.extensions import db, limiter
from pbplatform.security.access import (
    admin_required,
    login_required,
    officer_required,
    public,
    require_area,
)
from pbplatform.voting.forms import selections_from_form
from pbplatform.voting.services import ballot_sheet

bp = Blueprint("channels", __name__)
log = logging.getLogger(__name__)
CODE_LIMIT = "20 per hour"


def _cycle(slug: str) -> Cycle:
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.slug == slug))
    if cycle is None:
        abort(404)
    return cycle


def _refused(exc: DomainError, what: str) -> str:
    """Undo anything the service did, log the refused attempt, return the message to show."""
    db.session.rollback()
    log.info("refused %s: %s", what, exc.code)
    return refusal_message(exc)


def _area_choices(cycle: Cycle, label_all: str | None = None) -> list[tuple[int, str]]:
    allowed = [(ca.area_id, ca.area.name) for ca in cycle.areas
               if current_user.can_act_on_area(ca.area_id)]
    return ([(0, label_all)] if label_all else []) + allowed


def _my_area_ids(cycle: Cycle) -> set[int] | None:
    if current_user.is_admin or not current_user.officer_area_list:
        return None
    return {a.id for a in current_user.officer_area_list}


# --- public: the one-vote policy ------------------------------------------------------------

@bp.get("/cycles/<slug>/how-to-vote")
@public
def how_to_vote(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    has_codes = db.session.scalar(sa.select(VotingCodeBatch.id).where(
        VotingCodeBatch.cycle_id == cycle.id).limit(1)) is not None
    return render_template("channels/how_to_vote.html", cycle=cycle,
                           sites=paper.list_sites(cycle), has_codes=has_codes,
                           has_meetings=bool(meetings.list_meetings(cycle)),
                           weights=cycle.channel_weights or {})


# --- meetings --------------------------------------------------------------------------------

@bp.route("/officer/meetings/<slug>", methods=["GET", "POST"])
@officer_required
def meeting_list(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    form = MeetingForm()
    form.area_id.choices = _area_choices(cycle)
    status = 200
    if form.validate_on_submit():
        require_area(form.area_id.data)
        try:
            meeting = meetings.create_meeting(
                cycle, form.area_id.data, form.held_on.data, form.place.data,
                form.attendance.data, form.dots_per_person.data, actor=current_user)
        except DomainError as exc:
            form.form_errors.append(_refused(exc, "meeting.create"))
            status = exc.status
        else:
            flash(_("Meeting recorded."), "success")
            return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting.id))
    elif request.method == "POST":
        status = 422
    return render_template("channels/meetings.html", cycle=cycle, form=form,
                           meetings=meetings.list_meetings(cycle, _my_area_ids(cycle))), status


def _meeting(slug: str, meeting_id: int) -> Meeting:
    cycle = _cycle(slug)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.cycle_id != cycle.id:
        abort(404)
    require_area(meeting.area_id)
    return meeting


def _meeting_page(meeting: Meeting, status: int = 200, error: str | None = None,
                  values: dict[int, str] | None = None) -> ResponseReturnValue:
    mine = {e.proposal_id: e.dots for e in meeting.entries if e.officer_id == current_user.id}
    comparison = None
    if len(meetings.entrants(meeting)) == 2:
        comparison = meetings.compare_counts(meeting)
    return render_template(
        "channels/meeting.html", meeting=meeting, cycle=meeting.cycle, error=error,
        proposals=meetings.meeting_proposals(meeting), mine=values or mine,
        entrants=meetings.entrants(meeting), comparison=comparison,
        attendance_form=AttendanceForm(attendance=meeting.attendance),
        totals={t.proposal_id: t.dots for t in meeting.totals}), status


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
        message = _refused(exc, "meeting.counts")
        return _meeting_page(db.session.get(Meeting, meeting_id), exc.status, message)
    flash(_("Your count was saved. A second officer must enter theirs independently."),
          "success")
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
        message = _refused(exc, "meeting.attendance")
        return _meeting_page(db.session.get(Meeting, meeting_id), exc.status, message)
    return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting_id))


@bp.post("/officer/meetings/<slug>/<int:meeting_id>/confirm")
@officer_required
def meeting_confirm(slug: str, meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(slug, meeting_id)
    try:
        mismatches = meetings.confirm_meeting_counts(meeting, actor=current_user)
    except DomainError as exc:
        message = _refused(exc, "meeting.confirm")
        return _meeting_page(db.session.get(Meeting, meeting_id), exc.status, message)
    if mismatches:
        flash(_("Agreed counts were kept; %(n)s proposals differ and need correction.",
                n=len(mismatches)), "error")
    else:
        flash(_("All counts agree; the meeting is confirmed."), "success")
    return redirect(url_for(".meeting_show", slug=slug, meeting_id=meeting_id))


# --- paper ballots ---------------------------------------------------------------------------

@bp.route("/officer/paper/<slug>", methods=["GET", "POST"])
@officer_required
def paper_sites(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    form = SiteForm()
    form.area_id.choices = _area_choices(cycle, _("All neighbourhoods"))
    status = 200
    if form.validate_on_submit():
        area_id = form.area_id.data or None
        require_area(area_id)
        try:
            paper.create_site(cycle, form.name.data, form.address.data, area_id,
                              form.checks_voters.data, actor=current_user)
        except DomainError as exc:
            form.form_errors.append(_refused(exc, "paper.site"))
            status = exc.status
        else:
            flash(_("Voting site added."), "success")
            return redirect(url_for(".paper_sites", slug=slug))
    elif request.method == "POST":
        status = 422
    valid, invalid = paper.paper_counts(cycle)
    return render_template("channels/paper_sites.html", cycle=cycle, form=form,
                           sites=paper.list_sites(cycle), imports=paper.list_imports(cycle),
                           valid=valid, invalid=invalid), status


def _site(slug: str, site_id: int) -> VotingSite:
    cycle = _cycle(slug)
    site = db.session.get(VotingSite, site_id)
    if site is None or site.cycle_id != cycle.id:
        abort(404)
    require_area(site.area_id)
    return site


def _sheet_areas(site: VotingSite) -> list[Area]:
    return [ca.area for ca in site.cycle.areas
            if (site.area_id is None or ca.area_id == site.area_id)
            and current_user.can_act_on_area(ca.area_id)]


@bp.route("/officer/paper/<slug>/sites/<int:site_id>/ballot", methods=["GET", "POST"])
@officer_required
def paper_ballot(slug: str, site_id: int) -> ResponseReturnValue:
    site = _site(slug, site_id)
    areas = _sheet_areas(site)
    area = next((a for a in areas if str(a.id) == request.values.get("area", "")), None)
    area = area or (areas[0] if areas else None)
    if area is None:
        abort(404)
    form, status, error = PaperBallotForm(), 200, None
    if form.validate_on_submit():
        try:
            ballot = paper.enter_paper_ballot(
                site.cycle, site, form.serial.data, area.code, selections_from_form(request.form),
                form.voter_ref.data or "", actor=current_user)
        except DomainError as exc:
            error, status = _refused(exc, "paper.ballot"), exc.status
        else:
            if ballot.is_valid:
                flash(_("Ballot %(serial)s stored as valid.", serial=ballot.serial), "success")
            else:
                flash(_("Ballot %(serial)s stored as INVALID: %(reason)s", serial=ballot.serial,
                        reason=ballot.invalid_reason), "error")
            return redirect(url_for(".paper_ballot", slug=slug, site_id=site_id, area=area.id))
    elif request.method == "POST":
        status = 422
    sheet = ballot_sheet(site.cycle, area.id) if site.cycle.phase == "voting" else None
    return render_template("channels/paper_ballot.html", cycle=site.cycle, site=site, form=form,
                           areas=areas, area=area, sheet=sheet, error=error), status


@bp.route("/officer/paper/<slug>/sites/<int:site_id>/import", methods=["GET", "POST"])
@officer_required
def paper_import(slug: str, site_id: int) -> ResponseReturnValue:
    site = _site(slug, site_id)
    form, status, errors = ImportForm(), 200, []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            record = paper.import_paper_csv(site.cycle, site, upload.filename or "upload.csv",
                                            upload.read(), actor=current_user)
        except DomainError as exc:
            errors = [_refused(exc, "paper.import")] + list(exc.extra.get("errors", []))
            status = exc.status
        else:
            flash(_("Imported %(n)s ballots (%(invalid)s invalid).", n=record.row_count,
                    invalid=record.invalid_count), "success")
            return redirect(url_for(".paper_sites", slug=slug))
    elif request.method == "POST":
        status = 422
    return render_template("channels/paper_import.html", cycle=site.cycle, site=site,
                           form=form, errors=errors), status


# --- voting codes (admin) --------------------------------------------------------------------

@bp.route("/admin/codes/<slug>", methods=["GET", "POST"])
@admin_required
def code_batches(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    form = CodeBatchForm()
    form.area_id.choices = _area_choices(cycle, _("The holder chooses"))
    status = 200
    if form.validate_on_submit():
        try:
            batch, plain = codes.generate_codes(cycle, form.count.data, form.label.data,
                                                form.area_id.data or None, actor=current_user)
        except DomainError as exc:
            form.form_errors.append(_refused(exc, "codes.generate"))
            status = exc.status
        else:
            # The only copy of the codes: this response. They are not stored in plain text.
            return csv_response(codes.code_rows(cycle, batch, plain),
                                f"voting-codes-{cycle.id}-batch-{batch.id}.csv")
    elif request.method == "POST":
        status = 422
    return render_template("channels/code_batches.html", cycle=cycle, form=form,
                           batches=codes.batch_stats(cycle)), status


# --- voting with a code (public) -------------------------------------------------------------

def _code_page(form: CodeForm, status: int = 200, error: str | None = None,
               **context: object) -> ResponseReturnValue:
    return render_template("channels/vote_code.html", form=form, error=error, **context), status


@bp.route("/vote/code", methods=["GET", "POST"])
@public
@limiter.limit(CODE_LIMIT, methods=["POST"])
def vote_code() -> ResponseReturnValue:
    form = CodeForm()
    if request.method == "GET":
        return _code_page(form)
    if not form.validate_on_submit():
        return _code_page(form, 422)
    try:
        code = codes.find_code(form.code.data)
        cycle = code.batch.cycle
        if cycle.phase != "voting":
            raise DomainError("voting_closed", _("Voting is not open in this cycle."), status=409)
        area_id = code.area_id or request.form.get("area_id", type=int)
        if area_id is None:
            return _code_page(form, cycle=cycle, choose_area=True)
        area_id = codes.code_area(cycle, code, area_id)
        sheet = ballot_sheet(cycle, area_id)
    except DomainError as exc:
        return _code_page(form, exc.status, _refused(exc, "code.lookup"))
    return _code_page(form, cycle=cycle, sheet=sheet, area_id=area_id)


@bp.post("/vote/code/cast")
@public
@limiter.limit(CODE_LIMIT)
def vote_code_cast() -> ResponseReturnValue:
    form = CodeForm()
    if not form.validate_on_submit():
        return _code_page(form, 422)
    area_id = request.form.get("area_id", type=int)
    try:
        cycle = codes.find_code(form.code.data).batch.cycle
        codes.redeem_code(cycle, form.code.data, selections_from_form(request.form), area_id)
    except DomainError as exc:
        message = _refused(exc, "code.cast")
        if exc.code in ("invalid_code", "code_used", "voting_closed", "choose_area",
                        "invalid_area"):
            return _code_page(CodeForm(formdata=None), exc.status, message)
        code = codes.find_code(form.code.data)
        cycle = code.batch.cycle
        sheet = ballot_sheet(cycle, codes.code_area(cycle, code, area_id))
        return _code_page(form, exc.status, message, cycle=cycle, sheet=sheet, area_id=area_id)
    return render_template("channels/code_voted.html", cycle=cycle)


# --- census (admin upload, resident verification) --------------------------------------------

@bp.route("/admin/census/<slug>", methods=["GET", "POST"])
@admin_required
def census_upload(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    form, status, errors = CensusUploadForm(), 200, []
    if form.validate_on_submit():
        try:
            counts = census.upload_census(cycle, form.file.data.read(), actor=current_user)
        except DomainError as exc:
            errors = [_refused(exc, "census.upload")] + list(exc.extra.get("errors", []))
            status = exc.status
        else:
            flash(_("Register loaded: %(n)s entries (%(added)s new, %(removed)s removed).",
                    n=counts["entries"], added=counts["added"], removed=counts["removed"]),
                  "success")
            return redirect(url_for(".census_upload", slug=slug))
    elif request.method == "POST":
        status = 422
    total, linked = census.census_count(cycle)
    return render_template("channels/census_upload.html", cycle=cycle, form=form, errors=errors,
                           total=total, linked=linked), status


@bp.route("/cycles/<slug>/verify", methods=["GET", "POST"])
@login_required
def census_verify(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    form, status = VerifyForm(), 200
    entry = census.entry_for_user(cycle, current_user)
    if entry is None and form.validate_on_submit():
        try:
            census.verify_resident(cycle, current_user, form.identifier.data,
                                   form.birth_date.data, form.postcode.data)
        except DomainError as exc:
            form.form_errors.append(_refused(exc, "census.verify"))
            status = exc.status
        else:
            flash(_("You are verified for this cycle."), "success")
            return redirect(url_for(".census_verify", slug=slug))
    elif request.method == "POST":
        status = 422 if entry is None else 409
    return render_template("channels/census_verify.html", cycle=cycle, form=form,
                           verified=entry is not None), status
