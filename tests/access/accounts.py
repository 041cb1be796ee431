"""Access expectations for the accounts feature (login, registration, reset, account page,
administrators' user management and development outbox)."""


def _all(status, **extra):
    return {
        "anonymous": status,
        "resident": status,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


def _user(anonymous, user, **extra):
    return {
        "anonymous": anonymous,
        "resident": user,
        "officer": user,
        "officer_other_area": user,
        "admin": user,
        **extra,
    }


def _admin(anonymous, admin, **extra):
    return {
        "anonymous": anonymous,
        "resident": 403,
        "officer": 403,
        "officer_other_area": 403,
        "admin": admin,
        **extra,
    }


ROUTES = {
    "accounts.register": _all(200, url="/register"),
    "accounts.login": _all(200, url="/login"),
    "accounts.logout": _all(302, url="/logout", method="POST"),
    "accounts.reset_request": _all(200, url="/reset"),
    # An unknown or used token: the "link invalid or expired" page.
    "accounts.reset": _all(404, url="/reset/not-a-token"),
    "accounts.account": _user(401, 200, url="/account"),
    # Empty POSTs fail validation: 422, nothing stored.
    "accounts.update_profile": _user(401, 422, url="/account/profile", method="POST"),
    "accounts.change_password": _user(401, 422, url="/account/password", method="POST"),
    "accounts.admin_users": _admin(401, 200, url="/admin/users"),
    "accounts.admin_new_user": _admin(401, 200, url="/admin/users/new"),
    "accounts.admin_user": _admin(401, 200, url="/admin/users/{user_id}"),
    "accounts.admin_change_role": _admin(
        401, 422, url="/admin/users/{user_id}/role", method="POST"
    ),
    "accounts.admin_deactivate": _admin(
        401, 302, url="/admin/users/{user_id}/deactivate", method="POST"
    ),
    "accounts.admin_reactivate": _admin(
        401, 302, url="/admin/users/{user_id}/reactivate", method="POST"
    ),
    "accounts.outbox": _admin(401, 200, url="/admin/outbox"),
    # Without a password step pending in the session: back to the login page.
    "accounts.mfa_code": _all(302, url="/login/code"),
    "accounts.mfa_enroll": _all(302, url="/login/code/setup"),
    # An unknown or used enrolment link: the "link invalid or expired" page.
    "accounts.mfa_enrol_link": _all(404, url="/login/code/enrol/not-a-token"),
    # Officers and admins only (they have a second factor): new codes, shown once.
    "accounts.regenerate_recovery_codes": {
        "anonymous": 401,
        "resident": 403,
        "officer": 200,
        "officer_other_area": 200,
        "admin": 200,
        "url": "/account/recovery-codes",
        "method": "POST",
    },
    "accounts.admin_reset_mfa": _admin(
        401, 302, url="/admin/users/{user_id}/mfa/reset", method="POST"
    ),
}
