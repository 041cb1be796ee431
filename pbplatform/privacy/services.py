"""The privacy feature's use cases in one place, for views, commands, other features and a job
queue. Each flushes and never commits (see transaction.py); the work lives in the modules named.

The download is produced as a background job (pbplatform/jobs): `start_export` starts it and
the job calls `create_export` (which calls `build_export`, its only caller).
"""

from pbplatform.privacy.consents import record_registration, set_consents
from pbplatform.privacy.erasure import (
    claim_erased_participations,
    erase_offline_contact,
    erase_user,
)
from pbplatform.privacy.export import build_export, create_export, start_export
from pbplatform.privacy.retention import apply_retention

__all__ = [
    "apply_retention",
    "build_export",
    "claim_erased_participations",
    "create_export",
    "erase_offline_contact",
    "erase_user",
    "record_registration",
    "set_consents",
    "start_export",
]
