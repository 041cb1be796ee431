"""Officers entering paper ballots: voting sites, ballots one by one, CSV imports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from pbplatform.channels import paper
from pbplatform.channels.forms import ImportForm, PaperBallotForm, SiteForm
from pbplatform.channels.models import VotingSite
from pbplatform.channels.views import bp
from pbplatform.channels.views.common import area_choices, area_object, refused
from pbplatform.cycles.models import Area, Phase
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.errors import DomainError
from pbplatform.jobs.models import JobStatus
from pbplatform.security.access import officer_required, require_area
from pbplatform.voting.forms import selections_from_form
from pbplatform.voting.services import ballot_sheet


@bp.route("/officer/paper/<slug>", methods=["GET", "POST"])
@officer_required
def paper_sites(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    form = SiteForm()
    form.area_id.choices = area_choices(cycle, _("All neighbourhoods"))
    status = 200
    if form.validate_on_submit():
        area_id = form.area_id.data or None
        require_area(area_id)
        try:
            paper.create_site(
                cycle,
                form.name.data,
                form.address.data,
                area_id,
                form.checks_voters.data,
                actor=current_user,
            )
        except DomainError as exc:
            form.form_errors.append(refused(exc, "paper.site"))
            status = exc.status
        else:
            flash(_("Voting site added."), "success")
            return redirect(url_for(".paper_sites", slug=slug))
    elif request.method == "POST":
        status = 422
    valid, invalid = paper.paper_counts(cycle)
    return render_template(
        "channels/paper_sites.html",
        cycle=cycle,
        form=form,
        sites=paper.list_sites(cycle),
        imports=paper.list_imports(cycle),
        valid=valid,
        invalid=invalid,
    ), status


def _site(slug: str, site_id: int) -> VotingSite:
    return area_object(VotingSite, slug, site_id)


def _sheet_areas(site: VotingSite) -> list[Area]:
    return [
        ca.area
        for ca in site.cycle.areas
        if (site.area_id is None or ca.area_id == site.area_id)
        and current_user.can_act_on_area(ca.area_id)
    ]


# Complexity: a view: site, area sheet, double-entry state and the three outcomes of a paper ballot
# in one reading order.
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
                site.cycle,
                site,
                form.serial.data,
                area.code,
                selections_from_form(request.form),
                form.voter_ref.data or "",
                actor=current_user,
            )
        except DomainError as exc:
            error, status = refused(exc, "paper.ballot"), exc.status
        else:
            if ballot.is_valid:
                flash(_("Ballot %(serial)s stored as valid.", serial=ballot.serial), "success")
            else:
                flash(
                    _(
                        "Ballot %(serial)s stored as INVALID: %(reason)s",
                        serial=ballot.serial,
                        reason=ballot.invalid_reason,
                    ),
                    "error",
                )
            return redirect(url_for(".paper_ballot", slug=slug, site_id=site_id, area=area.id))
    elif request.method == "POST":
        status = 422
    sheet = ballot_sheet(site.cycle, area.id) if site.cycle.current_phase == Phase.VOTING else None
    return render_template(
        "channels/paper_ballot.html",
        cycle=site.cycle,
        site=site,
        form=form,
        areas=areas,
        area=area,
        sheet=sheet,
        error=error,
    ), status


@bp.route("/officer/paper/<slug>/sites/<int:site_id>/import", methods=["GET", "POST"])
@officer_required
def paper_import(slug: str, site_id: int) -> ResponseReturnValue:
    site = _site(slug, site_id)
    form, status, errors = ImportForm(), 200, []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = paper.start_paper_import(
                site.cycle,
                site,
                upload.filename or "upload.csv",
                upload.read(),
                current_user._get_current_object(),
            )
        except DomainError as exc:
            errors = [refused(exc, "paper.import")] + list(exc.extra.get("errors", []))
            status = exc.status
        else:
            if job.state is JobStatus.DONE:  # ran in the request (development)
                flash(
                    ngettext(
                        "Imported %(n)s ballot (%(invalid)s invalid).",
                        "Imported %(n)s ballots (%(invalid)s invalid).",
                        job.result["rows"],
                        n=job.result["rows"],
                        invalid=job.result["invalid"],
                    ),
                    "success",
                )
                return redirect(url_for(".paper_sites", slug=slug))
            else:  # queued for a worker: its page shows the progress, then the outcome
                return redirect(url_for("jobs.show", job_id=job.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "channels/paper_import.html", cycle=site.cycle, site=site, form=form, errors=errors
    ), status
