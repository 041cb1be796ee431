"""The JSON API and the account's token pages.

API reads are public. /api/v1/me and every API write need a Bearer token: a logged-in
session is NOT an API login, so every role gets 401 there. Token pages need a login; with
an empty form the create page answers 422, and revoking a token that is not yours is 404.
"""


def _all(status: int) -> dict[str, int]:
    return {
        role: status for role in ("anonymous", "resident", "officer", "officer_other_area", "admin")
    }


def _login(status: int) -> dict[str, int]:
    return {**_all(status), "anonymous": 401}


ROUTES = {
    "api.openapi": {"url": "/api/v1/openapi.json", **_all(200)},
    "api.list_cycles": {"url": "/api/v1/cycles", **_all(200)},
    "api.get_cycle": {"url": "/api/v1/cycles/{cycle_slug}", **_all(200)},
    "api.list_areas": {"url": "/api/v1/cycles/{cycle_slug}/areas", **_all(200)},
    "api.list_proposals": {"url": "/api/v1/cycles/{cycle_slug}/proposals", **_all(200)},
    "api.get_proposal": {"url": "/api/v1/proposals/{proposal_tn}", **_all(200)},
    "api.get_results": {"url": "/api/v1/cycles/{cycle_slug}/results", **_all(404)},
    "api.me": {"url": "/api/v1/me", **_all(401)},
    "api.my_notifications": {"url": "/api/v1/me/notifications", **_all(401)},
    "api.list_comments": {"url": "/api/v1/proposals/{proposal_tn}/comments", **_all(200)},
    "api.post_comment": {
        "url": "/api/v1/proposals/{proposal_tn}/comments",
        "method": "POST",
        **_all(401),
    },
    "api.submit": {"url": "/api/v1/cycles/{cycle_slug}/proposals", "method": "POST", **_all(401)},
    "api.cast": {"url": "/api/v1/cycles/{cycle_slug}/ballot", "method": "POST", **_all(401)},
    "api_tokens.index": {"url": "/account/tokens", **_login(200)},
    "api_tokens.create": {"url": "/account/tokens", "method": "POST", **_login(422)},
    "api_tokens.revoke": {"url": "/account/tokens/0/revoke", "method": "POST", **_login(404)},
}
