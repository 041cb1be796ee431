"""Results as the API's JSON and as CSV rows (written formula-safe by channels.csvsafe).
Numbers are exact decimal strings (stats.exact_text), never floats."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from pbplatform.surveys.models import QuestionKind
from pbplatform.surveys.queries import QuestionResult, SurveyResults
from pbplatform.surveys.stats import exact_text


def _item(q: QuestionResult, i: Any) -> dict[str, Any]:
    s = i.summary
    body: dict[str, Any] = {"id": i.item.id, "text": i.item.text}
    if q.question.kind == QuestionKind.ALLOCATION:
        body.update(
            sum=exact_text(s.sum),
            mean=exact_text(s.mean),
            median=exact_text(s.median),
            min=exact_text(s.minimum),
            max=exact_text(s.maximum),
            spread=exact_text(s.spread),
        )
    elif q.question.kind == QuestionKind.RATING:
        body.update(
            distribution=i.rating_distribution,
            mean=None if i.rating_mean is None else exact_text(i.rating_mean),
        )
    else:
        body["chosen"] = i.chosen
    return body


def results_json(results: SurveyResults) -> dict[str, Any]:
    questions = []
    for q in results.questions:
        questions.append(
            {
                "id": q.question.id,
                "type": q.question.kind,
                "text": q.question.text,
                "unit": q.question.unit,
                "total": None if q.question.total is None else exact_text(q.question.total),
                "count": q.count,
                "items": [_item(q, i) for i in q.items],
                # Only named respondents who agreed to be shown: their owners can check them.
                "responses": [
                    {
                        "label": c.label,
                        "values": {str(k): exact_text(v) for k, v in c.values.items()},
                    }
                    for c in q.columns
                    if c.named
                ],
            }
        )
    return {"id": results.survey.id, "count": results.count, "questions": questions}


# Complexity: one row shape per question type (allocation, rating, choice, text), written in page
# order.
def results_csv_rows(results: SurveyResults) -> list[list[str]]:
    """Per allocation question the councils' table: an item per row, a column per respondent
    (named with consent, else numbered) and the average; then the other questions' figures."""
    rows: list[list[str]] = []
    for q in results.questions:
        rows.append([q.question.text, _("responses: %(n)s", n=q.count)])
        if q.question.kind == QuestionKind.ALLOCATION:
            rows.append(
                [_("Item"), *[c.label for c in q.columns], _("Average"), _("Sum"), _("Median")]
            )
            for i in q.items:
                rows.append(
                    [
                        i.item.text,
                        *[exact_text(c.values.get(i.item.id, 0)) for c in q.columns],
                        exact_text(i.summary.mean),
                        exact_text(i.summary.sum),
                        exact_text(i.summary.median),
                    ]
                )
        elif q.question.kind == QuestionKind.RATING:
            scale = [str(n) for n in range(1, q.question.scale_max + 1)]
            rows.append([_("Criterion"), *scale, _("Don't know"), _("Mean rating")])
            for i in q.items:
                dist = i.rating_distribution or {}
                mean = "" if i.rating_mean is None else exact_text(i.rating_mean)
                rows.append(
                    [
                        i.item.text,
                        *[str(dist.get(s, 0)) for s in scale],
                        str(dist.get("dont_know", 0)),
                        mean,
                    ]
                )
        elif q.question.kind == QuestionKind.TEXT:
            rows += [[t] for t in q.texts]
        else:
            rows.append([_("Option"), _("Chosen by")])
            rows += [[i.item.text, str(i.chosen)] for i in q.items]
        rows.append([])
    return rows
