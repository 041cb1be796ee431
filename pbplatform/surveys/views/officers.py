"""Officers and admins: creating surveys and questions, codes, and entering paper forms
(twice, by two officers) and named respondents' answers."""

from __future__ import annotations

from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from pbplatform.channels.csvsafe import csv_response
from pbplatform.errors import DomainError, show_refusal
from pbplatform.security.access import officer_required, require_area
from pbplatform.surveys import editing, invitations, queries, services, wording
from pbplatform.surveys import named as named_respondents
from pbplatform.surveys.codes import code_rows, generate_codes
from pbplatform.surveys.forms import (
    CodesForm,
    InviteForm,
    NamedAnswerForm,
    PaperAnswerForm,
    QuestionForm,
    SurveyForm,
    SurveyWordingForm,
    answers_from_form,
    options,
    question_form_data,
)
from pbplatform.surveys.models import Survey, SurveyQuestion
from pbplatform.surveys.views import bp
from pbplatform.surveys.views.common import prepare, render_sheet


def _managed(survey_id: int) -> Survey:
    survey = queries.survey_or_404(survey_id)
    require_area(survey.area_id)
    return survey


def _survey_form() -> SurveyForm:
    form = SurveyForm()
    form.area_id.choices = options(
        [(0, _("None (district-wide or standalone)")), *queries.area_choices()]
    )
    return form


@bp.get("/officer/surveys")
@officer_required
def officer_list() -> ResponseReturnValue:
    return render_template(
        "surveys/officer_list.html", surveys=queries.managed_surveys(current_user)
    )


# Complexity: a view: the survey form's three outcomes (shown, refused beside the fields, saved) for
# each kind of survey.
@bp.route("/officer/surveys/new", methods=["GET", "POST"])
@officer_required
def new() -> ResponseReturnValue:
    form = _survey_form()
    if request.method == "GET" or not form.validate():
        status = 422 if request.method == "POST" else 200
        return render_template("surveys/new.html", form=form), status
    area_id = form.area_id.data or None
    require_area(area_id)
    fields = {
        "kind": form.kind.data,
        "title": form.title.data,
        "title_de": form.title_de.data or None,
        "introduction": form.introduction.data or "",
        "introduction_de": form.introduction_de.data or None,
        "audience": form.audience.data,
        "area_id": area_id,
        "closes_at": form.closes_at.data.replace(tzinfo=UTC) if form.closes_at.data else None,
        "hide_results_until_close": form.hide_results_until_close.data,
        "asks_attributes": form.asks_attributes.data,
    }
    if form.opens_at.data:
        fields["opens_at"] = form.opens_at.data.replace(tzinfo=UTC)
    try:
        survey = services.create_survey(current_user, **fields)
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return render_template("surveys/new.html", form=form), exc.status
    return redirect(url_for("surveys.manage", survey_id=survey.id), 303)


def _invite_form(formdata: bool = True) -> InviteForm:
    form = InviteForm() if formdata else InviteForm(formdata=None)
    form.area_id.choices = options([(0, _("None")), *queries.area_choices()])
    return form


def _manage_page(
    survey: Survey,
    qform: QuestionForm | None = None,
    status: int = 200,
    invite_form: InviteForm | None = None,
) -> ResponseReturnValue:
    if invite_form is None:
        invite_form = _invite_form(formdata=False)
        invite_form.area_id.data = survey.area_id or 0
    return (
        render_template(
            "surveys/manage.html",
            survey=survey,
            invite_form=invite_form,
            qform=qform or QuestionForm(formdata=None),
            codes_form=CodesForm(formdata=None),
            batches=queries.code_batches(survey),
            waiting=queries.paper_entries_waiting(survey),
            count=queries.response_count(survey),
            changes=queries.wording_changes(survey),
        ),
        status,
    )


@bp.get("/officer/surveys/<int:survey_id>")
@officer_required
def manage(survey_id: int) -> ResponseReturnValue:
    return _manage_page(_managed(survey_id))


@bp.post("/officer/surveys/<int:survey_id>/questions")
@officer_required
def add_question(survey_id: int) -> ResponseReturnValue:
    survey = _managed(survey_id)
    form = QuestionForm()
    if not form.validate():
        return _manage_page(survey, form, 422)
    try:
        services.add_question(survey, form.to_input())
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return _manage_page(survey, form, exc.status)
    flash(_("Question added."), "success")
    return redirect(url_for("surveys.manage", survey_id=survey.id), 303)


def _edit_page(survey: Survey, question: SurveyQuestion, form: QuestionForm, status: int = 200):  # noqa: ANN202
    return render_template(
        "surveys/edit_question.html",
        survey=survey,
        question=question,
        form=form,
        answered=queries.is_answered(survey),
        changes=queries.wording_changes(survey, question.id),
    ), status


@bp.route(
    "/officer/surveys/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"]
)
@officer_required
def edit_question(survey_id: int, question_id: int) -> ResponseReturnValue:
    """Change a question; once people have answered, only its wording (surveys.editing)."""
    survey = _managed(survey_id)
    question = queries.question_or_404(survey, question_id)
    if request.method == "GET":
        return _edit_page(
            survey, question, QuestionForm(formdata=None, **question_form_data(question))
        )
    form = QuestionForm()
    if not form.validate():
        return _edit_page(survey, question, form, 422)
    try:
        made = editing.edit_question(question, current_user, form.to_input())
    except DomainError as exc:
        show_refusal(form, exc)  # at the top, and beside each field it names
        return _edit_page(survey, question, form, exc.status)
    flash(
        _("Wording changed: the change is shown with the results.")
        if made
        else _("Question saved."),
        "success",
    )
    return redirect(url_for("surveys.manage", survey_id=survey.id), 303)


@bp.route("/officer/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_survey(survey_id: int) -> ResponseReturnValue:
    """Change the survey's title and introduction; kept in the wording history once people
    have answered (surveys.wording)."""
    survey = _managed(survey_id)
    page = "surveys/edit_survey.html"
    if request.method == "GET":
        form = SurveyWordingForm(formdata=None, obj=survey)
        return render_template(page, survey=survey, form=form, answered=queries.is_answered(survey))
    form = SurveyWordingForm()
    if not form.validate():
        return render_template(page, survey=survey, form=form, answered=True), 422
    try:
        made = wording.edit_wording(
            survey,
            current_user,
            wording.SurveyWording(
                form.title.data or "",
                form.title_de.data,
                form.introduction.data or "",
                form.introduction_de.data,
            ),
        )
    except DomainError as exc:
        show_refusal(form, exc)
        return render_template(page, survey=survey, form=form, answered=True), exc.status
    flash(
        _("Wording changed: the change is shown with the results.") if made else _("Survey saved."),
        "success",
    )
    return redirect(url_for("surveys.manage", survey_id=survey.id), 303)


@bp.post("/officer/surveys/<int:survey_id>/invite")
@officer_required
def invite(survey_id: int) -> ResponseReturnValue:
    """Invite an area's and/or the cycle's followers (surveys.invitations), once each."""
    survey = _managed(survey_id)
    form = _invite_form()
    if not form.validate():
        return _manage_page(survey, status=422, invite_form=form)
    area_id = form.area_id.data or None
    if area_id is not None:
        require_area(area_id)
    try:
        invited = invitations.invite_followers(
            survey, current_user, area_id, form.cycle_followers.data
        )
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return _manage_page(survey, status=exc.status, invite_form=form)
    flash(
        ngettext(
            "%(num)s person invited, letters to post: %(letters)s (nobody is invited twice, "
            "nor who has answered).",
            "%(num)s people invited, letters to post: %(letters)s (nobody is invited twice, "
            "nor who has answered).",
            invited.people,
            letters=invited.letters,
        ),
        "success",
    )
    return redirect(url_for("surveys.manage", survey_id=survey.id), 303)


@bp.post("/officer/surveys/<int:survey_id>/codes")
@officer_required
def codes(survey_id: int) -> ResponseReturnValue:
    survey = _managed(survey_id)
    form = CodesForm()
    if not form.validate():
        return _manage_page(survey, status=422)
    batch, plain = generate_codes(survey, form.count.data, form.label.data or "", current_user)
    return csv_response(code_rows(survey, batch, plain), f"survey-{survey.id}-codes-{batch.id}.csv")


@bp.route("/officer/surveys/<int:survey_id>/paper", methods=["GET", "POST"])
@officer_required
def paper(survey_id: int) -> ResponseReturnValue:
    survey = _managed(survey_id)
    form = prepare(PaperAnswerForm())
    page = "surveys/paper.html"
    if request.method == "GET":
        return render_sheet(page, survey, form, {})
    raw = answers_from_form(survey, request.form)
    if not form.validate():
        return render_sheet(page, survey, form, raw, status=422)
    try:
        outcome = services.enter_paper(
            survey, current_user, form.paper_ref.data, raw, form.attributes()
        )
    except DomainError as exc:
        return render_sheet(page, survey, form, raw, exc, status=exc.status)
    messages = {
        "waiting": _("Form %(ref)s entered. A second officer must enter it too before it counts."),
        "confirmed": _("Form %(ref)s entered twice alike: it counts now."),
        "mismatch": _(
            "Form %(ref)s: your entry differs from the other officer's. "
            "Check the paper and enter it again."
        ),
    }
    flash(
        messages[outcome.status] % {"ref": form.paper_ref.data},
        "error" if outcome.status == "mismatch" else "success",
    )
    return redirect(url_for("surveys.paper", survey_id=survey.id), 303)


@bp.route("/officer/surveys/<int:survey_id>/named", methods=["GET", "POST"])
@officer_required
def named(survey_id: int) -> ResponseReturnValue:
    survey = _managed(survey_id)
    form = prepare(NamedAnswerForm())
    page = "surveys/named.html"
    if request.method == "GET":
        return render_sheet(page, survey, form, {})
    raw = answers_from_form(survey, request.form)
    if not form.validate():
        return render_sheet(page, survey, form, raw, status=422)
    try:
        email = (form.respondent_email.data or "").strip()
        services.enter_named(
            survey,
            current_user,
            form.respondent_label.data,
            raw,
            consent_to_name=form.consent_to_name.data,
            attributes=form.attributes(),
            account=named_respondents.find_account(current_user, email) if email else None,
        )
    except DomainError as exc:
        if exc.code in ("no_such_account", "already_answered"):  # beside the e-mail field
            form.respondent_email.errors = [*form.respondent_email.errors, exc.message]
            return render_sheet(page, survey, form, raw, status=exc.status)
        return render_sheet(page, survey, form, raw, exc, status=exc.status)
    flash(_("The answer of %(name)s is entered.", name=form.respondent_label.data), "success")
    return redirect(url_for("surveys.named", survey_id=survey.id), 303)
