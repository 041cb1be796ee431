"""The ballot form. Its fields depend on the sheet, so they are read from the request here.

Field names: ``p-<proposal id>`` for spending proposals (a checkbox with value 1 on approval
ballots, a number of points on cumulative ballots) and ``s-<proposal id>`` for savings
(``for``, ``against`` or ``abstain``). Anything else in the body (costs, voter or cycle ids,
channels) is ignored: costs and identities come from the server.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

STANCES = {"for": "1", "against": "-1"}


class BallotForm(FlaskForm):
    """Carries the CSRF token; the choices are parsed by `selections_from_form`."""


def _is_zero(value: str) -> bool:
    try:
        return Decimal(value.replace(",", ".")) == 0
    except InvalidOperation:
        return False


def selections_from_form(form: MultiDict) -> list[tuple[str, str]]:
    """(proposal id, points or stance) pairs, duplicates kept so the check can refuse them."""
    pairs: list[tuple[str, str]] = []
    for key in form:
        for raw in form.getlist(key):
            value = raw.strip()
            if key.startswith("p-") and value and not _is_zero(value):
                pairs.append((key[2:], value))
            elif key.startswith("s-") and value and value != "abstain":
                pairs.append((key[2:], STANCES.get(value, value)))
    return pairs


def form_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """What to put back into the form when the ballot is shown again ("Change")."""
    return {pid: value for pid, value in pairs}
