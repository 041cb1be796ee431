"""Reads: surveys to list, and the exact results of one survey (tables, breakdowns, export)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Area
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal
from pbplatform.surveys.models import (
    AgeBand,
    Audience,
    OrgType,
    QuestionKind,
    ResponseChannel,
    Survey,
    SurveyAnswer,
    SurveyCode,
    SurveyCodeBatch,
    SurveyItem,
    SurveyKind,
    SurveyPaperEntry,
    SurveyQuestion,
    SurveyResponse,
    SurveyWordingChange,
)
from pbplatform.surveys.stats import SMALL_GROUP, Summary, distribution, rating_mean, summarise


def survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id) if 0 < survey_id < 2**31 else None
    if survey is None:
        abort(404)
    return survey


def is_answered(survey: Survey) -> bool:
    """Whether anything stored answers the survey: a response, or a paper form's first entry
    (its second must still match the questions)."""
    response = sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)
    waiting = sa.select(SurveyPaperEntry.id).where(SurveyPaperEntry.survey_id == survey.id)
    return any(db.session.scalar(stmt.limit(1)) is not None for stmt in (response, waiting))


def invitable_user_ids(survey: Survey, area_id: int | None, cycle_followers: bool) -> list[int]:
    """Followers of the area and/or of the survey's cycle who may answer it online, have an
    active account, and were neither invited to it nor have answered it yet."""
    from pbplatform.notifications.models import Follow
    from pbplatform.surveys.models import SurveyInvitation
    from pbplatform.surveys.services import proposal_people

    targets = []
    if area_id is not None:
        targets.append(Follow.area_id == area_id)
    if cycle_followers and survey.cycle_id is not None:
        targets.append(Follow.cycle_id == survey.cycle_id)
    if not targets:
        return []
    followers = sa.select(Follow.user_id).where(sa.or_(*targets))
    # (NOT IN over a NULL would exclude everyone: the subqueries name people only)
    invited = sa.select(SurveyInvitation.user_id).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.user_id.is_not(None)
    )
    answered = sa.select(SurveyResponse.user_id).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.user_id.is_not(None)
    )
    stmt = sa.select(User.id).where(
        User.id.in_(followers),
        User.is_active_account.is_(True),
        User.id.not_in(invited),
        User.id.not_in(answered),
    )
    if survey.audience == Audience.AREA:  # as services.may_answer_online
        people = proposal_people(survey.proposal_id) if survey.proposal_id else set()
        stmt = stmt.where(sa.or_(User.home_area_id == survey.area_id, User.id.in_(people)))
    return list(db.session.scalars(stmt.order_by(User.id)))


def _contact(details: str | None) -> str:
    return " ".join((details or "").lower().split())


def invitable_offline_proposals(
    survey: Survey, area_id: int | None, cycle_followers: bool
) -> list[Proposal]:
    """One proposal per offline proposer (letter or phone, agreed to contact, an address) of
    the area (in the survey's cycle, if it has one) and/or the survey's cycle, whose contact
    details no earlier invitation to the survey went to."""
    from pbplatform.proposals.models import IntakeChannel
    from pbplatform.surveys.models import SurveyInvitation

    scopes = []
    if area_id is not None:
        in_cycle = Proposal.cycle_id == survey.cycle_id if survey.cycle_id else sa.true()
        scopes.append(sa.and_(Proposal.area_id == area_id, in_cycle))
    if cycle_followers and survey.cycle_id is not None:
        scopes.append(Proposal.cycle_id == survey.cycle_id)
    if not scopes:
        return []
    invited = sa.select(SurveyInvitation.proposal_id).where(
        SurveyInvitation.survey_id == survey.id, SurveyInvitation.proposal_id.is_not(None)
    )
    written = {
        _contact(d)
        for d in db.session.scalars(
            sa.select(Proposal.contact_details).where(Proposal.id.in_(invited))
        )
    }
    candidates = db.session.scalars(
        sa.select(Proposal)
        .where(
            sa.or_(*scopes),
            Proposal.channel.in_((IntakeChannel.LETTER, IntakeChannel.PHONE)),
            Proposal.contact_consent.is_(True),
            Proposal.contact_details.is_not(None),
        )
        .order_by(Proposal.id)
    )
    chosen = []
    for proposal in candidates:
        contact = _contact(proposal.contact_details)
        if contact and contact not in written:
            written.add(contact)
            chosen.append(proposal)
    return chosen


def question_or_404(survey: Survey, question_id: int) -> SurveyQuestion:
    """One of the survey's questions (another survey's is 404)."""
    found = next((q for q in survey.questions if q.id == question_id), None)
    if found is None:
        abort(404)
    return found


def wording_changes(survey: Survey, question_id: int | None = None) -> list[SurveyWordingChange]:
    """The survey's (or one question's) wording changes, oldest first, for officers."""
    stmt = (
        sa.select(SurveyWordingChange)
        .where(SurveyWordingChange.survey_id == survey.id)
        .options(selectinload(SurveyWordingChange.changed_by))
        .order_by(SurveyWordingChange.changed_at, SurveyWordingChange.id)
    )
    if question_id is not None:
        stmt = stmt.where(SurveyWordingChange.question_id == question_id)
    return list(db.session.scalars(stmt))


def wording_days(survey: Survey) -> dict[int, list[date]]:
    """Per question, the days its wording changed after people answered (public); the
    survey's own title and introduction under 0."""
    days: dict[int, list[date]] = defaultdict(list)
    for change in wording_changes(survey):
        day, key = change.changed_at.date(), change.question_id or 0
        if day not in days[key]:
            days[key].append(day)
    return dict(days)


def open_surveys(user: User | None) -> list[Survey]:
    from pbplatform.db import utcnow

    now = utcnow()
    stmt = (
        sa.select(Survey)
        .where(Survey.opens_at <= now, sa.or_(Survey.closes_at.is_(None), Survey.closes_at > now))
        .where(Survey.audience != "invited")
        .order_by(Survey.closes_at.is_(None), Survey.closes_at, Survey.id)
    )
    return list(db.session.scalars(stmt))


def managed_surveys(user: User) -> list[Survey]:
    """The surveys an officer may manage (their areas; district-wide ones need district scope)."""
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.id.desc()))
    return [s for s in surveys if user.can_act_on_area(s.area_id)]


def response_count(survey: Survey) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


def results_visible(survey: Survey, user: Any) -> bool:
    if getattr(user, "is_authenticated", False) and user.can_act_on_area(survey.area_id):
        return True
    return not (survey.hide_results_until_close and not survey.is_closed())


@dataclass
class Column:
    label: str
    named: bool  # a named respondent who consented to be shown
    values: dict[int, Fraction]


@dataclass
class ItemResult:
    item: SurveyItem
    summary: Summary
    rating_distribution: dict[str, int] | None = None
    rating_mean: Fraction | None = None
    chosen: int = 0


@dataclass
class Group:
    label: str
    count: int
    suppressed: bool
    means: dict[int, Fraction] = field(default_factory=dict)


@dataclass
class Breakdown:
    attribute: str
    groups: list[Group]


@dataclass
class QuestionResult:
    question: SurveyQuestion
    count: int
    items: list[ItemResult]
    columns: list[Column] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    count: int
    questions: list[QuestionResult]
    by_channel: dict[str, int]


def _responses(survey: Survey) -> list[SurveyResponse]:
    return list(
        db.session.scalars(
            sa.select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
            .options(selectinload(SurveyResponse.answers))
            .order_by(SurveyResponse.id)
        )
    )


def respondent_label(response: SurveyResponse, number: int) -> str:
    if response.consent_to_name and response.respondent_label:
        return response.respondent_label
    return _("Respondent %(n)s", n=number)


def _choice_keys(survey: Survey) -> dict[str, Callable[[SurveyResponse], str | None]]:
    """Breakdowns by the answer to each single-choice question ("How did you vote?")."""
    keys: dict[str, Callable[[SurveyResponse], str | None]] = {}
    for q in survey.questions:
        if q.kind != QuestionKind.SINGLE:
            continue
        texts = {i.id: i.shown_text for i in q.items}

        def chosen(r: SurveyResponse, qid: int = q.id, texts: dict[int, str] = texts) -> str | None:
            item = next((a.item_id for a in r.answers if a.question_id == qid), None)
            return texts.get(item) if item is not None else None

        keys[q.shown_text] = chosen
    return keys


def _attribute_labels() -> dict[str, Callable[[SurveyResponse], str | None]]:
    areas = {a.id: a.name for a in db.session.scalars(sa.select(Area))}
    return {
        str(_("Organisation type")): lambda r: OrgType(r.org_type).label if r.org_type else None,
        str(_("Role")): lambda r: r.role,
        str(_("Area")): lambda r: areas.get(r.area_id) if r.area_id else None,
        str(_("Age band")): lambda r: AgeBand(r.age_band).label if r.age_band else None,
    }


def survey_results(survey: Survey) -> SurveyResults:
    responses = _responses(survey)
    by_channel: dict[str, int] = defaultdict(int)
    for r in responses:
        by_channel[r.channel] += 1
    attributes = _attribute_labels() if survey.asks_attributes else {}
    if survey.kind == SurveyKind.EVALUATION:
        attributes[str(_("Channel of the answer"))] = lambda r: ResponseChannel(r.channel).label
    attributes.update(_choice_keys(survey))
    questions = [_question(q, responses, attributes) for q in survey.questions]
    return SurveyResults(survey, len(responses), questions, dict(by_channel))


# Complexity: one result shape per question type (allocation, rating, choice, text).
def _question(
    q: SurveyQuestion,
    responses: list[SurveyResponse],
    attributes: dict[str, Callable[[SurveyResponse], str | None]],
) -> QuestionResult:
    answered = [
        (n, r, [a for a in r.answers if a.question_id == q.id]) for n, r in enumerate(responses, 1)
    ]
    answered = [(n, r, rows) for n, r, rows in answered if rows]
    result = QuestionResult(q, len(answered), [])
    if q.kind == QuestionKind.TEXT:
        result.texts = [rows[0].text or "" for _n, _r, rows in answered if rows[0].text]
        return result
    if q.kind == QuestionKind.ALLOCATION:
        for n, r, rows in answered:
            values = {a.item_id: Fraction(a.value or 0) for a in rows if a.item_id is not None}
            result.columns.append(
                Column(
                    respondent_label(r, n), bool(r.consent_to_name and r.respondent_label), values
                )
            )
        for item in q.items:
            shares = [c.values.get(item.id, Fraction(0)) for c in result.columns]
            result.items.append(ItemResult(item, summarise(shares)))
        result.items.sort(key=lambda i: (-i.summary.mean, i.item.position))
    elif q.kind == QuestionKind.RATING:
        for item in q.items:
            ratings = [
                None if a.value is None else int(a.value)
                for _n, _r, rows in answered
                for a in rows
                if a.item_id == item.id
            ]
            result.items.append(
                ItemResult(
                    item,
                    summarise([Fraction(x) for x in ratings if x is not None]),
                    distribution(ratings, q.scale_max),
                    rating_mean(ratings),
                )
            )
    else:
        for item in q.items:
            chosen = sum(1 for _n, _r, rows in answered for a in rows if a.item_id == item.id)
            result.items.append(ItemResult(item, summarise([]), chosen=chosen))
    if q.kind in (QuestionKind.ALLOCATION, QuestionKind.RATING):
        result.breakdowns = [_breakdown(name, key, q, answered) for name, key in attributes.items()]
    return result


# Complexity: groups responses by each attribute and hides the groups under five, per question type.
def _breakdown(
    name: str,
    key: Callable[[SurveyResponse], str | None],
    q: SurveyQuestion,
    answered: list[tuple[int, SurveyResponse, list[Any]]],
) -> Breakdown:
    groups: dict[str, list[list[Any]]] = defaultdict(list)
    for _n, r, rows in answered:
        value = key(r)
        if value:
            groups[value].append(rows)
    out = []
    for label, members in sorted(groups.items()):
        if len(members) < SMALL_GROUP:
            out.append(Group(label, len(members), True))
            continue
        means = {}
        for item in q.items:
            values = [
                Fraction(a.value)
                for rows in members
                for a in rows
                if a.item_id == item.id and a.value is not None
            ]
            if q.kind == QuestionKind.ALLOCATION:
                values += [Fraction(0)] * (len(members) - len(values))
            if values:
                means[item.id] = sum(values, Fraction(0)) / len(values)
        out.append(Group(label, len(members), False, means))
    return Breakdown(name, out)


def coassessment_survey(proposal_id: int) -> Survey | None:
    return db.session.scalar(
        sa.select(Survey)
        .where(Survey.proposal_id == proposal_id, Survey.kind == SurveyKind.COASSESSMENT)
        .order_by(Survey.id)
        .limit(1)
    )


def coassessment_summary(proposal_id: int) -> QuestionResult | None:
    """The rating aggregate of a proposal's co-assessment, once at least 5 have answered."""
    survey = coassessment_survey(proposal_id)
    if survey is None:
        return None
    results = survey_results(survey)
    if results.count < SMALL_GROUP:
        return None
    return next((q for q in results.questions if q.question.kind == QuestionKind.RATING), None)


def code_batches(survey: Survey) -> list[tuple[SurveyCodeBatch, int]]:
    used = sa.func.count(SurveyCode.used_on)
    rows = db.session.execute(
        sa.select(SurveyCodeBatch, used)
        .outerjoin(SurveyCode)
        .where(SurveyCodeBatch.survey_id == survey.id)
        .group_by(SurveyCodeBatch.id)
        .order_by(SurveyCodeBatch.id)
    )
    return [(b, n) for b, n in rows]


def paper_entries_waiting(survey: Survey) -> list[SurveyPaperEntry]:
    """Entries of forms not yet counted (one entry so far, or two that differ)."""
    counted = sa.select(SurveyResponse.paper_ref).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.paper_ref.is_not(None)
    )
    return list(
        db.session.scalars(
            sa.select(SurveyPaperEntry)
            .where(
                SurveyPaperEntry.survey_id == survey.id, SurveyPaperEntry.paper_ref.not_in(counted)
            )
            .order_by(SurveyPaperEntry.paper_ref, SurveyPaperEntry.id)
        )
    )


def response_raw(survey: Survey, response: SurveyResponse | None) -> dict[str, Any]:
    """A stored response in the answer shape (to show a resident what they answered)."""
    if response is None:
        return {}
    from pbplatform.surveys.stats import exact_text

    raw: dict[str, Any] = {}
    kinds = {q.id: q.kind for q in survey.questions}
    for a in response.answers:
        kind = kinds.get(a.question_id)
        key = str(a.question_id)
        if kind in (QuestionKind.ALLOCATION, QuestionKind.RATING):
            value = "dont_know" if a.value is None else exact_text(a.value)
            raw.setdefault(key, {})[str(a.item_id)] = value
        elif kind == QuestionKind.MULTIPLE:
            raw.setdefault(key, []).append(str(a.item_id))
        elif kind == QuestionKind.SINGLE:
            raw[key] = str(a.item_id)
        else:
            raw[key] = a.text or ""
    return raw


def area_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in db.session.scalars(sa.select(Area).order_by(Area.name))]


def find_survey(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def find_area(area_id: int) -> Area | None:
    return db.session.get(Area, area_id)


@dataclass
class CoassessmentPanel:
    survey: Survey
    count: int
    ratings: QuestionResult | None  # None until SMALL_GROUP people have answered


def coassessment_panel(proposal_id: int) -> CoassessmentPanel | None:
    """What the proposal page shows of its co-assessment (None if there is none)."""
    survey = coassessment_survey(proposal_id)
    if survey is None:
        return None
    count = response_count(survey)
    ratings = coassessment_summary(proposal_id) if count >= SMALL_GROUP else None
    return CoassessmentPanel(survey, count, ratings)


@dataclass(frozen=True)
class CoassessmentScore:
    """One line of co-assessment for reports: the mean of the criteria's mean ratings."""

    proposal_id: int
    mean: Fraction  # on the question's scale (1 to scale_max)
    scale_max: int
    answers: int


def coassessment_scores(proposal_ids: Iterable[int]) -> dict[int, CoassessmentScore]:
    """The overall rating of each of these proposals that at least 5 have rated, in one query.

    The same figures as the proposal page's panel (`coassessment_panel`), exactly: per
    proposal its first co-assessment survey, its responses counted over every channel, the
    first rating question's criteria each averaged over the ratings given ("don't know" counts
    for nothing, a criterion nobody rated is left out), then the mean of those means. The
    database groups the answers by value; the means are Fractions made here."""
    ids = sorted(set(proposal_ids))
    if not ids:
        return {}
    # proposal -> criterion -> [sum of the ratings, how many rated]
    totals: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    shape: dict[int, tuple[int, int]] = {}
    for proposal_id, answers, scale_max, item_id, value, times in db.session.execute(
        _score_rows(ids)
    ):
        shape[proposal_id] = (scale_max, answers)
        total = totals[proposal_id][item_id]
        total[0] += int(value) * times
        total[1] += times
    found = {}
    for proposal_id, (scale_max, answers) in shape.items():
        means = [Fraction(rated, n) for rated, n in totals[proposal_id].values()]
        found[proposal_id] = CoassessmentScore(
            proposal_id, sum(means, Fraction(0)) / len(means), scale_max, answers
        )
    return found


def _score_rows(proposal_ids: list[int]) -> sa.Select[Any]:
    """(proposal, responses, scale, criterion, rating, how many gave it) for the proposals'
    first co-assessment surveys with at least SMALL_GROUP responses; ratings only."""
    first = (
        sa.select(Survey.proposal_id, sa.func.min(Survey.id).label("survey_id"))
        .where(Survey.kind == SurveyKind.COASSESSMENT, Survey.proposal_id.in_(proposal_ids))
        .group_by(Survey.proposal_id)
        .subquery()
    )
    counted = (
        sa.select(SurveyResponse.survey_id, sa.func.count(SurveyResponse.id).label("answers"))
        .join(first, first.c.survey_id == SurveyResponse.survey_id)
        .group_by(SurveyResponse.survey_id)
        .having(sa.func.count(SurveyResponse.id) >= SMALL_GROUP)
        .subquery()
    )
    rating = (
        sa.select(SurveyQuestion.survey_id, sa.func.min(SurveyQuestion.position).label("position"))
        .join(first, first.c.survey_id == SurveyQuestion.survey_id)
        .where(SurveyQuestion.kind == QuestionKind.RATING)
        .group_by(SurveyQuestion.survey_id)
        .subquery()
    )
    times = sa.func.count(SurveyAnswer.id)
    return (
        sa.select(
            first.c.proposal_id,
            counted.c.answers,
            SurveyQuestion.scale_max,
            SurveyAnswer.item_id,
            SurveyAnswer.value,
            times,
        )
        .join(counted, counted.c.survey_id == first.c.survey_id)
        .join(rating, rating.c.survey_id == first.c.survey_id)
        .join(
            SurveyQuestion,
            (SurveyQuestion.survey_id == rating.c.survey_id)
            & (SurveyQuestion.position == rating.c.position),
        )
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(SurveyAnswer.item_id.is_not(None), SurveyAnswer.value.is_not(None))
        .group_by(
            first.c.proposal_id,
            counted.c.answers,
            SurveyQuestion.scale_max,
            SurveyAnswer.item_id,
            SurveyAnswer.value,
        )
    )


def earlier_coassessments(
    area_id: int | None, cycle_id: int
) -> list[tuple[Proposal, CoassessmentScore]]:
    """Rated delivered projects of the same area from other cycles (the next cycle's review
    shows officers how residents judged what was built), newest survey first, in two queries."""
    proposal_ids = db.session.scalars(
        sa.select(Survey.proposal_id)
        .join(Proposal, Proposal.id == Survey.proposal_id)
        .where(
            Survey.kind == SurveyKind.COASSESSMENT,
            Proposal.cycle_id != cycle_id,
            Proposal.area_id.is_(None) if area_id is None else Proposal.area_id == area_id,
        )
        .order_by(Survey.id.desc())
        .limit(20)
    ).all()
    ordered = [pid for pid in dict.fromkeys(proposal_ids) if pid is not None]
    scores = coassessment_scores(ordered)
    if not scores:
        return []
    proposals = {
        p.id: p for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(scores)))
    }
    return [(proposals[pid], scores[pid]) for pid in ordered if pid in scores]


def unlinked_named(name: str, officer: User) -> list[tuple[SurveyResponse, Survey]]:
    """Named responses linked to no account whose name contains `name` (any case), in surveys
    the officer may act on, newest first: for a respondent's request by letter or phone."""
    wanted = name.strip().lower()
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(SurveyResponse, Survey)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(
            SurveyResponse.channel == ResponseChannel.NAMED,
            SurveyResponse.user_id.is_(None),
            sa.func.lower(SurveyResponse.respondent_label).contains(wanted, autoescape=True),
        )
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(200)
    ).all()
    return [(r, s) for r, s in rows if officer.can_act_on_area(s.area_id)]


def unlinked_named_one(response_id: int, officer: User) -> SurveyResponse:
    """One unlinked named response in the officer's remit, else 404."""
    response = db.session.get(SurveyResponse, response_id)
    survey = db.session.get(Survey, response.survey_id) if response is not None else None
    if (
        response is None
        or survey is None
        or response.channel != ResponseChannel.NAMED
        or response.user_id is not None
        or not officer.can_act_on_area(survey.area_id)
    ):
        abort(404)
    return response


def own_response(survey: Survey, user: User) -> SurveyResponse | None:
    """The person's response to the survey (one at most: a unique constraint)."""
    return db.session.scalar(
        sa.select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id
        )
    )
