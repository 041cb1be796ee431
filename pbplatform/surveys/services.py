"""Survey use cases: create, add questions, and take responses from every channel.

Functions flush and never commit. Every response goes through `answers.check_answers`; a
refused response raises DomainError naming the rule and stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys import named, queries
from pbplatform.surveys.answers import Answers, canonical, check_answers
from pbplatform.surveys.models import (
    AllocationUnit,
    Audience,
    QuestionKind,
    ResponseChannel,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyPaperEntry,
    SurveyQuestion,
    SurveyResponse,
)


@dataclass
class ItemInput:
    text: str
    text_de: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    baseline_minor: int | None = None


@dataclass
class QuestionInput:
    kind: QuestionKind
    text: str
    text_de: str | None = None
    items: list[ItemInput] = field(default_factory=list)
    required: bool = True
    unit: AllocationUnit | None = None
    total: Decimal | None = None  # money: minor units
    scale_max: int = 5
    allow_dont_know: bool = True
    max_length: int = 1000
    is_cut: bool = False  # budget simulator: the total is a cut spread over the items


@dataclass
class Attributes:
    org_type: str | None = None
    role: str | None = None
    area_id: int | None = None
    age_band: str | None = None


def currency_of(survey: Survey) -> str:
    return survey.cycle.currency if survey.cycle is not None else "EUR"


def create_survey(actor: User | None, questions: list[QuestionInput] = (), **fields: Any) -> Survey:  # type: ignore[assignment]
    """A new survey (fields as the model's columns); open at once unless `opens_at` is given."""
    fields.setdefault("opens_at", utcnow())
    closes: datetime | None = fields.get("closes_at")
    if closes is not None and closes <= fields["opens_at"]:
        raise DomainError("closes_before_opens", _("The survey must close after it opens."))
    if fields.get("audience") == Audience.AREA and fields.get("area_id") is None:
        raise DomainError("area_needed", _("Choose the area whose residents may answer."))
    survey = Survey(created_by_id=actor.id if actor else None, **fields)
    db.session.add(survey)
    db.session.flush()
    for q in questions:
        add_question(survey, q)
    audit.record(
        "survey.create",
        survey,
        actor=actor if actor is not None else audit.SYSTEM,
        area_id=survey.area_id,
        after={"title": survey.title, "kind": survey.kind, "questions": len(questions)},
    )
    return survey


# Complexity: one guard per rule of a question (type, text, items, unit, total, scale, limits), each
# refusal naming it.
def check_question(q: QuestionInput) -> None:
    listed = (QuestionKind.ALLOCATION, QuestionKind.SINGLE, QuestionKind.MULTIPLE)
    if q.kind in listed and len(q.items) < 2:
        raise DomainError("items_needed", _("This kind of question needs at least two items."))
    if q.kind == QuestionKind.RATING and not q.items:
        raise DomainError("items_needed", _("Name at least one criterion to rate."))
    if q.kind != QuestionKind.ALLOCATION:
        return
    if q.unit is None or q.total is None or q.total <= 0:
        raise DomainError(
            "total_needed", _("An allocation question needs a unit and a total above 0.")
        )
    if q.unit == AllocationUnit.MONEY and q.total != int(q.total):
        raise DomainError("total_needed", _("A money total is a whole number of cents."))
    if q.is_cut and q.unit != AllocationUnit.MONEY:
        raise DomainError("cut_needs_money", _("Only a money total can be a cut."))
    minimum = sum((i.min_value or Decimal(0) for i in q.items), Decimal(0))
    if minimum > q.total:
        raise DomainError(
            "minimums_over_total",
            _(
                "The items' minimums (%(sum)s) add up to more than the total (%(total)s).",
                sum=minimum,
                total=q.total,
            ),
        )
    for i in q.items:
        if i.min_value is not None and i.max_value is not None and i.min_value > i.max_value:
            raise DomainError(
                "min_above_max", _("“%(item)s”: the minimum is above the maximum.", item=i.text)
            )


def add_question(survey: Survey, q: QuestionInput) -> SurveyQuestion:
    if has_responses(survey):
        raise DomainError(
            "survey_answered",
            _("People have answered: the questions can no longer change."),
            status=409,
        )
    check_question(q)
    question = SurveyQuestion(
        position=len(survey.questions) + 1, text=q.text, text_de=q.text_de or None
    )
    set_settings(question, q)
    question.items = build_items(q)
    survey.questions.append(question)
    db.session.flush()
    return question


def set_settings(question: SurveyQuestion, q: QuestionInput) -> None:
    """The question's kind and settings as given; an allocation's settings only on one."""
    allocation = q.kind == QuestionKind.ALLOCATION
    question.kind = q.kind
    question.required = q.required
    question.unit = q.unit if allocation else None
    question.total = q.total if allocation else None
    question.scale_max = q.scale_max
    question.allow_dont_know = q.allow_dont_know
    question.max_length = q.max_length
    question.is_cut = cuts(q)


def build_items(q: QuestionInput) -> list[SurveyItem]:
    """The given items as rows."""
    return [
        SurveyItem(
            position=n,
            text=i.text,
            text_de=i.text_de or None,
            min_value=i.min_value,
            max_value=item_maximum(q, i),
            baseline_minor=i.baseline_minor,
        )
        for n, i in enumerate(q.items, 1)
    ]


def cuts(q: QuestionInput) -> bool:
    """The question's total is a cut: only an allocation's can be."""
    return q.is_cut and q.kind == QuestionKind.ALLOCATION


def item_maximum(q: QuestionInput, item: ItemInput) -> Decimal | None:
    """An item's stored maximum: a cut cannot take more from an item than it has today."""
    return cut_limit(item) if cuts(q) else item.max_value


def cut_limit(item: ItemInput) -> Decimal | None:
    limits = [v for v in (item.max_value, item.baseline_minor) if v is not None]
    return Decimal(min(limits)) if limits else None


def has_responses(survey: Survey) -> bool:
    if survey.id is None:
        return False
    stmt = sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id).limit(1)
    return db.session.scalar(stmt) is not None


def ensure_open(survey: Survey) -> None:
    if not survey.is_open():
        raise DomainError("survey_closed", _("This survey is not open for answers."), status=409)


def checked(survey: Survey, raw: dict[str, Any]) -> Answers:
    """The clean answers, or DomainError naming the first broken rule and listing all."""
    result = check_answers(survey, raw, currency_of(survey))
    if result.errors:
        first = result.errors[0]
        raise DomainError(
            first["rule"],
            "; ".join(e["message"] for e in result.errors[:20]),
            errors=result.errors[:100],
        )
    return result.answers


def may_answer_online(survey: Survey, user: User) -> bool:
    if survey.proposal_id is not None and user.id in proposal_people(survey.proposal_id):
        return True  # a co-assessment: the author and the co-producers are invited too
    if survey.audience == Audience.INVITED:
        return False
    if survey.audience == Audience.AREA:
        return user.home_area_id == survey.area_id
    return True


def proposal_people(proposal_id: int) -> set[int]:
    """The author of a proposal and the people whose offers of help on it counted."""
    from pbplatform.coproduction.models import COUNTED_STATUSES, Offer
    from pbplatform.proposals.models import Proposal

    author = db.session.scalar(sa.select(Proposal.author_id).where(Proposal.id == proposal_id))
    offerers = db.session.scalars(
        sa.select(Offer.offerer_id).where(
            Offer.proposal_id == proposal_id, Offer.status.in_(COUNTED_STATUSES)
        )
    )
    return {i for i in (author, *offerers) if i is not None}


def _set_answers(response: SurveyResponse, answers: Answers) -> None:
    response.answers.clear()
    db.session.flush()
    for qid, value in answers.items():
        if isinstance(value, dict):
            rows = [SurveyAnswer(question_id=qid, item_id=i, value=v) for i, v in value.items()]
        elif isinstance(value, list):
            rows = [SurveyAnswer(question_id=qid, item_id=i) for i in value]
        elif isinstance(value, int):
            rows = [SurveyAnswer(question_id=qid, item_id=value)]
        else:
            rows = [SurveyAnswer(question_id=qid, text=value)]
        response.answers.extend(rows)
    response.updated_at = utcnow()
    db.session.flush()


def _apply(response: SurveyResponse, attributes: Attributes | None) -> None:
    if attributes is not None:
        response.org_type = attributes.org_type or None
        response.role = (attributes.role or "").strip() or None
        response.area_id = attributes.area_id
        response.age_band = attributes.age_band or None


def respond_online(
    survey: Survey, user: User, raw: dict[str, Any], attributes: Attributes | None = None
) -> SurveyResponse:
    """The resident's one response, created or replaced (until the close). Concurrent first
    submissions meet the unique (survey_id, user_id) constraint: the loser updates instead."""
    ensure_open(survey)
    if not may_answer_online(survey, user):
        raise DomainError("not_invited", _("This survey is not open to you online."), status=403)
    answers = checked(survey, raw)
    response = queries.own_response(survey, user)
    if response is not None and response.channel == ResponseChannel.NAMED:
        # An officer entered it from the respondent's form: it stays as the form said.
        raise DomainError(
            "entered_by_officer",
            _(
                "An officer entered your answers to this survey from your form; ask the "
                "council to change them."
            ),
            status=409,
        )
    if response is None:
        response = SurveyResponse(
            survey_id=survey.id, channel=ResponseChannel.ONLINE, user_id=user.id
        )
        try:
            with db.session.begin_nested():
                db.session.add(response)
                db.session.flush()
        except IntegrityError:
            response = queries.own_response(survey, user)
            if response is None:  # pragma: no cover - the constraint named someone else
                raise
    db.session.execute(  # lock our row, so two changes at once apply one after the other
        sa.select(SurveyResponse.id).where(SurveyResponse.id == response.id).with_for_update()
    )
    _apply(response, attributes)
    _set_answers(response, answers)
    return response


def enter_named(
    survey: Survey,
    officer: User,
    label: str,
    raw: dict[str, Any],
    *,
    consent_to_name: bool = False,
    attributes: Attributes | None = None,
    account: User | None = None,
) -> SurveyResponse:
    """A named respondent's answer passed on to an officer (e-mail, letter): counted once
    entered, audited, shown by name only with consent; linked to the respondent's `account`
    when the officer found it (surveys.named), so it is theirs in the download and erasure."""
    ensure_open(survey)
    label = label.strip()
    if not label:
        raise DomainError("label_needed", _("Name the respondent."))
    answers = checked(survey, raw)
    if account is not None:
        named.refuse_if_answered(survey, account)
    response = SurveyResponse(
        survey_id=survey.id,
        user_id=account.id if account is not None else None,
        channel=ResponseChannel.NAMED,
        respondent_label=label[:160],
        consent_to_name=consent_to_name,
        entered_by_id=officer.id,
    )
    _apply(response, attributes)
    db.session.add(response)
    db.session.flush()
    _set_answers(response, answers)
    audit.record(
        "survey.named_response",
        response,
        actor=officer,
        area_id=survey.area_id,
        after={
            "survey_id": survey.id,
            "full_name": response.respondent_label,
            "consent": consent_to_name,
            "user_id": response.user_id,
        },
    )
    return response


@dataclass
class PaperOutcome:
    status: str  # "waiting" (one entry), "confirmed" (response made), "mismatch"
    response: SurveyResponse | None = None
    differing: list[str] = field(default_factory=list)  # question ids whose entries differ


# Complexity: double entry: the first entry is kept, a second by another officer must match it, a
# third or the same officer is refused.
def enter_paper(
    survey: Survey,
    officer: User,
    paper_ref: str,
    raw: dict[str, Any],
    attributes: Attributes | None = None,
) -> PaperOutcome:
    """One officer's typing of an anonymous paper form. When two different officers' entries
    of the same form agree, the response is made; if they differ, nothing counts until one
    of them corrects their entry (entering again replaces it)."""
    ensure_open(survey)
    paper_ref = paper_ref.strip()
    if not paper_ref:
        raise DomainError("paper_ref_needed", _("Give the number written on the paper form."))
    if _paper_response(survey, paper_ref) is not None:
        raise DomainError(
            "paper_entered",
            _("Form %(ref)s has already been entered twice and counted.", ref=paper_ref),
            status=409,
        )
    snapshot = canonical(checked(survey, raw))
    if attributes is not None:
        snapshot["_attributes"] = vars(attributes)
    entries = _paper_entries(survey, paper_ref)
    mine = next((e for e in entries if e.officer_id == officer.id), None)
    others = [e for e in entries if e.officer_id != officer.id]
    if mine is None and len(others) >= 2:
        raise DomainError(
            "two_entrants", _("Two officers have already entered this form."), status=409
        )
    if mine is None:
        mine = SurveyPaperEntry(
            survey_id=survey.id, paper_ref=paper_ref, officer_id=officer.id, answers=snapshot
        )
        db.session.add(mine)
    else:
        mine.answers = snapshot
    db.session.flush()
    audit.record(
        "survey.paper_entry",
        survey,
        actor=officer,
        area_id=survey.area_id,
        after={"paper_ref": paper_ref},
    )
    if not others:
        return PaperOutcome("waiting")
    other = others[0]
    if other.answers != snapshot:
        keys = set(other.answers) | set(snapshot)
        return PaperOutcome(
            "mismatch", differing=sorted(k for k in keys if other.answers.get(k) != snapshot.get(k))
        )
    response = SurveyResponse(
        survey_id=survey.id,
        channel=ResponseChannel.PAPER,
        paper_ref=paper_ref,
        entered_by_id=officer.id,
    )
    _apply(response, attributes)
    db.session.add(response)
    db.session.flush()
    _set_answers(response, checked(survey, raw))
    return PaperOutcome("confirmed", response)


def _paper_entries(survey: Survey, paper_ref: str) -> list[SurveyPaperEntry]:
    return list(
        db.session.scalars(
            sa.select(SurveyPaperEntry)
            .where(SurveyPaperEntry.survey_id == survey.id, SurveyPaperEntry.paper_ref == paper_ref)
            .order_by(SurveyPaperEntry.id)
        )
    )


def _paper_response(survey: Survey, paper_ref: str) -> SurveyResponse | None:
    return db.session.scalar(
        sa.select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.paper_ref == paper_ref
        )
    )


def respond_anonymously(
    survey: Survey,
    raw: dict[str, Any],
    channel: ResponseChannel,
    attributes: Attributes | None = None,
) -> SurveyResponse:
    """A response linked to nobody (a survey code's)."""
    answers = checked(survey, raw)
    response = SurveyResponse(survey_id=survey.id, channel=channel)
    _apply(response, attributes)
    db.session.add(response)
    db.session.flush()
    _set_answers(response, answers)
    return response
