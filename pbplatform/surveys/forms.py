"""Forms: a survey's settings, one question, codes, and the parts around an answer sheet.
The answer sheet itself has one field per item, read by `answers_from_form`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from pbplatform.money import to_minor
from pbplatform.surveys.answers import DONT_KNOW, to_number
from pbplatform.surveys.models import (
    AgeBand,
    AllocationUnit,
    Audience,
    OrgType,
    QuestionKind,
    Survey,
    SurveyItem,
    SurveyKind,
    SurveyQuestion,
)
from pbplatform.surveys.services import Attributes, ItemInput, QuestionInput
from pbplatform.surveys.stats import exact_text


def options(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in pairs]


class SurveyForm(FlaskForm):
    kind = SelectField(
        _l("Kind of survey"),
        choices=lambda: options(
            [
                (k.value, k.label)
                for k in (SurveyKind.STANDARD, SurveyKind.SIMULATOR, SurveyKind.EVALUATION)
            ]
        ),
        default=SurveyKind.STANDARD,
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_de = StringField(_l("Title in German"), validators=[Optional(), Length(max=200)])
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=5000)])
    introduction_de = TextAreaField(_l("Introduction in German"), validators=[Length(max=5000)])
    audience = SelectField(
        _l("Who may answer"),
        choices=lambda: options(Audience.choices()),
        default=Audience.RESIDENTS,
    )
    area_id = SelectField(_l("Area"), coerce=int, default=0)
    opens_at = DateTimeLocalField(_l("Opens (UTC; empty: now)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes (UTC; empty: stays open)"), validators=[Optional()])
    hide_results_until_close = BooleanField(
        _l("Hide the results until the survey closes"), default=True
    )
    asks_attributes = BooleanField(
        _l("Ask optional respondent attributes (organisation type, role, area, age band)")
    )


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Type of question"),
        choices=lambda: options(QuestionKind.choices()),
        default=QuestionKind.ALLOCATION,
    )
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    text_de = TextAreaField(_l("Question in German"), validators=[Optional(), Length(max=2000)])
    items = TextAreaField(
        _l(
            "Items, criteria or options, one per line: English | German | minimum | maximum "
            "| today's budget (budget simulator)"
        ),
        validators=[Length(max=20000)],
    )
    unit = SelectField(
        _l("Unit of the total (allocation)"),
        choices=lambda: options(AllocationUnit.choices()),
        default=AllocationUnit.PERCENT,
    )
    total = StringField(_l("Total to spread (allocation; money in major units, e.g. 2000000)"))
    scale_max = IntegerField(
        _l("Highest point of the rating scale"), default=5, validators=[NumberRange(2, 10)]
    )
    allow_dont_know = BooleanField(_l("Offer “don't know” (rating)"), default=True)
    max_length = IntegerField(
        _l("Longest answer in characters (free text)"),
        default=1000,
        validators=[NumberRange(1, 10000)],
    )
    required = BooleanField(_l("An answer is required"), default=True)
    is_cut = BooleanField(_l("The money total is a cut to spread (budget simulator)"))

    def validate_total(self, field: Any) -> None:
        if self.kind.data == QuestionKind.ALLOCATION and to_number(field.data) in (
            None,
            Decimal(0),
        ):
            raise ValidationError(_l("Enter the total as a number above 0, like 100 or 2.5."))

    def to_input(self) -> QuestionInput:
        kind = QuestionKind(self.kind.data)
        unit = AllocationUnit(self.unit.data) if kind == QuestionKind.ALLOCATION else None
        total = to_number(self.total.data) if unit else None
        if unit == AllocationUnit.MONEY and total is not None:
            total = Decimal(to_minor(total))
        return QuestionInput(
            kind=kind,
            text=self.text.data,
            text_de=self.text_de.data or None,
            items=parse_items(self.items.data or "", unit),
            required=self.required.data,
            unit=unit,
            total=total,
            scale_max=self.scale_max.data or 5,
            allow_dont_know=self.allow_dont_know.data,
            max_length=self.max_length.data or 1000,
            is_cut=self.is_cut.data and unit == AllocationUnit.MONEY,
        )

    def validate_items(self, field: Any) -> None:
        try:
            parse_items(field.data or "", None)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


# Complexity: each item line has optional parts (German text, minimum, maximum, today's budget),
# each checked with its own message.
def parse_items(text: str, unit: AllocationUnit | None) -> list[ItemInput]:
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", "", ""]
        limits: list[Decimal | None] = []
        for raw in parts[2:5]:
            if not raw:
                limits.append(None)
                continue
            number = to_number(raw)
            if number is None:
                raise ValueError(
                    str(
                        _l(
                            "Line %(n)s: the minimum, maximum and today's budget must be numbers.",
                            n=n,
                        )
                    )
                )
            limits.append(Decimal(to_minor(number)) if unit == AllocationUnit.MONEY else number)
        baseline = limits[2] if unit == AllocationUnit.MONEY else None
        items.append(
            ItemInput(
                parts[0][:300],
                parts[1][:300] or None,
                limits[0],
                limits[1],
                int(baseline) if baseline is not None else None,
            )
        )
    return items


def _shown_number(value: Decimal | int | None, money: bool) -> str:
    """A stored amount as the question form takes it (money in major units)."""
    if value is None:
        return ""
    return exact_text(Decimal(value) / 100 if money else Decimal(value))


def _item_line(item: SurveyItem, money: bool) -> str:
    parts = [
        item.text,
        item.text_de or "",
        _shown_number(item.min_value, money),
        _shown_number(item.max_value, money),
        _shown_number(item.baseline_minor, money),
    ]
    while parts and not parts[-1]:
        parts.pop()
    return " | ".join(parts)


def question_form_data(q: SurveyQuestion) -> dict[str, Any]:
    """The question as stored, in the question form's fields (to edit it)."""
    money = q.unit == AllocationUnit.MONEY
    return {
        "kind": q.kind,
        "text": q.text,
        "text_de": q.text_de or "",
        "items": "\n".join(_item_line(i, money) for i in q.items),
        "unit": q.unit or AllocationUnit.PERCENT,
        "total": _shown_number(q.total, money),
        "scale_max": q.scale_max,
        "allow_dont_know": q.allow_dont_know,
        "max_length": q.max_length,
        "required": q.required,
        "is_cut": q.is_cut,
    }


class InviteForm(FlaskForm):
    area_id = SelectField(_l("Followers of the area"), coerce=int, default=0)
    cycle_followers = BooleanField(_l("Followers of the survey's citizens' budget"))


class CodesForm(FlaskForm):
    count = IntegerField(_l("How many codes"), validators=[DataRequired(), NumberRange(1, 50_000)])
    label = StringField(
        _l("Label of the batch (e.g. letters to Block C)"), validators=[Length(max=120)]
    )


class AnswerForm(FlaskForm):
    """The fixed fields around the answer sheet (CSRF, attributes); the items come from
    `answers_from_form`."""

    org_type = SelectField(
        _l("Type of organisation (optional)"),
        choices=lambda: options([("", "—"), *OrgType.choices()]),
        default="",
    )
    role = StringField(_l("Your role (optional)"), validators=[Length(max=80)])
    area_id = SelectField(_l("Area (optional)"), coerce=int, default=0)
    age_band = SelectField(
        _l("Age band (optional)"),
        choices=lambda: options([("", "—"), *AgeBand.choices()]),
        default="",
    )

    def attributes(self) -> Attributes:
        return Attributes(
            self.org_type.data or None,
            self.role.data,
            self.area_id.data or None,
            self.age_band.data or None,
        )


class CodeAnswerForm(AnswerForm):
    code = StringField(_l("Your survey code"), validators=[DataRequired(), Length(max=40)])


class PaperAnswerForm(AnswerForm):
    paper_ref = StringField(
        _l("Number of the paper form"), validators=[DataRequired(), Length(max=40)]
    )


class NamedAnswerForm(AnswerForm):
    respondent_label = StringField(
        _l("Respondent (name and organisation, e.g. Surrey CC – senior commissioner)"),
        validators=[DataRequired(), Length(max=160)],
    )
    consent_to_name = BooleanField(
        _l("The respondent agreed to be shown by name in the published results")
    )
    respondent_email = StringField(
        _l("The respondent's account (e-mail address, optional)"),
        description=_l(
            "Links the answer to their account, so it is in their personal-data download and "
            "goes when the account is erased. Only accounts in your areas are found."
        ),
        validators=[Optional(), Length(max=254)],
    )


def field_name(question_id: int, item_id: int | None = None) -> str:
    return f"q{question_id}" if item_id is None else f"q{question_id}-{item_id}"


# Complexity: one branch per question type to read its inputs from the posted form.
def answers_from_form(
    survey: Survey, form: MultiDict[str, str], money_minor: bool = True
) -> dict[str, Any]:
    """The API's answer shape from the sheet's fields (money typed in major units)."""
    raw: dict[str, Any] = {}
    for q in survey.questions:
        if q.kind in (QuestionKind.ALLOCATION, QuestionKind.RATING):
            values: dict[str, Any] = {}
            for i in q.items:
                typed = (form.get(field_name(q.id, i.id)) or "").strip()
                if typed and q.is_money and money_minor:
                    number = to_number(typed)
                    typed = str(to_minor(number)) if number is not None else typed
                values[str(i.id)] = typed if typed != DONT_KNOW else DONT_KNOW
            raw[str(q.id)] = values
        elif q.kind == QuestionKind.MULTIPLE:
            raw[str(q.id)] = form.getlist(field_name(q.id))
        else:
            raw[str(q.id)] = form.get(field_name(q.id), "")
    return raw


def sheet_values(survey: Survey, raw: dict[str, Any]) -> dict[str, Any]:
    """Field name -> value, to show a sheet again as it was typed (or as stored)."""
    shown: dict[str, Any] = {}
    for q in survey.questions:
        value = raw.get(str(q.id))
        if isinstance(value, dict):
            for item_id, v in value.items():
                if v is not None and q.is_money and v not in ("", DONT_KNOW):
                    number = to_number(v)
                    v = format(Decimal(int(number)) / 100, "f") if number is not None else v
                shown[field_name(q.id, int(item_id))] = "" if v is None else str(v)
        elif value is not None:
            shown[field_name(q.id)] = value
    return shown


class NamedSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET) changes nothing

    name = StringField(_l("Name as entered with the answers"), validators=[Length(max=160)])


class NamedEraseForm(FlaskForm):
    confirm = BooleanField(
        _l("The person's identity and request have been checked."),
        validators=[DataRequired(message=_l("Tick this box to confirm."))],
    )


class NamedLinkForm(NamedEraseForm):
    email = StringField(
        _l("E-mail of the respondent's account"), validators=[DataRequired(), Length(max=254)]
    )


class SurveyWordingForm(FlaskForm):
    """A survey's title and introduction: wording, editable after people answered."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    title_de = StringField(_l("Title in German"), validators=[Optional(), Length(max=200)])
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=5000)])
    introduction_de = TextAreaField(_l("Introduction in German"), validators=[Length(max=5000)])
