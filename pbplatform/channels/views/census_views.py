"""Who may vote and how: the public one-vote policy page, the census upload and a resident's
verification against it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from pbplatform.channels import census, meetings, paper
from pbplatform.channels import queries as channel_queries
from pbplatform.channels.forms import CensusUploadForm, VerifyForm
from pbplatform.channels.views import bp
from pbplatform.channels.views.common import refused
from pbplatform.cycles import explain
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.cycles.services import OFFERED_CHANNELS, channel_weight
from pbplatform.errors import DomainError
from pbplatform.security.access import admin_required, login_required, public


@bp.get("/cycles/<slug>/how-to-vote")
@public
def how_to_vote(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    has_codes = channel_queries.has_code_batches(cycle.id)
    return render_template(
        "channels/how_to_vote.html",
        cycle=cycle,
        sites=paper.list_sites(cycle),
        has_codes=has_codes,
        has_meetings=bool(meetings.list_meetings(cycle)),
        weights=[(ch, channel_weight(cycle, ch)) for ch in OFFERED_CHANNELS],
        who_text=explain.explain_who_votes(cycle),
        one_vote_text=explain.explain_one_vote(),
    )


@bp.route("/admin/census/<slug>", methods=["GET", "POST"])
@admin_required
def census_upload(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    form, status, errors = CensusUploadForm(), 200, []
    if form.validate_on_submit():
        try:
            counts = census.upload_census(cycle, form.file.data.read(), actor=current_user)
        except DomainError as exc:
            errors = [refused(exc, "census.upload")] + list(exc.extra.get("errors", []))
            status = exc.status
        else:
            flash(
                ngettext(
                    "Register loaded: %(n)s entry (%(added)s new, %(removed)s removed).",
                    "Register loaded: %(n)s entries (%(added)s new, %(removed)s removed).",
                    counts["entries"],
                    n=counts["entries"],
                    added=counts["added"],
                    removed=counts["removed"],
                ),
                "success",
            )
            return redirect(url_for(".census_upload", slug=slug))
    elif request.method == "POST":
        status = 422
    total, linked = census.census_count(cycle)
    return render_template(
        "channels/census_upload.html",
        cycle=cycle,
        form=form,
        errors=errors,
        total=total,
        linked=linked,
    ), status


@bp.route("/cycles/<slug>/verify", methods=["GET", "POST"])
@login_required
def census_verify(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    form, status = VerifyForm(), 200
    entry = census.entry_for_user(cycle, current_user)
    if entry is None and form.validate_on_submit():
        try:
            census.verify_resident(
                cycle, current_user, form.identifier.data, form.birth_date.data, form.postcode.data
            )
        except DomainError as exc:
            form.form_errors.append(refused(exc, "census.verify"))
            status = exc.status
        else:
            flash(_("You are verified for this cycle."), "success")
            return redirect(url_for(".census_verify", slug=slug))
    elif request.method == "POST":
        status = 422 if entry is None else 409
    return render_template(
        "channels/census_verify.html", cycle=cycle, form=form, verified=entry is not None
    ), status
