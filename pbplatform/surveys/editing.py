"""Editing a survey's question. Before anyone answered, the whole question may change. Once
someone has (an online, code, paper or named response, or a paper form waiting for its second
entry), only its wording may: the question's text and its items' labels, each change kept in
`SurveyWordingChange` (who, when, before, after) and shown; anything that would change what
the stored answers mean (the kind, items added or removed, bounds, total, unit, scale ...) is
refused, naming it, and nothing is stored. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys.models import (
    QuestionKind,
    SurveyItem,
    SurveyQuestion,
    SurveyWordingChange,
)
from pbplatform.surveys.queries import is_answered
from pbplatform.surveys.services import (
    QuestionInput,
    build_items,
    check_question,
    item_maximum,
    set_settings,
)

WORDING = ("text", "text_de")


def _same(a: Decimal | int | None, b: Decimal | int | None) -> bool:
    return (a is None) == (b is None) and (a is None or Decimal(a) == Decimal(b))  # type: ignore[arg-type]


# (the kind it applies to, or None for every kind; the setting; what the officer is told)
SETTINGS = (
    (None, "required", _l("whether an answer is required")),
    (QuestionKind.ALLOCATION, "unit", _l("the unit")),
    (QuestionKind.ALLOCATION, "total", _l("the total")),
    (QuestionKind.ALLOCATION, "is_cut", _l("whether the total is a cut")),
    (QuestionKind.RATING, "scale_max", _l("the rating scale")),
    (QuestionKind.RATING, "allow_dont_know", _l("the “don't know” option")),
    (QuestionKind.TEXT, "max_length", _l("the longest answer")),
)


@dataclass(frozen=True)
class Change:
    """A change that would alter what stored answers mean: the form's field it is refused
    beside, what changed as data (a setting's name; an item's as "max_value:2", by position)
    for the audit, and the change named for the officer, in the page's language."""

    field: str
    what: str
    said: str


def _settings_changed(q: SurveyQuestion, given: QuestionInput) -> list[Change]:
    """What, besides the items, would change the meaning of stored answers (amounts compare
    as numbers: 100 is 100.0000)."""
    if given.kind != q.kind:
        return [Change("kind", "kind", _("the type of question"))]
    return [
        Change(name, name, str(said))
        for kind, name, said in SETTINGS
        if kind in (None, q.kind) and getattr(given, name) != getattr(q, name)
    ]


def _items_changed(q: SurveyQuestion, given: QuestionInput) -> Iterator[Change]:
    if len(given.items) != len(q.items):
        yield Change("items", "items", _("the number of items"))
        return
    for item, new in zip(q.items, given.items, strict=True):
        limit = item_maximum(given, new)
        if not _same(new.min_value, item.min_value):
            yield _item_change("min_value", item, _("the minimum of “%(item)s”", item=item.text))
        if not _same(limit, item.max_value):
            yield _item_change("max_value", item, _("the maximum of “%(item)s”", item=item.text))
        if not _same(new.baseline_minor, item.baseline_minor):
            said = _("today's budget of “%(item)s”", item=item.text)
            yield _item_change("baseline_minor", item, said)


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _labels_moved(q: SurveyQuestion, given: QuestionInput) -> Iterator[Change]:
    """An item given another item's label (a swap): its stored answers would then read as
    answers for that other item, which no correction of wording does."""
    if len(given.items) != len(q.items):
        return
    for name in WORDING:
        old = [_fold(getattr(item, name)) for item in q.items]
        for n, new in enumerate(given.items):
            label = _fold(getattr(new, name))
            if label and label != old[n] and label in old:
                said = _("the label “%(label)s”, given to another item", label=getattr(new, name))
                yield Change("items", f"{name}:{n + 1}", said)


def _item_change(setting: str, item: SurveyItem, said: str) -> Change:
    return Change("items", f"{setting}:{item.position}", said)


def meaning_changes(q: SurveyQuestion, given: QuestionInput) -> list[Change]:
    """Each change that would alter what stored answers mean."""
    changed = _settings_changed(q, given)
    if given.kind == q.kind:
        changed += list(_items_changed(q, given))
        changed += list(_labels_moved(q, given))
    return changed


def _wording_of(text: str, text_de: str | None) -> dict[str, str | None]:
    return {"text": text.strip(), "text_de": (text_de or "").strip() or None}


def _reword(
    row: SurveyQuestion | SurveyItem, given: dict[str, str | None]
) -> list[tuple[str, str | None, str | None]]:
    """Set the row's wording; (field, before, after) of each change."""
    changes = []
    for name in WORDING:
        before, after = getattr(row, name), given[name]
        if before != after:
            setattr(row, name, after)
            changes.append((name, before, after))
    return changes


def _reword_all(
    question: SurveyQuestion, given: QuestionInput, actor: User
) -> list[SurveyWordingChange]:
    rows: list[tuple[SurveyItem | None, Any]] = [(None, question)]
    rows += [(item, item) for item in question.items]
    wordings = [_wording_of(given.text, given.text_de)]
    wordings += [_wording_of(i.text, i.text_de) for i in given.items]
    made = []
    for (item, row), wording in zip(rows, wordings, strict=True):
        for name, before, after in _reword(row, wording):
            made.append(
                SurveyWordingChange(
                    survey_id=question.survey_id,
                    question_id=question.id,
                    item_id=item.id if item is not None else None,
                    field=name,
                    before=before,
                    after=after,
                    changed_by_id=actor.id,
                )
            )
    return made


def _rebuild(question: SurveyQuestion, given: QuestionInput) -> None:
    """Nobody answered: the question takes every setting and item given."""
    set_settings(question, given)
    question.items.clear()
    db.session.flush()  # the old items go before the new take their positions
    question.items = build_items(given)


def _refuse_meaning(changed: list[Change]) -> DomainError:
    """The refusal, with a message beside each field whose change is refused."""
    by_field: dict[str, list[str]] = {}
    for change in changed:
        by_field.setdefault(change.field, []).append(change.said)
    return DomainError(
        "meaning_change",
        _(
            "People have answered: only the wording can change (the question's text and its "
            "items' labels). Changing %(what)s would change what the stored answers mean; "
            "nothing was saved.",
            what=", ".join(change.said for change in changed),
        ),
        fields={
            name: _(
                "People have answered: changing %(what)s would change what the stored "
                "answers mean.",
                what=", ".join(said),
            )
            for name, said in by_field.items()
        },
    )


def edit_question(
    question: SurveyQuestion, actor: User, given: QuestionInput
) -> list[SurveyWordingChange]:
    """Apply `given` to the question (see the module docstring); returns the wording changes
    recorded (none before anyone answered)."""
    check_question(given)
    if any(not i.text.strip() for i in given.items):
        raise DomainError("item_text_needed", _("Every item needs a text."))
    answered = is_answered(question.survey)
    changed = meaning_changes(question, given)
    if changed and answered:
        raise _refuse_meaning(changed)
    if changed:
        _rebuild(question, given)
    made = _reword_all(question, given, actor)
    if answered:
        db.session.add_all(made)
    db.session.flush()
    if changed or made:
        _audit(question, actor, answered, changed, made)
    return made if answered else []


def _audit(
    question: SurveyQuestion,
    actor: User,
    answered: bool,
    changed: list[Change],
    made: list[SurveyWordingChange],
) -> None:
    audit.record(
        "survey.wording" if answered else "survey.question_edit",
        question.survey,
        actor=actor,
        area_id=question.survey.area_id,
        after={
            "question_id": question.id,
            # Data, not the officer's words: anyone reads the log, in any language.
            "changed": [change.what for change in changed],
            "wording": [[c.item_id, c.field, c.before, c.after] for c in made],
        },
    )
