"""Residents: the list of open surveys, answering online or with a code, and the results."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.channels.csvsafe import csv_response
from pbplatform.errors import DomainError
from pbplatform.security.access import login_required, public
from pbplatform.surveys import queries, services
from pbplatform.surveys.codes import redeem_code
from pbplatform.surveys.export import results_csv_rows
from pbplatform.surveys.forms import AnswerForm, CodeAnswerForm, answers_from_form
from pbplatform.surveys.models import Survey
from pbplatform.surveys.views import bp
from pbplatform.surveys.views.common import prepare, render_sheet, results_context


@bp.get("/surveys")
@public
def index() -> ResponseReturnValue:
    return render_template("surveys/index.html", surveys=queries.open_surveys(current_user))


@bp.get("/surveys/<int:survey_id>")
@public
def show(survey_id: int) -> ResponseReturnValue:
    survey = queries.survey_or_404(survey_id)
    may = current_user.is_authenticated and services.may_answer_online(survey, current_user)
    own = queries.own_response(survey, current_user) if current_user.is_authenticated else None
    form = prepare(AnswerForm(obj=own))
    return render_sheet(
        "surveys/show.html",
        survey,
        form,
        queries.response_raw(survey, own),
        may_answer=may and survey.is_open(),
        own=own,
    )


@bp.post("/surveys/<int:survey_id>")
@login_required
def answer(survey_id: int) -> ResponseReturnValue:
    survey = queries.survey_or_404(survey_id)
    form = prepare(AnswerForm())
    raw = answers_from_form(survey, request.form)
    own = queries.own_response(survey, current_user)
    context: dict[str, Any] = {"may_answer": True, "own": own}
    if not form.validate():
        return render_sheet("surveys/show.html", survey, form, raw, status=422, **context)
    if "check" in request.form:  # no JavaScript: the server shows the running totals
        return render_sheet("surveys/show.html", survey, form, raw, checking=True, **context)
    try:
        services.respond_online(survey, current_user, raw, form.attributes())
    except DomainError as exc:
        return render_sheet(
            "surveys/show.html", survey, form, raw, exc, status=exc.status, **context
        )
    flash(
        _("Thank you: your answer is saved. You can change it until the survey closes."), "success"
    )
    return redirect(url_for("surveys.show", survey_id=survey.id), 303)


@bp.route("/surveys/<int:survey_id>/code", methods=["GET", "POST"])
@public
def answer_with_code(survey_id: int) -> ResponseReturnValue:
    survey = queries.survey_or_404(survey_id)
    form = prepare(CodeAnswerForm())
    if request.method == "GET":
        return render_sheet("surveys/code.html", survey, form, {})
    raw = answers_from_form(survey, request.form)
    if not form.validate():
        return render_sheet("surveys/code.html", survey, form, raw, status=422)
    if "check" in request.form:
        return render_sheet("surveys/code.html", survey, form, raw, checking=True)
    try:
        redeem_code(survey, form.code.data, raw, form.attributes())
    except DomainError as exc:
        if exc.code in ("invalid_code", "code_used"):
            form.code.errors = [exc.message]
        return render_sheet("surveys/code.html", survey, form, raw, exc, status=exc.status)
    flash(_("Thank you: your answer is saved."), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id), 303)


def _visible(survey_id: int) -> Survey:
    survey = queries.survey_or_404(survey_id)
    if not queries.results_visible(survey, current_user):
        raise DomainError(
            "results_hidden", _("The results are shown once the survey has closed."), status=403
        )
    return survey


@bp.get("/surveys/<int:survey_id>/results")
@public
def results(survey_id: int) -> ResponseReturnValue:
    survey = _visible(survey_id)
    return render_template("surveys/results.html", survey=survey, **results_context(survey))


@bp.get("/surveys/<int:survey_id>/results.csv")
@public
def results_csv(survey_id: int) -> ResponseReturnValue:
    survey = _visible(survey_id)
    rows = results_csv_rows(queries.survey_results(survey))
    return csv_response(rows, f"survey-{survey.id}-results.csv")
