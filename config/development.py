"""Development: SQLite file, in-memory rate limits, mail to the log and outbox."""

import os

# The demo's officer and admin accounts should be easy to try without an authenticator app,
# so the TOTP second factor is off here unless OFFICER_MFA_REQUIRED=1 is set. Production and
# tests keep it on (config/default.py).
OFFICER_MFA_REQUIRED = os.environ.get("OFFICER_MFA_REQUIRED", "0") in ("1", "true", "yes")
