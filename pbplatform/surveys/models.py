"""Surveys: allocation (constant-sum), rating, choice and free-text questions, their responses
from every channel (online, survey code, paper forms entered twice, named respondents), and
the codes and paper entries behind them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pbplatform.db import UTCDateTime, enum_check, utcnow
from pbplatform.extensions import db

if TYPE_CHECKING:  # db.Model is made at run time; to the type checker it is the declarative Base
    from pbplatform.db import Base as Model
else:
    Model = db.Model


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return str(LABELS[self])

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class QuestionKind(_Labelled):
    ALLOCATION = "allocation"
    RATING = "rating"
    SINGLE = "single_choice"
    MULTIPLE = "multiple_choice"
    TEXT = "free_text"


class AllocationUnit(_Labelled):
    PERCENT = "percent"
    POINTS = "points"
    MONEY = "money"


class SurveyKind(_Labelled):
    STANDARD = "standard"
    COASSESSMENT = "coassessment"
    SIMULATOR = "budget_simulator"
    EVALUATION = "evaluation"


class Audience(_Labelled):
    RESIDENTS = "residents"  # any registered resident, online
    AREA = "area_residents"  # residents of the survey's area
    INVITED = "invited"  # only holders of codes and people officers enter


class ResponseChannel(_Labelled):
    ONLINE = "online"
    CODE = "code"
    PAPER = "paper"
    NAMED = "named"


class OrgType(_Labelled):
    COUNCIL = "council"
    PUBLIC = "public_body"
    VOLUNTARY = "voluntary"
    BUSINESS = "business"
    RESIDENT = "resident"
    OTHER = "other"


class AgeBand(_Labelled):
    UNDER_18 = "under_18"
    FROM_18 = "18_29"
    FROM_30 = "30_44"
    FROM_45 = "45_64"
    FROM_65 = "65_plus"


LABELS: dict[enum.StrEnum, Any] = {
    QuestionKind.ALLOCATION: _l("Allocation (spread a fixed total)"),
    QuestionKind.RATING: _l("Rating"),
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.TEXT: _l("Free text"),
    AllocationUnit.PERCENT: _l("per cent"),
    AllocationUnit.POINTS: _l("points"),
    AllocationUnit.MONEY: _l("money"),
    SurveyKind.STANDARD: _l("Survey"),
    SurveyKind.COASSESSMENT: _l("Rating of delivered work"),
    SurveyKind.SIMULATOR: _l("Budget simulator"),
    SurveyKind.EVALUATION: _l("Process evaluation"),
    Audience.RESIDENTS: _l("Registered residents"),
    Audience.AREA: _l("Residents of the survey's area"),
    Audience.INVITED: _l("Invited respondents only (codes, paper, named)"),
    ResponseChannel.ONLINE: _l("Online"),
    ResponseChannel.CODE: _l("Survey code"),
    ResponseChannel.PAPER: _l("Paper form"),
    ResponseChannel.NAMED: _l("Named respondent"),
    OrgType.COUNCIL: _l("Council"),
    OrgType.PUBLIC: _l("Other public body"),
    OrgType.VOLUNTARY: _l("Voluntary or community organisation"),
    OrgType.BUSINESS: _l("Business"),
    OrgType.RESIDENT: _l("Resident"),
    OrgType.OTHER: _l("Other"),
    AgeBand.UNDER_18: _l("under 18"),
    AgeBand.FROM_18: _l("18 to 29"),
    AgeBand.FROM_30: _l("30 to 44"),
    AgeBand.FROM_45: _l("45 to 64"),
    AgeBand.FROM_65: _l("65 and over"),
}

# Shares are exact decimals with at most this many places (2.5 points, 12.25 %).
PLACES = 4
NUMERIC = sa.Numeric(20, PLACES)


def _german() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "de"


def localised(en: str, de: str | None) -> str:
    """The German text on a German page when there is one, else the English."""
    return de if de and _german() else en


class Survey(Model):
    __tablename__ = "surveys"
    __table_args__ = (
        enum_check("kind", tuple(SurveyKind), "kind_known"),
        enum_check("audience", tuple(Audience), "audience_known"),
        sa.CheckConstraint("closes_at IS NULL OR closes_at > opens_at", name="closes_after_opens"),
        sa.CheckConstraint(
            "audience != 'area_residents' OR area_id IS NOT NULL", name="area_audience_has_area"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24), default=SurveyKind.STANDARD)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_de: Mapped[str | None] = mapped_column(sa.String(200))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    introduction_de: Mapped[str | None] = mapped_column(sa.Text)
    audience: Mapped[str] = mapped_column(sa.String(24), default=Audience.RESIDENTS)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hide_results_until_close: Mapped[bool] = mapped_column(default=True)
    asks_attributes: Mapped[bool] = mapped_column(default=False)
    cycle_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey",
        order_by="SurveyQuestion.position",
        cascade="all, delete-orphan",
    )
    area = relationship("Area")
    cycle = relationship("Cycle")
    proposal = relationship("Proposal")

    @property
    def shown_title(self) -> str:
        return localised(self.title, self.title_de)

    @property
    def shown_introduction(self) -> str:
        return localised(self.introduction, self.introduction_de)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)

    def is_closed(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.closes_at is not None and now >= self.closes_at


class SurveyQuestion(Model):
    __tablename__ = "survey_questions"
    __table_args__ = (
        enum_check("kind", tuple(QuestionKind), "kind_known"),
        sa.CheckConstraint(
            f"unit IS NULL OR unit IN ({', '.join(repr(u.value) for u in AllocationUnit)})",
            name="unit_known",
        ),
        sa.CheckConstraint(
            "kind != 'allocation' OR (unit IS NOT NULL AND total IS NOT NULL AND total > 0)",
            name="allocation_has_total",
        ),
        sa.CheckConstraint("scale_max BETWEEN 2 AND 10", name="scale_range"),
        sa.CheckConstraint("max_length BETWEEN 1 AND 10000", name="max_length_range"),
        sa.UniqueConstraint("survey_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(24))
    text: Mapped[str] = mapped_column(sa.Text)
    text_de: Mapped[str | None] = mapped_column(sa.Text)
    required: Mapped[bool] = mapped_column(default=True)
    # Allocation: the fixed total in its unit; money in minor units (cents).
    unit: Mapped[str | None] = mapped_column(sa.String(16))
    total: Mapped[Decimal | None] = mapped_column(NUMERIC)
    # Rating: 1..scale_max, with or without "don't know".
    scale_max: Mapped[int] = mapped_column(default=5)
    allow_dont_know: Mapped[bool] = mapped_column(default=True)
    # Free text: the longest answer accepted.
    max_length: Mapped[int] = mapped_column(default=1000)
    # Budget simulator: the total is a cut spread over the items (else an increase).
    is_cut: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    items: Mapped[list[SurveyItem]] = relationship(
        back_populates="question", order_by="SurveyItem.position", cascade="all, delete-orphan"
    )

    @property
    def shown_text(self) -> str:
        return localised(self.text, self.text_de)

    @property
    def is_money(self) -> bool:
        return self.unit == AllocationUnit.MONEY

    @property
    def is_simulator(self) -> bool:
        """A budget simulator: money spread over items that carry today's budget."""
        return self.is_money and any(i.baseline_minor is not None for i in self.items)


class SurveyItem(Model):
    """An allocation item, a rating criterion or a choice option."""

    __tablename__ = "survey_items"
    __table_args__ = (
        sa.CheckConstraint("min_value IS NULL OR min_value >= 0", name="min_nonnegative"),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name="min_below_max",
        ),
        sa.UniqueConstraint("question_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(sa.String(300))
    text_de: Mapped[str | None] = mapped_column(sa.String(300))
    min_value: Mapped[Decimal | None] = mapped_column(NUMERIC)
    max_value: Mapped[Decimal | None] = mapped_column(NUMERIC)
    # Budget simulator: today's budget for this service area (minor units).
    baseline_minor: Mapped[int | None] = mapped_column(sa.BigInteger)

    question: Mapped[SurveyQuestion] = relationship(back_populates="items")

    @property
    def shown_text(self) -> str:
        return localised(self.text, self.text_de)


class SurveyResponse(Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        enum_check("channel", tuple(ResponseChannel), "channel_known"),
        # One response per person and survey, whatever the race (see services.respond_online).
        sa.UniqueConstraint("survey_id", "user_id"),
        # A paper form is entered (after double entry) once.
        sa.UniqueConstraint("survey_id", "paper_ref"),
        sa.CheckConstraint("channel != 'online' OR user_id IS NOT NULL", name="online_has_user"),
        # A code or paper response is nobody's; a named one may be linked to its respondent's
        # account (so it is in their download and goes with their erasure).
        sa.CheckConstraint(
            "user_id IS NULL OR channel IN ('online', 'named')", name="user_only_online_or_named"
        ),
        sa.CheckConstraint(
            "channel != 'named' OR respondent_label IS NOT NULL", name="named_has_label"
        ),
        sa.CheckConstraint("channel != 'paper' OR paper_ref IS NOT NULL", name="paper_has_ref"),
        sa.CheckConstraint(
            "NOT consent_to_name OR respondent_label IS NOT NULL", name="consent_needs_label"
        ),
        sa.CheckConstraint(
            f"org_type IS NULL OR org_type IN ({', '.join(repr(o.value) for o in OrgType)})",
            name="org_type_known",
        ),
        sa.CheckConstraint(
            f"age_band IS NULL OR age_band IN ({', '.join(repr(a.value) for a in AgeBand)})",
            name="age_band_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    respondent_label: Mapped[str | None] = mapped_column(sa.String(160))
    consent_to_name: Mapped[bool] = mapped_column(default=False)
    paper_ref: Mapped[str | None] = mapped_column(sa.String(40))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    org_type: Mapped[str | None] = mapped_column(sa.String(24))
    role: Mapped[str | None] = mapped_column(sa.String(80))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"))
    age_band: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(Model):
    """One value of a response: an item's share, a criterion's rating (NULL: don't know), a
    chosen option (item, no value), or a free text (no item)."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", "item_id"),
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_items.id", ondelete="CASCADE")
    )
    value: Mapped[Decimal | None] = mapped_column(NUMERIC)
    text: Mapped[str | None] = mapped_column(sa.Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyCodeBatch(Model):
    __tablename__ = "survey_code_batches"
    __table_args__ = (sa.CheckConstraint("count > 0", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyCode(Model):
    """A single-use survey code: only its peppered hash, and the day it was used (no link to
    the response it gave)."""

    __tablename__ = "survey_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_code_batches.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_on: Mapped[date | None] = mapped_column(sa.Date)


class SurveyPaperEntry(Model):
    """One officer's typing of one anonymous paper form; two officers' agreeing entries make
    the response (as meeting dots are counted twice)."""

    __tablename__ = "survey_paper_entries"
    __table_args__ = (sa.UniqueConstraint("survey_id", "paper_ref", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    paper_ref: Mapped[str] = mapped_column(sa.String(40))
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyWordingChange(Model):
    """A question's or an item's wording fixed after people answered: who, when, which text,
    before and after. Officers see it all; the results say on which days wording changed."""

    __tablename__ = "survey_wording_changes"
    __table_args__ = (
        sa.CheckConstraint(
            "field IN ('text', 'text_de', 'title', 'title_de', 'introduction', 'introduction_de')",
            name="field_known",
        ),
        # The survey's own title and introduction have no question.
        sa.CheckConstraint(
            "(question_id IS NULL) = "
            "(field IN ('title', 'title_de', 'introduction', 'introduction_de'))",
            name="question_or_survey",
        ),
        sa.Index("ix_survey_wording_changes_survey", "survey_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE")
    )
    item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_items.id", ondelete="CASCADE")
    )
    field: Mapped[str] = mapped_column(sa.String(16))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by = relationship("User")
    question = relationship("SurveyQuestion")
    item = relationship("SurveyItem")


class SurveyInvitation(Model):
    """Who was invited to a survey, once each: a person (notified on the site and by e-mail as
    they chose) or an offline proposer (a letter, by their proposal's contact details)."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        sa.UniqueConstraint("survey_id", "user_id"),
        sa.UniqueConstraint("survey_id", "proposal_id"),
        sa.CheckConstraint("(user_id IS NULL) != (proposal_id IS NULL)", name="person_or_letter"),
        sa.Index("ix_survey_invitations_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE")
    )
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
