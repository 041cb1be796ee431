"""HTTP views for co-production offers, one Blueprint over three modules: `residents`
(offering help, my offers), `officers` (the review queue and decisions) and `common` (lookups
and the offers panel shown on proposal pages)."""

from flask import Blueprint

bp = Blueprint("coproduction", __name__)

# The modules add their routes and template global to `bp`; import them after it exists.
from pbplatform.coproduction.views import common, officers, residents  # noqa: E402, F401
