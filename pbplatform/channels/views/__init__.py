"""HTTP views for the vote channels: meetings, paper ballots, voting codes, census, policy.

One Blueprint over `meeting_views`, `paper_views`, `code_views` and `census_views` (with the
public one-vote policy page); `common` holds the lookups they share.

Views are thin: they parse forms, call the channel services and turn a DomainError into a
message on the page with its status (>= 400 rolls the request's transaction back, so a
refusal stores nothing; the refused attempt is logged, not audited).
"""

from flask import Blueprint

bp = Blueprint("channels", __name__)

# The modules add their routes to `bp`; import them after it exists.
from pbplatform.channels.views import (  # noqa: E402, F401
    census_views,
    code_views,
    meeting_views,
    paper_views,
)
