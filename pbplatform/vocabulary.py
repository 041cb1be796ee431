"""One vocabulary: every phase, status, kind and channel is an `enum.StrEnum` in the models.py
of the feature that owns it, each member with a translated `label`. The stored values are the
members' values, so a member equals its old string. Everything else is derived from the enum
with these helpers: form choices, the OpenAPI enum, and the `label` template filter (the
database check constraint comes from `pbplatform.db.enum_check`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Protocol, TypeVar

from flask_babel import LazyString
from wtforms.fields.choices import SelectChoice

E = TypeVar("E", bound=enum.StrEnum)


class Labelled(Protocol):
    """A member of a vocabulary enum."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def lazy_label(member: Labelled) -> LazyString:
    """The member's label, translated when shown (form fields are built at import time)."""
    return LazyString(lambda: member.label)


def choices(members: Iterable[Labelled]) -> list[SelectChoice]:
    """WTForms choices: value and translated label of each member, in the enum's order."""
    return [SelectChoice(m.value, lazy_label(m)) for m in members]


def openapi_enum(members: Iterable[Labelled], description: str | None = None) -> dict[str, object]:
    """The OpenAPI schema of a string restricted to the members' values."""
    schema: dict[str, object] = {"type": "string", "enum": [m.value for m in members]}
    if description:
        schema["description"] = description
    return schema


def member_of(vocabulary: type[E], code: str | None) -> E | None:
    """The member whose value is `code` (from a request, say), or None if there is none."""
    if code is None:
        return None
    try:
        return vocabulary(code)
    except ValueError:
        return None


def label(code: str | None, vocabulary: type[enum.StrEnum]) -> str:
    """Template filter `{{ cycle.phase|label(Phase) }}`: the translated label of a stored code;
    a code the enum does not know is shown as it is (never an error page)."""
    if code is None:
        return "–"
    member = member_of(vocabulary, code)
    return str(getattr(member, "label", code))
