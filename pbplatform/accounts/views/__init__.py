"""HTTP views for accounts, one Blueprint over three modules: `auth` (register, log in and out,
reset a password, rate limits, session lifetime), `account` (the account page) and `admin`
(the administrators' user management and development outbox)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

# The modules add their routes to `bp`; import them after it exists.
from pbplatform.accounts.views import account, admin, auth, mfa  # noqa: E402, F401
