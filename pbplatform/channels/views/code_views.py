"""Voting codes: administrators generate batches; holders vote with a code (public)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.channels import codes
from pbplatform.channels.csvsafe import csv_response
from pbplatform.channels.forms import CodeBatchForm, CodeForm
from pbplatform.channels.views import bp
from pbplatform.channels.views.common import area_choices, refused
from pbplatform.cycles.models import Phase
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.errors import DomainError
from pbplatform.extensions import limiter
from pbplatform.security.access import admin_required, public
from pbplatform.voting.forms import form_values, selections_from_form
from pbplatform.voting.services import ballot_sheet, check_ballot

CODE_LIMIT = "20 per hour"


@bp.route("/admin/codes/<slug>", methods=["GET", "POST"])
@admin_required
def code_batches(slug: str) -> ResponseReturnValue:
    cycle = cycle_or_404(slug)
    form = CodeBatchForm()
    form.area_id.choices = area_choices(cycle, _("The holder chooses"))
    status = 200
    if form.validate_on_submit():
        try:
            batch, plain = codes.generate_codes(
                cycle,
                form.count.data,
                form.label.data,
                form.area_id.data or None,
                actor=current_user,
            )
        except DomainError as exc:
            form.form_errors.append(refused(exc, "codes.generate"))
            status = exc.status
        else:
            # The only copy of the codes: this response. They are not stored in plain text.
            return csv_response(
                codes.code_rows(cycle, batch, plain),
                f"voting-codes-{cycle.id}-batch-{batch.id}.csv",
            )
    elif request.method == "POST":
        status = 422
    return render_template(
        "channels/code_batches.html", cycle=cycle, form=form, batches=codes.batch_stats(cycle)
    ), status


def _code_page(
    form: CodeForm, status: int = 200, error: str | None = None, **context: object
) -> ResponseReturnValue:
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
        if cycle.current_phase != Phase.VOTING:
            raise DomainError("voting_closed", _("Voting is not open in this cycle."), status=409)
        area_id = code.area_id or request.form.get("area_id", type=int)
        if area_id is None:
            return _code_page(form, cycle=cycle, choose_area=True)
        area_id = codes.code_area(cycle, code, area_id)
        sheet = ballot_sheet(cycle, area_id)
    except DomainError as exc:
        return _code_page(form, exc.status, refused(exc, "code.lookup"))
    return _code_page(form, cycle=cycle, sheet=sheet, area_id=area_id)


@bp.post("/vote/code/review")
@public
@limiter.limit(CODE_LIMIT)
def vote_code_review() -> ResponseReturnValue:
    """The same review step as the online ballot: choices and amounts, then "Cast" or "Change".
    Nothing is stored and the code stays unused until "Cast my ballot"."""
    form = CodeForm()
    if not form.validate_on_submit():
        return _code_page(form, 422)
    pairs = selections_from_form(request.form)
    try:
        code = codes.find_code(form.code.data)
        cycle = code.batch.cycle
        if cycle.current_phase != Phase.VOTING:
            raise DomainError("voting_closed", _("Voting is not open in this cycle."), status=409)
        area_id = codes.code_area(cycle, code, request.form.get("area_id", type=int))
        sheet = ballot_sheet(cycle, area_id)
    except DomainError as exc:
        return _code_page(CodeForm(formdata=None), exc.status, refused(exc, "code.lookup"))
    context = {"cycle": cycle, "sheet": sheet, "area_id": area_id, "values": form_values(pairs)}
    if request.form.get("step") in ("change", "total"):
        return _code_page(form, **context)
    try:
        ballot = check_ballot(cycle, area_id, pairs)
    except DomainError as exc:
        return _code_page(form, exc.status, exc.message, **context)
    return render_template(
        "voting/review.html",
        cycle=cycle,
        sheet=sheet,
        ballot=ballot,
        form=form,
        cast_action=url_for("channels.vote_code_cast"),
        change_action=url_for("channels.vote_code_review"),
        hidden={"code": form.code.data, "area_id": area_id},
    )


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
        message = refused(exc, "code.cast")
        if exc.code in (
            "invalid_code",
            "code_used",
            "voting_closed",
            "choose_area",
            "invalid_area",
        ):
            return _code_page(CodeForm(formdata=None), exc.status, message)
        code = codes.find_code(form.code.data)
        cycle = code.batch.cycle
        sheet = ballot_sheet(cycle, codes.code_area(cycle, code, area_id))
        values = form_values(selections_from_form(request.form))
        return _code_page(
            form, exc.status, message, cycle=cycle, sheet=sheet, area_id=area_id, values=values
        )
    return render_template("channels/code_voted.html", cycle=cycle)
