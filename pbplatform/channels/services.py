"""The channels feature's services, one module each (this module re-exports them).

- meetings: create_meeting, update_attendance, enter_counts, compare_counts,
  confirm_meeting_counts
- paper: create_site, enter_paper_ballot, parse_paper_csv, import_paper_csv
- codes: generate_codes, find_code, redeem_code
- census: upload_census, verify_resident, check_eligibility, census_voter_key
- aggregates: meeting_aggregates (for the count)
"""

from pbplatform.channels.aggregates import meeting_aggregates
from pbplatform.channels.census import (
    census_voter_key,
    check_eligibility,
    upload_census,
    verify_resident,
)
from pbplatform.channels.codes import generate_codes, redeem_code
from pbplatform.channels.meetings import (
    confirm_meeting_counts,
    create_meeting,
    enter_counts,
    update_attendance,
)
from pbplatform.channels.paper import create_site, enter_paper_ballot, import_paper_csv
from pbplatform.channels.policy import already_voted_message, refusal_message

__all__ = [
    "already_voted_message",
    "census_voter_key",
    "check_eligibility",
    "confirm_meeting_counts",
    "create_meeting",
    "create_site",
    "enter_counts",
    "enter_paper_ballot",
    "generate_codes",
    "import_paper_csv",
    "meeting_aggregates",
    "redeem_code",
    "refusal_message",
    "update_attendance",
    "upload_census",
    "verify_resident",
]
