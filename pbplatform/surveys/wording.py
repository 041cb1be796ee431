"""A survey's own wording: its title and introduction (English and German) may be edited at
any time, as they say nothing about what the stored answers mean. Once someone has answered,
each change is kept in the same history as question wording (`SurveyWordingChange`, with no
question: who, when, before, after), shown to officers, and the results say "Wording changed
on ..." under the title. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.surveys.models import Survey, SurveyWordingChange
from pbplatform.surveys.queries import is_answered

FIELDS = ("title", "title_de", "introduction", "introduction_de")


@dataclass(frozen=True)
class SurveyWording:
    title: str
    title_de: str | None
    introduction: str
    introduction_de: str | None

    def cleaned(self) -> dict[str, str | None]:
        """Stored as the creation stores them: no German text is NULL, no introduction ""."""
        return {
            "title": self.title.strip(),
            "title_de": (self.title_de or "").strip() or None,
            "introduction": self.introduction.strip(),
            "introduction_de": (self.introduction_de or "").strip() or None,
        }


def edit_wording(survey: Survey, actor: User, given: SurveyWording) -> list[SurveyWordingChange]:
    """Set the survey's title and introduction; returns the changes recorded in the wording
    history (none before anyone answered)."""
    wanted = given.cleaned()
    if not wanted["title"]:
        raise DomainError("title_needed", _("Give the survey a title."), field="title")
    answered = is_answered(survey)
    made = []
    for name in FIELDS:
        before, after = getattr(survey, name), wanted[name]
        if before == after:
            continue
        setattr(survey, name, after)
        made.append(
            SurveyWordingChange(
                survey_id=survey.id, field=name, before=before, after=after, changed_by_id=actor.id
            )
        )
    if answered:
        db.session.add_all(made)
    db.session.flush()
    if made:
        audit.record(
            "survey.wording" if answered else "survey.edit",
            survey,
            actor=actor,
            area_id=survey.area_id,
            after={"wording": [[None, c.field, c.before, c.after] for c in made]},
        )
    return made if answered else []
