"""Irreversible actions (phase changes, count, publish, merge) are reached through a GET page
that says what will happen; only its button POSTs to the action. Pages link to the
confirmation, never to the action itself, so nothing irreversible happens on one click."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import render_template
from flask.typing import ResponseReturnValue


def confirmation_page(
    title: str,
    consequences: Sequence[str],
    action: str,
    confirm_label: str,
    cancel_url: str,
    fields: Mapping[str, str] | None = None,
) -> ResponseReturnValue:
    return render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        action=action,
        confirm_label=confirm_label,
        cancel_url=cancel_url,
        fields=fields or {},
    )
