"""Access expectations for following and notifications. Everyone signed in follows and reads
their own notifications; the unsubscribe link is public (a bad token is 404); letters due
carry proposers' contact details and are for officers only."""


def _signed_in(status, **extra):
    return {
        "anonymous": 401,
        "resident": status,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


def _officers(status, **extra):
    return {
        "anonymous": 401,
        "resident": 403,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


_ALL_404 = {k: 404 for k in ("anonymous", "resident", "officer", "officer_other_area", "admin")}

ROUTES = {
    "notifications.index": _signed_in(200, url="/notifications"),
    "notifications.mark_read": _signed_in(303, url="/notifications/read", method="POST"),
    # An empty form: the choice is missing (422, shown beside the field).
    "notifications.email_choice": _signed_in(422, url="/notifications/email", method="POST"),
    "notifications.follow_area": _signed_in(422, url="/notifications/follow/area", method="POST"),
    "notifications.follow_cycle": _signed_in(422, url="/notifications/follow/cycle", method="POST"),
    "notifications.end_follow": _signed_in(
        404, url="/notifications/follows/999999/end", method="POST"
    ),
    "notifications.follow_proposal": _signed_in(
        303, url="/proposals/{proposal_tn}/follow", method="POST"
    ),
    "notifications.unfollow_proposal": _signed_in(
        303, url="/proposals/{proposal_tn}/unfollow", method="POST"
    ),
    # The page behind an e-mail's link is public; a forged token names nobody (404), an
    # expired one shows the way to sign in (410); neither unsubscribes anyone.
    "notifications.unsubscribe_page": {
        "url": "/notifications/unsubscribe/forged",
        **_ALL_404,
    },
    "notifications.unsubscribe": {
        "url": "/notifications/unsubscribe/forged",
        "method": "POST",
        **_ALL_404,
    },
    "notifications.letters": _officers(200, url="/officer/letters"),
    "notifications.letters_csv": _officers(200, url="/officer/letters.csv"),
    "notifications.letters_printed": _officers(303, url="/officer/letters/printed", method="POST"),
}
