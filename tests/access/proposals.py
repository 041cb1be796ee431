"""Access expectations for proposals. The scene's proposal is pending, in area A, written by
the resident; the cycle is in the proposals phase."""


def _roles(anonymous, resident, officer, other, admin, **extra):
    return {
        "anonymous": anonymous,
        "resident": resident,
        "officer": officer,
        "officer_other_area": other,
        "admin": admin,
        **extra,
    }


ROUTES = {
    "proposals.index": _roles(200, 200, 200, 200, 200, url="/proposals?cycle={cycle_slug}"),
    "proposals.new": _roles(401, 200, 200, 200, 200, url="/proposals/new?cycle={cycle_slug}"),
    "proposals.show": _roles(200, 200, 200, 200, 200, url="/proposals/{proposal_tn}"),
    # Author only: everyone else is refused (IDOR).
    "proposals.edit": _roles(401, 200, 403, 403, 403, url="/proposals/{proposal_tn}/edit"),
    # The author withdraws (303); others are refused.
    "proposals.withdraw": _roles(
        401, 303, 403, 403, 403, method="POST", url="/proposals/{proposal_tn}/withdraw"
    ),
    # An empty reason: back to the page with a message, nothing stored.
    "proposals.flag": _roles(
        401, 303, 303, 303, 303, method="POST", url="/proposals/{proposal_tn}/flag"
    ),
}
