"""What the answer sheet and the results pages share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue

from pbplatform.errors import DomainError
from pbplatform.surveys.answers import check_answers, to_number
from pbplatform.surveys.charts import allocation_chart
from pbplatform.surveys.forms import AnswerForm, options, sheet_values
from pbplatform.surveys.models import QuestionKind, Survey
from pbplatform.surveys.queries import area_choices, survey_results, wording_days
from pbplatform.surveys.services import currency_of


def prepare(form: AnswerForm) -> AnswerForm:
    form.area_id.choices = options([(0, "—"), *area_choices()])
    return form


def running_totals(survey: Survey, raw: dict[str, Any]) -> dict[int, Decimal]:
    """Per allocation question the total of what was typed (numbers only), for the sheet."""
    totals = {}
    for q in survey.questions:
        if q.kind != QuestionKind.ALLOCATION:
            continue
        values = raw.get(str(q.id)) or {}
        numbers = [to_number(v) for v in values.values()] if isinstance(values, dict) else []
        totals[q.id] = sum((n for n in numbers if n is not None), Decimal(0))
    return totals


def render_sheet(
    template: str,
    survey: Survey,
    form: AnswerForm,
    raw: dict[str, Any],
    error: DomainError | None = None,
    status: int = 200,
    **context: Any,
) -> ResponseReturnValue:
    errors: dict[str, list[str]] = {}
    if error is not None:
        for e in error.extra.get("errors", []):
            errors.setdefault(e["field"].removeprefix("answers."), []).append(e["message"])
    elif raw and context.get("checking"):
        for e in check_answers(survey, raw, currency_of(survey)).errors:
            errors.setdefault(e["field"].removeprefix("answers."), []).append(e["message"])
    return (
        render_template(
            template,
            survey=survey,
            form=form,
            values=sheet_values(survey, raw),
            errors=errors,
            totals=running_totals(survey, raw),
            currency=currency_of(survey),
            **context,
        ),
        status,
    )


def results_context(survey: Survey) -> dict[str, Any]:
    results = survey_results(survey)
    charts = {
        q.question.id: allocation_chart(q, chart_id=f"chart-{q.question.id}")
        for q in results.questions
        if q.question.kind == QuestionKind.ALLOCATION and q.count
    }
    return {
        "results": results,
        "charts": charts,
        "currency": currency_of(survey),
        "wording_days": wording_days(survey),
    }
