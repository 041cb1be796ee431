"""Admin forms for areas, cycles and their rules. Money is typed in major units ("12500.00")."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import is_currency
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from pbplatform import vocabulary
from pbplatform.channels.models import Channel
from pbplatform.cycles.explain import IDENTIFIED_BY_ACCOUNT
from pbplatform.cycles.models import Area, BallotRule, Combination, CountRule, VotePolicy
from pbplatform.cycles.services import DATED_PHASES, OFFERED_CHANNELS, RULE_FIELDS
from pbplatform.money import to_minor
from pbplatform.vocabulary import lazy_label

POINTS_MIN, POINTS_MAX = Decimal("0.01"), Decimal("99999")
MAX_MAJOR = Decimal("1000000000000")  # 10^12 in major units fits a BIGINT of minor units


class MoneyField(StringField):
    """An amount in major units; `.minor` holds integer minor units once validated."""

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.required = required
        self.minor: int | None = None

    def pre_validate(self, form: Any) -> None:
        self.minor = None
        raw = (self.data or "").strip().replace(" ", "")
        if not raw:
            if self.required:
                raise ValidationError(_l("Enter an amount."))
            return
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_l("Enter an amount such as 12500.00.")) from None
        if not value.is_finite() or value < 0:
            raise ValidationError(_l("The amount must be zero or more."))
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValidationError(_l("Use at most two decimal places."))
        if value >= MAX_MAJOR:
            raise ValidationError(_l("The amount is too large."))
        self.minor = to_minor(value)


class FiniteDecimalField(DecimalField):
    """DecimalField that refuses NaN and infinities (sNaN would crash NumberRange)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


def _major(minor: int | None) -> str:
    return "" if minor is None else f"{Decimal(minor) / 100:.2f}"


def _local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=16),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and hyphens only.")),
        ],
    )


class AreaRenameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    # For turnout against population on the statistics page; blank: not known.
    population = IntegerField(
        _l("Population (residents, for turnout statistics)"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000)],
    )


class CycleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    slug = StringField(
        _l("Short name in the address"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Lower-case letters, digits and single hyphens only."),
            ),
        ],
    )
    currency = StringField(_l("Currency (ISO 4217 code, e.g. EUR)"), validators=[DataRequired()])
    tracking_prefix = StringField(
        _l("Tracking number prefix (e.g. LI)"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Z]{1,6}$", message=_l("One to six capital letters.")),
        ],
    )
    district_budget = MoneyField(_l("District-wide budget"), required=True)
    hourly_rate = MoneyField(_l("Hourly rate for co-production labour"), required=True)
    coproduction_cap_pct = IntegerField(
        _l("Co-production cap (percent of a project's cost)"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    savings_target = MoneyField(_l("Savings target (blank: none)"))
    savings_share_pct = IntegerField(
        _l("Share of achieved savings added to the budget (%)"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    answer_within_days = IntegerField(
        _l("Days within which officers answer residents' questions"),
        default=14,
        validators=[InputRequired(), NumberRange(1, 365)],
    )

    def validate_currency(self, field: StringField) -> None:
        field.data = (field.data or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", field.data) or not is_currency(field.data):
            raise ValidationError(_l("Enter a currency code from ISO 4217, such as EUR."))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        previous = None
        for _phase, f in self.date_fields():
            if f.data is None:
                continue
            if previous is not None and f.data <= previous:
                f.errors.append(
                    _l(
                        "Phase dates must be in order: proposals, review, voting, "
                        "counting, results; this one is not after the one before."
                    )
                )
                return False
            previous = f.data
        return ok

    def area_fields(self) -> list[tuple[int, MoneyField]]:
        return [(int(f.name.removeprefix("area_")), f) for f in self if f.name.startswith("area_")]

    def date_fields(self) -> list[tuple[str, DateTimeLocalField]]:
        return [(p, getattr(self, f"phase_start_{p}")) for p in DATED_PHASES]

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data.strip(),
            "slug": self.slug.data,
            "currency": self.currency.data,
            "tracking_prefix": self.tracking_prefix.data,
            "district_budget_minor": self.district_budget.minor,
            "hourly_rate_minor": self.hourly_rate.minor,
            "coproduction_cap_pct": self.coproduction_cap_pct.data,
            "savings_target_minor": self.savings_target.minor,
            "savings_share_pct": self.savings_share_pct.data,
            "answer_within_days": self.answer_within_days.data,
        }

    def area_budgets(self) -> dict[int, int]:
        return {area_id: f.minor for area_id, f in self.area_fields() if f.minor is not None}

    def phase_dates(self) -> dict[str, datetime | None]:
        zone = _local_zone()
        return {p: f.data.replace(tzinfo=zone) if f.data else None for p, f in self.date_fields()}

    def fill(self, cycle: Any) -> None:
        """Pre-fill on GET from a stored cycle."""
        for name in (
            "name",
            "slug",
            "currency",
            "tracking_prefix",
            "coproduction_cap_pct",
            "savings_share_pct",
            "answer_within_days",
        ):
            getattr(self, name).data = getattr(cycle, name)
        self.district_budget.data = _major(cycle.district_budget_minor)
        self.hourly_rate.data = _major(cycle.hourly_rate_minor)
        self.savings_target.data = _major(cycle.savings_target_minor)
        budgets = {ca.area_id: ca.budget_minor for ca in cycle.areas}
        for area_id, f in self.area_fields():
            f.data = _major(budgets.get(area_id))
        starts = {p.phase: p.starts_at for p in cycle.phase_dates}
        zone = _local_zone()
        for phase, f in self.date_fields():
            when = starts.get(phase)
            f.data = when.astimezone(zone).replace(tzinfo=None) if when else None


def cycle_form_class(areas: list[Area]) -> type[CycleForm]:
    """A CycleForm with one budget row per existing area and one date per phase."""

    class Form(CycleForm):
        pass

    for phase in DATED_PHASES:
        setattr(
            Form,
            f"phase_start_{phase}",
            DateTimeLocalField(
                _l("%(phase)s start (local time)", phase=lazy_label(phase)),
                format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                validators=[Optional()],
            ),
        )
    for area in areas:
        # gettext, not _l: a lazy string counts as safe HTML (__html__), so WTForms would
        # render the area's name in the label unescaped.
        setattr(
            Form,
            f"area_{area.id}",
            MoneyField(gettext("Budget for %(area)s (blank: not in this cycle)", area=area.name)),
        )
    return Form


class RulesForm(FlaskForm):
    ballot_rule = SelectField(
        _l("Ballot rule"),
        choices=vocabulary.choices(BallotRule),
        validators=[DataRequired()],
    )
    max_projects = IntegerField(
        _l("k: most projects per ballot (k-approval)"),
        validators=[Optional(), NumberRange(1, 10_000)],
    )
    points_total = FiniteDecimalField(
        _l("Points per voter (cumulative; fractions like 2.5 allowed)"),
        places=2,
        validators=[Optional(), NumberRange(min=POINTS_MIN, max=POINTS_MAX)],
    )
    max_points_per_project = FiniteDecimalField(
        _l("Most points on one project (optional)"),
        places=2,
        validators=[Optional(), NumberRange(min=POINTS_MIN, max=POINTS_MAX)],
    )
    count_rule = SelectField(
        _l("Counting rule"),
        choices=vocabulary.choices(CountRule),
        validators=[DataRequired()],
    )
    count_threshold = FiniteDecimalField(
        _l("Minimum score (greedy-threshold)"),
        places=4,
        validators=[Optional(), NumberRange(min=0, max=10**9)],
    )
    count_top_n = IntegerField(
        _l("N: length of the list (top-n)"), validators=[Optional(), NumberRange(1, 10_000)]
    )
    tie_break = SelectField(
        _l("Tie-break"),
        choices=[
            SelectChoice(
                "default", _l("Lower cost, then more votes, then a lot drawn from the seed")
            ),
            SelectChoice("name", _l("Project identifiers compared as text (pabutools' default)")),
        ],
        validators=[DataRequired()],
    )
    tie_seed = StringField(
        _l("Seed for the lot (published before voting)"), validators=[Optional(), Length(max=64)]
    )
    combination = SelectField(
        _l("How channels combine"),
        choices=vocabulary.choices(Combination),
        validators=[DataRequired()],
    )
    vote_policy = SelectField(
        _l("Who may vote (one vote per person)"),
        choices=vocabulary.choices(VotePolicy),
        validators=[DataRequired()],
        description=IDENTIFIED_BY_ACCOUNT,
    )
    min_age = IntegerField(
        _l("Minimum age (optional)"), validators=[Optional(), NumberRange(0, 120)]
    )

    # Complexity: each ballot rule needs its own set of fields; the table of rules is inline so the
    # form shows every missing field at once.
    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        rule = self.ballot_rule.data
        needed = {
            BallotRule.K_APPROVAL: (
                self.max_projects,
                _l("k-approval needs the most projects per ballot."),
            ),
            BallotRule.CUMULATIVE: (
                self.points_total,
                _l("Cumulative voting needs the points per voter."),
            ),
        }
        if rule in needed and needed[rule][0].data is None and not needed[rule][0].errors:
            needed[rule][0].errors.append(needed[rule][1])
            ok = False
        points = [
            f
            for f in (self.points_total, self.max_points_per_project)
            if f.data is not None and not f.errors
        ]
        for f in points:
            if f.data.as_tuple().exponent < -2:
                f.errors.append(_l("Use at most two decimal places."))
                ok = False
        cap, total = self.max_points_per_project.data, self.points_total.data
        if rule == BallotRule.CUMULATIVE and len(points) == 2 and ok and cap > total:
            self.max_points_per_project.errors.append(
                _l("The most points on one project cannot exceed the points per voter.")
            )
            ok = False
        return ok

    def values(self) -> dict[str, Any]:
        rule = self.ballot_rule.data
        count = self.count_rule.data
        weights = {
            ch: str(getattr(self, f"weight_{ch}").data.normalize()) for ch in OFFERED_CHANNELS
        }
        return {
            "ballot_rule": rule,
            "max_projects": self.max_projects.data if rule == BallotRule.K_APPROVAL else None,
            "points_total": self.points_total.data if rule == BallotRule.CUMULATIVE else None,
            "max_points_per_project": self.max_points_per_project.data
            if rule == BallotRule.CUMULATIVE
            else None,
            "count_rule": count,
            "count_threshold": self.count_threshold.data
            if count == CountRule.GREEDY_THRESHOLD
            else None,
            "count_top_n": self.count_top_n.data if count == CountRule.TOP_N else None,
            "tie_break": self.tie_break.data,
            "tie_seed": (self.tie_seed.data or "").strip(),
            "channel_weights": weights,
            "combination": self.combination.data,
            "vote_policy": self.vote_policy.data,
            "min_age": self.min_age.data,
        }

    def fill(self, cycle: Any) -> None:
        # the frozen rule fields, one list with the service; weights have a field per channel
        for name in RULE_FIELDS:
            if name != "channel_weights":
                getattr(self, name).data = getattr(cycle, name)
        stored = cycle.channel_weights or {}
        for ch in OFFERED_CHANNELS:
            getattr(self, f"weight_{ch}").data = Decimal(str(stored.get(ch, 1)))


WEIGHT_LABELS = {
    Channel.ONLINE: _l("Weight of online votes"),
    Channel.PAPER: _l("Weight of paper ballots"),
    Channel.CODE: _l("Weight of votes with a voting code"),
    Channel.MEETING: _l("Weight of meeting totals (0 leaves meetings out)"),
}
for _ch in OFFERED_CHANNELS:
    setattr(
        RulesForm,
        f"weight_{_ch}",
        FiniteDecimalField(
            WEIGHT_LABELS[_ch],
            places=None,
            default=Decimal(1),
            validators=[InputRequired(), NumberRange(min=0, max=1000)],
        ),
    )
