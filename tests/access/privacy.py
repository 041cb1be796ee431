"""Access expectations for the privacy feature: the public notice, a person's own data page,
officers' erasure requests and the administrators' retention page."""


def _user(anonymous, user, **extra):
    return {
        "anonymous": anonymous,
        "resident": user,
        "officer": user,
        "officer_other_area": user,
        "admin": user,
        **extra,
    }


def _officer(anonymous, officer, **extra):
    return {
        "anonymous": anonymous,
        "resident": 403,
        "officer": officer,
        "officer_other_area": officer,
        "admin": officer,
        **extra,
    }


ROUTES = {
    "privacy.notice": _user(200, 200, url="/privacy"),
    "privacy.account": _user(401, 200, url="/account/privacy"),
    # Empty POSTs fail validation (the consent form has no required field: it saves "no").
    "privacy.update_consents": _user(401, 302, url="/account/privacy/consents", method="POST"),
    # The download is a job: the POST redirects to its page.
    "privacy.request_export": _user(401, 303, url="/account/privacy/export", method="POST"),
    "privacy.erase_account": _user(401, 422, url="/account/privacy/erase", method="POST"),
    # Nobody's download has this id: 404 for everyone signed in.
    "privacy.download_export": _user(401, 404, url="/account/privacy/export/999999"),
    "privacy.requests": _officer(401, 200, url="/privacy/requests"),
    "privacy.officer_erase_account": _officer(
        401, 422, url="/privacy/requests/account", method="POST"
    ),
    "privacy.officer_erase_contact": _officer(
        401, 422, url="/privacy/requests/contact", method="POST"
    ),
    "privacy.admin": {
        "anonymous": 401,
        "resident": 403,
        "officer": 403,
        "officer_other_area": 403,
        "admin": 200,
        "url": "/admin/privacy",
    },
}
