"""What registration does for privacy, called by accounts' register view in one line."""

from __future__ import annotations

from typing import Any

from pbplatform.accounts.models import User
from pbplatform.privacy.consents import record_registration
from pbplatform.privacy.erasure import claim_erased_participations


def on_registered(user: User, form: Any) -> None:
    """Record the notice version shown and the optional consents (a ConsentFieldsMixin form),
    and give back the participations of an erased account with the same address."""
    record_registration(user, form.seen_version(), form.consent_choices())
    claim_erased_participations(user)
