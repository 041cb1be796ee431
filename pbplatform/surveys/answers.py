"""Reading and checking one response's answers against its survey's rules.

Raw answers come from the API (`{"12": {"40": "30", "41": 2.5}}`) or from the web form (the
same shape, built by forms.answers_from_form). `check_answers` returns the clean answers or a
list of errors `{"field", "message", "rule"}` that name the amounts; nothing is stored here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from pbplatform.i18n import plural_count
from pbplatform.money import format_money
from pbplatform.surveys.models import PLACES, AllocationUnit, QuestionKind, Survey, SurveyQuestion
from pbplatform.surveys.stats import exact_text

DONT_KNOW = "dont_know"
MAX_NUMBER = Decimal(10) ** 15

# question id -> {item id: Decimal | None} (allocation, rating), item id (single choice),
# [item ids] (multiple choice) or text (free text).
Answers = dict[int, Any]


@dataclass
class Checked:
    answers: Answers = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def refuse(self, field_name: str, rule: str, message: str) -> None:
        self.errors.append({"field": field_name, "rule": rule, "message": message})


def amount_text(question: SurveyQuestion, value: Decimal, currency: str = "EUR") -> str:
    """An amount in the question's unit, as the refusal names it."""
    if question.unit == AllocationUnit.MONEY:
        return format_money(int(value), currency)
    if question.unit == AllocationUnit.PERCENT:
        return f"{exact_text(value)} %"
    return ngettext("%(n)s point", "%(n)s points", plural_count(value), n=exact_text(value))


def to_number(raw: Any) -> Decimal | None:
    """A non-negative decimal from a JSON number or a decimal string ("2.5", "2,5"); None if
    it is not one, has more than PLACES decimals or is absurdly large."""
    if isinstance(raw, bool) or raw is None:
        return None
    text = str(raw).strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value >= MAX_NUMBER:
        return None
    if value != value.quantize(Decimal(1).scaleb(-PLACES)):
        return None
    return value


def _ids(raw: Any) -> int | None:
    try:
        return int(str(raw))
    except ValueError:
        return None


def check_answers(survey: Survey, raw: dict[str, Any], currency: str = "EUR") -> Checked:
    result = Checked()
    by_id = {q.id: q for q in survey.questions}
    for key in raw:
        if _ids(key) not in by_id:
            result.refuse(
                f"answers.{key}", "unknown_question", _("is not a question of this survey")
            )
    for q in survey.questions:
        value = raw.get(str(q.id), raw.get(q.id))  # type: ignore[call-overload]
        empty = value in (None, "", [], {}) or (
            isinstance(value, dict) and all(v in (None, "") for v in value.values())
        )
        if empty:
            if q.required:
                result.refuse(f"answers.{q.id}", "required", _("Please answer this question."))
            continue
        CHECKERS[QuestionKind(q.kind)](q, value, result, currency)
    return result


def _item_values(q: SurveyQuestion, value: Any, result: Checked) -> dict[int, Any] | None:
    if not isinstance(value, dict):
        result.refuse(f"answers.{q.id}", "not_items", _("must give a value per item"))
        return None
    items = {i.id for i in q.items}
    out: dict[int, Any] = {}
    for key, v in value.items():
        item_id = _ids(key)
        if item_id not in items:
            result.refuse(
                f"answers.{q.id}.{key}", "unknown_item", _("is not an item of this question")
            )
            continue
        out[item_id] = v
    return out


# Complexity: one check per allocation rule (number, not negative, minimum, maximum, known item,
# exact total), each refusal naming the amounts.
def _allocation(q: SurveyQuestion, value: Any, result: Checked, currency: str) -> None:
    raw = _item_values(q, value, result)
    if raw is None:
        return
    shares: dict[int, Decimal] = {}
    for item in q.items:
        given = raw.get(item.id)
        if given in (None, ""):
            shares[item.id] = Decimal(0)
            continue
        number = to_number(given)
        if number is None or (q.unit == AllocationUnit.MONEY and number != int(number)):
            result.refuse(
                f"answers.{q.id}.{item.id}",
                "not_a_number",
                _(
                    "“%(item)s”: enter a number of at most %(places)s decimals, 0 or more.",
                    item=item.shown_text,
                    places=0 if q.unit == AllocationUnit.MONEY else PLACES,
                ),
            )
            continue
        shares[item.id] = number
        if item.min_value is not None and number < item.min_value:
            result.refuse(
                f"answers.{q.id}.{item.id}",
                "below_minimum",
                _(
                    "“%(item)s”: %(given)s is below the minimum of %(limit)s.",
                    item=item.shown_text,
                    given=amount_text(q, number, currency),
                    limit=amount_text(q, item.min_value, currency),
                ),
            )
        if item.max_value is not None and number > item.max_value:
            result.refuse(
                f"answers.{q.id}.{item.id}",
                "above_maximum",
                _(
                    "“%(item)s”: %(given)s is above the maximum of %(limit)s.",
                    item=item.shown_text,
                    given=amount_text(q, number, currency),
                    limit=amount_text(q, item.max_value, currency),
                ),
            )
    total = sum(shares.values(), Decimal(0))
    assert q.total is not None
    if len(shares) == len(q.items) and total != q.total:
        result.refuse(
            f"answers.{q.id}",
            "total_mismatch",
            _(
                "The amounts add up to %(total)s, but they must add up to exactly %(expected)s "
                "(%(difference)s %(direction)s).",
                total=amount_text(q, total, currency),
                expected=amount_text(q, q.total, currency),
                difference=amount_text(q, abs(q.total - total), currency),
                direction=_("too little") if total < q.total else _("too much"),
            ),
        )
    result.answers[q.id] = shares


def _rating(q: SurveyQuestion, value: Any, result: Checked, currency: str) -> None:
    raw = _item_values(q, value, result)
    if raw is None:
        return
    ratings: dict[int, Decimal | None] = {}
    for item_id, given in raw.items():
        if given in (None, ""):
            continue
        if given == DONT_KNOW and q.allow_dont_know:
            ratings[item_id] = None
            continue
        number = to_number(given)
        if number is None or number != int(number) or not 1 <= number <= q.scale_max:
            result.refuse(
                f"answers.{q.id}.{item_id}",
                "rating_range",
                _("must be a whole number from 1 to %(max)s", max=q.scale_max)
                + (_(" or “don't know”") if q.allow_dont_know else ""),
            )
            continue
        ratings[item_id] = number
    result.answers[q.id] = ratings


def _single(q: SurveyQuestion, value: Any, result: Checked, currency: str) -> None:
    item_id = _ids(value)
    if item_id not in {i.id for i in q.items}:
        result.refuse(f"answers.{q.id}", "unknown_option", _("is not an option of this question"))
        return
    result.answers[q.id] = item_id


def _multiple(q: SurveyQuestion, value: Any, result: Checked, currency: str) -> None:
    values = value if isinstance(value, list) else [value]
    ids = [_ids(v) for v in values]
    options = {i.id for i in q.items}
    if any(i not in options for i in ids):
        result.refuse(f"answers.{q.id}", "unknown_option", _("is not an option of this question"))
        return
    result.answers[q.id] = sorted(set(ids))


def _text(q: SurveyQuestion, value: Any, result: Checked, currency: str) -> None:
    if not isinstance(value, str):
        result.refuse(f"answers.{q.id}", "not_text", _("must be text"))
        return
    text = value.strip()
    if len(text) > q.max_length:
        result.refuse(
            f"answers.{q.id}",
            "too_long",
            _(
                "is %(given)s characters long; at most %(max)s are allowed",
                given=len(text),
                max=q.max_length,
            ),
        )
        return
    result.answers[q.id] = text


CHECKERS = {
    QuestionKind.ALLOCATION: _allocation,
    QuestionKind.RATING: _rating,
    QuestionKind.SINGLE: _single,
    QuestionKind.MULTIPLE: _multiple,
    QuestionKind.TEXT: _text,
}


def canonical(answers: Answers) -> dict[str, Any]:
    """JSON-able and comparable: the form two paper entries are compared in."""
    out: dict[str, Any] = {}
    for qid, value in sorted(answers.items()):
        if isinstance(value, dict):
            out[str(qid)] = {
                str(k): (None if v is None else exact_text(v)) for k, v in sorted(value.items())
            }
        else:
            out[str(qid)] = value
    return out
