"""Access expectations for moderation. The scene's proposal is in area A: the officer of
area B is refused (and audited) on everything that acts on it."""


def _roles(anonymous, resident, officer, other, admin, **extra):
    return {
        "anonymous": anonymous,
        "resident": resident,
        "officer": officer,
        "officer_other_area": other,
        "admin": admin,
        **extra,
    }


def _action(path, status=422):
    # Empty forms: the review page again with the fields marked (422), nothing changed; a
    # button-only form goes back to the review page with a message (303).
    return _roles(
        401, 403, status, 403, status, method="POST", url="/officer/proposals/{proposal_tn}/" + path
    )


ROUTES = {
    "moderation.queue": _roles(401, 403, 200, 200, 200, url="/officer/queue"),
    "moderation.review": _roles(401, 403, 200, 403, 200, url="/officer/proposals/{proposal_tn}"),
    "moderation.new_proposal": _roles(401, 403, 200, 200, 200, url="/officer/proposals/new"),
    "moderation.approve": _action("approve"),
    "moderation.reject": _action("reject"),
    "moderation.merge": _action("merge"),
    "moderation.merge_confirm": _roles(
        401, 403, 422, 403, 422, url="/officer/proposals/{proposal_tn}/merge"
    ),
    "moderation.hide": _action("hide"),
    "moderation.unhide": _action("unhide"),
    "moderation.resolve": _action("flags/resolve", 303),
    "moderation.withdraw": _action("withdrawal"),
    "moderation.confirm_withdrawal": _action("withdrawal/confirm", 303),
    "moderation.cancel_withdrawal": _action("withdrawal/cancel", 303),
}
