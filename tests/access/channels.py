"""Channels routes: officer meetings and paper pages, admin codes and census, public code vote."""

_OFFICER = {
    "anonymous": 401,
    "resident": 403,
    "officer": 200,
    "officer_other_area": 200,
    "admin": 200,
}
_ADMIN = {
    "anonymous": 401,
    "resident": 403,
    "officer": 403,
    "officer_other_area": 403,
    "admin": 200,
}
_MISSING = {
    "anonymous": 401,
    "resident": 403,
    "officer": 404,
    "officer_other_area": 404,
    "admin": 404,
}
_PUBLIC = dict.fromkeys(("anonymous", "resident", "officer", "officer_other_area", "admin"), 200)
_POST_MISSING = dict(_MISSING, method="POST")
# Empty POSTs: a form error (422) for the roles allowed in.
_CODE_POST = dict.fromkeys(("anonymous", "resident", "officer", "officer_other_area", "admin"), 422)

ROUTES = {
    "channels.how_to_vote": {"url": "/cycles/{cycle_slug}/how-to-vote", **_PUBLIC},
    "channels.meeting_list": {"url": "/officer/meetings/{cycle_slug}", **_OFFICER},
    "channels.meeting_show": {"url": "/officer/meetings/{cycle_slug}/999999", **_MISSING},
    "channels.meeting_counts": {
        "url": "/officer/meetings/{cycle_slug}/999999/counts",
        **_POST_MISSING,
    },
    "channels.meeting_attendance": {
        "url": "/officer/meetings/{cycle_slug}/999999/attendance",
        **_POST_MISSING,
    },
    "channels.meeting_confirm": {
        "url": "/officer/meetings/{cycle_slug}/999999/confirm",
        **_POST_MISSING,
    },
    "channels.paper_sites": {"url": "/officer/paper/{cycle_slug}", **_OFFICER},
    "channels.paper_ballot": {"url": "/officer/paper/{cycle_slug}/sites/999999/ballot", **_MISSING},
    "channels.paper_import": {"url": "/officer/paper/{cycle_slug}/sites/999999/import", **_MISSING},
    "channels.code_batches": {"url": "/admin/codes/{cycle_slug}", **_ADMIN},
    "channels.census_upload": {"url": "/admin/census/{cycle_slug}", **_ADMIN},
    "channels.census_verify": {
        "url": "/cycles/{cycle_slug}/verify",
        "anonymous": 401,
        "resident": 200,
        "officer": 200,
        "officer_other_area": 200,
        "admin": 200,
    },
    "channels.vote_code": {"url": "/vote/code", **_PUBLIC},
    "channels.vote_code_cast": {"url": "/vote/code/cast", "method": "POST", **_CODE_POST},
    "channels.vote_code_review": {"url": "/vote/code/review", "method": "POST", **_CODE_POST},
}
