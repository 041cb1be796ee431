"""Delivery: the officers' record and milestones, the public accountability report, the
milestone photos and the cycle's open-data zip."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform import filecache
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.delivery import photos, queries, services
from pbplatform.delivery.forms import DeliveryForm, MilestoneForm
from pbplatform.delivery.models import DeliveryStatus
from pbplatform.errors import DomainError, show_refusal
from pbplatform.money import to_major
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import get_proposal
from pbplatform.results import http
from pbplatform.routing import INT4_MAX
from pbplatform.security.access import officer_required, public, require_remit
from pbplatform.security.ratelimit import limit_per_address
from pbplatform.surveys.queries import coassessment_scores

bp = Blueprint("delivery", __name__)


@bp.app_template_filter("delivery_status_label")
def delivery_status_label(status: str) -> str:
    """A stored delivery status in the reader's language (the raw value if unknown)."""
    try:
        return DeliveryStatus(status).label
    except ValueError:
        return status


# Heavy downloads per address, as for the results' files (RESULT_DOWNLOAD_RATE_LIMIT).
# Counted in one round trip to the store (security/ratelimit.py).
download_limit = limit_per_address("RESULT_DOWNLOAD_RATE_LIMIT")
PHOTO_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "public, max-age=31536000, immutable",
}


# --- public ----------------------------------------------------------------------------------


@bp.get("/cycles/<slug>/report")
@public
def report(slug: str) -> ResponseReturnValue:
    """The accountability report: what was adopted, done, in progress, not done and why."""
    cycle = cycle_or_404(slug)
    area = queries.report_area(cycle, request.args.get("area"))
    report = queries.report(cycle, area)
    return render_template(
        "delivery/report.html",
        cycle=cycle,
        report=report,
        # Co-assessment (issue 19): shown once at least 5 residents have rated a project.
        ratings=coassessment_scores(line.item.proposal.id for line in report.lines),
        area=area,
        district=queries.DISTRICT,
        statuses=list(DeliveryStatus),
        open_data=queries.release_info(cycle),
        published=report.published,
    )


@bp.get("/cycles/<slug>/open-data.zip")
@public
@download_limit
def open_data(slug: str) -> ResponseReturnValue:
    """The newest open-data build (or `?release=N`), served as stored; its SHA-256 is the ETag."""
    cycle = cycle_or_404(slug)
    number = request.args.get("release", type=int)
    if number is not None and not 0 < number <= INT4_MAX:  # a release number is an int4
        abort(404)
    release = queries.release_info(cycle, number)
    if release is None:
        abort(404)
    if not queries.release_attested(cycle, release):
        current_app.logger.error("open-data release %s is not attested", release.id)
        raise filecache.FileMismatch()  # written in the database, not built by the site
    stored = queries.release_file(cycle, release)
    if http.file_not_modified(release.sha256):
        response = Response(status=304)
    else:
        try:
            response = filecache.send(stored)  # this machine's file cache (sendfile)
        except filecache.FileMismatch:
            abort(500)
    return http.file_headers(response, release.sha256, versioned=number is not None)


@bp.get("/delivery/photos/<file_name>")
@public
def photo(file_name: str) -> ResponseReturnValue:
    """A milestone photo: the type stored with it, never sniffed, shown inline, sandboxed."""
    found = queries.photo_by_name(file_name)
    path = photos.path_of(file_name) if found is not None else None
    if found is None or path is None:
        abort(404)
    response = send_file(path, mimetype=found.content_type, max_age=31536000, conditional=True)
    response.headers.update(PHOTO_HEADERS)
    response.headers["Content-Disposition"] = f'inline; filename="{file_name}"'
    return response


# --- officers --------------------------------------------------------------------------------


def _proposal(tracking_number: str) -> Proposal:
    proposal = get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    return proposal


def _checked(tracking_number: str) -> tuple[Proposal, queries.Deliverable]:
    proposal = _proposal(tracking_number)
    require_remit(current_user, proposal)
    return proposal, services.require_deliverable(proposal)


def _page(
    proposal: Proposal,
    item: queries.Deliverable,
    form: DeliveryForm | None = None,
    milestone_form: MilestoneForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    record = queries.delivery_of(proposal)
    if form is None:
        form = DeliveryForm(formdata=None, obj=record)
        if record is not None:
            form.committed.data = to_major(record.committed_minor)
            form.spent.data = to_major(record.spent_minor)
    return render_template(
        "delivery/manage.html",
        proposal=proposal,
        cycle=proposal.cycle,
        item=item,
        record=record,
        form=form,
        milestone_form=milestone_form or MilestoneForm(formdata=None),
        coproduction=queries.coproduction_for([proposal.id])[proposal.id],
        max_mb=photos.max_mb(),
    ), status


@bp.get("/officer/proposals/<tracking_number>/delivery")
@officer_required
def manage(tracking_number: str) -> ResponseReturnValue:
    return _page(*_checked(tracking_number))


@bp.post("/officer/proposals/<tracking_number>/delivery")
@officer_required
def update(tracking_number: str) -> ResponseReturnValue:
    proposal, item = _checked(tracking_number)
    form = DeliveryForm()
    if not form.validate_on_submit():
        return _page(proposal, item, form=form, status=422)
    try:
        services.update_delivery(proposal, current_user, form.to_input())
    except DomainError as exc:
        show_refusal(form, exc)
        return _page(proposal, item, form=form, status=exc.status)
    services.schedule_open_data(proposal.cycle, current_user)
    flash(_("Delivery record saved."), "success")
    return redirect(url_for(".manage", tracking_number=proposal.tracking_number), 303)


@bp.post("/officer/proposals/<tracking_number>/delivery/milestones")
@officer_required
def add_milestone(tracking_number: str) -> ResponseReturnValue:
    proposal, item = _checked(tracking_number)
    form = MilestoneForm()
    if not form.validate_on_submit():
        return _page(proposal, item, milestone_form=form, status=422)
    uploads = [f.read() for f in request.files.getlist(form.photos.name) if f and f.filename]
    try:
        services.add_milestone(proposal, current_user, form.on_date.data, form.text.data, uploads)
    except DomainError as exc:
        show_refusal(form, exc)
        return _page(proposal, item, milestone_form=form, status=exc.status)
    services.schedule_open_data(proposal.cycle, current_user)
    flash(_("Milestone added."), "success")
    return redirect(url_for(".manage", tracking_number=proposal.tracking_number), 303)
